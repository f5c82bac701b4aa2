#!/usr/bin/env python3
"""Time one liblzma 5.8.1 decode of FILE inside this process, for Scripts/bench.sh.

Usage: liblzma58-decode.py XZ58 FILE
  XZ58 is ../shared/tools/xz58 (it finds liblzma 5.8.1 in the lzma-mt wheel).
Prints the seconds from creating the decoder to freeing it: reading FILE in
1 MiB pieces, lzma_code with a 1 MiB output buffer, each piece written to
/dev/null (as `xz58 -d FILE >/dev/null` does, without Python's start-up and
imports, which take ~0.1 s and vary by more than a small file's decode).
Then prints the number of bytes decoded, which the caller can check.
"""
import ctypes
import importlib.machinery
import importlib.util
import os
import sys
import time


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    loader = importlib.machinery.SourceFileLoader("xz58", sys.argv[1])
    spec = importlib.util.spec_from_loader("xz58", loader)
    xz58 = importlib.util.module_from_spec(spec)
    loader.exec_module(xz58)
    lib = ctypes.CDLL(xz58.library_path())
    lib.lzma_auto_decoder.restype = ctypes.c_int
    lib.lzma_code.restype = ctypes.c_int
    ibuf = ctypes.create_string_buffer(1 << 20)
    obuf = ctypes.create_string_buffer(1 << 20)
    oview = memoryview(obuf).cast("B")
    null = os.open(os.devnull, os.O_WRONLY)
    total = 0
    t0 = time.perf_counter()
    strm = xz58.Stream()
    if lib.lzma_auto_decoder(ctypes.byref(strm), ctypes.c_uint64(2**64 - 1), 0x08) != 0:
        sys.exit("liblzma58-decode: cannot start the decoder")
    with open(sys.argv[2], "rb", buffering=0) as src:
        finishing = False
        while True:
            if strm.avail_in == 0 and not finishing:
                n = src.readinto(ibuf) or 0
                strm.next_in, strm.avail_in = ctypes.addressof(ibuf), n
                finishing = n == 0
            strm.next_out, strm.avail_out = ctypes.addressof(obuf), len(obuf)
            ret = lib.lzma_code(ctypes.byref(strm), 3 if finishing else 0)
            produced = len(obuf) - strm.avail_out
            if produced:
                os.write(null, oview[:produced])
                total += produced
            if ret == 1:
                break
            if ret != 0:
                sys.exit(f"liblzma58-decode: error {ret}")
    lib.lzma_end(ctypes.byref(strm))
    t1 = time.perf_counter()
    print(f"{t1 - t0:.6f} {total}")


if __name__ == "__main__":
    main()
