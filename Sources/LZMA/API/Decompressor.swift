/// Which container a decompressor expects.
public enum DecompressionFormat: Sendable, Equatable {
    /// Detect from the first bytes (`.xz` or `.lzma`, by xz's rules: a `.lzma`
    /// header is accepted only with a plausible dictionary and size).
    case auto
    /// `.lzma` ("LZMA_alone"): 13-byte header, then LZMA data.
    case lzma
    /// Raw LZMA1 data with properties supplied by the caller, and optionally the
    /// uncompressed size (without it, the data must end with an end marker;
    /// with it, an end marker after the last byte is accepted too).
    case rawLZMA1(LZMAProperties, uncompressedSize: UInt64?)
    /// `.xz`: one or more streams of blocks with integrity checks.
    case xz
    /// Raw LZMA2 data (a `.xz` block's compressed data, without the container),
    /// with the dictionary size supplied by the caller.
    case rawLZMA2(dictionarySize: UInt32)
}

/// What a call to a streaming coder stopped on.
public enum CodingStatus: Sendable, Equatable {
    /// All input was consumed; more is needed to go on.
    case needsInput
    /// The output buffer is full; call again (with the rest of the input).
    case outputFull
    /// The end of the stream was reached; input after it was not consumed.
    case streamEnd
}

/// A streaming decompressor for `.xz`, `.lzma`, raw LZMA1 and raw LZMA2 data.
///
/// Feed input in chunks of any size, down to one byte; the output is the same
/// for every chunking. Two ways to drive it:
///
/// - ``decode(input:output:)``: buffer in, buffer out, like liblzma's
///   `lzma_code`: it reports how much input it consumed and output it produced,
///   and never writes more than the output buffer holds.
/// - ``decompress(_:maxLength:)``: like Python's `LZMADecompressor.decompress`:
///   takes bytes, returns at most `maxLength` bytes, keeps unconsumed input
///   internally (see ``needsInput``), and collects bytes after the end of the
///   stream in ``unusedData``.
///
/// Memory: the dictionary grows with the output actually produced, up to the
/// size the header declares; with a ``memoryLimit`` a header that needs more
/// fails with ``LZMAError/memoryLimitExceeded(required:limit:)`` before anything
/// is allocated. After an error the decompressor keeps throwing the same error.
///
/// `.xz` input: like `xz -d`, concatenated streams (with stream padding
/// between them) decode as one output, so the decoder cannot see the end of
/// the data by itself: call ``finish()`` after the last input, which checks
/// that the input ended after a complete stream. With `singleStream` (xz's
/// `--single-stream`) decoding ends after the first stream instead, and what
/// follows goes to ``unusedData``.
public final class LZMADecompressor {
    private enum Inner {
        case detecting
        case alone(LZMAAloneDecoder)
        case raw(LZMA1StreamDecoder)
        case xz(XZDecoder)
        case rawLZMA2(LZMA2Decoder)
    }

    /// The format this decompressor was created for.
    public let format: DecompressionFormat
    /// The memory limit in bytes, if any.
    public let memoryLimit: UInt64?
    /// `.xz` only: stop after the first stream (xz's `--single-stream`).
    public let singleStream: Bool
    /// `.xz` only: do not verify the blocks' integrity checks (xz's `--ignore-check`).
    public let ignoreCheck: Bool
    private var inner: Inner
    private var failure: LZMAError?

    /// Compressed bytes consumed so far.
    public private(set) var totalIn: UInt64 = 0
    /// Decompressed bytes produced so far.
    public private(set) var totalOut: UInt64 = 0
    /// True once the end of the stream has been reached.
    public private(set) var isFinished = false

    // State of the Python-style interface.
    private var pendingInput: [UInt8] = []
    private var pendingOffset = 0
    /// False when `decompress(_:maxLength:)` stopped at `maxLength` with input
    /// left over or output pending: call it again (possibly with no new data)
    /// before feeding more.
    public private(set) var needsInput = true
    /// Bytes given to `decompress(_:maxLength:)` after the end of the stream.
    public private(set) var unusedData: [UInt8] = []
    private static let scratchSize = 1 << 16
    private let scratch = UnsafeMutablePointer<UInt8>.allocate(capacity: LZMADecompressor.scratchSize)

    deinit { scratch.deallocate() }

    /// Creates a decompressor.
    /// - Parameters:
    ///   - format: the container to expect.
    ///   - memoryLimit: fail with `memoryLimitExceeded` instead of decoding a
    ///     stream (for `.xz`: a block) that needs more than this many bytes,
    ///     counted as xz 5.4 counts them for `--memlimit`: the declared
    ///     dictionary plus about 64 KiB of decoder state (and 352 bytes per
    ///     Delta, 1 KiB per BCJ filter).
    ///   - singleStream: `.xz` only: end after the first stream, leaving the
    ///     rest of the input unused, instead of decoding concatenated streams.
    ///   - ignoreCheck: `.xz` only: skip verifying the blocks' checks (the
    ///     headers', index's and footer's CRC32s are still verified).
    /// - Complexity: O(1); buffers are allocated once the header is read.
    public init(format: DecompressionFormat = .auto, memoryLimit: UInt64? = nil,
                singleStream: Bool = false, ignoreCheck: Bool = false) {
        self.format = format
        self.memoryLimit = memoryLimit
        self.singleStream = singleStream
        self.ignoreCheck = ignoreCheck
        switch format {
        case .auto: inner = .detecting
        case .lzma: inner = .alone(LZMAAloneDecoder(picky: false, memoryLimit: memoryLimit))
        case .xz: inner = .xz(XZDecoder(memoryLimit: memoryLimit, singleStream: singleStream, ignoreCheck: ignoreCheck))
        case .rawLZMA1, .rawLZMA2: inner = .detecting  // set up on first call so init cannot throw
        }
    }

    /// `.xz` only: the Check ID of a stream whose check type this library
    /// does not know (IDs other than None, CRC32, CRC64 and SHA-256). Such
    /// streams are decoded without verification, as `xz` does after warning
    /// "Unsupported type of integrity check"; nil if there was none.
    public var unsupportedCheck: UInt8? {
        if case .xz(let d) = inner { return d.unsupportedCheck }
        return nil
    }

    /// `.xz` only: the integrity check of the stream being decoded (the last
    /// one, after the end), once its header has been read; nil for other
    /// formats or an unknown check.
    public var check: XZCheck? {
        if case .xz(let d) = inner { return d.check }
        return nil
    }

    /// The uncompressed size the header declares, when it does (for progress).
    public var expectedOutputSize: UInt64? {
        switch inner {
        case .alone(let a): return a.parsedHeader?.uncompressedSize
        case .raw: if case .rawLZMA1(_, let size) = format { return size } else { return nil }
        case .detecting, .xz, .rawLZMA2: return nil
        }
    }

    /// Decodes from `input` into `output`.
    ///
    /// - Returns: how many input bytes were consumed, how many output bytes
    ///   written, and the status. With `.streamEnd`, input bytes after the end
    ///   are not consumed (they are `input[consumed...]`).
    /// - Throws: `LZMAError` for invalid, corrupt or truncated-in-a-way-that-is-
    ///   already-visible data, or when the memory limit is exceeded.
    /// - Complexity: O(input + output).
    public func decode(input: UnsafeBufferPointer<UInt8>, output: UnsafeMutableBufferPointer<UInt8>) throws(LZMAError)
        -> (consumed: Int, produced: Int, status: CodingStatus) {
        if let failure { throw failure }
        if isFinished { return (0, 0, .streamEnd) }
        do {
            let r = try step(input, output)
            totalIn &+= UInt64(r.consumed)
            totalOut &+= UInt64(r.produced)
            if r.status == .streamEnd { isFinished = true }
            return r
        } catch let e {
            failure = e
            throw e
        }
    }

    private func step(_ input: UnsafeBufferPointer<UInt8>, _ output: UnsafeMutableBufferPointer<UInt8>) throws(LZMAError)
        -> (consumed: Int, produced: Int, status: CodingStatus) {
        if case .detecting = inner {
            switch format {
            case .rawLZMA1(let props, let size):
                let need = DecoderMemory.lzma1(dictionarySize: props.dictionarySize)
                if let limit = memoryLimit, need > limit {
                    throw LZMAError.memoryLimitExceeded(required: need, limit: limit)
                }
                inner = .raw(LZMA1StreamDecoder(properties: props, uncompressedSize: size))
            case .rawLZMA2(let dict):
                let need = DecoderMemory.lzma2(dictionarySize: dict)
                if let limit = memoryLimit, need > limit {
                    throw LZMAError.memoryLimitExceeded(required: need, limit: limit)
                }
                inner = .rawLZMA2(LZMA2Decoder(dictionarySize: dict))
            default:
                guard input.count > 0 else { return (0, 0, .needsInput) }
                // As liblzma's auto decoder: 0xFD starts an .xz stream.
                if input[0] == 0xFD {
                    inner = .xz(XZDecoder(memoryLimit: memoryLimit, singleStream: singleStream, ignoreCheck: ignoreCheck))
                } else {
                    inner = .alone(LZMAAloneDecoder(picky: true, memoryLimit: memoryLimit))
                }
            }
        }
        switch inner {
        case .alone(let d):
            return try d.code(input.baseAddress, inCount: input.count, output.baseAddress, outCount: output.count)
        case .raw(let d):
            return try d.code(input.baseAddress, inCount: input.count, output.baseAddress, outCount: output.count)
        case .xz(let d):
            return try d.code(input.baseAddress, inCount: input.count, output.baseAddress, outCount: output.count)
        case .rawLZMA2(let d):
            return try d.code(input.baseAddress, inCount: input.count, output.baseAddress, outCount: output.count)
        case .detecting:
            return (0, 0, .needsInput)
        }
    }

    /// Decompresses `data` (appended to any input kept from earlier calls) and
    /// returns at most `maxLength` bytes.
    ///
    /// When the result has `maxLength` bytes, ``needsInput`` may be false: call
    /// again with empty data to get the rest before feeding more. Data after the
    /// end of the stream is kept in ``unusedData``.
    /// - Throws: `LZMAError` as ``decode(input:output:)`` does.
    /// - Complexity: O(data + output); memory O(maxLength + kept input).
    public func decompress<C: Collection>(_ data: C, maxLength: Int = .max) throws(LZMAError) -> [UInt8] where C.Element == UInt8 {
        if isFinished {
            unusedData.append(contentsOf: data)
            return []
        }
        if pendingOffset > 0 && pendingOffset == pendingInput.count {
            pendingInput.removeAll(keepingCapacity: true)
            pendingOffset = 0
        }
        pendingInput.append(contentsOf: data)
        var out = [UInt8]()
        let limit = max(0, maxLength)
        var outputFilled = false
        let scratch = self.scratch
        while true {
            let room = min(limit - out.count, LZMADecompressor.scratchSize)
            if room == 0 { outputFilled = true; break }
            var status = CodingStatus.needsInput
            var consumed = 0
            var produced = 0
            var thrown: LZMAError?
            pendingInput.withUnsafeBufferPointer { inBuf in
                let i = UnsafeBufferPointer(rebasing: inBuf[pendingOffset...])
                do throws(LZMAError) {
                    (consumed, produced, status) = try decode(input: i, output: UnsafeMutableBufferPointer(start: scratch, count: room))
                } catch let e {
                    thrown = e
                }
            }
            out.append(contentsOf: UnsafeBufferPointer(start: scratch, count: produced))
            pendingOffset += consumed
            if let thrown { throw thrown }
            if status == .streamEnd {
                unusedData.append(contentsOf: pendingInput[pendingOffset...])
                pendingInput = []
                pendingOffset = 0
                break
            }
            if status == .needsInput && pendingOffset == pendingInput.count { break }
        }
        needsInput = !isFinished && !outputFilled && pendingOffset == pendingInput.count
        if isFinished { needsInput = false }
        return out
    }

    /// Declares the end of the input.
    ///
    /// For `.xz` this is where decoding ends (unless `singleStream`): it
    /// checks that the input ended after a complete stream and its padding.
    /// - Throws: `LZMAError.truncatedInput` if the stream has not ended (or,
    ///   with `decompress(_:maxLength:)`, input is still waiting to be
    ///   decoded); `LZMAError.corruptData` for `.xz` stream padding that is
    ///   not a multiple of 4 bytes.
    public func finish() throws(LZMAError) {
        if let failure { throw failure }
        if !isFinished, case .xz(let d) = inner, pendingOffset == pendingInput.count {
            do {
                try d.finishInput()
            } catch let e {
                failure = e
                throw e
            }
            isFinished = true
            needsInput = false
        }
        if !isFinished {
            throw LZMAError.truncatedInput("compressed data ends before the end of the stream (after \(totalIn) bytes)")
        }
    }
}

/// One-shot conveniences built on the streaming types.
public enum LZMACodec {
    /// Decompresses a whole `.xz` or `.lzma` (or, with `format`, raw) buffer.
    ///
    /// Like `xz -d`, data after the end of the stream is an error; `.xz`
    /// input may hold several concatenated streams with stream padding.
    /// - Throws: `LZMAError` for invalid, corrupt or truncated input, trailing
    ///   data, or an exceeded memory limit.
    /// - Complexity: O(n) time; memory O(output + dictionary).
    public static func decompress<C: Collection>(_ data: C, format: DecompressionFormat = .auto,
                                                 memoryLimit: UInt64? = nil) throws(LZMAError) -> [UInt8] where C.Element == UInt8 {
        let d = LZMADecompressor(format: format, memoryLimit: memoryLimit)
        let out = try d.decompress(data)
        try d.finish()
        if !d.unusedData.isEmpty {
            throw LZMAError.corruptData("\(d.unusedData.count) bytes of data after the end of the stream",
                                        offset: d.totalIn)
        }
        return out
    }
}
