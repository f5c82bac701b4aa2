// requires: HAVE_XZ
// Target `xz`: the whole input is a .xz file (see checkWholeFile).
//
// Random mutations almost always break one of the CRC32s that guard the
// stream header, the block headers and the stream footer, so the fuzzer would
// rarely get past them. For inputs of odd length those CRC32s are recomputed
// first (stream header, the first block header, the footer), so mutated
// block headers, LZMA2 data and indexes are reached; even-length inputs are
// decoded as they are, which keeps the CRC checks themselves fuzzed.

import LZMA

/// Stores the little-endian CRC32 of `buf[from..<to]` at `buf[at...]`.
private func storeCRC(_ buf: inout [UInt8], from: Int, to: Int, at: Int) {
    let crc = CRC32.checksum(buf[from..<to])
    for i in 0..<4 { buf[at + i] = UInt8(truncatingIfNeeded: crc >> (8 * UInt32(i))) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    #if HAVE_XZ
    if size % 2 == 1 && size >= 24 {
        var buf = Array(UnsafeBufferPointer(start: data, count: size))
        storeCRC(&buf, from: 6, to: 8, at: 8)                   // stream header flags
        let headerSize = (Int(buf[12]) + 1) * 4                  // first block header
        if buf[12] != 0 && 12 + headerSize <= size - 12 {
            storeCRC(&buf, from: 12, to: 12 + headerSize - 4, at: 12 + headerSize - 4)
        }
        storeCRC(&buf, from: size - 8, to: size - 2, at: size - 12)  // footer: backward size, flags
        _ = buf.withUnsafeBufferPointer { checkWholeFile($0, format: .xz) }
    } else {
        checkWholeFile(UnsafeBufferPointer(start: data, count: size), format: .xz)
    }
    #endif
    return 0
}
