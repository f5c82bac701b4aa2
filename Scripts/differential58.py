#!/usr/bin/env python3
"""Differential test of swiftlzma against liblzma 5.8.1 (outside CI).

    Scripts/differential58.py [--cases N] [--seed S] [--max-size BYTES] [--xz58 PATH] [--keep-going]

liblzma 5.8.1 is reached through /work/shared/tools/xz58 (a small xz-like
command over ctypes): its code is loaded once into this process and its
`main` is called with in-memory standard input and output, so a case costs
no Python start-up. Our side is the release `swiftlzma` CLI, built with

    swift build -c release --scratch-path .build-fuzz-rel --product swiftlzma

Every case draws an input (0 to ~200 KB of text, binary, noise, runs,
x86-, ARM-, RISC-V-like code and mixes of them) and options: the format
(.xz, .lzma, raw), a filter chain (0-3 of Delta and every BCJ filter, RISC-V
included, with start offsets, then LZMA1/LZMA2 with a preset 0-9/0e-9e and
explicit dict/lc/lp/pb/mode/mf/nice/depth), the check, and for .xz threads
and a block size. Then, in both directions:

  ours -> liblzma:  swiftlzma -z (-T1, and for .xz sometimes -T2/--block-size)
                    then liblzma decodes (its multithreaded decoder for some
                    .xz): the input must come back;
  liblzma -> ours:  liblzma encodes (for .xz sometimes -T2 with a block
                    size), swiftlzma -d (-T1 or -T2) must give the input back.

Where our encoder is meant to give the same bytes as xz (the same preset,
filters and check, both single-threaded, or both multithreaded with the same
block size), the two compressed files are compared too; those mismatches are
counted apart (xz 5.4 and 5.8 encoders may differ) and never fail the run.

A decode mismatch is saved under fuzz-out/differential58/case-<n>/ and makes
the exit status 1. The totals print at the end.
"""
import argparse
import importlib.machinery
import importlib.util
import io
import os
import random
import subprocess
import sys
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
OUT = os.path.join(ROOT, "fuzz-out", "differential58")
OURS = os.path.join(ROOT, ".build-fuzz-rel", "release", "swiftlzma")

BCJ = {"x86": 1, "powerpc": 4, "ia64": 16, "arm": 4, "armthumb": 2, "arm64": 4, "sparc": 4, "riscv": 2}
MF_BYTES = {"hc3": 3, "hc4": 4, "bt2": 2, "bt3": 3, "bt4": 4}
PRESET_DICT = [1 << 18, 1 << 20, 1 << 21, 1 << 22, 1 << 22, 1 << 23, 1 << 23, 1 << 24, 1 << 25, 1 << 26]
WORDS = (b"the of and to in is that for it as was with be by on not he this are or his from at which but "
         b"have an they you were her she there been one all we func let var return struct class {} [] () ; "
         b":= <tag> </tag> 1234567890 \n \t").split(b" ")


class Pipe:
    """Stands for sys.stdin / sys.stdout / sys.stderr: a `.buffer` and `write`."""

    def __init__(self, data=b""):
        self.buffer = io.BytesIO(data)

    def write(self, s):
        self.buffer.write(s.encode() if isinstance(s, str) else s)

    def flush(self):
        pass


class XZ58:
    """liblzma 5.8.1 through xz58's own code, loaded once."""

    def __init__(self, path):
        loader = importlib.machinery.SourceFileLoader("xz58", path)
        spec = importlib.util.spec_from_loader("xz58", loader)
        self.mod = importlib.util.module_from_spec(spec)
        loader.exec_module(self.mod)
        self.lib = self.mod.ctypes.CDLL(self.mod.library_path())  # installs the wheel on first use
        # xz58's main never calls lzma_end (the process exits): keep every
        # stream it makes and end it after the call, or each preset-9 encoder
        # would leak its ~700 MB.
        self.streams = []
        streams = self.streams

        class Tracked(self.mod.Stream):
            def __init__(self, *a, **k):
                super().__init__(*a, **k)
                streams.append(self)

        self.mod.Stream = Tracked

    def run(self, args, data):
        """xz58 ARGS - with `data` on standard input: (ok, stdout, stderr)."""
        saved = sys.stdin, sys.stdout, sys.stderr
        sys.stdin, sys.stdout, sys.stderr = Pipe(data), Pipe(), Pipe()
        out, err = sys.stdout, sys.stderr
        try:
            rc = self.mod.main(args + ["-"])
        except SystemExit as e:
            rc = e.code
        finally:
            sys.stdin, sys.stdout, sys.stderr = saved
            for strm in self.streams:
                self.lib.lzma_end(self.mod.ctypes.byref(strm))
            self.streams.clear()
            self.mod.KEEP.clear()
        return rc == 0, out.buffer.getvalue(), err.buffer.getvalue().decode(errors="replace").strip()


def ours(args, data):
    p = subprocess.run([OURS, "-q"] + args, input=data, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return p.returncode == 0, p.stdout, p.stderr.decode(errors="replace").strip()


# ---------------------------------------------------------------- inputs

def code_like(rnd, n, arch):
    """Instruction-like bytes for a BCJ filter: branches with plausible targets."""
    out = bytearray()
    while len(out) < n:
        r = rnd.random()
        if arch == "x86":
            if r < 0.15:
                out += bytes([rnd.choice([0xE8, 0xE9])]) + rnd.randrange(-4096, 4096).to_bytes(4, "little", signed=True)
            elif r < 0.2:
                out += bytes([0x0F, rnd.randrange(0x80, 0x90)]) + rnd.randrange(-512, 512).to_bytes(4, "little", signed=True)
            else:
                out += bytes(rnd.choice([0x48, 0x89, 0x8B, 0x55, 0xC3, 0x90, rnd.randrange(256)]) for _ in range(rnd.randint(1, 6)))
        elif arch == "riscv":
            if r < 0.2:   # JAL rd, offset
                imm = rnd.randrange(-(1 << 12), 1 << 12) & 0xFFFFF
                out += ((imm << 12) | (rnd.choice([0, 1, 5]) << 7) | 0x6F).to_bytes(4, "little")
            elif r < 0.35:  # AUIPC + JALR / ADDI / load pair
                rd = rnd.randrange(1, 32)
                out += ((rnd.randrange(1 << 8) << 12) | (rd << 7) | 0x17).to_bytes(4, "little")
                out += ((rnd.randrange(1 << 12) << 20) | (rd << 15) | (rnd.choice([0, 2, 3]) << 12) | (rd << 7)
                        | rnd.choice([0x67, 0x13, 0x03])).to_bytes(4, "little")
            elif r < 0.5:  # compressed 16-bit instruction
                out += rnd.randrange(1 << 16).to_bytes(2, "little")
            else:
                out += ((rnd.randrange(1 << 25) << 7) | rnd.choice([0x13, 0x33, 0x03, 0x23, 0x63])).to_bytes(4, "little")
        elif arch in ("arm", "arm64", "armthumb"):
            if r < 0.2:
                if arch == "arm":
                    out += rnd.randrange(1 << 24).to_bytes(3, "little") + b"\xEB"
                elif arch == "arm64":
                    out += ((0x25 << 26) | rnd.randrange(1 << 16)).to_bytes(4, "little")
                else:
                    out += bytes([rnd.randrange(256), 0xF0 | rnd.randrange(8), rnd.randrange(256), 0xF8 | rnd.randrange(8)])
            elif r < 0.3 and arch == "arm64":  # ADRP
                out += ((1 << 31) | (0x10 << 24) | rnd.randrange(1 << 20) << 5 | rnd.randrange(32)).to_bytes(4, "little")
            else:
                out += rnd.randrange(1 << 32).to_bytes(4, "little")
        else:  # powerpc, sparc, ia64: big-endian-ish words with branch opcodes
            if r < 0.2:
                out += ((0x12 << 26) | (rnd.randrange(1 << 16) << 2) | 1).to_bytes(4, "big")
            elif r < 0.3:
                out += ((1 << 30) | rnd.randrange(1 << 16)).to_bytes(4, "big")
            else:
                out += rnd.randrange(1 << 32).to_bytes(4, "big")
    return bytes(out[:n])


def make_data(rnd, max_size):
    r = rnd.random()
    if r < 0.3:
        size = rnd.randint(0, 300)
    elif r < 0.8:
        size = rnd.randint(301, 20000)
    else:
        size = rnd.randint(20001, max_size)
    parts, total = [], 0
    while total < size:
        kind = rnd.randrange(8)
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
            width = rnd.choice([1, 2, 4, 8])
            start = rnd.randrange(1 << 16)
            part = b"".join((start + i * rnd.choice([1, 1, 2, 3])).to_bytes(8, "little")[:width]
                            for i in range(n // width + 1))[:n]
        elif kind in (5, 6):
            part = code_like(rnd, n, rnd.choice(sorted(BCJ)))
        else:
            prev = b"".join(parts)
            if prev:
                a = rnd.randrange(len(prev))
                part = prev[a:a + n]
            else:
                part = rnd.randbytes(n)
        parts.append(part)
        total += len(part)
    return b"".join(parts)[:size]


# ---------------------------------------------------------------- options

def lzma_options(rnd, lzma1_file):
    """An lzma1/lzma2 option string, preset first; None = the preset alone."""
    level = rnd.randint(0, 9)
    preset = f"{level}{'e' if rnd.random() < 0.3 else ''}"
    opts = []
    if rnd.random() < 0.5:
        lc = rnd.randint(0, 4)
        lp = rnd.randint(0, 4 - lc)
        opts += [f"lc={lc}", f"lp={lp}", f"pb={rnd.randint(0, 4)}"]
    # Presets 7-9 mean 16-64 MiB dictionaries: mostly made smaller.
    if rnd.random() < (0.7 if PRESET_DICT[level] > 8 << 20 else 0.4):
        opts.append("dict=" + str(rnd.choice([4096, 4097, 65536, 65537, 1 << 20, 3 << 19, 3 << 20,
                                              rnd.randint(4096, 4 << 20)])))
    mf = None
    if rnd.random() < 0.35:
        mf = rnd.choice(sorted(MF_BYTES))
        opts.append(f"mf={mf}")
    if rnd.random() < 0.3:
        opts.append(f"mode={rnd.choice(['fast', 'normal'])}")
    low = MF_BYTES.get(mf, 4)
    if rnd.random() < 0.35:
        opts.append(f"nice={rnd.choice([low, low + 1, 273, rnd.randint(low, 273)])}")
    elif mf is not None:
        opts.append(f"nice={max(low, 16)}")
    if rnd.random() < 0.25:
        opts.append(f"depth={rnd.choice([0, 1, 2, rnd.randint(1, 1000)])}")
    return preset, opts


def make_case(rnd):
    r = rnd.random()
    fmt = "xz" if r < 0.6 else "lzma" if r < 0.8 else "raw"
    filters = []
    if fmt != "lzma" and rnd.random() < 0.6:
        for _ in range(rnd.choice([1, 1, 1, 2, 3])):
            if rnd.random() < 0.25:
                filters.append(("delta", rnd.choice([1, 2, 4, rnd.randint(1, 256)])))
            else:
                name = rnd.choice(sorted(BCJ))
                start = 0 if rnd.random() < 0.7 else BCJ[name] * rnd.randrange(1 << 20)
                filters.append((name, start))
    coder = "lzma2" if fmt == "xz" else "lzma1" if fmt == "lzma" else rnd.choice(["lzma1", "lzma2"])
    preset, opts = lzma_options(rnd, coder == "lzma1")
    c = {"fmt": fmt, "filters": filters, "coder": coder, "preset": preset, "opts": opts,
         "check": rnd.choice(["none", "crc32", "crc64", "crc64", "sha256"]) if fmt == "xz" else None,
         # -6e instead of --lzma2=preset=6e (raw: -6 means LZMA2)
         "plain": not filters and not opts and (fmt != "raw" or coder == "lzma2") and rnd.random() < 0.5}
    # Threads / blocks (.xz only): ours -T1 or -T2 with or without a block
    # size; liblzma -T1 (one block: xz58 has no -T1 block size) or -T2 with
    # or without one.
    block = rnd.choice([4096, 65536, rnd.randint(1000, 300000)])
    c["our_threads"] = rnd.choice([1, 2]) if fmt == "xz" else 1
    c["xz_threads"] = rnd.choice([1, 2]) if fmt == "xz" else 1
    if fmt == "xz" and rnd.random() < 0.3:
        c["our_threads"] = c["xz_threads"] = 2   # comparable bytes
    c["our_block"] = block if fmt == "xz" and rnd.random() < 0.4 else None
    c["xz_block"] = block if c["xz_threads"] == 2 and rnd.random() < 0.6 else None
    if c["our_threads"] == 2 and c["xz_threads"] == 2 and rnd.random() < 0.5:
        c["our_block"] = c["xz_block"]
    return c


def filter_string(c):
    """The chain in xz 5.6+'s --filters= syntax (for xz58)."""
    items = []
    for name, v in c["filters"]:
        items.append(f"delta:dist={v}" if name == "delta" else (f"{name}:start={v}" if v else name))
    items.append(f"{c['coder']}:" + ",".join([f"preset={c['preset']}"] + c["opts"]))
    return " ".join(items)


def our_chain(c):
    """The chain as swiftlzma's (xz's) options."""
    if c["plain"]:
        level = c["preset"]
        return [f"-{level[0]}"] + (["-e"] if level.endswith("e") else [])
    args = []
    for name, v in c["filters"]:
        args.append(f"--delta=dist={v}" if name == "delta" else (f"--{name}=start={v}" if v else f"--{name}"))
    args.append(f"--{c['coder']}=" + ",".join([f"preset={c['preset']}"] + c["opts"]))
    return args


def our_encode_args(c, threads):
    args = ["-z", "-c", f"-F{c['fmt']}"] + our_chain(c)
    if c["check"]:
        args.append(f"-C{c['check']}")
    if c["fmt"] == "xz":
        args.append(f"-T{threads}")
        if c["our_block"] is not None:
            args.append(f"--block-size={c['our_block']}")
    return args


def xz_encode_args(c):
    args = ["-z", f"-F{c['fmt']}", f"--filters={filter_string(c)}"]
    if c["check"]:
        args.append(f"-C{c['check']}")
    if c["fmt"] == "xz" and c["xz_threads"] > 1:
        args.append("-T2")
        if c["xz_block"] is not None:
            args.append(f"--block-size={c['xz_block']}")
    return args


def xz_encode(xz, c, args, data):
    """liblzma's encoder. This build of liblzma exports no lzma_alone_encoder:
    a .lzma file is made as that function makes it, the 13-byte header
    (properties, the dictionary size rounded up to 2^n or 2^n + 2^(n-1),
    unknown size) and then the raw LZMA1 encoder's output (end marker)."""
    if c["fmt"] != "lzma":
        return xz.run(args, data)
    ok, body, err = xz.run(["-z", "-Fraw", f"--filters={filter_string(c)}"], data)
    if not ok:
        return ok, body, err
    lc, lp, pb = 3, 0, 2
    dict_size = PRESET_DICT[int(c["preset"][0])]
    for o in c["opts"]:
        k, v = o.split("=")
        if k == "lc": lc = int(v)
        elif k == "lp": lp = int(v)
        elif k == "pb": pb = int(v)
        elif k == "dict": dict_size = int(v)
    d = dict_size - 1
    for shift in (2, 3, 4, 8, 16):
        d |= d >> shift
    d = (d + 1) & 0xFFFFFFFF
    if d == 0:
        d = 0xFFFFFFFF
    header = bytes([(pb * 5 + lp) * 9 + lc]) + d.to_bytes(4, "little") + b"\xFF" * 8
    return True, header + body, ""


def same_bytes_expected(c):
    """True where our -z is meant to write what liblzma writes for these
    options: single-threaded without blocks on both sides, or both
    multithreaded with the same block size (or both the default, 3 x dict)."""
    if c["fmt"] != "xz":
        return True
    if c["our_threads"] == 1 and c["xz_threads"] == 1:
        return c["our_block"] is None
    return c["our_threads"] == 2 and c["xz_threads"] == 2 and c["our_block"] == c["xz_block"]


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
    ap.add_argument("--max-size", type=int, default=200 * 1024)
    ap.add_argument("--xz58", default=os.path.join(ROOT, "..", "shared", "tools", "xz58"))
    ap.add_argument("--report-every", type=int, default=500)
    args = ap.parse_args()
    if not os.path.exists(OURS):
        sys.exit(f"differential58: build {OURS} first "
                 "(swift build -c release --scratch-path .build-fuzz-rel --product swiftlzma)")
    xz58_path = args.xz58 if os.path.exists(args.xz58) else "/work/shared/tools/xz58"
    xz = XZ58(xz58_path)

    rnd = random.Random(args.seed)
    n = {k: 0 for k in ("cases", "ours->liblzma", "liblzma->ours", "decode mismatches", "encoder refused",
                        "same-bytes compared", "same bytes", "bytes differ", "mt encodes", "liblzma mt decodes",
                        "our mt decodes", "ours: raw lzma1 + filters")}
    by_filter = {}
    in_bytes = 0
    differ_samples = []
    failed = False
    start = time.time()
    for case in range(args.cases):
        data = make_data(rnd, args.max_size)
        c = make_case(rnd)
        in_bytes += len(data)
        n["cases"] += 1
        for name, _ in c["filters"]:
            by_filter[name] = by_filter.get(name, 0) + 1
        fmt_args = [f"-F{c['fmt']}"]
        raw_chain = [f"--filters={filter_string(c)}"] if c["fmt"] == "raw" else []
        our_raw_chain = [a for a in our_chain(dict(c, plain=False))] if c["fmt"] == "raw" else []

        # ours -> liblzma
        oargs = our_encode_args(c, c["our_threads"])
        if "-T2" in oargs:
            n["mt encodes"] += 1
        ok1, packed_ours, err1 = ours(oargs, data)
        if not ok1:
            if c["fmt"] == "raw" and c["coder"] == "lzma1" and c["filters"]:
                n["ours: raw lzma1 + filters"] += 1   # not supported by our encoder (documented)
            else:
                n["encoder refused"] += 1
                failed = True
                save(case, f"our encoder refused: {err1}", {"input": data, "options.txt": f"ours: {oargs}\n"})
        else:
            dargs = ["-d"] + fmt_args + raw_chain
            if c["fmt"] == "xz" and rnd.random() < 0.3:
                dargs.append("-T2")
                n["liblzma mt decodes"] += 1
            ok, back, err = xz.run(dargs, packed_ours)
            n["ours->liblzma"] += 1
            if not ok or back != data:
                n["decode mismatches"] += 1
                failed = True
                save(case, f"ours -> liblzma: {err or 'different bytes'}",
                     {"input": data, "ours.compressed": packed_ours, "options.txt": f"ours: {oargs}\nliblzma: {dargs}\n"})

        # liblzma -> ours
        xargs = xz_encode_args(c)
        ok2, packed_xz, err2 = xz_encode(xz, c, xargs, data)
        if not ok2:
            n["encoder refused"] += 1
            failed = True
            save(case, f"liblzma refused: {err2}", {"input": data, "options.txt": f"liblzma: {xargs}\n"})
            continue
        threads = rnd.choice([1, 2]) if c["fmt"] == "xz" else 1
        if threads > 1:
            n["our mt decodes"] += 1
        our_dargs = ["-d", "-c"] + fmt_args + our_raw_chain + ([f"-T{threads}"] if c["fmt"] == "xz" else [])
        ok, back, err = ours(our_dargs, packed_xz)
        n["liblzma->ours"] += 1
        if not ok or back != data:
            n["decode mismatches"] += 1
            failed = True
            save(case, f"liblzma -> ours: {err or 'different bytes'}",
                 {"input": data, "liblzma.compressed": packed_xz, "options.txt": f"liblzma: {xargs}\nours: {our_dargs}\n"})
        if not ok1:
            continue

        if same_bytes_expected(c):
            n["same-bytes compared"] += 1
            if packed_ours == packed_xz:
                n["same bytes"] += 1
            else:
                n["bytes differ"] += 1
                if len(differ_samples) < 20:
                    differ_samples.append((case, oargs, xargs, len(data), len(packed_ours), len(packed_xz)))
                    d = os.path.join(OUT, "bytes-differ", f"case-{case}")
                    os.makedirs(d, exist_ok=True)
                    for name, content in (("input", data), ("ours.compressed", packed_ours), ("liblzma.compressed", packed_xz)):
                        with open(os.path.join(d, name), "wb") as f:
                            f.write(content)
                    with open(os.path.join(d, "options.txt"), "w") as f:
                        f.write(f"ours: {oargs}\nliblzma: {xargs}\n")
        if (case + 1) % args.report_every == 0:
            print(f"   {case + 1} cases, {time.time() - start:.0f} s, {n['decode mismatches']} decode mismatches, "
                  f"{n['bytes differ']}/{n['same-bytes compared']} byte differences", flush=True)

    print(f"\n{n['cases']} cases ({in_bytes} input bytes) in {time.time() - start:.0f} s, seed {args.seed}")
    for k, v in n.items():
        print(f"  {k:22} {v}")
    print("  filters used:         " + ", ".join(f"{k} {v}" for k, v in sorted(by_filter.items())))
    for s in differ_samples[:10]:
        print(f"  bytes differ: case {s[0]} ({s[3]} bytes in, ours {s[4]}, liblzma {s[5]}): {' '.join(s[1])} | {' '.join(s[2])}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
