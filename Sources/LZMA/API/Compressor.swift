/// A streaming compressor for `.xz`, `.lzma`, raw LZMA1 and raw LZMA2.
///
/// Feed input in chunks of any size (down to one byte); the output does not
/// depend on the chunking, and is byte-for-byte what xz 5.4 writes with the
/// same settings (`xz -T1`; with ``CompressionOptions/sizesInBlockHeaders``,
/// what multithreaded xz writes). Two ways to drive it, as the decompressor:
///
/// - ``encode(input:output:finish:)``: buffer in, buffer out, like
///   liblzma's `lzma_code`; never writes more than the output buffer holds.
/// - ``compress(_:)`` and ``finish()``: bytes in, the bytes that are ready out,
///   like Python's `LZMACompressor`.
///
/// One-shot: ``compress(_:format:options:allocator:)``.
///
/// Memory: allocated once, at creation for `.lzma`/raw LZMA1 and with the
/// first block for `.xz`: see ``memoryUsage(_:)``; the large tables can come
/// from a custom ``LZMAAllocator``. Compressed bytes wait in an internal
/// buffer of about 64 KiB (for `.xz` with sizes in block headers: one block)
/// until the caller takes them.
///
/// Thread safety: a compressor is a single-owner object (not `Sendable`):
/// use it from one thread or task at a time. Different compressors are
/// independent.
public final class LZMACompressor {
    private enum Engine {
        case lzma1(LZMA1StreamEncoder)
        case xz(XZCompressor)
    }

    /// The format being written.
    public let format: LZMAFormat
    /// The options it was created with.
    public let options: CompressionOptions
    private let engine: Engine
    /// Uncompressed bytes consumed so far.
    public private(set) var totalIn: UInt64 = 0
    /// Compressed bytes produced so far.
    public private(set) var totalOut: UInt64 = 0
    /// True once the end of the stream has been written out.
    public private(set) var isFinished = false

    /// Receives the encoder's choices (see ``LZMATracer``): every symbol the
    /// parser chose, with its cost in bits under the probabilities it was
    /// coded with, and the LZMA2 chunks and `.xz` blocks around them. A
    /// chunk that the encoder ends up storing uncompressed is reported as
    /// stored, not as the symbols it first tried. The trace is the one a
    /// decompressor with a tracer reports for the output (to within 0.01 bit
    /// of rounding per symbol). Set it before the first call.
    /// - Complexity: free when nil (the symbol loop is specialised without
    ///   it); with a tracer, each symbol calls the handler.
    public var tracer: LZMATracer? {
        didSet {
            switch engine {
            case .lzma1(let e): e.encoder.tracer = tracer
            case .xz(let e): e.tracer = tracer
            }
        }
    }

    /// Creates a compressor.
    /// - Parameters:
    ///   - format: `.xz` (the default), `.lzma`, `.rawLZMA1` or `.rawLZMA2`.
    ///   - options: the settings; the defaults are xz's (`-6`, CRC64).
    ///   - allocator: supplies the match finder's large tables; pass one
    ///     backed by `calloc` to keep untouched pages unbacked, as xz does.
    /// - Throws: `LZMAError.invalidOptions` for settings that do not fit the
    ///   format (see ``CompressionOptions/validate(for:)``);
    ///   `LZMAError.unsupported` for `.lzip`.
    /// - Complexity: `.lzma`/raw LZMA1 allocate ``memoryUsage(_:)`` bytes now
    ///   (zeroed: O(memory) time); `.xz` allocates with the first block.
    public convenience init(format: LZMAFormat = .xz, options: CompressionOptions = CompressionOptions(),
                            allocator: LZMAAllocator = .standard) throws(LZMAError) {
        try self.init(format: format, options: options, allocator: allocator, feed: nil)
    }

    /// The designated initializer; with a `feed`, the match finder of the
    /// (one) LZMA encoder searches on the feed's thread.
    init(format: LZMAFormat, options: CompressionOptions, allocator: LZMAAllocator,
         feed: MatchFeed?) throws(LZMAError) {
        try options.validate(for: format)
        self.format = format
        self.options = options
        switch format {
        case .lzma, .rawLZMA1:
            engine = .lzma1(try LZMA1StreamEncoder(settings: options.lzma, header: format == .lzma,
                                                   uncompressedSize: options.uncompressedSize, allocator: allocator,
                                                   feed: feed))
        case .xz, .rawLZMA2:
            engine = .xz(try XZCompressor(options: options, raw: format == .rawLZMA2, allocator: allocator, feed: feed))
        case .auto, .lzip:
            throw LZMAError.programmingError("validate(for:) lets no \(format) compressor through")
        }
    }

    /// Compresses like liblzma's `lzma_code`: consumes input and writes at
    /// most `output.count` bytes. With `finish` and all input consumed it
    /// ends the stream.
    ///
    /// - Returns: input bytes consumed, output bytes written, and the status:
    ///   `.outputFull` when the output buffer is full (call again with the
    ///   rest of the input), `.needsInput` when all input was taken and more
    ///   may come, `.streamEnd` once the last byte of the stream is written.
    /// - Throws: `LZMAError.sizeMismatch` when the input length differs from
    ///   ``CompressionOptions/uncompressedSize``; `LZMAError.programmingError`
    ///   for input after finishing. After a throw every call throws the same error.
    /// - Complexity: O(input) time; no allocation after the first block.
    public func encode(input: UnsafeBufferPointer<UInt8>, output: UnsafeMutableBufferPointer<UInt8>,
                       finish: Bool) throws(LZMAError) -> (consumed: Int, produced: Int, status: CodingStatus) {
        let r: (consumed: Int, produced: Int, status: CodingStatus)
        switch engine {
        case .lzma1(let e): r = try e.encode(input: input, output: output, finish: finish)
        case .xz(let e): r = try e.encode(input: input, output: output, finish: finish)
        }
        totalIn &+= UInt64(r.consumed)
        totalOut &+= UInt64(r.produced)
        if r.status == .streamEnd { isFinished = true }
        return r
    }

    /// Feeds `data` and returns the compressed bytes that are ready (often
    /// none: the encoder keeps a look-ahead and a window).
    /// - Throws: as ``encode(input:output:finish:)``.
    /// - Complexity: O(data.count); `Data`, arrays and slices are read in
    ///   place, other collections copied once.
    public func compress<C: Collection>(_ data: C) throws(LZMAError) -> [UInt8] where C.Element == UInt8 {
        try encodeAll(data, finish: false)
    }

    /// Ends the stream and returns the remaining compressed bytes.
    /// - Throws: `LZMAError.sizeMismatch` when a declared size differs from
    ///   the input's length.
    public func finish() throws(LZMAError) -> [UInt8] {
        try encodeAll(EmptyCollection<UInt8>(), finish: true)
    }

    /// Compresses `data` in one call.
    /// - Parameters: as ``init(format:options:allocator:)``.
    /// - Throws: as ``init(format:options:allocator:)`` and ``finish()``.
    /// - Complexity: O(data.count) time; memory ``memoryUsage(_:)`` plus the output.
    public static func compress<C: Collection>(_ data: C, format: LZMAFormat = .xz,
                                               options: CompressionOptions = CompressionOptions(),
                                               allocator: LZMAAllocator = .standard) throws(LZMAError) -> [UInt8]
        where C.Element == UInt8 {
        let c = try LZMACompressor(format: format, options: options, allocator: allocator)
        var out = try c.compress(data)
        out += try c.finish()
        return out
    }

    /// Bytes a compressor with these settings allocates: the window
    /// (dictionary + 4 KiB behind, about half the dictionary of slack, 4 KiB
    /// + 273 of look-ahead), the hash table (up to half the dictionary in
    /// 4-byte entries, at most 16 Mi of them), the son table (one 4-byte
    /// entry per dictionary byte for hc*, two for bt*), the model, the
    /// parser's tables and a 64 KiB output buffer. The sizes are liblzma
    /// 5.4's, so this is within a few hundred KiB of what `xz -vv` reports.
    public static func memoryUsage(_ options: CompressionOptions) -> UInt64 {
        LZMA1StreamEncoder.memoryUsage(options.lzma)
    }
}

extension LZMACompressor: BufferedEncoding {}
