#!/usr/bin/env python3
"""Write a .lzma (LZMA_Alone) file with a KNOWN uncompressed size and NO end
marker, using liblzma 5.4's LZMA1EXT raw filter through ctypes.

Usage: lzma-noeopm.py IN OUT [OPTS]
  OPTS: comma-separated like xz's --lzma1=, e.g.
        preset=6,lc=3,lp=0,pb=2,dict=65537,mf=bt4,mode=normal,nice=64,depth=0
        (preset may carry an 'e' suffix for extreme, default preset=6)

Why: xz's CLI always writes an end marker and size = unknown in .lzma files,
but many real-world .lzma files (LZMA SDK "lzma e") store the size and omit
the marker. The 13-byte header is written here the same way xz's
alone_encoder does (dict rounded up to 2^n or 2^n + 2^(n-1)).

After encoding, the stream is decoded again with LZMA1EXT in strict mode
(ext_flags = 0: an end marker would be a LZMA_DATA_ERROR), so the script
fails if an end marker slipped in or the bytes do not round-trip.
"""
import ctypes
import sys

LZMA_FILTER_LZMA1EXT = 0x4000000000000002
LZMA_VLI_UNKNOWN = 0xFFFFFFFFFFFFFFFF
LZMA_PRESET_EXTREME = 1 << 31
LZMA_OK, LZMA_STREAM_END = 0, 1
LZMA_RUN, LZMA_FINISH = 0, 3
MF = {"hc3": 0x03, "hc4": 0x04, "bt2": 0x12, "bt3": 0x13, "bt4": 0x14}
MODE = {"fast": 1, "normal": 2}


class lzma_options_lzma(ctypes.Structure):
    # Field order and types follow /usr/include/lzma/lzma12.h of liblzma 5.4.
    # Enums (lzma_mode, lzma_match_finder, lzma_reserved_enum) are C ints.
    _fields_ = [
        ("dict_size", ctypes.c_uint32),
        ("preset_dict", ctypes.c_void_p),
        ("preset_dict_size", ctypes.c_uint32),
        ("lc", ctypes.c_uint32),
        ("lp", ctypes.c_uint32),
        ("pb", ctypes.c_uint32),
        ("mode", ctypes.c_int),
        ("nice_len", ctypes.c_uint32),
        ("mf", ctypes.c_int),
        ("depth", ctypes.c_uint32),
        ("ext_flags", ctypes.c_uint32),
        ("ext_size_low", ctypes.c_uint32),
        ("ext_size_high", ctypes.c_uint32),
        ("reserved_int4", ctypes.c_uint32),
        ("reserved_int5", ctypes.c_uint32),
        ("reserved_int6", ctypes.c_uint32),
        ("reserved_int7", ctypes.c_uint32),
        ("reserved_int8", ctypes.c_uint32),
        ("reserved_enum1", ctypes.c_int),
        ("reserved_enum2", ctypes.c_int),
        ("reserved_enum3", ctypes.c_int),
        ("reserved_enum4", ctypes.c_int),
        ("reserved_ptr1", ctypes.c_void_p),
        ("reserved_ptr2", ctypes.c_void_p),
    ]


class lzma_filter(ctypes.Structure):
    _fields_ = [("id", ctypes.c_uint64), ("options", ctypes.c_void_p)]


class lzma_stream(ctypes.Structure):
    # /usr/include/lzma/base.h; all-zero bytes == LZMA_STREAM_INIT.
    _fields_ = [
        ("next_in", ctypes.c_void_p),
        ("avail_in", ctypes.c_size_t),
        ("total_in", ctypes.c_uint64),
        ("next_out", ctypes.c_void_p),
        ("avail_out", ctypes.c_size_t),
        ("total_out", ctypes.c_uint64),
        ("allocator", ctypes.c_void_p),
        ("internal", ctypes.c_void_p),
        ("reserved_ptr1", ctypes.c_void_p),
        ("reserved_ptr2", ctypes.c_void_p),
        ("reserved_ptr3", ctypes.c_void_p),
        ("reserved_ptr4", ctypes.c_void_p),
        ("seek_pos", ctypes.c_uint64),
        ("reserved_int2", ctypes.c_uint64),
        ("reserved_int3", ctypes.c_size_t),
        ("reserved_int4", ctypes.c_size_t),
        ("reserved_enum1", ctypes.c_int),
        ("reserved_enum2", ctypes.c_int),
    ]


lib = ctypes.CDLL("liblzma.so.5")
lib.lzma_version_string.restype = ctypes.c_char_p
lib.lzma_lzma_preset.argtypes = [ctypes.POINTER(lzma_options_lzma), ctypes.c_uint32]
lib.lzma_lzma_preset.restype = ctypes.c_ubyte
lib.lzma_raw_encoder.argtypes = [ctypes.POINTER(lzma_stream), ctypes.POINTER(lzma_filter)]
lib.lzma_raw_decoder.argtypes = [ctypes.POINTER(lzma_stream), ctypes.POINTER(lzma_filter)]
lib.lzma_code.argtypes = [ctypes.POINTER(lzma_stream), ctypes.c_int]
lib.lzma_end.argtypes = [ctypes.POINTER(lzma_stream)]


def parse_size(s):
    mult = 1
    for suffix, m in (("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30)):
        if s.endswith(suffix):
            s, mult = s[: -len(suffix)], m
    return int(s) * mult


def make_options(opts, size):
    o = lzma_options_lzma()
    items = [kv.split("=", 1) for kv in opts.split(",") if kv]
    preset = dict(items).get("preset", "6")
    level = int(preset.rstrip("e")) | (LZMA_PRESET_EXTREME if preset.endswith("e") else 0)
    if lib.lzma_lzma_preset(ctypes.byref(o), level):
        sys.exit("lzma-noeopm: bad preset %s" % preset)
    for k, v in items:
        if k == "preset":
            continue
        elif k in ("lc", "lp", "pb", "depth"):
            setattr(o, k, int(v))
        elif k == "nice":
            o.nice_len = int(v)
        elif k == "dict":
            o.dict_size = parse_size(v)
        elif k == "mf":
            o.mf = MF[v]
        elif k == "mode":
            o.mode = MODE[v]
        else:
            sys.exit("lzma-noeopm: unknown option %s" % k)
    o.ext_flags = 0  # no LZMA_LZMA1EXT_ALLOW_EOPM: encoder omits the marker
    o.ext_size_low = size & 0xFFFFFFFF
    o.ext_size_high = size >> 32
    return o


def run(init, opts, data):
    """Run a raw LZMA1EXT coder over data, return the output bytes."""
    filters = (lzma_filter * 2)()
    filters[0].id = LZMA_FILTER_LZMA1EXT
    filters[0].options = ctypes.cast(ctypes.pointer(opts), ctypes.c_void_p)
    filters[1].id = LZMA_VLI_UNKNOWN
    strm = lzma_stream()
    ret = init(ctypes.byref(strm), filters)
    if ret != LZMA_OK:
        raise RuntimeError("coder init failed: %d" % ret)
    inbuf = ctypes.create_string_buffer(data, len(data))
    cap = 1 << 16
    outbuf = ctypes.create_string_buffer(cap)
    strm.next_in = ctypes.cast(inbuf, ctypes.c_void_p)
    strm.avail_in = len(data)
    out = bytearray()
    try:
        while True:
            strm.next_out = ctypes.cast(outbuf, ctypes.c_void_p)
            strm.avail_out = cap
            ret = lib.lzma_code(ctypes.byref(strm), LZMA_FINISH)
            out += outbuf.raw[: cap - strm.avail_out]
            if ret == LZMA_STREAM_END:
                return bytes(out)
            if ret != LZMA_OK:
                raise RuntimeError("lzma_code failed: %d" % ret)
    finally:
        lib.lzma_end(ctypes.byref(strm))


def header_dict(d):
    """xz's alone_encoder rounding: up to 2^n or 2^n + 2^(n-1)."""
    d -= 1
    d |= d >> 2
    d |= d >> 3
    d |= d >> 4
    d |= d >> 8
    d |= d >> 16
    return min(d + 1, 0xFFFFFFFF)


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    ver = lib.lzma_version_string().decode()
    if not ver.startswith("5.4"):
        # Struct layout checked against 5.4's lzma12.h; later 5.x keep the ABI.
        print("lzma-noeopm: note: liblzma %s (layout checked for 5.4)" % ver, file=sys.stderr)
    src, dst = sys.argv[1], sys.argv[2]
    opts_s = sys.argv[3] if len(sys.argv) == 4 else ""
    data = open(src, "rb").read()
    opts = make_options(opts_s, len(data))
    body = run(lib.lzma_raw_encoder, opts, data)
    # Strict round trip: decoder with known size and ext_flags = 0 rejects EOPM.
    back = run(lib.lzma_raw_decoder, make_options(opts_s, len(data)), body)
    if back != data:
        sys.exit("lzma-noeopm: round trip mismatch for %s" % src)
    props = (opts.pb * 5 + opts.lp) * 9 + opts.lc
    header = bytes([props]) + header_dict(opts.dict_size).to_bytes(4, "little") \
        + len(data).to_bytes(8, "little")
    with open(dst, "wb") as f:
        f.write(header + body)


if __name__ == "__main__":
    main()
