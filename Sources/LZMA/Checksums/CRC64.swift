// CRC-64 as used by .xz (check type 0x04, xz's default): the ECMA-182
// polynomial in reflected form (0xC96C5795D7870F42), initial value and final
// XOR all ones.

/// An incremental CRC-64 (the xz one: reflected ECMA-182 polynomial).
///
/// `value` is always the finished CRC of everything fed so far, so it can be
/// read at any time and updating can go on afterwards. The check value of
/// `"123456789"` is `0x995DC9BBDF1939FA`. Table-driven, 8 bytes per step
/// ("slicing-by-8"). Cost: O(n) time, O(1) memory (the 16 KiB table is shared
/// and built once).
public struct CRC64: Sendable {
    /// The finished CRC of all bytes fed so far (0 for no bytes).
    public private(set) var value: UInt64 = 0

    /// Creates a CRC of the empty message.
    public init() {}

    /// Adds `bytes`. Cost: O(bytes.count).
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        let count = bytes.count
        // The register holds the complemented CRC while bytes go through it.
        var crc = ~value
        CRC64.table.withUnsafeBufferPointer { tableBuffer in
            let t = tableBuffer.baseAddress!
            var p = base
            var n = count
            while n >= 8 {
                // The register is as wide as the step: XOR in all eight bytes,
                // then one lookup per byte, table k for a byte with k more after it.
                let x = crc ^ UInt64(littleEndian: p.loadUnaligned(as: UInt64.self))
                crc = t[0x700 | byteIndex(x)] ^ t[0x600 | byteIndex(x &>> 8)]
                    ^ t[0x500 | byteIndex(x &>> 16)] ^ t[0x400 | byteIndex(x &>> 24)]
                    ^ t[0x300 | byteIndex(x &>> 32)] ^ t[0x200 | byteIndex(x &>> 40)]
                    ^ t[0x100 | byteIndex(x &>> 48)] ^ t[byteIndex(x &>> 56)]
                p += 8
                n &-= 8
            }
            while n > 0 {
                crc = t[byteIndex(crc ^ UInt64(p.load(as: UInt8.self)))] ^ (crc &>> 8)
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

    /// The CRC-64 of `bytes`. Cost: O(bytes.count).
    @inlinable
    public static func checksum<C: Collection>(_ bytes: C) -> UInt64 where C.Element == UInt8 {
        var crc = CRC64()
        crc.update(bytes)
        return crc.value
    }

    /// Eight 256-entry tables back to back; table k maps a byte to its CRC
    /// contribution when k more bytes follow it (see `CRC32.table`).
    private static let table: [UInt64] = {
        let polynomial: UInt64 = 0xC96C_5795_D787_0F42
        var t = [UInt64](repeating: 0, count: 8 * 256)
        for i in 0..<256 {
            var r = UInt64(i)
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
