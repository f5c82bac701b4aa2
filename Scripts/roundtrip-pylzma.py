#!/usr/bin/env python3
"""The original workflow written with pyLZMA (the LZMA SDK), for timing
against `swiftlzma --roundtrip FILE` (Scripts/bench.sh roundtrip):
compress FILE as a stream (pylzma.compressfile, read in 1 MiB chunks) into a
temporary file, decompress that file as a stream (pylzma.decompressobj, 1 MiB
chunks), and compare the SHA-1s of the input and of the output.

    Scripts/roundtrip-pylzma.py FILE      (needs `pip install pylzma`)

pyLZMA's defaults: dictionary 2^23 (8 MiB), fast bytes 128, bt4, normal
mode, its match finder on a second thread. Prints the sizes and "OK"; exits
1 on a mismatch, 2 when pylzma is missing.
"""
import hashlib
import os
import sys
import tempfile

try:
    import pylzma
except ImportError:
    print("roundtrip-pylzma: pylzma is not installed (pip install pylzma)", file=sys.stderr)
    sys.exit(2)

CHUNK = 1 << 20


def main(path):
    h_in = hashlib.sha1()
    h_out = hashlib.sha1()
    n_in = n_comp = n_out = 0
    with open(path, "rb") as src, tempfile.TemporaryFile() as tmp:
        class Hashing:
            """The input as compressfile reads it, hashed on the way."""
            def read(self, n=-1):
                nonlocal n_in
                b = src.read(n)
                h_in.update(b)
                n_in += len(b)
                return b

        c = pylzma.compressfile(Hashing())
        while True:
            b = c.read(CHUNK)
            if not b:
                break
            tmp.write(b)
            n_comp += len(b)
        tmp.seek(0)
        d = pylzma.decompressobj()
        while True:
            b = tmp.read(CHUNK)
            if not b:
                break
            out = d.decompress(b)
            h_out.update(out)
            n_out += len(out)
        out = d.flush()
        h_out.update(out)
        n_out += len(out)
    print(f"input {n_in} bytes SHA-1 {h_in.hexdigest()}")
    print(f"compressed {n_comp} bytes")
    print(f"decompressed {n_out} bytes SHA-1 {h_out.hexdigest()}")
    ok = n_in == n_out and h_in.digest() == h_out.digest()
    print("OK" if ok else "MISMATCH")
    return 0 if ok else 1


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__.strip(), file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
