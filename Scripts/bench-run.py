#!/usr/bin/env python3
"""Run one command and measure it, for Scripts/bench.sh.

Usage: bench-run.py OUT ERR CMD [ARGS...]
  stdin is /dev/null, stdout goes to OUT, stderr to ERR.
Prints: "<exit code> <wall seconds> <peak RSS KiB>"
  (exit code is -N if killed by signal N). Timing starts right before the
  fork and stops when wait4() returns, so Python's own start-up is excluded.

Peak RSS: Linux counts the pre-exec memory of a forked child in ru_maxrss,
and a child forked from Python starts at ~14 MB, which would swamp small
commands. So when GNU time exists, the command runs under
`/usr/bin/time -f %M` (a small C process) and its number is used; otherwise
wait4()'s ru_maxrss is reported (an overestimate for small commands).
"""
import os
import subprocess
import sys
import time

GNU_TIME = "/usr/bin/time"


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    out, err, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
    memfile = None
    if os.access(GNU_TIME, os.X_OK):
        memfile = err + ".mem"
        cmd = [GNU_TIME, "-f", "%M", "-o", memfile] + cmd
    with open(os.devnull, "rb") as nul, open(out, "wb") as fo, open(err, "wb") as fe:
        t0 = time.perf_counter()
        try:
            p = subprocess.Popen(cmd, stdin=nul, stdout=fo, stderr=fe)
        except OSError as e:
            fe.write(("bench-run: %s\n" % e).encode())
            print("127 0 0")
            return
        _, status, ru = os.wait4(p.pid, 0)
        t1 = time.perf_counter()
    rc = os.waitstatus_to_exitcode(status)
    p.returncode = rc  # already reaped; keep Popen from waiting again
    kib = ru.ru_maxrss
    if memfile:
        # GNU time writes "Command exited with non-zero status N" (or
        # "terminated by signal N") before the format line; %M is last.
        lines = open(memfile).read().split()
        kib = int(lines[-1]) if lines and lines[-1].isdigit() else 0
        if rc >= 128 and "signal" in " ".join(lines):
            rc = -(rc - 128)
    print("%d %.6f %d" % (rc, t1 - t0, kib))


if __name__ == "__main__":
    main()
