#!/usr/bin/env python3
"""Write an .xz file with very many small blocks, fast (xz --block-size makes
them slowly): for listing at scale (`-lvv`, `--robot -lv`).

Usage: make-many-blocks.py BLOCKS OUTPUT [--check none|crc32|crc64] [--streams N]
                           [--sizes]

Every block holds one byte (BLOCKS-many, cycling through the letters a-z) as an
LZMA2 uncompressed chunk; --sizes puts both sizes in every block header (as
xz -T2 does). With --streams the blocks are spread over N concatenated
streams. The output is deterministic and `xz -t` accepts it.
"""
import argparse
import struct
import zlib

CRC64_POLY = 0xC96C5795D7870F42


def crc64_table():
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ CRC64_POLY if c & 1 else c >> 1
        table.append(c)
    return table


TABLE = crc64_table()


def crc64(data):
    c = 0xFFFFFFFFFFFFFFFF
    for b in data:
        c = TABLE[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFFFFFFFFFF


def vli(v):
    out = bytearray()
    while v >= 0x80:
        out.append(v & 0x7F | 0x80)
        v >>= 7
    out.append(v)
    return bytes(out)


CHECKS = {"none": (0, 0), "crc32": (1, 4), "crc64": (4, 8)}


def check_value(kind, data):
    if kind == "crc32":
        return struct.pack("<I", zlib.crc32(data))
    if kind == "crc64":
        return struct.pack("<Q", crc64(data))
    return b""


def block(byte, kind, sizes):
    data = bytes([0x01, 0x00, 0x00, byte, 0x00])  # one uncompressed chunk, then the end
    flags = 0x00 | (0xC0 if sizes else 0)
    body = bytes([flags]) + (vli(len(data)) + vli(1) if sizes else b"") + bytes([0x21, 0x01, 0x00])
    size = (1 + len(body) + 4 + 3) // 4 * 4
    header = bytes([size // 4 - 1]) + body
    header += b"\0" * (size - 4 - len(header))
    header += struct.pack("<I", zlib.crc32(header))
    unpadded = len(header) + len(data) + CHECKS[kind][1]
    padded = header + data + b"\0" * ((-(len(header) + len(data))) % 4) + check_value(kind, bytes([byte]))
    return padded, unpadded


def stream(count, start, kind, sizes, out):
    check_id = CHECKS[kind][0]
    flags = bytes([0, check_id])
    out.write(b"\xfd7zXZ\0" + flags + struct.pack("<I", zlib.crc32(flags)))
    blocks = {}
    records = bytearray()
    for i in range(count):
        byte = 0x61 + (start + i) % 26
        if byte not in blocks:
            blocks[byte] = block(byte, kind, sizes)
        padded, unpadded = blocks[byte]
        out.write(padded)
        records += vli(unpadded) + vli(1)
    index = b"\0" + vli(count) + bytes(records)
    index += b"\0" * ((-len(index)) % 4)
    index += struct.pack("<I", zlib.crc32(index))
    backward = struct.pack("<I", len(index) // 4 - 1)
    out.write(index)
    out.write(struct.pack("<I", zlib.crc32(backward + flags)) + backward + flags + b"YZ")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("blocks", type=int)
    p.add_argument("output")
    p.add_argument("--check", choices=sorted(CHECKS), default="crc64")
    p.add_argument("--streams", type=int, default=1)
    p.add_argument("--sizes", action="store_true")
    a = p.parse_args()
    with open(a.output, "wb") as out:
        done = 0
        for s in range(a.streams):
            n = a.blocks // a.streams + (1 if s < a.blocks % a.streams else 0)
            stream(n, done, a.check, a.sizes, out)
            done += n


if __name__ == "__main__":
    main()
