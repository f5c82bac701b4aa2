#!/usr/bin/env python3
"""Compare our symbol decoder with liblzma 5.8.1's, block by block, under callgrind.

Usage: decode-blocks.py [--bin SWIFTLZMA] [--xz58 XZ58] [--top N] [--show COUNT] FILE.xz

Both decoders decode FILE.xz under `valgrind --tool=callgrind --dump-instr=yes`:
ours as `SWIFTLZMA -dc -T1 FILE` (default: the static release build that
Scripts/bench.sh makes, .build-bench/release/swiftlzma), liblzma in process
through Scripts/liblzma58-decode.py (XZ58 defaults to ../shared/tools/xz58).

Every instruction of the two symbol decoders (our `decodeSymbols`
specialised for `RangeDecoder`, liblzma's `lzma_decode`) gets its execution
count. Instructions with the same count form a "block": a path through the
code that runs once per literal, per match, per direct bit... Both decoders
decode the same symbols, so the blocks whose counts (nearly) agree do the
same work, and their instructions per execution compare directly: that is
where the instruction gap is, path by path. Counts within 0.2% of each other
are summed into one row, since the same path's count differs by a few dozen
between the two (chunk boundaries) and paths that run equally often fall
together anyway.

--show COUNT prints the instructions of both blocks nearest to COUNT.
Instruction counts only: callgrind's branch simulation is too crude to rank
branch changes, and this says nothing about time (use Scripts/bench.sh).
"""
import argparse
import collections
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def callgrind(cmd, out):
    r = subprocess.run(["valgrind", "--tool=callgrind", "--dump-instr=yes", f"--callgrind-out-file={out}"] + cmd,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        sys.exit(f"decode-blocks: callgrind failed for {cmd[0]}:\n{r.stderr[-2000:]}")
    total = re.search(r"I\s+refs:\s+([\d,]+)", r.stderr)
    return int(total.group(1).replace(",", "")) if total else 0


def counts(path, wanted):
    """Per-address Ir of the functions whose name satisfies `wanted`."""
    names, current, addr, skip = {}, None, 0, False
    ir = collections.Counter()
    for line in open(path):
        if line.startswith(("fn=", "cfn=")):
            m = re.match(r"c?fn=\((\d+)\)(?: (.*))?", line.strip())
            if m and m.group(2):
                names[m.group(1)] = m.group(2)
            if line.startswith("fn=") and m:
                current = names.get(m.group(1))
            continue
        if line.startswith("calls="):
            skip = True
            continue
        if not line or line[0] not in "0123456789+-*":
            continue
        fields = line.split()
        a = fields[0]
        if a.startswith("0x"):
            addr = int(a, 16)
        elif a[0] in "+-":
            addr += int(a)
        if skip:  # the cost line after calls= is the callee's, not this instruction's
            skip = False
            continue
        if current and wanted(current) and len(fields) > 2:
            ir[addr] += int(fields[2])
    return ir


def blocks(ir):
    """Execution count -> instructions executed that many times."""
    b = collections.Counter()
    for n in ir.values():
        b[n] += 1
    return b


def tolerance(count):
    return max(50, count // 500)


def clusters(ours, theirs):
    """Groups the execution counts of both decoders that lie within a
    tolerance of each other (the two decoders' counts for the same path differ
    by a few dozen: chunk boundaries, and paths that run equally often fall
    together). Returns (low count, ours instructions per execution, theirs)."""
    keys = sorted(set(ours) | set(theirs))
    groups, start = [], 0
    for i in range(1, len(keys) + 1):
        if i == len(keys) or keys[i] - keys[i - 1] > tolerance(keys[i - 1]):
            part = keys[start:i]
            groups.append((part[0], sum(ours.get(c, 0) for c in part), sum(theirs.get(c, 0) for c in part),
                           sum(c * ours.get(c, 0) for c in part), sum(c * theirs.get(c, 0) for c in part)))
            start = i
    return groups


def nearest(count, theirs):
    best = min(theirs, key=lambda c: abs(c - count), default=None)
    return best if best is not None and abs(best - count) <= tolerance(count) else None


def disassemble(binary, lo, hi):
    out = subprocess.run(["objdump", "-d", "--no-show-raw-insn", f"--start-address={lo}", f"--stop-address={hi + 1}",
                          binary], capture_output=True, text=True).stdout
    for line in out.splitlines():
        m = re.match(r"\s+([0-9a-f]+):\s+(.*)", line)
        if m:
            yield int(m.group(1), 16), m.group(2)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--bin", default=os.path.join(ROOT, ".build-bench/release/swiftlzma"))
    p.add_argument("--xz58", default=os.path.join(ROOT, "../shared/tools/xz58"))
    p.add_argument("--top", type=int, default=16)
    p.add_argument("--show", type=int)
    p.add_argument("file")
    a = p.parse_args()
    for path in (a.bin, a.xz58, a.file):
        if not os.path.exists(path):
            sys.exit(f"decode-blocks: {path} not found")
    with tempfile.TemporaryDirectory() as tmp:
        ours_total = callgrind([a.bin, "-dc", "-T1", a.file], f"{tmp}/ours.cg")
        python = os.path.realpath(sys.executable)  # not a pyenv shim: valgrind must see the real process
        lib_total = callgrind([python, os.path.join(HERE, "liblzma58-decode.py"), a.xz58, a.file], f"{tmp}/lib.cg")
        # The real decoder's specialisations (RangeDecoder, either literal
        # context), not the dry run's or the trace's.
        ours = counts(f"{tmp}/ours.cg", lambda n: "decodeSymbols" in n and "12RangeDecoderV" in n)
        lib = counts(f"{tmp}/lib.cg", lambda n: n == "lzma_decode")
    if not ours or not lib:
        sys.exit("decode-blocks: a decoder's function was not found in the profile (stripped binary?)")
    ob, lb = blocks(ours), blocks(lib)
    print(f"{os.path.basename(a.file)}: whole process {ours_total / 1e6:.1f}M Ir (ours) vs {lib_total / 1e6:.1f}M "
          f"(Python + liblzma); symbol decoder {sum(ours.values()) / 1e6:.1f}M vs lzma_decode {sum(lib.values()) / 1e6:.1f}M")
    print(f"{'executions':>11} {'ours/exec':>9} {'liblzma/exec':>12} {'ours Ir':>9} {'liblzma Ir':>10} {'diff':>8}")
    for low, k, t, oir, tir in sorted(clusters(ob, lb), key=lambda g: -max(g[3], g[4]))[:a.top]:
        print(f"{low:>11} {k:>9} {t:>12} {oir / 1e6:>8.1f}M {tir / 1e6:>9.1f}M {(oir - tir) / 1e6:>+7.1f}M")
    if a.show:
        lib_path = subprocess.run([python, "-c", "import importlib.machinery as m, importlib.util as u, sys\n"
                                   "l = m.SourceFileLoader('xz58', sys.argv[1]); s = u.spec_from_loader('xz58', l)\n"
                                   "x = u.module_from_spec(s); l.exec_module(x); print(x.library_path())", a.xz58],
                                  capture_output=True, text=True).stdout.strip()
        for title, ir, b, binary in (("ours", ours, ob, a.bin), ("liblzma", lib, lb, lib_path)):
            m = nearest(a.show, b)
            if m is None:
                print(f"\n{title}: no block near {a.show}")
                continue
            addrs = [x for x, n in ir.items() if n == m]
            print(f"\n{title}: {b[m]} instructions executed {m} times")
            for x, text in disassemble(binary, min(addrs), max(addrs)):
                if ir.get(x) == m:
                    print(f"  {x:x}  {text[:70]}")


if __name__ == "__main__":
    main()
