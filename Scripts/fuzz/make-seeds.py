#!/usr/bin/env python3
"""Builds the seed corpus of one fuzz target into a directory.

    make-seeds.py TARGET DIR

Seeds come from TestVectors/ (the .lzma and raw LZMA1 vectors xz made), from
files made here with python's lzma module / xz (for .xz and raw LZMA2), and
from a few hand-made hostile headers. Each target's seeds carry the option
bytes its target file expects in front of the data (see Scripts/fuzz/targets/).
Deterministic: the same tree gives the same seeds.
"""
import hashlib
import lzma
import os
import random
import subprocess
import sys
import zlib

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
VECTORS = os.path.join(ROOT, "TestVectors")


def manifest():
    rows = []
    with open(os.path.join(VECTORS, "manifest.tsv")) as f:
        head = f.readline().rstrip("\n").split("\t")
        for line in f:
            rows.append(dict(zip(head, line.rstrip("\n").split("\t"))))
    return rows


def vector(name):
    with open(os.path.join(VECTORS, name), "rb") as f:
        return f.read()


def samples():
    """Small uncompressed inputs of different kinds."""
    rnd = random.Random(1)
    text = b"".join(rnd.choice([b"the ", b"quick ", b"brown ", b"fox ", b"jumps\n", b"over ", b"lazy ", b"dog. "])
                    for _ in range(600))
    return [
        b"",
        b"a",
        b"abab" * 256,
        bytes(3000),
        text,
        bytes(rnd.getrandbits(8) for _ in range(1500)),
        bytes((i * i) & 0xFF for i in range(4097)),
        text[:700] + bytes(rnd.getrandbits(8) for _ in range(300)) + text[:700],
    ]


def lzma_header(props, dict_size, size):
    return bytes([props]) + dict_size.to_bytes(4, "little") + size.to_bytes(8, "little")


def hostile_lzma():
    """Headers that must be refused or handled without blowing up."""
    body = lzma.compress(b"hello hello hello", format=lzma.FORMAT_ALONE)[13:]
    return [
        lzma_header(0x5D, 1 << 16, 2**64 - 1),                        # header only
        lzma_header(0x5D, 0xFFFFFFFF, 2**64 - 1) + body,              # 4 GiB dictionary
        lzma_header(0xFF, 1 << 16, 2**64 - 1) + body,                 # props byte 255
        lzma_header(225, 1 << 16, 17) + body,                         # first invalid props
        lzma_header(0x5D, 1 << 16, 1 << 40) + body[:6],               # huge known size, tiny payload
        lzma_header(0x5D, 1 << 16, 5) + body,                         # known size shorter than data
        lzma_header(0x5D, 1 << 16, 100) + body,                       # known size longer than data
        lzma_header(0x5D, 1 << 16, 0) + bytes(5),                     # empty, known size
        lzma_header(8 * 1 + 0, 4096, 2**64 - 1) + body,               # lc=8
        lzma_header(0x5D, 1 << 16, 2**64 - 1) + b"\x01" + body[1:],   # first range coder byte not 0
        lzma_header(0x5D, 1 << 16, 2**64 - 1) + bytes(5) + b"\xFF" * 40,
        b"\xFD7zXZ\x00" + bytes(6),                                   # xz magic, bad header
    ]


def xz_files():
    out = []
    checks = [lzma.CHECK_NONE, lzma.CHECK_CRC32, lzma.CHECK_CRC64, lzma.CHECK_SHA256]
    for i, s in enumerate(samples()):
        out.append(lzma.compress(s, format=lzma.FORMAT_XZ, check=checks[i % 4], preset=i % 10))
    text = samples()[4]
    filters = [
        [{"id": lzma.FILTER_DELTA, "dist": 4}, {"id": lzma.FILTER_LZMA2, "preset": 1}],
        [{"id": lzma.FILTER_X86}, {"id": lzma.FILTER_LZMA2, "preset": 0}],
        [{"id": lzma.FILTER_ARM64}, {"id": lzma.FILTER_LZMA2, "dict_size": 4096}]
        if hasattr(lzma, "FILTER_ARM64") else [{"id": lzma.FILTER_ARM}, {"id": lzma.FILTER_LZMA2}],
        [{"id": lzma.FILTER_LZMA2, "dict_size": 4096, "lc": 0, "lp": 4, "pb": 0}],
    ]
    for f in filters:
        out.append(lzma.compress(text, format=lzma.FORMAT_XZ, filters=f))
    # Two concatenated streams with padding between.
    out.append(out[1] + bytes(4) + out[2])
    return out


def raw2_files():
    """(dict selector byte, raw LZMA2 data): selector 16 -> 64 KiB, 12 -> 4 KiB."""
    out = []
    for i, s in enumerate(samples()):
        f = [{"id": lzma.FILTER_LZMA2, "dict_size": 1 << 16, "preset": i % 10}]
        out.append((16, lzma.compress(s, format=lzma.FORMAT_RAW, filters=f)))
    big = bytes(random.Random(2).getrandbits(8) for _ in range(70000))   # stored chunks
    out.append((12, lzma.compress(big, format=lzma.FORMAT_RAW,
                                  filters=[{"id": lzma.FILTER_LZMA2, "dict_size": 4096}])))
    return out


def lzma_vectors(max_size=4096):
    return [vector(r["file"]) for r in manifest()
            if r["format"] == "lzma" and os.path.getsize(os.path.join(VECTORS, r["file"])) <= max_size]


def raw1_seeds():
    out = []
    for r in manifest():
        if not r["format"].startswith("raw") or os.path.getsize(os.path.join(VECTORS, r["file"])) > 4096:
            continue
        lc, lp, pb, dict_size = int(r["lc"]), int(r["lp"]), int(r["pb"]), int(r["dict"])
        props = (pb * 5 + lp) * 9 + lc
        # Byte 1 selects 2^(n % 21): use the vector's power of two, capped at 2^20.
        power = min(20, max(12, dict_size.bit_length() - 1))
        flags = 0  # unknown size, 64 KiB output buffers
        out.append(bytes([props, power, 0, flags]) + vector(r["file"]))
        out.append(bytes([props, power, 0, 2 | (3 << 2)]) + vector(r["file"]))  # 4-byte output buffers
    for s in samples()[:4]:
        data = lzma.compress(s, format=lzma.FORMAT_RAW,
                             filters=[{"id": lzma.FILTER_LZMA1, "dict_size": 4096, "lc": 1, "lp": 2, "pb": 3}])
        props = (3 * 5 + 2) * 9 + 1
        out.append(bytes([props, 12, 0, 1]) + len(s).to_bytes(2, "little") + data)
    out.append(bytes([0xFF, 12, 0, 0]) + bytes(8))
    return out


def roundtrip_seeds():
    out = []
    for i, s in enumerate(samples()):
        for level in (0, 3, 6, 9):
            flags = (i % 2) | ((i % 3) << 1) | (32 if level == 6 else 0)
            opts = bytes([level, flags, i, 3, 0, 2, 0, i, 0, i])
            out.append(opts + s[:4000])
    out.append(bytes([6, 8 | 16 | 32, 1 | (2 << 1), 8 % 9, 4, 4, 1, 0, 1, 3]) + samples()[4][:3000])  # raw, lc 8
    return out


def stream_seeds():
    out = []
    for f in lzma_vectors(4096)[::2]:
        out.append(bytes([1, 3, 0, 6, 63, 200]) + f)         # .lzma, chunks 1/7/64, 201-byte output
    for r in manifest():
        if r["format"].startswith("raw") and r["lc"] == "3" and r["lp"] == "0" and r["pb"] == "2" \
                and os.path.getsize(os.path.join(VECTORS, r["file"])) <= 4096:
            out.append(bytes([2, 2, 0, 12, 1]) + vector(r["file"]))
    for x in xz_files():
        out.append(bytes([4, 2, 0, 99, 5]) + x)               # .xz (when built with it)
    for sel, x in raw2_files():
        if sel == 16:
            out.append(bytes([5, 1, 30, 0]) + x)              # raw LZMA2, 64 KiB
    for h in hostile_lzma():
        out.append(bytes([1, 1, 0, 0]) + h)
    return out



def lzip_member(data, dict_pow=16, version=1):
    """A .lz member made here: header, raw LZMA1 (lc3 lp0 pb2, end marker), trailer."""
    body = lzma.compress(data, format=lzma.FORMAT_RAW,
                         filters=[{"id": lzma.FILTER_LZMA1, "dict_size": 1 << dict_pow, "lc": 3, "lp": 0, "pb": 2}])
    head = b"LZIP" + bytes([version, dict_pow])
    trailer = zlib.crc32(data).to_bytes(4, "little") + len(data).to_bytes(8, "little")
    if version == 1:
        trailer += (len(head) + len(body) + len(trailer) + 8).to_bytes(8, "little")
    return head + body + trailer


def lz_files():
    out = [lzip_member(s, 12 + i % 5) for i, s in enumerate(samples())]
    out.append(out[2] + out[3])                              # two members
    out.append(out[1] + b"trailing garbage")                 # xz -d ignores it
    out.append(lzip_member(samples()[4][:900], version=0))   # version 0: no member size
    out.append(out[2][:-3])                                  # truncated trailer
    return out


def xz_tool(data, *args):
    """`xz ARGS` on data, or None without xz."""
    try:
        return subprocess.run(["xz", "-c", *args], input=data, stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None


def multiblock_xz():
    """Several blocks: xz --block-size (sizes in the headers with -T2) and concatenated streams."""
    text, noise = samples()[4], samples()[5]
    data = text[:2500] + noise[:700] + text[:900]
    out = []
    for args in (["--block-size=700", "-0", "-T1"], ["--block-size=1000", "-1", "-T2"],
                 ["--block-size=500", "-0", "-T2", "-Cnone"], ["--block-size=1500", "-0", "-T1", "-Ccrc32"]):
        x = xz_tool(data, *args)
        if x is not None and len(x) <= 4000:
            out.append(x)
    a = lzma.compress(text[:1200], format=lzma.FORMAT_XZ, check=lzma.CHECK_NONE, preset=0)
    b = lzma.compress(noise[:300], format=lzma.FORMAT_XZ, check=lzma.CHECK_CRC32, preset=0)
    out.append(a + b)
    out.append(a + bytes(8) + b + a)
    out.append(lzma.compress(b"", format=lzma.FORMAT_XZ) + a)   # an empty stream first
    return out


def seekable_seeds():
    out = []
    reads = [(0, 100), (1000, 200), (650, 2000), (4000, 300), (3, 3), (99999, 10)]
    for i, x in enumerate(multiblock_xz() + xz_files()[:4] + lzma_vectors(2000)[:3] + lz_files()[:2]):
        n = 1 + i % 6
        head = bytes([(n - 1) | (8 if i % 3 == 1 else 0) | (16 if i % 2 else 0)])
        spec = b"".join(o.to_bytes(3, "little") + (c - 1).to_bytes(2, "little") for o, c in reads[:n])
        out.append(head + spec + x)
    return out


def parallel_seeds():
    out = []
    for i, x in enumerate(multiblock_xz() + xz_files()):
        flags = (i % 3) | (4 if i % 5 == 4 else 0) | ((i % 4) << 3) | (((i // 2) % 4) << 5)
        chunks = [[], [100], [7, 300, 1], [1 << 16 - 1]][i % 4]
        out.append(bytes([flags, 50, len(chunks)]) + b"".join((c - 1).to_bytes(2, "little") for c in chunks) + x)
    return out


FILTER_STRINGS = [
    "6", "-9e", "0e", "lzma2", "lzma1", "x86 lzma2", "x86--lzma2:preset=0", "riscv lzma2:preset=6e",
    "delta:dist=4 lzma2:dict=1MiB,lc=4,lp=0", "arm64:start=4096 lzma2:dict=64KiB,mf=hc4,mode=fast,nice=32",
    "powerpc ia64 sparc lzma2", "armthumb:start=2 lzma1:lc=3,lp=0,pb=2,dict=4KiB",
    "delta=dist=256--arm--lzma2=depth=0,nice=273,mf=bt2", "lzma2:preset=1,dict=4KiB,pb=0,lp=4,lc=0",
    "x86:start=max lzma2:dict=max", "lzma2:dict=4k,depth=12,mf=bt3", "x86 x86 x86 x86 lzma2", "lzma2 x86",
    "lzma2:foo=1", "lzma2:preset=10", "delta:dist=0 lzma2", "arm:start=3 lzma2", "lzma2:dict=1GiB,,,",
    "  riscv  --  lzma2:mode=normal,mf=hc3  ", "lzma1:dict=4096,lc=4,lp=4",
]


def semantics_seeds():
    out = []
    opts = [(1, 0, 0, [1]), (0, 0, 2, [7, 0, 200]), (0, 8, 0, [64]), (1, 4, 1, [3, 5]), (0, 1 | 8, 30, [255])]
    def add(fmt, data):
        for flags, extra, ml, chunks in opts[len(out) % len(opts):] + opts[:1]:
            out.append(bytes([fmt, flags | extra, ml, len(chunks)] + chunks) + data)
            break
    for f in lzma_vectors(2000)[:6]:
        add(1, f)
        add(0, f + b"tail")
    for x in lz_files():
        add(2, x)
    for r in manifest():
        if r["format"].startswith("raw") and r["lc"] == "3" and r["lp"] == "0" and r["pb"] == "2" \
                and os.path.getsize(os.path.join(VECTORS, r["file"])) <= 2000:
            add(3, vector(r["file"]))
    s = samples()[4][:1000]
    add(4, lzma.compress(s, format=lzma.FORMAT_RAW,
                         filters=[{"id": lzma.FILTER_LZMA1, "dict_size": 1 << 16, "lc": 3, "lp": 0, "pb": 2}]))
    for x in xz_files()[:6] + multiblock_xz()[-3:]:
        add(5, x)
        add(0, x + bytes(4) + b"\x01\x02")
    for sel, x in raw2_files()[:5]:
        add(6, x + b"after")
    return out

def seeds(target):
    if target == "lzma":
        return lzma_vectors() + hostile_lzma()
    if target == "auto":
        return lzma_vectors() + hostile_lzma() + xz_files()
    if target == "raw1":
        return raw1_seeds()
    if target == "stream":
        return stream_seeds()
    if target == "roundtrip":
        return roundtrip_seeds()
    if target == "xz":
        return xz_files() + [b"\xFD7zXZ\x00\x00\x01" + bytes(4)]
    if target == "raw2":
        return [bytes([sel]) + x for sel, x in raw2_files()] + [bytes([16, 0x02]), bytes([16, 0xE0, 0, 0, 0, 5, 0x5D])]
    if target == "lzip":
        chunks = [[], [1], [3, 250], [17, 1, 64, 9]]
        return [bytes([i % 4 & 1, len(chunks[i % 4])] + chunks[i % 4] + [[0, 1, 100, 0][i % 4]]) + x
                for i, x in enumerate(lz_files())] + [bytes([1, 0, 0]) + h for h in lz_files()[:3]]
    if target == "seekable":
        return seekable_seeds()
    if target == "parallel":
        return parallel_seeds()
    if target == "filterstring":
        return [f.encode() for f in FILTER_STRINGS]
    if target == "semantics":
        return semantics_seeds()
    raise SystemExit(f"make-seeds.py: no seeds for target '{target}'")


def main():
    target, outdir = sys.argv[1], sys.argv[2]
    os.makedirs(outdir, exist_ok=True)
    n = 0
    for s in seeds(target):
        name = "seed-" + hashlib.sha1(s).hexdigest()
        path = os.path.join(outdir, name)
        if not os.path.exists(path):
            with open(path, "wb") as f:
                f.write(s)
            n += 1
    print(f"{target}: {n} new seeds in {outdir}")


if __name__ == "__main__":
    main()
