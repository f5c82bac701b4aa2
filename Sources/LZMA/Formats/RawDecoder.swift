/// Raw LZMA1 or LZMA2 data after 0...3 filters (xz's `--format=raw`): the
/// LZMA decoder, then the filters undone in reverse order.
final class RawDecoder {
    private enum Coder {
        case lzma1(LZMA1StreamDecoder)
        case lzma2(LZMA2Decoder)

        func code(_ input: UnsafePointer<UInt8>?, inCount: Int,
                  _ output: UnsafeMutablePointer<UInt8>?, outCount: Int) throws(LZMAError) -> (consumed: Int, produced: Int, status: CodingStatus) {
            switch self {
            case .lzma1(let d): return try d.code(input, inCount: inCount, output, outCount: outCount)
            case .lzma2(let d): return try d.code(input, inCount: inCount, output, outCount: outCount)
            }
        }
    }
    private let coder: Coder
    private let chain: FilterChain?

    /// Receives the symbols (and LZMA2 chunks) when set (see `LZMATracer`).
    var tracer: LZMATracer? {
        didSet {
            switch coder {
            case .lzma1(let d): d.decoder.tracer = tracer
            case .lzma2(let d): d.tracer = tracer
            }
        }
    }

    /// - Parameters: `lzma2` picks the coder; `properties` gives lc/lp/pb
    ///   (LZMA1) and the dictionary size; `uncompressedSize` is for LZMA1.
    /// - Throws: `memoryLimitExceeded` (counted as xz counts it),
    ///   `invalidOptions` for a bad filter chain.
    init(lzma2: Bool, properties: LZMAProperties, uncompressedSize: UInt64?, filters: [XZFilter],
         memoryLimit: UInt64?, allocator: LZMAAllocator = .standard) throws(LZMAError) {
        let need = lzma2 ? DecoderMemory.lzma2(dictionarySize: properties.dictionarySize, filters: filters)
                         : DecoderMemory.lzma1(dictionarySize: properties.dictionarySize, filters: filters)
        if let memoryLimit, need > memoryLimit {
            throw LZMAError.memoryLimitExceeded(required: need, limit: memoryLimit)
        }
        coder = lzma2 ? .lzma2(LZMA2Decoder(dictionarySize: properties.dictionarySize, allocator: allocator))
                      : .lzma1(LZMA1StreamDecoder(properties: properties, uncompressedSize: uncompressedSize,
                                                  allocator: allocator))
        chain = filters.isEmpty ? nil : try FilterChain(filters: filters, encoding: false)
    }

    /// The LZMA decoder's error, kept while filtered bytes before it go out.
    private var deferredError: LZMAError?

    func code(_ input: UnsafePointer<UInt8>?, inCount: Int,
              _ output: UnsafeMutablePointer<UInt8>?, outCount: Int) throws(LZMAError) -> (consumed: Int, produced: Int, status: CodingStatus) {
        guard let chain else {
            return try coder.code(input, inCount: inCount, output, outCount: outCount)
        }
        // After the LZMA decoder failed: the bytes the filters finished
        // before the error go out first, then the error, in every call.
        if let e = deferredError {
            let n = chain.drain(output: UnsafeMutableBufferPointer(start: output, count: outCount))
            if n > 0 { return (0, n, .outputFull) }
            throw e
        }
        let coder = self.coder
        var used = 0
        var lzmaError: LZMAError?
        let r = chain.run(output: UnsafeMutableBufferPointer(start: output, count: outCount)) { dst in
            if lzmaError != nil { return (0, false) }
            do throws(LZMAError) {
                let r = try coder.code(input.map { $0 + used }, inCount: inCount - used, dst.baseAddress, outCount: dst.count)
                used += r.consumed
                return (r.produced, r.status == .streamEnd)
            } catch {
                lzmaError = error
                return (0, false)
            }
        }
        if let e = lzmaError {
            guard r.produced > 0 || chain.finalPending > 0 else { throw e }
            deferredError = e
            return (used, r.produced, .outputFull)
        }
        if r.finished { return (used, r.produced, .streamEnd) }
        return (used, r.produced, r.produced == outCount && outCount > 0 ? .outputFull : .needsInput)
    }
}
