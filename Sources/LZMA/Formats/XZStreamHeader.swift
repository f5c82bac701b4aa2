/// The 12-byte Stream Header and Stream Footer of an `.xz` stream (spec
/// sections 2.1.1 and 2.1.2).
///
///     Header:  FD 37 7A 58 5A 00 | Stream Flags (2) | CRC32 of the flags (4)
///     Footer:  CRC32 of the next 6 bytes (4) | Backward Size (4) |
///              Stream Flags (2) | 59 5A ("YZ")
///
/// Stream Flags are a zero byte and a byte whose low 4 bits are the Check ID;
/// the other bits are reserved. Backward Size is the size of the Index, stored
/// as size / 4 - 1, so a decoder reading from the end can find the Index.
enum XZStreamHeader {
    static let size = 12
    static let magic: [UInt8] = [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00]
    static let footerMagic: [UInt8] = [0x59, 0x5A]

    /// Validates the 12 header bytes at `b` and returns the Check ID.
    ///
    /// Checks in liblzma's order: magic, CRC32, then reserved bits.
    /// - Parameter firstStream: a bad magic in the first stream means "not an
    ///   .xz file" (`invalidHeader`); in a later one the data is corrupt.
    /// - Parameter offset: where the header starts, for errors.
    /// - Throws: `invalidHeader` / `corruptData` for a wrong magic,
    ///   `corruptData` for a wrong CRC32, `unsupported` for reserved flag bits.
    static func decodeHeader(_ b: UnsafePointer<UInt8>, firstStream: Bool, offset: UInt64) throws(LZMAError) -> UInt8 {
        for i in 0..<6 where b[i] != magic[i] {
            if firstStream { throw LZMAError.invalidHeader("not an .xz file (wrong magic bytes)", offset: offset) }
            throw LZMAError.corruptData("wrong magic bytes in the header of a concatenated .xz stream", offset: offset + UInt64(i))
        }
        let stored = UInt32(readLittleEndian(b + 8, count: 4))
        guard CRC32.checksum(UnsafeBufferPointer(start: b + 6, count: 2)) == stored else {
            throw LZMAError.corruptData("stream header CRC32 mismatch", offset: offset + 8)
        }
        return try decodeFlags(b + 6)
    }

    /// The stream flags at `b` (2 bytes): the Check ID.
    /// - Throws: `LZMAError.unsupported` when a reserved bit is set.
    static func decodeFlags(_ b: UnsafePointer<UInt8>) throws(LZMAError) -> UInt8 {
        guard b[0] == 0 && b[1] & 0xF0 == 0 else {
            throw LZMAError.unsupported("reserved bits set in the .xz stream flags (0x\(String(b[0], radix: 16)) 0x\(String(b[1], radix: 16)))")
        }
        return b[1]
    }

    /// Validates the 12 footer bytes at `b` against what the decoder saw.
    ///
    /// Checks in liblzma's order: magic, CRC32, reserved bits, then Backward
    /// Size against the Index just read and the flags against the header's.
    /// - Throws: `corruptData` for any mismatch, `unsupported` for reserved bits.
    static func decodeFooter(_ b: UnsafePointer<UInt8>, checkID: UInt8, indexSize: UInt64, offset: UInt64) throws(LZMAError) {
        guard b[10] == footerMagic[0] && b[11] == footerMagic[1] else {
            throw LZMAError.corruptData("wrong magic bytes in the stream footer", offset: offset + 10)
        }
        let stored = UInt32(readLittleEndian(b, count: 4))
        guard CRC32.checksum(UnsafeBufferPointer(start: b + 4, count: 6)) == stored else {
            throw LZMAError.corruptData("stream footer CRC32 mismatch", offset: offset)
        }
        let footerCheck = try decodeFlags(b + 8)
        let backward = (readLittleEndian(b + 4, count: 4) + 1) * 4
        guard backward == indexSize else {
            throw LZMAError.corruptData("backward size \(backward) in the stream footer differs from the index size \(indexSize)", offset: offset + 4)
        }
        guard footerCheck == checkID else {
            throw LZMAError.corruptData("stream flags in the footer differ from the header", offset: offset + 8)
        }
    }

    /// The Stream Header for `check`.
    static func encodeHeader(check: XZCheck) -> [UInt8] {
        let flags: [UInt8] = [0, check.rawValue]
        return magic + flags + littleEndianBytes(UInt64(CRC32.checksum(flags)), count: 4)
    }

    /// The Stream Footer for `check` and an Index of `indexSize` bytes (a multiple of 4).
    static func encodeFooter(check: XZCheck, indexSize: UInt64) -> [UInt8] {
        let body = littleEndianBytes(indexSize / 4 - 1, count: 4) + [0, check.rawValue]
        return littleEndianBytes(UInt64(CRC32.checksum(body)), count: 4) + body + footerMagic
    }
}
