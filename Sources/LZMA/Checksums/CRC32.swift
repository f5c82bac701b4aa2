// CRC-32 as used by .xz (headers, indexes, check type 0x01), zlib and gzip:
// the IEEE 802.3 polynomial in reflected (LSB-first) form, initial value and
// final XOR 0xFFFFFFFF.

/// An incremental CRC-32 (the xz/zlib one: reflected polynomial 0xEDB88320).
///
/// `value` is always the finished CRC of everything fed so far, so it can be
/// read at any time and updating can go on afterwards. The check value of
/// `"123456789"` is `0xCBF43926`. Table-driven, 8 bytes per step
/// ("slicing-by-8") in three interleaved lanes. Cost: O(n) time, O(1) memory
/// (the 16 KiB of tables are shared and built once).
public struct CRC32: Sendable, IncrementalChecksum {
    /// The finished CRC of all bytes fed so far (0 for no bytes).
    public private(set) var value: UInt32 = 0

    /// Creates a CRC of the empty message.
    public init() {}

    /// Adds `bytes`. Cost: O(bytes.count).
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        // The register holds the complemented CRC while bytes go through it.
        value = ~CRC32.tables.update(~value, base, bytes.count)
    }

    /// The CRC-32 of `bytes`. Cost: O(bytes.count).
    @inlinable
    public static func checksum<C: Collection>(_ bytes: C) -> UInt32 where C.Element == UInt8 {
        var crc = CRC32()
        crc.update(bytes)
        return crc.value
    }

    /// The slicing-by-8 and lane tables (16 KiB), shared and built once.
    static let tables = CRCTables<UInt32>(polynomial: 0xEDB8_8320)
}
