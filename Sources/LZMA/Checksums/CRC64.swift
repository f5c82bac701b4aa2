// CRC-64 as used by .xz (check type 0x04, xz's default): the ECMA-182
// polynomial in reflected form (0xC96C5795D7870F42), initial value and final
// XOR all ones.

/// An incremental CRC-64 (the xz one: reflected ECMA-182 polynomial).
///
/// `value` is always the finished CRC of everything fed so far, so it can be
/// read at any time and updating can go on afterwards. The check value of
/// `"123456789"` is `0x995DC9BBDF1939FA`. Table-driven, 8 bytes per step
/// ("slicing-by-8") in three interleaved lanes. Cost: O(n) time, O(1) memory
/// (the 32 KiB of tables are shared and built once).
public struct CRC64: Sendable, IncrementalChecksum {
    /// The finished CRC of all bytes fed so far (0 for no bytes).
    public private(set) var value: UInt64 = 0

    /// Creates a CRC of the empty message.
    public init() {}

    /// Adds `bytes`. Cost: O(bytes.count).
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        // The register holds the complemented CRC while bytes go through it.
        value = ~CRC64.tables.update(~value, base, bytes.count)
    }

    /// The CRC-64 of `bytes`. Cost: O(bytes.count).
    @inlinable
    public static func checksum<C: Collection>(_ bytes: C) -> UInt64 where C.Element == UInt8 {
        var crc = CRC64()
        crc.update(bytes)
        return crc.value
    }

    /// The slicing-by-8 and lane tables (32 KiB), shared and built once.
    static let tables = CRCTables<UInt64>(polynomial: 0xC96C_5795_D787_0F42)
}
