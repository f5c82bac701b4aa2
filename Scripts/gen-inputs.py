#!/usr/bin/env python3
"""Deterministically generate the uncompressed inputs for the LZMA test vectors.

Usage: gen-inputs.py OUTDIR

Every byte comes from a private SplitMix64 generator with a fixed seed per
input, so the output does not depend on the Python version (random.Random's
helpers have changed between releases), the clock, or the machine.
Prints one line per input: name<TAB>size.
"""
import os
import sys


class SplitMix64:
    """Small, well-known PRNG; implemented here so the bytes never change."""

    def __init__(self, seed):
        self.state = seed & 0xFFFFFFFFFFFFFFFF

    def next64(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
        return z ^ (z >> 31)

    def below(self, n):
        """Uniform-enough integer in [0, n) (n is tiny next to 2^64)."""
        return self.next64() % n

    def bytes(self, n):
        out = bytearray()
        while len(out) < n:
            out += self.next64().to_bytes(8, "little")
        return bytes(out[:n])


VOCAB = (
    "the of and to in is that it was for on are as with his they at be this "
    "from have or by one had not but what all were when we there can an your "
    "which their said if do will each about how up out them then she many some "
    "so these would other into has more her two like him see time could no make "
    "than first been its who now people my made over did down only way find use "
    "may water long little very after words called just where most know get "
    "through back much before go good new write our used me man too any day "
    "same right look think also around another came come work three word must "
    "because does part even place well such here take why things help put years "
    "different away again off went old number great tell men say small every "
    "found still between name should home big give air line set own under read "
    "last never us left end along while might next sound below saw something "
    "thought both few those always looked show large often together asked house "
    "world going want school important until form food keep children feet land "
    "side without boy once animals life enough took sometimes four head above "
    "kind began almost live page got earth need far hand high year mother light "
    "parts country father let night following picture being study second eyes "
    "compression decoder encoder dictionary literal match distance probability "
    "range coder state machine repeat length window buffer stream header marker"
).split()
PUNCT = [",", ",", ",", ";", ":", " -", ".", ".", ".", "!", "?"]


def text(seed, size):
    """Word salad: Zipf-ish word choice, sentences, paragraphs, line wrapping."""
    rng = SplitMix64(seed)
    out = []
    n = 0
    col = 0
    sentence_start = True
    while n < size:
        # Square of a uniform index skews towards frequent (early) words.
        r = rng.below(len(VOCAB) * len(VOCAB))
        w = VOCAB[int(r ** 0.5)] if rng.below(4) else VOCAB[rng.below(len(VOCAB))]
        if sentence_start:
            w = w.capitalize()
            sentence_start = False
        p = ""
        k = rng.below(40)
        if k < len(PUNCT):
            p = PUNCT[k]
            if p in (".", "!", "?"):
                sentence_start = True
        token = w + p
        if col + len(token) + 1 > 72:
            sep = "\n"
            if sentence_start and rng.below(5) == 0:
                sep = "\n\n"
            col = 0
        else:
            sep = " " if col else ""
        piece = sep + token
        col += len(piece) if sep != "\n" and sep != "\n\n" else len(token)
        out.append(piece)
        n += len(piece)
    return "".join(out).encode("ascii")[:size]


def binary(seed, size):
    """Structured records: repeated magic header, counters, small ints, names."""
    rng = SplitMix64(seed)
    out = bytearray()
    rec = 0
    names = [b"alpha", b"beta", b"gamma", b"delta", b"epsilon", b"zeta"]
    while len(out) < size:
        out += b"REC\x00\x01\x02"                      # repeated header
        out += rec.to_bytes(4, "little")                # incrementing id
        out += (rec * 40 + rng.below(16)).to_bytes(4, "big")  # near-linear offset
        for _ in range(6):                              # small ints, 16-bit LE
            out += rng.below(300).to_bytes(2, "little")
        name = names[rng.below(len(names))]
        out += bytes([len(name)]) + name
        out += b"\x00" * (rng.below(4))                 # variable padding
        if rec % 17 == 0:                               # occasional blob
            out += rng.bytes(rng.below(24))
        out += b"\xff\xfe"
        rec += 1
    return bytes(out[:size])


def mixed(seed, size):
    """Alternating text, binary, random and zero runs (for the size series)."""
    rng = SplitMix64(seed)
    out = bytearray()
    part = 0
    while len(out) < size:
        kind = part % 4
        n = 200 + rng.below(3000)
        if kind == 0:
            out += text(seed + 1000 + part, n)
        elif kind == 1:
            out += binary(seed + 2000 + part, n)
        elif kind == 2:
            out += rng.bytes(rng.below(300))
        else:
            out += bytes([rng.below(256)]) * rng.below(600)
        part += 1
    return bytes(out[:size])


def big(seed, size):
    """> 1 MiB but very compressible: a 48 KiB text block repeated with small
    mutations, long zero runs, and a counter table. Exercises long distances
    (matches reaching back further than 1 MiB) while the vector stays small."""
    rng = SplitMix64(seed)
    block = bytearray(text(seed + 1, 48 * 1024))
    out = bytearray()
    out += block                                   # referenced again ~1.2 MiB later
    i = 0
    while len(out) < size - len(block):
        kind = i % 3
        if kind == 0:
            b = bytearray(block)
            for _ in range(8):                     # a few point mutations
                b[rng.below(len(b))] = 0x41 + rng.below(26)
            out += b
        elif kind == 1:
            out += b"\x00" * (16 * 1024 + rng.below(64 * 1024))
        else:
            for j in range(2048):
                out += (i * 4096 + j).to_bytes(4, "little")
        i += 1
    out += block                                   # far match back to offset 0
    return bytes(out[:size])


def inputs():
    """(name, bytes) for every input, in a fixed order."""
    yield "empty", b""
    yield "byte1", b"A"
    yield "zeros100k", b"\x00" * 100_000
    yield "random20k", SplitMix64(1).bytes(20_000)
    yield "random2k", SplitMix64(2).bytes(2_000)
    yield "text16k", text(3, 16_384)
    yield "text64k", text(4, 65_000)
    yield "text200k", text(5, 200_000)
    yield "binary16k", binary(6, 16_000)
    yield "binary64k", binary(7, 64_000)
    for n in (255, 256, 257, 4095, 4096, 4097, 65535, 65536, 65537):
        yield "mixed%d" % n, mixed(100 + n, n)
    yield "abab1k", b"ab" * 512          # period-2 repeat: rep0 and short reps
    yield "big1300k", big(8, 1_300_000)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: gen-inputs.py OUTDIR")
    outdir = sys.argv[1]
    os.makedirs(outdir, exist_ok=True)
    for name, data in inputs():
        with open(os.path.join(outdir, name), "wb") as f:
            f.write(data)
        print("%s\t%d" % (name, len(data)))


if __name__ == "__main__":
    main()
