// CRC-32 as used by .xz (headers, indexes, check type 0x01), zlib and gzip:
// the IEEE 802.3 polynomial in reflected (LSB-first) form, initial value and
// final XOR 0xFFFFFFFF.

/// An incremental CRC-32 (the xz/zlib one: reflected polynomial 0xEDB88320).
///
/// `value` is always the finished CRC of everything fed so far, so it can be
/// read at any time and updating can go on afterwards. The check value of
/// `"123456789"` is `0xCBF43926`. Table-driven, 8 bytes per step
/// ("slicing-by-8"). Cost: O(n) time, O(1) memory (the 8 KiB table is shared
/// and built once).
public struct CRC32: Sendable {
    /// The finished CRC of all bytes fed so far (0 for no bytes).
    public private(set) var value: UInt32 = 0

    /// Creates a CRC of the empty message.
    public init() {}

    /// Adds `bytes`. Cost: O(bytes.count).
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        let count = bytes.count
        // The register holds the complemented CRC while bytes go through it.
        var crc = ~value
        CRC32.table.withUnsafeBufferPointer { tableBuffer in
            let t = tableBuffer.baseAddress!
            var p = base
            var n = count
            while n >= 8 {
                // Eight table lookups, one per input byte, each table k
                // giving the effect of a byte followed by k zero bytes.
                let lo = crc ^ UInt32(littleEndian: p.loadUnaligned(as: UInt32.self))
                let hi = UInt32(littleEndian: p.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
                crc = t[0x700 | byteIndex(lo)] ^ t[0x600 | byteIndex(lo &>> 8)]
                    ^ t[0x500 | byteIndex(lo &>> 16)] ^ t[0x400 | byteIndex(lo &>> 24)]
                    ^ t[0x300 | byteIndex(hi)] ^ t[0x200 | byteIndex(hi &>> 8)]
                    ^ t[0x100 | byteIndex(hi &>> 16)] ^ t[byteIndex(hi &>> 24)]
                p += 8
                n &-= 8
            }
            while n > 0 {
                crc = t[byteIndex(crc ^ UInt32(p.load(as: UInt8.self)))] ^ (crc &>> 8)
                p += 1
                n &-= 1
            }
        }
        value = ~crc
    }

    /// Adds `bytes`. Contiguous collections are read in place; others are
    /// copied through a small stack buffer. Cost: O(bytes.count).
    @inlinable
    public mutating func update<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        withRawChunks(of: bytes) { update($0) }
    }

    /// The CRC-32 of `bytes`. Cost: O(bytes.count).
    @inlinable
    public static func checksum<C: Collection>(_ bytes: C) -> UInt32 where C.Element == UInt8 {
        var crc = CRC32()
        crc.update(bytes)
        return crc.value
    }

    /// Eight 256-entry tables back to back. Table 0 is the classic byte-at-a-
    /// time table; table k maps a byte to its CRC contribution when k more
    /// bytes follow it.
    private static let table: [UInt32] = {
        let polynomial: UInt32 = 0xEDB8_8320
        var t = [UInt32](repeating: 0, count: 8 * 256)
        for i in 0..<256 {
            var r = UInt32(i)
            for _ in 0..<8 { r = (r & 1) != 0 ? (r >> 1) ^ polynomial : r >> 1 }
            t[i] = r
        }
        for k in 1..<8 {
            for i in 0..<256 {
                let previous = t[(k - 1) * 256 + i]
                t[k * 256 + i] = (previous >> 8) ^ t[Int(previous & 0xFF)]
            }
        }
        return t
    }()
}

/// The low byte of `x` as a table index.
@inline(__always)
func byteIndex(_ x: UInt32) -> Int { Int(truncatingIfNeeded: x & 0xFF) }

/// The low byte of `x` as a table index.
@inline(__always)
func byteIndex(_ x: UInt64) -> Int { Int(truncatingIfNeeded: x & 0xFF) }
