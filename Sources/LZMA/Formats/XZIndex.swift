/// The Index of an `.xz` stream (spec section 4): after the last block, one
/// record per block, so that a reader can find blocks without decoding them.
///
///     Index Indicator     0x00 (where a Block Header Size byte would be)
///     Number of Records   VLI
///     Records             per block: Unpadded Size (VLI), Uncompressed Size (VLI)
///     Index Padding       zero bytes to a multiple of 4
///     CRC32               of everything before it, indicator included
///
/// Unpadded Size is block header + compressed data + check, without the block
/// padding.

/// A summary of block records: enough to tell whether two lists are equal
/// without keeping them (liblzma does the same). Memory stays constant
/// however many blocks a stream has.
struct XZRecordDigest: Equatable {
    private(set) var count: UInt64 = 0
    private(set) var unpaddedSum: UInt64 = 0
    private(set) var uncompressedSum: UInt64 = 0
    /// Bytes the records take in an Index (for its size).
    private(set) var recordBytes: UInt64 = 0
    private var hash = SHA256()

    /// Adds one record.
    /// - Returns: false if a sum passes the largest valid size.
    mutating func append(unpadded: UInt64, uncompressed: UInt64) -> Bool {
        count &+= 1
        let (u, o1) = unpaddedSum.addingReportingOverflow(unpadded)
        let (c, o2) = uncompressedSum.addingReportingOverflow(uncompressed)
        unpaddedSum = u
        uncompressedSum = c
        recordBytes &+= UInt64(VLI.size(unpadded) + VLI.size(uncompressed))
        withUnsafeBytes(of: (unpadded.littleEndian, uncompressed.littleEndian)) { hash.update($0) }
        return !o1 && !o2 && u <= VLI.max && c <= VLI.max
    }

    /// The digest of all records; the summary must not be appended to afterwards.
    mutating func finalize() -> [UInt8] { hash.finalize() }

    static func == (a: XZRecordDigest, b: XZRecordDigest) -> Bool {
        a.count == b.count && a.unpaddedSum == b.unpaddedSum && a.uncompressedSum == b.uncompressedSum
    }
}

extension XZRecordDigest {
    /// A digest whose next record is number `count + 1`, for a decoder that
    /// starts in the middle of a stream (its sums are only its own blocks').
    init(numberedAfter count: UInt64) {
        self.init()
        self.count = count
    }
}

/// Reads the fields of an Index byte by byte and checks what the Index alone
/// can show: the indicator, minimal integers, Unpadded Sizes in range, zero
/// padding, the CRC32. The decoder (which then compares the records with the
/// blocks it decoded) and `XZFileInfo` (which has only the Index) build on it.
struct XZIndexReader {
    /// A field that has just been read.
    enum Event {
        case count(UInt64)
        case record(unpadded: UInt64, uncompressed: UInt64, isLast: Bool)
    }
    private enum Phase { case indicator, count, unpadded, uncompressed, padding, crc, done }
    private var phase: Phase
    private var remaining: UInt64 = 0
    private var unpadded: UInt64 = 0
    private var vli = VLIReader()
    private var crc = CRC32()
    private var storedCRC: UInt32 = 0
    private var crcBytes = 0
    /// Bytes of the Index read so far (indicator included).
    private(set) var size: UInt64 = 0

    /// True once the CRC32 has been read and matched.
    var isDone: Bool { phase == .done }

    /// - Parameter indicatorRead: the 0x00 indicator was already read (by a
    ///   decoder that found it where a block header could have been).
    init(indicatorRead: Bool) {
        phase = indicatorRead ? .count : .indicator
        if indicatorRead {
            crc.update(CollectionOfOne(UInt8(0)))
            size = 1
        }
    }

    /// Reads byte `b` at input position `at` (for errors).
    /// - Returns: the field it completes, if any.
    /// - Throws: `LZMAError.corruptData` for a wrong indicator, a bad
    ///   integer, an invalid Unpadded Size, non-zero padding or a CRC32
    ///   mismatch.
    mutating func feed(_ b: UInt8, at: UInt64) throws(LZMAError) -> Event? {
        func corrupt(_ what: String) -> LZMAError { .corruptData("index: " + what, offset: at) }
        func readVLI() throws(LZMAError) -> UInt64? {
            do { return try vli.feed(b) } catch { throw corrupt("\(error)") }
        }
        size += 1
        // The CRC32 covers everything before the CRC32 field.
        // (One byte in place: a CollectionOfOne is not contiguous and would
        // go through a 4 KiB temporary buffer, an allocation per byte.)
        if phase != .crc { withUnsafeBytes(of: b) { crc.update($0) } }
        var event: Event? = nil
        switch phase {
        case .indicator:
            guard b == 0 else { throw corrupt("the index indicator is 0x\(String(b, radix: 16)), not 0") }
            phase = .count
        case .count:
            guard let n = try readVLI() else { return nil }
            remaining = n
            phase = n == 0 ? .padding : .unpadded
            event = .count(n)
        case .unpadded:
            guard let v = try readVLI() else { return nil }
            guard v >= 5 && v <= XZBlockHeader.maxUnpaddedSize else { throw corrupt("invalid unpadded size \(v)") }
            unpadded = v
            phase = .uncompressed
        case .uncompressed:
            guard let v = try readVLI() else { return nil }
            remaining -= 1
            phase = remaining == 0 ? .padding : .unpadded
            event = .record(unpadded: unpadded, uncompressed: v, isLast: remaining == 0)
        case .padding:
            guard b == 0 else { throw corrupt("non-zero byte in the index padding") }
        case .crc:
            storedCRC |= UInt32(b) << (8 * UInt32(crcBytes))
            crcBytes += 1
            if crcBytes == 4 {
                guard crc.value == storedCRC else {
                    throw LZMAError.corruptData("index CRC32 mismatch", offset: at - 3)
                }
                phase = .done
            }
        case .done:
            break
        }
        // Padding runs up to a multiple of 4 (it may be empty).
        if phase == .padding && size % 4 == 0 { phase = .crc }
        return event
    }
}

/// Reads an Index from the input and compares it with the blocks the decoder
/// actually saw.
struct XZIndexDecoder {
    private var reader = XZIndexReader(indicatorRead: true)
    private var blocks: XZRecordDigest
    private var seen = XZRecordDigest()

    var isDone: Bool { reader.isDone }
    /// Bytes of the Index read so far (indicator included).
    var size: UInt64 { reader.size }

    /// - Parameter blocks: the records of the blocks decoded in this stream.
    init(blocks: XZRecordDigest) {
        self.blocks = blocks
    }

    /// Reads Index bytes from `p[0..<count]` (the indicator already read).
    /// - Parameter offset: input position of `p[0]`, for errors.
    /// - Returns: bytes consumed; `isDone` tells whether the Index ended.
    /// - Throws: `LZMAError.corruptData` for a bad integer, an invalid Unpadded
    ///   Size, records that differ from the blocks, non-zero padding or a
    ///   CRC32 mismatch.
    mutating func feed(_ p: UnsafePointer<UInt8>, count: Int, offset: UInt64) throws(LZMAError) -> Int {
        var i = 0
        while i < count && !reader.isDone {
            let at = offset + UInt64(i)
            let event = try reader.feed(p[i], at: at)
            i += 1
            func corrupt(_ what: String) -> LZMAError { .corruptData("index: " + what, offset: at) }
            switch event {
            case .count(let n)?:
                if n != blocks.count { throw corrupt("\(n) records for \(blocks.count) blocks") }
            case .record(let unpadded, let uncompressed, let isLast)?:
                guard seen.append(unpadded: unpadded, uncompressed: uncompressed) else {
                    throw corrupt("sizes add up to more than 2^63 - 1")
                }
                if isLast {
                    var a = blocks, s = seen
                    guard a == s && a.finalize() == s.finalize() else {
                        throw corrupt("records do not match the blocks decoded")
                    }
                }
            case nil:
                break
            }
        }
        return i
    }
}

/// Writes an Index (for the encoder).
enum XZIndexEncoder {
    /// The Index for blocks with these (Unpadded Size, Uncompressed Size) records.
    static func encode(_ records: [(unpadded: UInt64, uncompressed: UInt64)]) -> [UInt8] {
        var out: [UInt8] = [0]
        out += VLI.encode(UInt64(records.count))
        for r in records { out += VLI.encode(r.unpadded) + VLI.encode(r.uncompressed) }
        while out.count % 4 != 0 { out.append(0) }
        out += littleEndianBytes(UInt64(CRC32.checksum(out)), count: 4)
        return out
    }
}
