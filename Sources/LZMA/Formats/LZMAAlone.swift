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
    /// - Parameter picky: apply xz's extra checks used when the format is
    ///   auto-detected (dictionary size 2^n or 2^n + 2^(n-1), known size below
    ///   256 GiB), which keep random data from passing as `.lzma`.
    /// - Throws: `LZMAError.invalidHeader` / `.invalidProperties`.
    init(_ b: UnsafePointer<UInt8>, picky: Bool) throws(LZMAError) {
        let dict = UInt32(readLittleEndian(b + 1, count: 4))
        let size = readLittleEndian(b + 5, count: 8)
        guard b[0] <= LZMAProperties.maximumPropertiesByte else {
            throw picky ? LZMAError.invalidHeader("not a .xz or .lzma file", offset: 0)
                        : LZMAError.invalidProperties("properties byte \(b[0]) is above 224")
        }
        if picky && dict != UInt32.max && LZMAProperties.roundedDictionarySize(dict) != dict {
            throw LZMAError.invalidHeader("not a .xz or .lzma file (unusual dictionary size \(dict))", offset: 1)
        }
        if picky && size != LZMAAloneHeader.unknownSize && size >= (1 << 38) {
            throw LZMAError.invalidHeader("not a .xz or .lzma file (implausible uncompressed size)", offset: 5)
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

/// Streaming decoder for a `.lzma` file: collects the header (any chunking),
/// checks it and the memory limit, then decodes the payload.
final class LZMAAloneDecoder {
    private var header = [UInt8]()
    private var stream: LZMA1StreamDecoder?
    private let picky: Bool
    private let memoryLimit: UInt64?
    private(set) var parsedHeader: LZMAAloneHeader?

    init(picky: Bool, memoryLimit: UInt64?) {
        self.picky = picky
        self.memoryLimit = memoryLimit
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
            let s = LZMA1StreamDecoder(properties: h.properties, uncompressedSize: h.uncompressedSize)
            s.decoder.totalIn = UInt64(LZMAAloneHeader.size)
            stream = s
        }
        let r = try stream!.code(input.map { $0 + consumed }, inCount: inCount - consumed, output, outCount: outCount)
        return (consumed + r.consumed, r.produced, r.status)
    }
}
