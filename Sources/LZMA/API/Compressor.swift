/// What a compressor writes around the LZMA data.
public enum CompressionFormat: Sendable, Equatable {
    /// `.lzma` with "unknown size" in the header and an end marker (what xz writes).
    case lzma
    /// `.lzma` with this uncompressed size in the header and no end marker.
    /// The input must be exactly this long.
    case lzmaKnownSize(UInt64)
    /// Raw LZMA1 data: no header (see `LZMACompressor.properties`), end marker.
    case rawLZMA1
}

/// A streaming LZMA compressor, fed input in chunks of any size.
///
/// The output does not depend on how the input is chunked: a position is
/// encoded only once 4 KiB + 273 bytes of look-ahead follow it, or at the end.
/// Memory is allocated once at creation (see `memoryUsage(_:)`; the large
/// tables can come from a custom `LZMAAllocator`); compressed bytes wait in an
/// internal buffer of about 64 KiB until the caller takes them.
///
/// Both modes make the same decisions as liblzma 5.4, so `.lzma` output is
/// byte-identical to `xz --format=lzma` with the same preset or options.
public final class LZMACompressor: BufferedEncoding {
    let encoder: LZMAEncoder
    let format: CompressionFormat
    /// lc/lp/pb and the dictionary size (the real one, not the rounded header value).
    public let properties: LZMAProperties
    /// Bytes at the start of the pending output already handed out.
    var drained = 0
    /// The end of the stream is in the pending output.
    var ended = false
    var totalIn: UInt64 = 0
    var failure: LZMAError?
    /// Pending output above which encoding pauses until it is taken.
    static let pendingLimit = 1 << 16

    /// Creates a compressor and writes the format's header into its output.
    /// - Parameter allocator: supplies the window, hash and son tables (nearly
    ///   all of `memoryUsage(options)`); see `LZMAAllocator` for using the
    ///   operating system's zeroed pages.
    /// - Throws: `LZMAError.invalidOptions` if `options.validate` fails
    ///   (with lc + lp <= 4 required for `.lzma`).
    /// - Complexity: allocates `memoryUsage(options)` bytes; with the standard
    ///   allocator the tables are zeroed, O(memory) time.
    public init(format: CompressionFormat = .lzma, options: LZMAEncoderOptions,
                allocator: LZMAAllocator = .standard) throws(LZMAError) {
        try options.validate(forLZMAAlone: format != .rawLZMA1)
        self.format = format
        properties = try LZMAProperties(lc: options.lc, lp: options.lp, pb: options.pb,
                                        dictionarySize: options.dictionarySize)
        encoder = LZMAEncoder(options: options, allocator: allocator)
        switch format {
        case .lzma:
            encoder.rc.appendRaw(LZMACompressor.header(properties, size: UInt64.max))
        case .lzmaKnownSize(let n):
            encoder.rc.appendRaw(LZMACompressor.header(properties, size: n))
        case .rawLZMA1:
            break
        }
    }

    /// The 13-byte `.lzma` header. Like xz, the dictionary size is rounded up
    /// to 2^n or 2^n + 2^(n-1), the sizes LZMA Utils-era decoders expect.
    static func header(_ p: LZMAProperties, size: UInt64) -> [UInt8] {
        var d = p.dictionarySize - 1
        d |= d >> 2
        d |= d >> 3
        d |= d >> 4
        d |= d >> 8
        d |= d >> 16
        if d != UInt32.max { d += 1 }
        var h: [UInt8] = [p.propertiesByte]
        for i in 0..<4 { h.append(UInt8(truncatingIfNeeded: d >> (8 * UInt32(i)))) }
        for i in 0..<8 { h.append(UInt8(truncatingIfNeeded: size >> (8 * UInt64(i)))) }
        return h
    }

    var declaredSize: UInt64? {
        if case .lzmaKnownSize(let n) = format { return n }
        return nil
    }

    /// Compresses like liblzma's `lzma_code`: consumes input, writes at most
    /// `output.count` bytes. With `finish` and all input consumed it ends the
    /// stream; `.streamEnd` is returned once the last byte has been written.
    ///
    /// Status: `.outputFull` when output ran out (call again), `.needsInput`
    /// when all input was taken and more may come, `.streamEnd` at the end.
    /// - Throws: `LZMAError.sizeMismatch` when the input length differs from a
    ///   declared size; `LZMAError.programmingError` for input after the
    ///   stream was finished. After a throw the compressor stays failed.
    public func encode(input: UnsafeBufferPointer<UInt8>, output: UnsafeMutableBufferPointer<UInt8>,
                       finish: Bool) throws(LZMAError) -> (consumed: Int, produced: Int, status: CodingStatus) {
        if let f = failure { throw f }
        do {
            return try encodeStep(input: input, output: output, finish: finish)
        } catch let e {
            failure = e
            throw e
        }
    }

    func encodeStep(input: UnsafeBufferPointer<UInt8>, output: UnsafeMutableBufferPointer<UInt8>,
                    finish: Bool) throws(LZMAError) -> (consumed: Int, produced: Int, status: CodingStatus) {
        let mf = encoder.mf
        if mf.isFinishing && !input.isEmpty {
            throw LZMAError.programmingError("input given after the compressor was finished")
        }
        var inPos = 0
        var outPos = 0
        while true {
            // Hand out pending output first.
            let pending = encoder.rc.outPos - drained
            if pending > 0 {
                let n = min(pending, output.count - outPos)
                if n > 0 {
                    (output.baseAddress! + outPos).update(from: encoder.rc.out + drained, count: n)
                    outPos += n
                    drained += n
                }
                if drained == encoder.rc.outPos {
                    encoder.rc.outPos = 0
                    drained = 0
                }
                if n < pending { return (inPos, outPos, .outputFull) }
            }
            if ended { return (inPos, outPos, .streamEnd) }

            var copied = 0
            if inPos < input.count {
                if let limit = declaredSize, totalIn + UInt64(input.count - inPos) > limit {
                    throw LZMAError.sizeMismatch("input is longer than the declared uncompressed size",
                                                 expected: limit, actual: totalIn + UInt64(input.count - inPos))
                }
                copied = mf.fill(input.baseAddress! + inPos, count: input.count - inPos)
                inPos += copied
                totalIn += UInt64(copied)
            }
            if finish && inPos == input.count { mf.isFinishing = true }
            let progressed = encoder.encodeAvailable(outputLimit: LZMACompressor.pendingLimit)
            if mf.isFinishing && encoder.isDrained {
                if let limit = declaredSize, totalIn != limit {
                    throw LZMAError.sizeMismatch("input is shorter than the declared uncompressed size",
                                                 expected: limit, actual: totalIn)
                }
                encoder.encodeEnd(endMarker: declaredSize == nil)
                ended = true
                continue
            }
            if copied == 0 && !progressed && encoder.rc.outPos == drained {
                return (inPos, outPos, .needsInput)
            }
        }
    }

    /// Feeds `data` and returns the compressed bytes that are ready (often
    /// none: the encoder keeps a look-ahead and a window).
    /// - Throws: as `encode(input:output:finish:)`.
    public func compress<C: Collection>(_ data: C) throws(LZMAError) -> [UInt8] where C.Element == UInt8 {
        try encodeAll(data, finish: false)
    }

    /// Ends the stream and returns the remaining compressed bytes.
    /// - Throws: `LZMAError.sizeMismatch` for a known-size format whose input
    ///   length differs from the declared size.
    public func finish() throws(LZMAError) -> [UInt8] {
        try encodeAll(EmptyCollection<UInt8>(), finish: true)
    }

    /// Bytes a compressor with these options allocates when created: the
    /// window (dictionary + 4 KiB behind, about half the dictionary of slack,
    /// 4 KiB + 273 of look-ahead), the hash table (up to half the dictionary
    /// in 4-byte entries, at most 16 Mi of them), the son table (one 4-byte
    /// entry per dictionary byte for hc*, two for bt*), the model, the
    /// parser's tables and a 64 KiB output buffer. The window, hash and son
    /// tables have the sizes liblzma 5.4 uses, so this is within a few hundred
    /// KiB of what `xz -vv` reports for the same settings.
    public static func memoryUsage(_ options: LZMAEncoderOptions) -> UInt64 {
        let layout = MatchFinder.Layout(dictionarySize: max(options.dictionarySize, 4096), matchFinder: options.matchFinder)
        return layout.bytes + LZMAEncoder.fixedBytes(lc: max(0, min(8, options.lc)), lp: max(0, min(4, options.lp)))
    }
}

extension LZMACompressor {
    /// Compresses `data` in one call.
    /// - Throws: `LZMAError.invalidOptions` for bad options,
    ///   `LZMAError.sizeMismatch` when a known size differs from `data.count`.
    public static func compress<C: Collection>(_ data: C, format: CompressionFormat = .lzma,
                                               options: LZMAEncoderOptions,
                                               allocator: LZMAAllocator = .standard) throws(LZMAError) -> [UInt8] where C.Element == UInt8 {
        let c = try LZMACompressor(format: format, options: options, allocator: allocator)
        var out = try c.compress(data)
        out += try c.finish()
        return out
    }
}

/// Pull-style compression: reads uncompressed bytes from a closure and hands
/// out compressed bytes on `read(into:)`.
public final class LZMACompressingReader {
    let compressor: LZMACompressor
    let source: (UnsafeMutableBufferPointer<UInt8>) throws(LZMAError) -> Int
    let inBuffer: UnsafeMutablePointer<UInt8>
    static let inCapacity = 1 << 16
    var inStart = 0
    var inEnd = 0
    var sourceEnded = false
    var done = false

    /// - Parameter source: fills the buffer it is given and returns the count
    ///   (0 at the end of input). Its errors are passed through.
    ///   `allocator` as for `LZMACompressor.init(format:options:allocator:)`.
    /// - Throws: `LZMAError.invalidOptions` for bad options.
    public init(format: CompressionFormat = .lzma, options: LZMAEncoderOptions, allocator: LZMAAllocator = .standard,
                source: @escaping (UnsafeMutableBufferPointer<UInt8>) throws(LZMAError) -> Int) throws(LZMAError) {
        compressor = try LZMACompressor(format: format, options: options, allocator: allocator)
        self.source = source
        inBuffer = .allocate(capacity: LZMACompressingReader.inCapacity)
    }

    deinit { inBuffer.deallocate() }

    /// Writes up to `buffer.count` compressed bytes; returns 0 only at the end
    /// of the compressed stream.
    /// - Throws: errors of the source, `LZMAError.programmingError` if the
    ///   source claims more bytes than it was given, and compressor errors.
    public func read(into buffer: UnsafeMutableBufferPointer<UInt8>) throws(LZMAError) -> Int {
        if done || buffer.isEmpty { return 0 }
        while true {
            if inStart == inEnd && !sourceEnded {
                let n = try source(UnsafeMutableBufferPointer(start: inBuffer, count: LZMACompressingReader.inCapacity))
                guard n >= 0, n <= LZMACompressingReader.inCapacity else {
                    throw LZMAError.programmingError("source returned \(n) bytes for a buffer of \(LZMACompressingReader.inCapacity)")
                }
                inStart = 0
                inEnd = n
                if n == 0 { sourceEnded = true }
            }
            let r = try compressor.encode(input: UnsafeBufferPointer(start: inBuffer + inStart, count: inEnd - inStart),
                                          output: buffer, finish: sourceEnded)
            inStart += r.consumed
            if r.produced > 0 { return r.produced }
            if r.status == .streamEnd { done = true; return 0 }
        }
    }
}
