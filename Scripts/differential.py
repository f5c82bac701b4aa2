#!/usr/bin/env python3
"""Differential test of our LZMA codec against xz-utils (outside CI).

    Scripts/differential.py [--cases N] [--seed S] [--max-size BYTES]

Random inputs and random encoder options (preset 0-9 with or without -e, then
lc/lp/pb, dictionary, match finder, mode, nice length, depth), in both
directions:

  ours -> xz:  our encoder (.lzma, .lzma with known size, raw LZMA1; in one call
               or in random chunks), then `xz -d` must give the input back;
  xz -> ours:  `xz --format=lzma|raw --lzma1=...`, then our decoder (in one call
               or in random chunks with bounded maxLength) must give it back.

Our side runs in a release-built harness (Scripts/fuzz/differential/main.swift)
compiled as a throwaway SwiftPM package in $TMPDIR that depends on this
repository. Mismatches are saved under fuzz-out/differential/case-<n>/ (input,
compressed bytes, options, what happened). Exit status 1 if any case failed.
"""
import argparse
import os
import random
import shutil
import struct
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
HARNESS_SRC = os.path.join(ROOT, "Scripts", "fuzz", "differential", "main.swift")
OUT = os.path.join(ROOT, "fuzz-out", "differential")

WORDS = (b"the of and to in is that for it as was with be by on not he this are or his from at which but "
         b"have an they you were her she there been one all we their has would when if so no will more "
         b"func let var return struct class 0x00 {} [] () ; := <tag> </tag> 1234567890 \n \t").split(b" ")


def build_harness():
    """Builds the harness in release against this repository; returns the binary."""
    pkg = os.path.join(tempfile.gettempdir(), "swiftlzma-differential")
    src = os.path.join(pkg, "Sources", "Harness")
    os.makedirs(src, exist_ok=True)
    identity = os.path.basename(ROOT).lower()
    manifest = f"""// swift-tools-version:6.0
import PackageDescription
let package = Package(
    name: "Harness",
    dependencies: [.package(path: "{ROOT}")],
    targets: [.executableTarget(name: "Harness", dependencies: [.product(name: "LZMA", package: "{identity}")])]
)
"""
    path = os.path.join(pkg, "Package.swift")
    if not os.path.exists(path) or open(path).read() != manifest:
        with open(path, "w") as f:
            f.write(manifest)
    shutil.copyfile(HARNESS_SRC, os.path.join(src, "main.swift"))
    print("== building the harness (release)", flush=True)
    subprocess.run(["swift", "build", "-c", "release", "--package-path", pkg], check=True,
                   stdout=subprocess.DEVNULL)
    return os.path.join(pkg, ".build", "release", "Harness")


class Harness:
    def __init__(self, binary):
        self.p = subprocess.Popen([binary], stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def call(self, op, fmt, options, chunk, data):
        o = options.encode()
        self.p.stdin.write(struct.pack("<BBH", op, fmt, len(o)) + o + struct.pack("<II", chunk, len(data)) + data)
        self.p.stdin.flush()
        head = self.p.stdout.read(5)
        if len(head) < 5:
            raise RuntimeError("harness died")
        status, n = struct.unpack("<BI", head)
        payload = self.p.stdout.read(n)
        return status == 0, payload


def make_data(rnd, max_size):
    r = rnd.random()
    if r < 0.35:
        size = rnd.randint(0, 256)
    elif r < 0.8:
        size = rnd.randint(257, 16384)
    elif r < 0.98:
        size = rnd.randint(16385, min(max_size, 262144))
    else:
        size = rnd.randint(1, max_size)
    parts = []
    total = 0
    while total < size:
        kind = rnd.randrange(7)
        n = min(size - total, rnd.randint(1, max(1, size // rnd.choice([1, 2, 4, 8]))))
        if kind == 0:
            part = rnd.randbytes(n)
        elif kind == 1:
            part = b" ".join(rnd.choice(WORDS) for _ in range(n // 4 + 1))[:n]
        elif kind == 2:
            part = bytearray()
            while len(part) < n:
                part += bytes([rnd.randrange(256)]) * rnd.randint(1, 300)
            part = bytes(part[:n])
        elif kind == 3:
            alphabet = rnd.randbytes(rnd.randint(1, 4))
            part = bytes(rnd.choice(alphabet) for _ in range(n))
        elif kind == 4:
            pattern = rnd.randbytes(rnd.randint(1, 64))
            part = bytearray((pattern * (n // len(pattern) + 1))[:n])
            for _ in range(rnd.randint(0, 5)):
                if part:
                    part[rnd.randrange(len(part))] = rnd.randrange(256)
            part = bytes(part)
        elif kind == 5:
            width = rnd.choice([2, 4, 8])
            start = rnd.randrange(1 << 16)
            part = b"".join((start + i * rnd.choice([1, 1, 2, 3])).to_bytes(8, "little")[:width]
                            for i in range(n // width + 1))[:n]
        else:
            # Repeat an earlier stretch at a long distance (long matches, rep distances).
            prev = b"".join(parts)
            if prev:
                a = rnd.randrange(len(prev))
                part = prev[a:a + n]
            else:
                part = rnd.randbytes(n)
        parts.append(part)
        total += len(part)
    return b"".join(parts)[:size]


MATCH_FINDERS = {"hc3": 3, "hc4": 4, "bt2": 2, "bt3": 3, "bt4": 4}


def make_options(rnd):
    """An xz --lzma1= option string (preset first), and lc/lp/pb/dict for raw."""
    level = rnd.randint(0, 9)
    preset_dicts = [1 << 18, 1 << 20, 1 << 21, 1 << 22, 1 << 22, 1 << 23, 1 << 23, 1 << 24, 1 << 25, 1 << 26]
    opts = [f"preset={level}{'e' if rnd.random() < 0.3 else ''}"]
    lc, lp, pb = 3, 0, 2
    if rnd.random() < 0.6:
        lc = rnd.randint(0, 4)
        lp = rnd.randint(0, 4 - lc)
        pb = rnd.randint(0, 4)
        opts += [f"lc={lc}", f"lp={lp}", f"pb={pb}"]
    # Keep dictionaries small: presets 7-9 would make every xz run allocate 100+ MiB.
    dict_size = rnd.choice([4096, 4097, 65536, 65537, 1 << 20, (1 << 20) + (1 << 19), 3 << 20,
                            rnd.randint(4096, 2 << 20)])
    if preset_dicts[level] > 8 << 20 or rnd.random() < 0.7:
        opts.append(f"dict={dict_size}")
    else:
        dict_size = preset_dicts[level]
    mf = None
    if rnd.random() < 0.4:
        mf = rnd.choice(sorted(MATCH_FINDERS))
        opts.append(f"mf={mf}")
    if rnd.random() < 0.3:
        opts.append(f"mode={rnd.choice(['fast', 'normal'])}")
    if rnd.random() < 0.4:
        low = MATCH_FINDERS.get(mf, 4)
        opts.append(f"nice={rnd.choice([low, low + 1, 273, rnd.randint(low, 273)])}")
    elif mf is not None:
        # The preset's nice length may be below what this match finder hashes.
        opts.append(f"nice={max(MATCH_FINDERS[mf], 16)}")
    if rnd.random() < 0.3:
        opts.append(f"depth={rnd.choice([0, 1, 2, rnd.randint(1, 1000)])}")
    raw_opts = f"lc={lc},lp={lp},pb={pb},dict={dict_size}"
    return ",".join(opts), raw_opts


def run_xz(args, data):
    p = subprocess.run(["xz", "-q", "-T1"] + args, input=data, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return p.returncode, p.stdout, p.stderr.decode(errors="replace").strip()


def save(case, what, files):
    d = os.path.join(OUT, f"case-{case}")
    os.makedirs(d, exist_ok=True)
    for name, content in files.items():
        with open(os.path.join(d, name), "wb" if isinstance(content, bytes) else "w") as f:
            f.write(content)
    with open(os.path.join(d, "what.txt"), "w") as f:
        f.write(what + "\n")
    print(f"   MISMATCH case {case}: {what} (saved in {d})", flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--max-size", type=int, default=1536 * 1024)
    args = ap.parse_args()

    harness = Harness(build_harness())
    rnd = random.Random(args.seed)
    counts = {"ours->xz": [0, 0], "xz->ours": [0, 0]}
    xz_refused = 0
    in_bytes = 0
    start = time.time()
    for case in range(args.cases):
        data = make_data(rnd, args.max_size)
        in_bytes += len(data)
        opts, raw_opts = make_options(rnd)
        fmt = rnd.choice([0, 1, 2])
        chunk = 0 if rnd.random() < 0.5 else rnd.choice([1, 7, 100, 4096, rnd.randint(1, 70000)])
        if chunk == 1 and len(data) > 20000:
            chunk = 97  # one-byte calls on big inputs only cost time
        xz_fmt = ["--format=raw", f"--lzma1={raw_opts}"] if fmt == 2 else ["--format=lzma"]
        label = f"options {opts}, format {['lzma', 'lzma-known-size', 'raw'][fmt]}, chunk {chunk}, {len(data)} bytes"
        if case % 2 == 0:
            direction = "ours->xz"
            ok, comp = harness.call(1, fmt, opts, chunk, data)
            if not ok:
                counts[direction][1] += 1
                save(case, f"our encoder failed: {comp.decode()}; {label}", {"input": data, "options.txt": opts})
            else:
                rc, out, err = run_xz(xz_fmt + ["-dc"], comp)
                if rc != 0 or out != data:
                    counts[direction][1] += 1
                    save(case, f"xz -d: rc {rc} {err}; output {'differs' if rc == 0 else 'none'}; {label}",
                         {"input": data, "compressed": comp, "options.txt": opts})
        else:
            direction = "xz->ours"
            fmt = 2 if fmt == 2 else 0  # xz writes no known-size .lzma
            xz_fmt = ["--format=raw", f"--lzma1={raw_opts}"] if fmt == 2 else ["--format=lzma"]
            rc, comp, err = run_xz(xz_fmt[:1] + [f"--lzma1={opts if fmt == 0 else opts + ',' + raw_opts}", "-c"], data)
            if rc != 0:
                xz_refused += 1
                save(case, f"xz refused: {err}; {label}", {"input": data, "options.txt": opts})
                continue
            ok, out = harness.call(2, fmt, opts + "," + raw_opts if fmt == 2 else opts, chunk, comp)
            if not ok or out != data:
                counts[direction][1] += 1
                save(case, f"our decoder: {out.decode(errors='replace') if not ok else 'output differs'}; {label}",
                     {"input": data, "compressed": comp, "options.txt": opts})
        counts[direction][0] += 1
        if (case + 1) % 1000 == 0:
            print(f"   {case + 1} cases, {time.time() - start:.0f} s", flush=True)

    print()
    for d, (n, bad) in counts.items():
        print(f"{d}: {n} cases, {bad} mismatches")
    print(f"xz refused options: {xz_refused}")
    print(f"total: {sum(c[0] for c in counts.values())} cases, {in_bytes / 1e6:.1f} MB of input, "
          f"{time.time() - start:.0f} s")
    sys.exit(1 if any(c[1] for c in counts.values()) or xz_refused else 0)


if __name__ == "__main__":
    main()
