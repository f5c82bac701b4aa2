#!/usr/bin/env python3
"""Side by side: the same command lines through `xz` and `swiftlzma`.

Each case runs in a fresh temporary directory holding the same sample files,
once with `xz` and once with `swiftlzma` as the program, and compares: the exit
status, the bytes written to stdout (SHA-1), the first line of stderr (with the
program name normalised to PROG; for the -vv cases every message line) and the
files left behind (names and SHA-1s).
The installed xz runs with XZ_DEFAULTS=-T0, xz 5.8's default thread count.
Prints one table row per case and a summary; exits 1 if a case differs that is
not listed in README.md's "Deliberate differences from xz" (by its id).

usage: Scripts/cli-parity.py [--swiftlzma PATH] [--xz PATH] [-v]
"""
import hashlib, os, re, shutil, subprocess, sys, tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

def sha(b): return hashlib.sha1(b).hexdigest()[:12]

def make_samples(d):
    text = b"".join(b"line %d of a sample text, with some repetition %d\n" % (i, i % 17) for i in range(4000))
    open(os.path.join(d, "a.txt"), "wb").write(text)
    open(os.path.join(d, "b.bin"), "wb").write(bytes((i * 7 + (i >> 8)) & 0xFF for i in range(50000)))
    open(os.path.join(d, "empty"), "wb").write(b"")
    open(os.path.join(d, "plain.xz"), "wb").write(b"this is not xz data at all\n")
    xz = shutil.which("xz")
    def run(args, out):
        with open(os.path.join(d, out), "wb") as f:
            subprocess.run([xz] + args, stdout=f, check=True, cwd=d)
    run(["-c", "a.txt"], "a.txt.xz")
    run(["-c", "-F", "lzma", "a.txt"], "a.txt.lzma")
    run(["-c", "-T1", "--block-size=20000", "a.txt"], "multi.xz")
    blob = open(os.path.join(d, "a.txt.xz"), "rb").read()
    open(os.path.join(d, "trunc.xz"), "wb").write(blob[:-7])
    bad = bytearray(blob); bad[len(bad) // 2] ^= 0x40
    open(os.path.join(d, "corrupt.xz"), "wb").write(bytes(bad))
    open(os.path.join(d, "cat.xz"), "wb").write(blob + b"\0" * 4 + blob)
    open(os.path.join(d, "trailing.xz"), "wb").write(blob + b"garbage-after-the-stream")
    os.mkdir(os.path.join(d, "dir"))
    os.symlink("a.txt", os.path.join(d, "link"))
    os.symlink("a.txt.xz", os.path.join(d, "zlink.xz"))

# (id, argument string, stdin file or None). PROG is replaced by the program.
# "@NAME ARGS" runs the program through a symbolic link called NAME.
CASES = [
    ("compress-default", "-k a.txt", None),
    ("compress-stdout", "-c a.txt", None),
    ("compress-0", "-0 -c a.txt", None),
    ("compress-9e", "-9e -c b.bin", None),
    ("compress-crc32", "-C crc32 -c a.txt", None),
    ("compress-sha256", "-C sha256 -c a.txt", None),
    ("compress-none", "-C none -c a.txt", None),
    ("compress-lzma", "-F lzma -c a.txt", None),
    ("compress-lzma-suffix", "-F lzma -k a.txt", None),
    ("compress-T1-blocks", "-T1 --block-size=10000 -c a.txt", None),
    ("compress-T2", "-T2 -3 -c a.txt", None),
    ("compress-x86", "--x86 --lzma2=preset=1 -c b.bin", None),
    ("compress-delta", "--delta=dist=4 --lzma2=preset=0 -c b.bin", None),
    ("compress-lzma2-opts", "--lzma2=dict=64KiB,lc=2,lp=1,pb=1,nice=32,mf=hc4,mode=fast -c a.txt", None),
    ("compress-lzma1-lzma", "-F lzma --lzma1=preset=3 -c a.txt", None),
    ("compress-block-list", "-T1 --block-list=1000,5000 -c a.txt", None),
    ("compress-stdin", "-c", "a.txt"),
    ("compress-exists", "a.txt.xz", None),  # already has the suffix
    ("compress-overwrite", "-k b.bin; PROG -k b.bin", None),
    ("compress-force", "-k b.bin; PROG -kf b.bin", None),
    ("compress-empty", "-k empty", None),
    ("compress-dir", "dir", None),
    ("compress-link", "link", None),
    ("compress-link-force", "-f -k link", None),
    ("compress-missing", "nothing.txt", None),
    ("compress-raw-nosuffix", "-F raw a.txt", None),
    ("compress-raw-stdout", "-F raw -c a.txt", None),
    ("decompress", "-d -k a.txt.xz", None),
    ("decompress-stdout", "-dc a.txt.xz", None),
    ("decompress-lzma", "-dc a.txt.lzma", None),
    ("decompress-multi", "-dc multi.xz", None),
    ("decompress-cat", "-dc cat.xz", None),
    ("decompress-single-stream", "-dc --single-stream cat.xz", None),
    ("decompress-trunc", "-dc trunc.xz", None),
    ("decompress-corrupt", "-dc corrupt.xz", None),
    ("decompress-trailing", "-dc trailing.xz", None),
    ("decompress-plain", "-dc plain.xz", None),
    ("decompress-plain-force", "-dcf plain.xz", None),
    ("decompress-stdin", "-dc", "a.txt.xz"),
    ("decompress-unknown-suffix", "-d a.txt", None),
    ("decompress-F-lzma-on-xz", "-dc -F lzma a.txt.xz", None),
    ("decompress-F-xz-on-lzma", "-dc -F xz a.txt.lzma", None),
    ("decompress-memlimit", "-dc -M 1MiB a.txt.xz", None),
    ("decompress-memlimit-ok", "-dc -M 100MiB a.txt.xz", None),
    ("decompress-ignore-check", "-dc --ignore-check corrupt.xz", None),
    ("decompress-exists", "-dk a.txt.xz", None),
    ("decompress-keep-remove", "-d a.txt.xz", None),
    ("test-ok", "-t a.txt.xz", None),
    ("test-corrupt", "-t corrupt.xz", None),
    ("test-verbose", "-tv a.txt.xz", None),
    ("list", "-l a.txt.xz", None),
    ("list-multi", "-l multi.xz cat.xz", None),
    ("list-v", "-lv multi.xz", None),
    ("list-vv", "-lvv multi.xz", None),
    ("list-robot", "--robot -l multi.xz", None),
    ("list-robot-vv", "--robot -lvv cat.xz", None),
    ("list-lzma", "-l a.txt.lzma", None),
    ("list-stdin", "-l", "a.txt.xz"),
    ("list-plain", "-l plain.xz", None),
    ("bad-option", "--no-such-option", None),
    ("bad-preset", "-10 a.txt", None),
    ("bad-check", "-C md5 a.txt", None),
    ("bad-lzma2-name", "--lzma2=foo=1 -c a.txt", None),
    ("bad-lzma2-mf", "--lzma2=mf=bt5 -c a.txt", None),
    ("bad-lzma2-mode", "--lzma2=mode=foo -c a.txt", None),
    ("bad-lzma2-preset", "--lzma2=preset=10 -c a.txt", None),
    ("bad-lzma-x86", "-F lzma --x86 -c a.txt", None),
    ("bad-memlimit", "-M 101% -c a.txt", None),
    ("recursive", "-r dir", None),
    ("force-onto-dir", "-f -k -S '' a.txt", None),
    ("help", "--help", None),
    ("version", "--version", None),
    ("robot-version", "--robot --version", None),
    ("keep-quiet", "-q -dc corrupt.xz", None),
    ("stdout-to-terminal-refused", "-z < a.txt", None),
    # --block-list (xz 5.4's size-only syntax).
    ("compress-block-list-T2", "-T2 --block-list=1000,5000 -c a.txt", None),
    ("compress-block-list-rest", "-T1 --block-list=3000,0 --block-size=2000 -c a.txt", None),
    ("compress-block-list-repeat", "-T1 --block-list=1000,,2000 -c b.bin", None),
    ("compress-block-list-T2-split", "-T2 --block-list=30000,0 --block-size=7000 -c b.bin", None),
    ("bad-block-list-zero", "--block-list=5,0,5 -c a.txt", None),
    ("bad-block-list-first", "--block-list=,5 -c a.txt", None),
    ("bad-block-list-suffix", "--block-list=5x -c a.txt", None),
    # --filters (xz 5.6+; byte-checked against liblzma 5.8.1 in FiltersOptionCLITests).
    ("filters", "-T1 --filters='x86 lzma2:preset=1' -c b.bin", None),
    ("filters-help", "--filters-help", None),
    ("block-list-chain", "-T1 --filters1='delta:dist=2 lzma2' --block-list=1:20000,0 -c b.bin", None),
    # Option strings, now read by the library's parsers.
    ("bad-lzma2-dict-suffix", "--lzma2=dict=1x -c a.txt", None),
    ("bad-lzma2-dict-range", "--lzma2=dict=1KiB -c a.txt", None),
    ("bad-lzma2-lclp", "--lzma2=lc=4,lp=1 -c a.txt", None),
    ("bad-lzma2-pairs", "--lzma2=preset=6,dict -c a.txt", None),
    ("bad-delta-dist", "--delta=dist=0 --lzma2 -c a.txt", None),
    ("bad-x86-start", "--x86=start= --lzma2 -c a.txt", None),
    ("lzma1-options-lzma", "-F lzma --lzma1=preset=1,lc=1,lp=2,pb=1 -c a.txt", None),
    ("raw-lzma1-roundtrip", "-F raw --lzma1=preset=1,lc=2 -c a.txt | PROG -dc -F raw --lzma1=lc=2,dict=1MiB", None),
    # Information.
    ("info-memory", "--info-memory", None),
    ("robot-info-memory", "--robot --info-memory", None),
    ("info-memory-limits", "-M 100MiB --memlimit-compress=50% --info-memory", None),
    ("info-memory-first", "--info-memory --version", None),
    ("short-help", "-h", None),
    ("long-help", "-H", None),
    # Invocation names.
    ("name-unxz", "@unxz -k a.txt.xz", None),
    ("name-xzcat", "@xzcat a.txt.xz cat.xz", None),
    ("name-lzcat", "@lzcat a.txt.lzma", None),
    ("name-lzcat-on-xz", "@lzcat a.txt.xz", None),
    ("name-unlzma", "@unlzma a.txt.lzma", None),
    ("name-lzma", "@lzma -T1 -k b.bin", None),
    # Files.
    ("keep-link", "-T1 -k link", None),
    ("decompress-keep-link", "-dk zlink.xz", None),
    ("decompress-link", "-d zlink.xz", None),
    ("decompress-no-sparse", "-dk --no-sparse a.txt.xz", None),
    ("single-stream-keeps", "-d --single-stream cat.xz", None),
    ("no-sync", "-d --no-sync cat.xz", None),
    ("flush-timeout-file", "-T1 --flush-timeout=100 -c a.txt", None),
    ("flush-timeout-T2", "-T2 --flush-timeout=100 -c a.txt", None),
    ("flush-timeout-lzma", "-F lzma --flush-timeout=100 -c a.txt", None),
    # -vv: the settings report (compared line for line, see FULL_STDERR).
    ("vv-compress", "-vv -c a.txt", None),
    ("vv-compress-T1-0", "-vv -T1 -0 -c a.txt", None),
    ("vv-compress-T1-9e", "-vv -T1 -9e -c a.txt", None),
    ("vv-compress-T2-9", "-vv -T2 -9 -c a.txt", None),
    ("vv-compress-block-size", "-vv -T2 --block-size=100000 -c a.txt", None),
    ("vv-compress-lzma2-opts", "-vv -T1 --lzma2=preset=3,dict=1MiB,nice=32,mf=bt2 -c a.txt", None),
    ("vv-compress-filters", "-vv -T1 --delta=dist=4 --x86=start=16 --lzma2=preset=1 -c b.bin", None),
    ("vv-compress-lzma", "-vv -F lzma -9 -c a.txt", None),
    ("vv-compress-raw", "-vv -F raw --lzma1=preset=1 -c a.txt", None),
    ("vv-memlimit-threads", "-vv -T2 -M 200MiB -c a.txt", None),
    ("vv-memlimit-single", "-vv -T2 -M 100MiB -c a.txt", None),
    ("vv-memlimit-dict", "-vv -T1 -9 -M 100MiB -c a.txt", None),
    ("vv-memlimit-no-adjust", "-vv -T2 -M 100MiB --no-adjust -c a.txt", None),
    ("vv-flush-timeout", "-vv --flush-timeout=100 -c a.txt", None),
    ("vv-decompress", "-dvv -c a.txt.xz a.txt.lzma", None),
    ("vv-decompress-raw", "-dvv -F raw --lzma2=preset=1,lc=0 -c a.txt.xz", None),
    ("vv-decompress-raw-memlimit", "-dvv -F raw -M 1MiB -c a.txt.xz", None),
]

# Cases whose stderr is compared line for line (the program name normalised;
# summary lines "name: sizes" are left out, as the compressors may differ there).
FULL_STDERR = {cid for cid, _, _ in CASES if cid.startswith("vv-")}

def normalise(line, prog):
    line = line.replace(prog + ":", "PROG:").replace(os.path.basename(prog) + ":", "PROG:")
    line = line.replace("`xz ", "`PROG ").replace("`" + (shutil.which("xz") or "/usr/bin/xz") + " ", "`PROG ")
    line = line.replace("swiftlzma", "PROG").replace("xz:", "PROG:").replace(shutil.which("xz") or "/usr/bin/xz", "xz")
    return line.strip()

def run_case(prog, args, stdin_name, samples, full_stderr=False):
    d = tempfile.mkdtemp(prefix="parity-")
    try:
        for n in os.listdir(samples):
            src = os.path.join(samples, n)
            if os.path.islink(src): os.symlink(os.readlink(src), os.path.join(d, n))
            elif os.path.isdir(src): os.mkdir(os.path.join(d, n))
            else: shutil.copy2(src, os.path.join(d, n))
        if args.startswith("@"):
            name, _, rest = args[1:].partition(" ")
            cmd = "ln -s PROG %s && ./%s %s" % (name, name, rest)
        else:
            cmd = "PROG " + args
        cmd = cmd.replace("PROG", "'" + prog + "'")
        stdin = open(os.path.join(d, stdin_name), "rb") if stdin_name else subprocess.DEVNULL
        # xz 5.8 compresses with -T0 by default (5.4: -T1); XZ_DEFAULTS gives
        # the installed xz 5.8's default, which swiftlzma follows.
        env = dict(os.environ, XZ_DEFAULTS="-T0")
        r = subprocess.run(["bash", "-c", cmd], cwd=d, stdin=stdin, capture_output=True, timeout=120, env=env)
        files = {}
        for root, _, names in os.walk(d):
            for n in names:
                p = os.path.join(root, n)
                rel = os.path.relpath(p, d)
                files[rel] = "link" if os.path.islink(p) else sha(open(p, "rb").read())
        err = r.stderr.decode(errors="replace").splitlines()
        first = err[0] if err else ""
        if args.startswith("@"):
            name = args[1:].partition(" ")[0]
            first = first.replace("./" + name + ":", prog + ":")
        if full_stderr:
            lines = [normalise(l, prog) for l in err]
            return r.returncode, sha(r.stdout), " | ".join(l for l in lines if l.startswith("PROG:")), files
        return r.returncode, sha(r.stdout), normalise(first, prog) if err else "", files
    finally:
        shutil.rmtree(d)

def main():
    swift = os.path.join(ROOT, ".build", "release", "swiftlzma")
    xz = shutil.which("xz")
    verbose = "-v" in sys.argv
    if "--swiftlzma" in sys.argv: swift = os.path.abspath(sys.argv[sys.argv.index("--swiftlzma") + 1])
    if "--xz" in sys.argv: xz = sys.argv[sys.argv.index("--xz") + 1]
    if not xz:
        print("cli-parity: xz is not installed; skipped"); return 0
    readme = open(os.path.join(ROOT, "README.md")).read()
    listed = set(re.findall(r"`parity:([a-z0-9-]+)`", readme))
    samples = tempfile.mkdtemp(prefix="parity-samples-")
    make_samples(samples)
    same = differ = deliberate = 0
    print("%-28s %-6s %-6s %-7s %-6s %s" % ("case", "exit", "stdout", "stderr", "files", "verdict"))
    for cid, args, stdin in CASES:
        a = run_case(xz, args, stdin, samples, cid in FULL_STDERR)
        b = run_case(swift, args, stdin, samples, cid in FULL_STDERR)
        marks = ["=" if a[i] == b[i] else "DIFF" for i in range(4)]
        # Our message may add detail after xz's text: the first line matches
        # when xz's line is a prefix of ours.
        if marks[2] == "DIFF" and a[2] and b[2].startswith(a[2]):
            marks[2] = "="
        ok = all(m == "=" for m in marks)
        verdict = "same" if ok else ("deliberate" if cid in listed else "DIFFERS")
        same += ok; deliberate += (not ok and cid in listed); differ += (not ok and cid not in listed)
        print("%-28s %-6s %-6s %-7s %-6s %s" % (cid, *marks, verdict))
        if verbose and not ok:
            print("      xz:    exit %s stdout %s stderr %r files %s" % a)
            print("      ours:  exit %s stdout %s stderr %r files %s" % b)
    shutil.rmtree(samples)
    print("%d cases: %d same, %d deliberate differences (README), %d differ" % (len(CASES), same, deliberate, differ))
    return 1 if differ else 0

if __name__ == "__main__":
    sys.exit(main())
