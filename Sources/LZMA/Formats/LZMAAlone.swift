/// The `.lzma` file format ("LZMA_alone"): a 13-byte header followed by one
/// LZMA1 stream.
///
///     offset 0      properties byte: (pb * 5 + lp) * 9 + lc
///     offset 1...4  dictionary size, little endian
///     offset 5...12 uncompressed size, little endian; all ones = unknown
///                   (then the data must end with an end marker)
struct LZMAAloneHeader: Equatable {
    static let size = 13
    static let unknownSize = UInt64.max

    var properties: LZMAProperties
    /// nil when the header says "unknown".
    var uncompressedSize: UInt64?

    /// Parses and validates a header.
    ///
    /// - Parameter picky: apply xz's rules for recognising `.lzma` (see
    ///   ``LZMAAlone/recognizes(header:)``), used when the format is
    ///   auto-detected; without it any header the format allows is taken:
    ///   `lc` up to 8, any dictionary size (below 4 KiB it works as 4 KiB)
    ///   and any known size.
    /// - Throws: `LZMAError.invalidHeader` (picky: not recognised) /
    ///   `.invalidProperties` (a properties byte above 224).
    init(_ b: UnsafePointer<UInt8>, picky: Bool) throws(LZMAError) {
        let dict = UInt32(readLittleEndian(b + 1, count: 4))
        let size = readLittleEndian(b + 5, count: 8)
        if picky, let (why, offset) = LZMAAlone.unrecognized(properties: b[0], dictionarySize: dict, size: size) {
            throw LZMAError.invalidHeader("not a .xz or .lzma file (\(why))", offset: offset)
        }
        properties = try LZMAProperties(propertiesByte: b[0], dictionarySize: dict)
        uncompressedSize = size == LZMAAloneHeader.unknownSize ? nil : size
    }

    /// A header to write.
    init(properties: LZMAProperties, uncompressedSize: UInt64?) {
        self.properties = properties
        self.uncompressedSize = uncompressedSize
    }

    /// The 13 header bytes.
    var bytes: [UInt8] {
        [properties.propertiesByte] + littleEndianBytes(UInt64(properties.dictionarySize), count: 4)
            + littleEndianBytes(uncompressedSize ?? LZMAAloneHeader.unknownSize, count: 8)
    }
}

/// The rules by which xz 5.4 recognises `.lzma` data, whether it was asked
/// for `.lzma` (`xz -F lzma -d`) or detects the format (`xz -d`); the
/// `.lzma` format has no magic bytes, so these keep other data from passing
/// for it.
///
/// A 13-byte header is recognised when
/// - its properties byte is at most 224 and gives `lc + lp <= 4`;
/// - its dictionary size is 2^n or 2^n + 2^(n-1) (n >= 0), or 2^32 - 1;
///   0 is refused;
/// - its uncompressed size is unknown (all ones) or at most 2^38 (256 GiB).
///
/// `LZMADecompressor(format: .auto)` applies these rules. With `.lzma` the
/// decoder is lenient and takes every header the format itself allows (`lc`
/// up to 8, `lc + lp` above 4, any dictionary and known size), as files made
/// by other LZMA tools may have them; check a header with
/// ``recognizes(header:)`` first to follow xz exactly.
public enum LZMAAlone {
    /// The size of a `.lzma` header.
    public static let headerSize = 13

    /// Whether `header` (its first 13 bytes) is one xz recognises as `.lzma`.
    ///
    /// - Returns: false also for fewer than 13 bytes.
    /// - Complexity: O(1).
    public static func recognizes<C: Collection>(header: C) -> Bool where C.Element == UInt8 {
        var bytes = (UInt8(0), UInt32(0), UInt64(0))
        var i = 0
        for b in header {
            switch i {
            case 0: bytes.0 = b
            case 1...4: bytes.1 |= UInt32(b) << (8 * UInt32(i - 1))
            default: bytes.2 |= UInt64(b) << (8 * UInt64(i - 5))
            }
            i += 1
            if i == headerSize { break }
        }
        guard i == headerSize else { return false }
        return unrecognized(properties: bytes.0, dictionarySize: bytes.1, size: bytes.2) == nil
    }

    /// Why a header is not recognised and the offset of the field, or nil
    /// when it is recognised.
    static func unrecognized(properties p: UInt8, dictionarySize dict: UInt32, size: UInt64)
        -> (why: String, offset: UInt64)? {
        guard let (lc, lp, _) = LZMAProperties.unpack(p) else { return ("properties byte \(p) is above 224", 0) }
        guard lc + lp <= 4 else { return ("lc + lp = \(lc + lp) is above 4", 0) }
        // 2^n or 2^n + 2^(n-1) (0 rounds to UInt32.max, so it is refused).
        if dict != UInt32.max && LZMAProperties.roundedDictionarySize(dict) != dict {
            return ("unusual dictionary size \(dict)", 1)
        }
        if size != LZMAAloneHeader.unknownSize && size > (1 << 38) {
            return ("implausible uncompressed size \(size)", 5)
        }
        return nil
    }
}

/// Streaming decoder for a `.lzma` file: collects the header (any chunking),
/// checks it and the memory limit, then decodes the payload.
final class LZMAAloneDecoder {
    private var header = [UInt8]()
    private var stream: LZMA1StreamDecoder?
    private let picky: Bool
    private let memoryLimit: UInt64?
    private let allocator: LZMAAllocator
    private(set) var parsedHeader: LZMAAloneHeader?
    /// Receives the header and the symbols when set (see `LZMATracer`).
    var tracer: LZMATracer? { didSet { stream?.decoder.tracer = tracer } }

    init(picky: Bool, memoryLimit: UInt64?, allocator: LZMAAllocator = .standard) {
        self.picky = picky
        self.memoryLimit = memoryLimit
        self.allocator = allocator
        header.reserveCapacity(LZMAAloneHeader.size)
    }

    var finished: Bool { stream?.finished ?? false }
    var totalOut: UInt64 { stream?.totalOut ?? 0 }

    func code(_ input: UnsafePointer<UInt8>?, inCount: Int,
              _ output: UnsafeMutablePointer<UInt8>?, outCount: Int) throws(LZMAError) -> (consumed: Int, produced: Int, status: CodingStatus) {
        var consumed = 0
        if stream == nil {
            while header.count < LZMAAloneHeader.size && consumed < inCount {
                header.append(input![consumed])
                consumed += 1
            }
            guard header.count == LZMAAloneHeader.size else { return (consumed, 0, .needsInput) }
            let h = try header.withUnsafeBufferPointer { (b) throws(LZMAError) in try LZMAAloneHeader(b.baseAddress!, picky: picky) }
            let need = DecoderMemory.lzma1(dictionarySize: h.properties.dictionarySize)
            if let limit = memoryLimit, need > limit {
                throw LZMAError.memoryLimitExceeded(required: need, limit: limit)
            }
            parsedHeader = h
            let s = LZMA1StreamDecoder(properties: h.properties, uncompressedSize: h.uncompressedSize,
                                       allocator: allocator)
            s.decoder.totalIn = UInt64(LZMAAloneHeader.size)
            if let tracer {
                let p = h.properties
                tracer.structure(".lzma header: lc=\(p.lc) lp=\(p.lp) pb=\(p.pb), dictionary \(p.dictionarySize) bytes, " +
                                 (h.uncompressedSize.map { "uncompressed size \($0)" } ?? "uncompressed size unknown (ends with an end marker)"),
                                 inputOffset: 0)
                s.decoder.tracer = tracer
            }
            stream = s
        }
        let r = try stream!.code(input.map { $0 + consumed }, inCount: inCount - consumed, output, outCount: outCount)
        return (consumed + r.consumed, r.produced, r.status)
    }
}
