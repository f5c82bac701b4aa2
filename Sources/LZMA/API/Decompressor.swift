/// A streaming decompressor for `.xz`, `.lzma`, `.lz`, raw LZMA1 and raw LZMA2.
///
/// Feed input in chunks of any size, down to one byte; the output is the same
/// for every chunking. Two ways to drive it:
///
/// - ``decode(input:output:)``: buffer in, buffer out, like liblzma's
///   `lzma_code`: it reports how much input it consumed and output it
///   produced, and never writes more than the output buffer holds.
/// - ``decompress(_:maxLength:)``: like Python's `LZMADecompressor.decompress`:
///   takes bytes, returns at most `maxLength` bytes, keeps unconsumed input
///   internally (see ``needsInput``), and collects bytes after the end in
///   ``unusedData``.
///
/// One-shot: ``decompress(_:format:options:)``.
///
/// **The end of the data**, the same for every format (Python's rules):
/// ``isFinished`` becomes true once a complete stream has been decoded;
/// bytes that follow it are not decoded and end up in ``unusedData``. With
/// ``DecompressionOptions/concatenated`` (the default, as `xz -d`), `.xz`
/// stream padding and further `.xz` streams or `.lz` members that follow are
/// decoded too: then ``isFinished`` is true whenever the input given so far
/// ends after a complete stream (and padding that is a multiple of 4 bytes),
/// and giving more input goes on with the next stream. When the input has
/// ended, ``finish()`` checks that it ended at such a point.
///
/// **Errors latch**: after a data error every call throws the same error.
/// Bytes decoded before the error are not lost: ``decompress(_:maxLength:)``
/// returns them and throws on the next call; ``decode(input:output:)``
/// throws at once, and the bytes it wrote before the error are valid: as
/// many as ``totalOut`` grew (as liblzma's `lzma_code` reports output made
/// before an error).
///
/// **Memory**: the dictionary grows with the output actually produced, up to
/// the size the header declares, so a tiny file that claims a 4 GiB
/// dictionary costs next to nothing; with a memory limit a header that needs
/// more fails with ``LZMAError/memoryLimitExceeded(required:limit:)`` before
/// anything is allocated.
///
/// **Thread safety**: a decompressor is a single-owner object (not
/// `Sendable`): use it from one thread or task at a time.
public final class LZMADecompressor {
    private enum Inner {
        case detecting
        case alone(LZMAAloneDecoder)
        case raw(RawDecoder)
        case xz(XZDecoder)
        case lzip(LzipDecoder)
    }

    /// The format this decompressor was created for (`.auto` stays `.auto`;
    /// see ``detectedFormat``).
    public let format: LZMAFormat
    /// The options it was created with.
    public let options: DecompressionOptions
    /// Where the dictionaries come from.
    private let allocator: LZMAAllocator
    private var inner: Inner = .detecting
    private var failure: LZMAError?
    private var ended = false
    /// Where the data ended (set with `ended`): the input offset of the first
    /// byte after it. Not `totalIn - unusedData.count`: ``unusedData`` also
    /// holds bytes `decompress` kept and never fed to the decoder.
    private var endOffset: UInt64 = 0
    private var tracerAttached = false

    /// Compressed bytes consumed so far.
    public private(set) var totalIn: UInt64 = 0
    /// Decompressed bytes produced so far: the position in the output, for progress.
    public private(set) var totalOut: UInt64 = 0

    // State of the Python-style interface.
    private var pendingInput: [UInt8] = []
    private var pendingOffset = 0
    /// Bytes after the end of the data: what follows the stream in the input
    /// given to either interface (with ``decode(input:output:)``: the bytes
    /// the decoder had to look at to see that the data ended; the rest is
    /// `input[consumed...]` of the call that returned `.streamEnd`).
    public private(set) var unusedData: [UInt8] = []
    /// Like Python's `needs_input`: false when ``decompress(_:maxLength:)``
    /// stopped at `maxLength` with input or output still waiting (call it
    /// again, possibly with no new data, before feeding more), and once
    /// ``isFinished``.
    public private(set) var needsInput = true

    /// Receives the symbol trace (see ``LZMATracer``): every symbol the LZMA
    /// decoder decodes, with its cost in bits, and the container structure
    /// (streams, blocks, LZMA2 chunks, headers) where it begins. Set it before
    /// the first call. For `.xz` blocks with filters, the symbols are LZMA2's
    /// output, before the filters are undone.
    /// - Complexity: free when nil (the symbol loop is specialised without
    ///   it); with a tracer, decoding runs several times slower.
    public var tracer: LZMATracer? {
        didSet { attachTracer() }
    }

    private func attachTracer() {
        switch inner {
        case .detecting: break
        case .alone(let d): d.tracer = tracer
        case .raw(let d): d.tracer = tracer
        case .xz(let d): d.tracer = tracer
        case .lzip(let d): d.tracer = tracer
        }
    }

    private static let scratchSize = 1 << 16
    private let scratch = UnsafeMutablePointer<UInt8>.allocate(capacity: LZMADecompressor.scratchSize)

    deinit { scratch.deallocate() }

    /// Creates a decompressor.
    /// - Parameters:
    ///   - format: the container to expect; `.auto` (the default) detects
    ///     `.xz`, `.lzma` and `.lz` as xz does.
    ///   - options: memory limit, concatenation, and for raw data the properties.
    ///   - allocator: supplies the dictionaries, from
    ///     ``LZMAAllocator/allocateUninitialized``: they are written front to
    ///     back, so one backed by huge pages (on Linux, `madvise(MADV_HUGEPAGE)`)
    ///     saves a page fault per 4 KiB of output, at most 2 MiB more resident
    ///     memory. A dictionary grows with the output (64 KiB first).
    /// - Complexity: O(1); buffers are allocated once the header is read.
    public init(format: LZMAFormat = .auto, options: DecompressionOptions = DecompressionOptions(),
                allocator: LZMAAllocator = .standard) {
        self.format = format
        self.options = options
        self.allocator = allocator
    }

    /// True once the end of the data has been reached (see the type's
    /// documentation for concatenated streams).
    public var isFinished: Bool {
        if ended { return true }
        guard pendingOffset == pendingInput.count, failure == nil else { return false }
        switch inner {
        case .xz(let d): return d.atValidEnd
        case .lzip(let d): return d.atValidEnd
        default: return false
        }
    }

    /// The format actually being decoded, once known (for `.auto`, after the
    /// first byte); nil before.
    public var detectedFormat: LZMAFormat? {
        switch inner {
        case .detecting: return nil
        case .alone: return .lzma
        case .raw: return format
        case .xz: return .xz
        case .lzip: return .lzip
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
    /// one, after the end), once its header has been read.
    public var check: XZCheck? {
        if case .xz(let d) = inner { return d.check }
        return nil
    }

    /// The uncompressed size the header declares, when it does (`.lzma` with
    /// a known size, raw LZMA1 given a size). For `.xz` and `.lz` the size is
    /// at the end of the file: read it first with ``LZMAFileInfo``.
    public var expectedOutputSize: UInt64? {
        switch inner {
        case .alone(let a): return a.parsedHeader?.uncompressedSize
        case .raw: return format == .rawLZMA1 ? options.uncompressedSize : nil
        case .detecting, .xz, .lzip: return nil
        }
    }

    /// Decodes from `input` into `output`.
    ///
    /// - Returns: how many input bytes were consumed, how many output bytes
    ///   written, and the status: `.outputFull` only when `output` is full,
    ///   `.needsInput` when all input was consumed (even at a point where
    ///   concatenated data may end: see ``isFinished``), `.streamEnd` at the
    ///   end of the data; input bytes after it are `input[consumed...]`
    ///   (preceded by ``unusedData``).
    /// - Throws: `LZMAError` for invalid, corrupt or truncated-in-a-way-that-
    ///   is-already-visible data, or when the memory limit is exceeded. The
    ///   bytes written before the error are valid (``totalOut`` counts them).
    /// - Complexity: O(input + output).
    public func decode(input: UnsafeBufferPointer<UInt8>, output: UnsafeMutableBufferPointer<UInt8>) throws(LZMAError)
        -> (consumed: Int, produced: Int, status: CodingStatus) {
        if let failure { throw failure }
        if ended { return (0, 0, .streamEnd) }
        var r: (consumed: Int, produced: Int, status: CodingStatus)
        do {
            r = try step(input, output)
        } catch {
            failure = error
            throw error
        }
        totalIn &+= UInt64(r.consumed)
        totalOut &+= UInt64(r.produced)
        if r.status == .outputFull && r.produced < output.count {
            // The inner coder met an error after output and kept it for its
            // next call; take it now, so that statuses stay exact.
            do {
                let rest = UnsafeMutableBufferPointer(rebasing: output[r.produced...])
                let more = try step(UnsafeBufferPointer(start: nil, count: 0), rest)
                totalOut &+= UInt64(more.produced)
                r.produced += more.produced
                r.status = more.status
            } catch {
                failure = error
                throw error
            }
        }
        if r.status == .streamEnd {
            ended = true
            if case .xz(let d) = inner { unusedData = d.lookahead }
            if case .lzip(let d) = inner { unusedData = d.lookahead }
            endOffset = totalIn &- UInt64(unusedData.count)
        }
        return r
    }

    private func step(_ input: UnsafeBufferPointer<UInt8>, _ output: UnsafeMutableBufferPointer<UInt8>) throws(LZMAError)
        -> (consumed: Int, produced: Int, status: CodingStatus) {
        if case .detecting = inner {
            let limit = options.memoryLimit
            switch format {
            case .rawLZMA1, .rawLZMA2:
                inner = .raw(try RawDecoder(lzma2: format == .rawLZMA2, properties: options.properties,
                                            uncompressedSize: options.uncompressedSize, filters: options.filters,
                                            memoryLimit: limit, allocator: allocator))
            case .xz:
                inner = .xz(XZDecoder(memoryLimit: limit, concatenated: options.concatenated, ignoreCheck: options.ignoreCheck,
                                      allocator: allocator))
            case .lzma:
                inner = .alone(LZMAAloneDecoder(picky: false, memoryLimit: limit, allocator: allocator))
            case .lzip:
                inner = .lzip(LzipDecoder(concatenated: options.concatenated, memoryLimit: limit, ignoreCheck: options.ignoreCheck,
                                          allocator: allocator))
            case .auto:
                guard input.count > 0 else { return (0, 0, .needsInput) }
                // As liblzma's auto decoder: 0xFD starts an .xz stream, "L" an
                // .lz member; anything else must pass as a .lzma header.
                if input[0] == 0xFD {
                    inner = .xz(XZDecoder(memoryLimit: limit, concatenated: options.concatenated, ignoreCheck: options.ignoreCheck,
                                          allocator: allocator))
                } else if input[0] == 0x4C {
                    inner = .lzip(LzipDecoder(concatenated: options.concatenated, memoryLimit: limit, ignoreCheck: options.ignoreCheck,
                                              allocator: allocator))
                } else {
                    inner = .alone(LZMAAloneDecoder(picky: true, memoryLimit: limit, allocator: allocator))
                }
            }
        }
        if tracer != nil && !tracerAttached {
            tracerAttached = true
            attachTracer()
        }
        switch inner {
        case .alone(let d):
            do {
                return try d.code(input.baseAddress, inCount: input.count, output.baseAddress, outCount: output.count)
            } catch {
                // A header that does not pass as .lzma when detecting: no known format.
                if format == .auto && d.parsedHeader == nil, case .invalidHeader = error { throw LZMAError.unknownFormat }
                throw error
            }
        case .xz(let d):
            return try d.code(input.baseAddress, inCount: input.count, output.baseAddress, outCount: output.count)
        case .raw(let d):
            return try d.code(input.baseAddress, inCount: input.count, output.baseAddress, outCount: output.count)
        case .lzip(let d):
            do {
                return try d.code(input.baseAddress, inCount: input.count, output.baseAddress, outCount: output.count)
            } catch {
                // "L" that does not start "LZIP" when detecting: no known format.
                if format == .auto && d.memberCount == 0, case .invalidHeader = error { throw LZMAError.unknownFormat }
                throw error
            }
        case .detecting:
            return (0, 0, .needsInput)
        }
    }

    /// Decompresses `data` (appended to any input kept from earlier calls)
    /// and returns at most `maxLength` bytes, like Python's
    /// `LZMADecompressor.decompress(data, max_length)`.
    ///
    /// When the result has `maxLength` bytes, ``needsInput`` may be false:
    /// call again with empty data to get the rest before feeding more. Data
    /// after the end of the stream goes to ``unusedData``.
    /// - Throws: `LZMAError` as ``decode(input:output:)`` does, but only from
    ///   a call that has no earlier good bytes left to return.
    /// - Complexity: O(data + output); memory O(maxLength + kept input).
    public func decompress<C: Collection>(_ data: C, maxLength: Int = .max) throws(LZMAError) -> [UInt8]
        where C.Element == UInt8 {
        if let failure { throw failure }
        if ended {
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
        var lastLook = false
        while true {
            let room = min(limit - out.count, LZMADecompressor.scratchSize)
            if room == 0 {
                // As liblzma under Python: with the output full, input that
                // produces no output (the end of the stream) is still read.
                if lastLook || pendingOffset == pendingInput.count { outputFilled = true; break }
                lastLook = true
            }
            var status = CodingStatus.needsInput
            var consumed = 0
            var produced = 0
            var thrown: LZMAError?
            let before = totalOut
            pendingInput.withUnsafeBufferPointer { inBuf in
                let i = UnsafeBufferPointer(rebasing: inBuf[pendingOffset...])
                do throws(LZMAError) {
                    (consumed, produced, status) = try decode(input: i, output: UnsafeMutableBufferPointer(start: scratch, count: room))
                } catch {
                    thrown = error
                    produced = Int(totalOut &- before)
                }
            }
            out.append(contentsOf: UnsafeBufferPointer(start: scratch, count: produced))
            pendingOffset += consumed
            if let thrown {
                // Good bytes first; the error latches and comes next call.
                if out.isEmpty { throw thrown }
                needsInput = false
                return out
            }
            if status == .streamEnd {
                unusedData.append(contentsOf: pendingInput[pendingOffset...])
                pendingInput = []
                pendingOffset = 0
                break
            }
            if status == .needsInput && pendingOffset == pendingInput.count { break }
            if lastLook { outputFilled = status == .outputFull || pendingOffset < pendingInput.count; break }
        }
        needsInput = !isFinished && !outputFilled && pendingOffset == pendingInput.count
        return out
    }

    /// Declares the end of the input and checks that the data ended there.
    ///
    /// - Throws: the latched error if decoding failed;
    ///   `LZMAError.truncatedInput` if the stream has not ended;
    ///   `LZMAError.corruptData` for `.xz` stream padding that is not a
    ///   multiple of 4 bytes; `LZMAError.programmingError` (not latched) if
    ///   ``decompress(_:maxLength:)`` still holds input or output to give
    ///   (``needsInput`` is false): call it until it is true first.
    public func finish() throws(LZMAError) {
        if let failure { throw failure }
        if ended { return }
        if pendingOffset < pendingInput.count || (!needsInput && !isFinished) {
            throw LZMAError.programmingError("finish() called with input still to decode: call decompress until needsInput is true")
        }
        do throws(LZMAError) {
            if case .detecting = inner, format != .auto {
                // Nothing was fed: start the format's decoder, so that its
                // end-of-input rule decides, as after a decode of no input.
                _ = try step(UnsafeBufferPointer(start: nil, count: 0), UnsafeMutableBufferPointer(start: nil, count: 0))
            }
            switch inner {
            case .xz(let d): try d.finishInput()
            case .lzip(let d): try d.finishInput()
            default: throw LZMAError.truncatedInput("compressed data ends before the end of the stream", offset: totalIn)
            }
        } catch {
            failure = error
            throw error
        }
        ended = true
        endOffset = totalIn
        needsInput = false
    }

    /// Decompresses a whole buffer, as `xz -d` does: concatenated `.xz`
    /// streams (and `.lz` members) by default, and data after the end is an
    /// error.
    /// - Parameters: as ``init(format:options:)``.
    /// - Throws: `LZMAError` for invalid, corrupt or truncated input, for
    ///   trailing data (`.corruptData` at its offset), or an exceeded memory limit.
    /// - Complexity: O(n) time; memory O(output + dictionary). `Data`,
    ///   arrays and slices are read in place.
    public static func decompress<C: Collection>(_ data: C, format: LZMAFormat = .auto,
                                                 options: DecompressionOptions = DecompressionOptions()) throws(LZMAError) -> [UInt8]
        where C.Element == UInt8 {
        let d = LZMADecompressor(format: format, options: options)
        return try withContiguousBytes(data) { (buf) throws(LZMAError) -> [UInt8] in
            var out: [UInt8] = []
            var at = 0
            let chunk = 1 << 20
            let tmp = UnsafeMutablePointer<UInt8>.allocate(capacity: chunk)
            defer { tmp.deallocate() }
            while true {
                let r = try d.decode(input: UnsafeBufferPointer(rebasing: buf[at...]),
                                     output: UnsafeMutableBufferPointer(start: tmp, count: chunk))
                out.append(contentsOf: UnsafeBufferPointer(start: tmp, count: r.produced))
                at += r.consumed
                if r.status == .outputFull { continue }
                try d.finishWholeInput(remaining: buf.count - at)
                return out
            }
        }
    }

    /// Ends a decode of a whole input as ``decompress(_:format:options:)``
    /// and `xz -d` end it: ``finish()``, then data after the end (the
    /// ``unusedData`` and `remaining` more input bytes the caller did not
    /// feed) is an error, except after `.lz`, whose trailing data xz ignores.
    /// - Throws: what ``finish()`` throws; `LZMAError.corruptData` at the
    ///   first trailing byte.
    public func finishWholeInput(remaining: Int = 0) throws(LZMAError) {
        try finish()
        let trailing = unusedData.count + remaining
        if trailing > 0 && detectedFormat != .lzip {
            throw LZMAError.corruptData("\(trailing) bytes of data after the end of the stream",
                                        offset: endOffset)
        }
    }
}
