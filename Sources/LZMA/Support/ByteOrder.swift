// Byte order: every little- and big-endian read and write of the library
// (headers, indexes, filter properties, digests, the BCJ converters) goes
// through these.

/// The low `count` bytes of `v`, least significant first.
func littleEndianBytes(_ v: UInt64, count: Int) -> [UInt8] {
    (0..<count).map { UInt8(truncatingIfNeeded: v >> (8 * UInt64($0))) }
}

/// Reads a little-endian integer of `count` bytes (at most 8) at `p`.
@inline(__always)
func readLittleEndian(_ p: UnsafePointer<UInt8>, count: Int) -> UInt64 {
    var v: UInt64 = 0
    for i in 0..<count { v |= UInt64(p[i]) << (8 * UInt64(i)) }
    return v
}

/// Reads a little-endian integer of `count` bytes (at most 8) at `bytes[at...]`.
func readLittleEndian(_ bytes: [UInt8], at: Int, count: Int) -> UInt64 {
    precondition(at >= 0 && count <= bytes.count - at)
    return bytes.withUnsafeBufferPointer { readLittleEndian($0.baseAddress! + at, count: count) }
}

/// Appends `word` as 4 bytes, most significant first.
func appendBigEndian(_ word: UInt32, to out: inout [UInt8]) {
    out.append(UInt8(truncatingIfNeeded: word >> 24))
    out.append(UInt8(truncatingIfNeeded: word >> 16))
    out.append(UInt8(truncatingIfNeeded: word >> 8))
    out.append(UInt8(truncatingIfNeeded: word))
}

// In-place 32-bit reads and writes of the BCJ converters' hot loops (named
// for them, their only users).

/// Reads 4 bytes as a little-endian UInt32.
@inline(__always)
func bcjRead32LE(_ p: UnsafeMutablePointer<UInt8>) -> UInt32 {
    UInt32(p[0]) | UInt32(p[1]) &<< 8 | UInt32(p[2]) &<< 16 | UInt32(p[3]) &<< 24
}

/// Writes a UInt32 as 4 little-endian bytes.
@inline(__always)
func bcjWrite32LE(_ p: UnsafeMutablePointer<UInt8>, _ v: UInt32) {
    p[0] = UInt8(truncatingIfNeeded: v)
    p[1] = UInt8(truncatingIfNeeded: v &>> 8)
    p[2] = UInt8(truncatingIfNeeded: v &>> 16)
    p[3] = UInt8(truncatingIfNeeded: v &>> 24)
}

/// Reads 4 bytes as a big-endian UInt32.
@inline(__always)
func bcjRead32BE(_ p: UnsafeMutablePointer<UInt8>) -> UInt32 {
    UInt32(p[0]) &<< 24 | UInt32(p[1]) &<< 16 | UInt32(p[2]) &<< 8 | UInt32(p[3])
}

/// Writes a UInt32 as 4 big-endian bytes.
@inline(__always)
func bcjWrite32BE(_ p: UnsafeMutablePointer<UInt8>, _ v: UInt32) {
    p[0] = UInt8(truncatingIfNeeded: v &>> 24)
    p[1] = UInt8(truncatingIfNeeded: v &>> 16)
    p[2] = UInt8(truncatingIfNeeded: v &>> 8)
    p[3] = UInt8(truncatingIfNeeded: v)
}
