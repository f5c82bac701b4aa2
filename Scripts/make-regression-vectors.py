#!/usr/bin/env python3
"""Craft the header-edge regression files of issue 15 (items 3-5) into
TestVectors/regressions/, and record in TestVectors/regressions/xz-outcomes.tsv
what `xz -dc` (5.4.1) does with each: how many bytes it writes, their SHA-1,
its exit status and message.

Usage: make-regression-vectors.py [OUTDIR]   (default: TestVectors/regressions)

Deterministic: the inputs come from a fixed-seed SplitMix64 (Scripts/gen-inputs.py's
generator), xz runs single-threaded (-T1) or with -T2 (whose output does not depend on
the number of threads), and each lie is a patch of one field of a file xz wrote (the
header CRC32 recomputed, so the lie is only in the size).

Files:
  size-lie-block-*.xz   a 2-block .xz (-T2, so every block header holds both
                        sizes) whose second block header declares a wrong
                        compressed (cs) or uncompressed (us) size
  size-lie-chunk-*.xz   a 2-block .xz (-T1 --block-size: no sizes in the block
                        headers) whose second block's first LZMA2 chunk declares a
                        wrong compressed or uncompressed size
  lzma-header-*.lzma    .lzma files whose header has a dictionary size or known
                        size at the edge of xz's rules for recognising .lzma
  stream-header-only*.xz  the 12 bytes of an .xz stream header and nothing else
                        (check IDs CRC64 and the reserved 3)
"""
import hashlib
import os
import struct
import subprocess
import sys
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "Scripts"))


class SplitMix64:
    def __init__(self, seed):
        self.state = seed & 0xFFFFFFFFFFFFFFFF

    def next64(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
        return z ^ (z >> 31)


WORDS = ("the of and to in is that it was for on are as with his they at be this from "
         "have or by one had not but what all were when we there can an your which their "
         "said if do will each about how up out them then she many some so these would").split()


def text(n, seed):
    """Semi-compressible text: words from a small vocabulary, some numbers."""
    rng = SplitMix64(seed)
    out = bytearray()
    while len(out) < n:
        r = rng.next64()
        out += WORDS[r % len(WORDS)].encode()
        out += b" " if (r >> 8) % 11 else b"\n"
        if (r >> 16) % 7 == 0:
            out += str((r >> 24) % 100000).encode() + b" "
    return bytes(out[:n])


def xz(args, data):
    return subprocess.run(["xz"] + args, input=data, stdout=subprocess.PIPE, check=True).stdout


def vli(buf, pos):
    value, shift = 0, 0
    while True:
        b = buf[pos]
        pos += 1
        value |= (b & 0x7F) << shift
        shift += 7
        if b < 0x80:
            return value, pos


def vli_bytes(value):
    out = bytearray()
    while value >= 0x80:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def blocks(f):
    """(header offset, header size) of every block of a one-stream .xz file."""
    pos = 12
    found = []
    while f[pos] != 0:
        hsize = (f[pos] + 1) * 4
        flags = f[pos + 1]
        p = pos + 2
        cs = us = None
        if flags & 0x40:
            cs, p = vli(f, p)
        if flags & 0x80:
            us, p = vli(f, p)
        found.append((pos, hsize, flags, cs, us))
        if cs is None:
            break  # without sizes the next block can't be found this way
        check = 8  # CRC64 in every file made here
        pos += hsize + cs
        pos += (-pos) % 4
        pos += check
    return found


def patch_block_sizes(f, which, cs=None, us=None):
    """The file with block `which`'s header declaring new sizes (same header size)."""
    pos, hsize, flags, old_cs, old_us = blocks(f)[which]
    p = pos + 2
    if flags & 0x40:
        _, p = vli(f, p)
    if flags & 0x80:
        _, p = vli(f, p)
    rest = f[p:pos + hsize - 4]  # filter flags and padding
    body = bytes([f[pos], flags])
    if flags & 0x40:
        body += vli_bytes(old_cs if cs is None else cs)
    if flags & 0x80:
        body += vli_bytes(old_us if us is None else us)
    body += rest
    # Keep the header size: drop or add padding zeros.
    body = body[:hsize - 4] if len(body) > hsize - 4 else body + b"\0" * (hsize - 4 - len(body))
    assert body.rstrip(b"\0").startswith(bytes([f[pos], flags])), "header no longer fits"
    header = body + struct.pack("<I", zlib.crc32(body))
    return f[:pos] + header + f[pos + hsize:]


def patch_chunk(f, which_block, cs_delta=0, us_delta=0):
    """The file with the first LZMA2 chunk of block `which_block` declaring
    other sizes (its control byte must be an LZMA chunk)."""
    pos, hsize, _, _, _ = blocks_unsized(f)[which_block]
    c = pos + hsize
    control = f[c]
    assert control >= 0x80, "not an LZMA chunk"
    us = ((control & 0x1F) << 16 | f[c + 1] << 8 | f[c + 2]) + 1 + us_delta
    cs = (f[c + 3] << 8 | f[c + 4]) + 1 + cs_delta
    new = bytes([control & 0xE0 | (us - 1) >> 16, (us - 1) >> 8 & 0xFF, (us - 1) & 0xFF,
                 (cs - 1) >> 8, (cs - 1) & 0xFF])
    return f[:c] + new + f[c + 5:]


def blocks_unsized(f):
    """Blocks of a file whose headers hold no sizes: found through the Index."""
    footer = f[-12:]
    backward = (struct.unpack("<I", footer[4:8])[0] + 1) * 4
    index = f[len(f) - 12 - backward:len(f) - 12]
    count, p = vli(index, 1)
    pos = 12
    found = []
    for _ in range(count):
        unpadded, p = vli(index, p)
        _, p = vli(index, p)
        hsize = (f[pos] + 1) * 4
        found.append((pos, hsize, f[pos + 1], None, None))
        pos += unpadded + (-unpadded) % 4
    return found


def lzma_header(props, dict_size, size):
    return bytes([props]) + struct.pack("<I", dict_size) + struct.pack("<Q", size)


def outcome(path):
    r = subprocess.run(["xz", "-dc", path], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    message = r.stderr.decode().strip().split("\n")
    message = " | ".join(line.split(": ", 2)[-1] for line in message if line)
    return len(r.stdout), hashlib.sha1(r.stdout).hexdigest(), r.returncode, message


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "TestVectors", "regressions")
    os.makedirs(out, exist_ok=True)
    files = {}

    # Item 3, block headers: 2 blocks of 15,000 bytes, sizes in every header.
    data = text(30000, 15)
    f = xz(["-T2", "--block-size=15000", "-6", "-C", "crc64"], data)
    b = blocks(f)
    assert len(b) == 2 and all(x[3] is not None and x[4] is not None for x in b)
    cs, us = b[1][3], b[1][4]
    files["size-lie-block-us-minus1.xz"] = patch_block_sizes(f, 1, us=us - 1)
    files["size-lie-block-us-plus1.xz"] = patch_block_sizes(f, 1, us=us + 1)
    files["size-lie-block-cs-minus1.xz"] = patch_block_sizes(f, 1, cs=cs - 1)
    files["size-lie-block-cs-minus40.xz"] = patch_block_sizes(f, 1, cs=cs - 40)
    files["size-lie-block-cs-plus1.xz"] = patch_block_sizes(f, 1, cs=cs + 1)
    # A single block: nothing decoded before it.
    g = xz(["-T2", "--block-size=15000", "-6"], data[:15000])
    gb = blocks(g)[0]
    files["size-lie-single-block-cs-minus1.xz"] = patch_block_sizes(g, 0, cs=gb[3] - 1)
    files["size-lie-single-block-us-minus1.xz"] = patch_block_sizes(g, 0, us=gb[4] - 1)

    # Item 3, LZMA2 chunks: two blocks of 11,000 bytes, no sizes in the headers.
    data = text(22000, 11)
    f = xz(["-T1", "--block-size=11000", "-6", "-C", "crc64"], data)
    assert len(blocks_unsized(f)) == 2
    files["size-lie-chunk-cs-minus64.xz"] = patch_chunk(f, 1, cs_delta=-64)
    files["size-lie-chunk-cs-plus5.xz"] = patch_chunk(f, 1, cs_delta=5)
    files["size-lie-chunk-us-plus5.xz"] = patch_chunk(f, 1, us_delta=5)
    files["size-lie-chunk-us-minus5.xz"] = patch_chunk(f, 1, us_delta=-5)

    # Item 4, .lzma headers on a valid payload (unknown size, end marker).
    payload = xz(["--format=lzma", "-6", "-T1"], text(3000, 4))[13:]
    unknown = 0xFFFFFFFFFFFFFFFF
    files["lzma-header-dict0.lzma"] = lzma_header(0x5D, 0, unknown) + payload
    files["lzma-header-dict3MiB-plus1.lzma"] = lzma_header(0x5D, 3 * 2**20 + 1, unknown) + payload
    files["lzma-header-dict3MiB.lzma"] = lzma_header(0x5D, 3 * 2**20, unknown) + payload
    files["lzma-header-size-2pow38.lzma"] = lzma_header(0x5D, 2**20, 2**38) + payload
    files["lzma-header-size-2pow38-plus1.lzma"] = lzma_header(0x5D, 2**20, 2**38 + 1) + payload
    files["lzma-header-size-2pow40.lzma"] = lzma_header(0x5D, 2**20, 2**40) + payload
    files["lzma-header-size-2pow64-minus2.lzma"] = lzma_header(0x5D, 2**20, 2**64 - 2) + payload
    files["lzma-header-lc4lp1.lzma"] = lzma_header(4 + 9 * 1, 2**20, unknown) + payload

    # Item 5: only a stream header.
    for check, name in ((4, "stream-header-only.xz"), (3, "stream-header-only-check3.xz")):
        flags = bytes([0, check])
        files[name] = b"\xfd7zXZ\0" + flags + struct.pack("<I", zlib.crc32(flags))

    rows = ["file\txz_bytes\txz_sha1\txz_status\txz_message"]
    for name in sorted(files):
        path = os.path.join(out, name)
        with open(path, "wb") as fh:
            fh.write(files[name])
        n, sha, status, message = outcome(path)
        rows.append(f"{name}\t{n}\t{sha}\t{status}\t{message}")
    with open(os.path.join(out, "xz-outcomes.tsv"), "w") as fh:
        fh.write("\n".join(rows) + "\n")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
