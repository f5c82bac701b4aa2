#if !hasFeature(Embedded)

/// A streaming compressor for one stream on two threads: the match finder
/// (hashing and the chain or tree search of every position) runs on a task
/// of its own, ahead of the parser and range coder, as the LZMA SDK does.
///
/// The output is byte for byte ``LZMACompressor``'s with the same format and
/// options: the finder makes the same matches in the same order. Use it where
/// there are no blocks to share out — `.lzma`, raw LZMA1/LZMA2, and `.xz`
/// written as one block (``ParallelXZCompressor`` splits a large `.xz` input
/// into blocks instead).
///
/// ```swift
/// let c = try ParallelLZMACompressor(format: .lzma, options: CompressionOptions(lzma: .preset(6)))
/// for chunk in chunks { write(try await c.compress(chunk)) }   // any chunk sizes
/// write(try await c.finish())
/// ```
///
/// - **Threads**: two tasks on Swift concurrency's global executor, the
///   caller's and the finder's, so at most two cores. The finder is used
///   only when ``usesFinderThread`` is true: for `.lzma` and raw formats,
///   and for `.xz` without ``CompressionOptions/blockSize`` or a block list;
///   with a binary-tree match finder or the normal mode (presets 4-9 and
///   every `-e`); not for hash chains in fast mode (presets 0-3), where the
///   parser skips most positions and the finder thread, which searches them
///   all, would cost more than it saves. Otherwise it compresses on the
///   caller's task, as ``LZMACompressor``.
/// - **Back-pressure and memory**: the caller's input goes into the
///   encoder's window and a 256 KiB queue to the finder; when both are full,
///   ``compress(_:)`` suspends until the finder has caught up. Memory is
///   bounded by the settings: ``memoryUsage(_:)`` (about one more window,
///   hash and son tables than ``LZMACompressor``, and the queues).
/// - **Order**: output is the stream in order; ``compress(_:)`` returns what
///   is ready, ``finish()`` the rest.
///
/// The type is not `Sendable`: one owner calls it, one call at a time.
@available(macOS 15.0, iOS 18.0, tvOS 18.0, watchOS 11.0, visionOS 2.0, *)
public final class ParallelLZMACompressor {
    /// The format being written.
    public let format: LZMAFormat
    /// The options it was created with.
    public let options: CompressionOptions
    /// True when the match finder runs on its own task (see the type's notes).
    public var usesFinderThread: Bool { feed != nil }
    /// Uncompressed bytes consumed so far.
    public var totalIn: UInt64 { inner.totalIn }
    /// Compressed bytes produced so far.
    public var totalOut: UInt64 { inner.totalOut }
    /// True once the end of the stream has been written out.
    public var isFinished: Bool { inner.isFinished }

    private let inner: LZMACompressor
    private let feed: MatchFeed?
    private let scratch: UnsafeMutablePointer<UInt8>
    private static let scratchSize = 1 << 16

    /// Creates a compressor and starts its finder task.
    /// - Parameters:
    ///   - format: `.xz` (the default), `.lzma`, `.rawLZMA1` or `.rawLZMA2`.
    ///   - options: the settings (see ``LZMACompressor/init(format:options:allocator:)``).
    ///   - threads: 2 or more for a finder task; 1 compresses on the
    ///     caller's task only.
    ///   - allocator: supplies the large tables of both sides.
    /// - Throws: as ``LZMACompressor/init(format:options:allocator:)``;
    ///   `LZMAError.invalidOptions` for fewer than 1 thread.
    /// - Complexity: allocates ``memoryUsage(_:)`` bytes.
    public convenience init(format: LZMAFormat = .xz, options: CompressionOptions = CompressionOptions(), threads: Int = 2,
                            allocator: LZMAAllocator = .standard) throws(LZMAError) {
        try self.init(format: format, options: options, threads: threads, allocator: allocator, evenWithoutGain: false)
    }

    /// With `evenWithoutGain`, the finder thread is used also where it
    /// costs more than it saves (hash chains in fast mode): for tests.
    init(format: LZMAFormat, options: CompressionOptions, threads: Int, allocator: LZMAAllocator,
         evenWithoutGain: Bool) throws(LZMAError) {
        guard threads >= 1 else { throw LZMAError.invalidOptions("threads must be at least 1, not \(threads)") }
        self.format = format
        self.options = options
        let oneEncoder = format != .xz || (options.blockSize == nil && options.blockList.isEmpty)
        let wanted = MatchFeed.canReproduce(options.lzma) && (evenWithoutGain || MatchFeed.gains(options.lzma))
        let feed = threads >= 2 && oneEncoder && wanted ? MatchFeed(settings: options.lzma) : nil
        inner = try LZMACompressor(format: format, options: options, allocator: allocator, feed: feed)
        self.feed = feed
        scratch = .allocate(capacity: ParallelLZMACompressor.scratchSize)
        if let feed {
            let settings = options.lzma
            Task.detached { await feed.runFinder(settings: settings, allocator: allocator) }
        }
    }

    deinit {
        feed?.cancel()
        scratch.deallocate()
    }

    /// Like ``LZMACompressor/encode(input:output:finish:)``: consumes input
    /// and writes at most `output.count` bytes; with `finish` and all input
    /// consumed it ends the stream. Suspends (instead of returning nothing)
    /// while the finder has to catch up, so every call makes progress.
    /// - Returns: input consumed, output written, and the status:
    ///   `.outputFull`, `.needsInput` (all input taken), `.streamEnd`.
    /// - Throws: as ``LZMACompressor/encode(input:output:finish:)``.
    public func encode(input: UnsafeBufferPointer<UInt8>, output: UnsafeMutableBufferPointer<UInt8>,
                       finish: Bool) async throws(LZMAError) -> (consumed: Int, produced: Int, status: CodingStatus) {
        while true {
            let r = try inner.encode(input: input, output: output, finish: finish)
            guard let feed else { return r }
            await feed.encoderStepped()
            if r.consumed > 0 || r.produced > 0 || r.status == .streamEnd { return r }
            if r.status == .needsInput && input.isEmpty && !finish { return r }
            await feed.waitForFinder(forInput: !input.isEmpty)
        }
    }

    /// Feeds `data` and returns the compressed bytes that are ready.
    /// - Throws: as ``encode(input:output:finish:)``.
    /// - Complexity: O(data.count).
    public func compress<C: Collection>(_ data: C) async throws(LZMAError) -> [UInt8] where C.Element == UInt8 {
        let bytes = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: data.count)
        defer { bytes.deallocate() }
        _ = bytes.initialize(from: data)
        return try await run(UnsafeBufferPointer(bytes), finish: false)
    }

    /// Ends the stream and returns the remaining compressed bytes.
    /// - Throws: `LZMAError.sizeMismatch` when a declared size differs from
    ///   the input's length.
    public func finish() async throws(LZMAError) -> [UInt8] {
        try await run(UnsafeBufferPointer(start: nil, count: 0), finish: true)
    }

    private func run(_ input: UnsafeBufferPointer<UInt8>, finish: Bool) async throws(LZMAError) -> [UInt8] {
        var out: [UInt8] = []
        var at = 0
        let room = UnsafeMutableBufferPointer(start: scratch, count: ParallelLZMACompressor.scratchSize)
        while true {
            let rest = UnsafeBufferPointer(rebasing: input[at...])
            let r = try await encode(input: rest, output: room, finish: finish)
            at += r.consumed
            out.append(contentsOf: UnsafeBufferPointer(start: scratch, count: r.produced))
            if r.status == .streamEnd { return out }
            if r.status == .outputFull { continue }
            if !finish && at == input.count { return out }
        }
    }

    /// Compresses `data` in one call, the finder on a second task.
    /// - Parameters: as ``init(format:options:threads:allocator:)``.
    /// - Throws: as ``init(format:options:threads:allocator:)`` and ``finish()``.
    public static func compress<C: Collection>(_ data: C, format: LZMAFormat = .xz,
                                               options: CompressionOptions = CompressionOptions(), threads: Int = 2,
                                               allocator: LZMAAllocator = .standard) async throws(LZMAError) -> [UInt8]
        where C.Element == UInt8 {
        let c = try ParallelLZMACompressor(format: format, options: options, threads: threads, allocator: allocator)
        var out = try await c.compress(data)
        out += try await c.finish()
        return out
    }

    /// Bytes a compressor with these settings allocates: ``LZMACompressor``'s
    /// (``LZMACompressor/memoryUsage(_:)``), and with a finder task a second
    /// window (the hash and son tables move to the finder's side) and the
    /// queues between the two (256 KiB of input, 3 MiB of bt4 hash results; a match queue of 1–16 MiB,
    /// by `niceLength`).
    public static func memoryUsage(_ options: CompressionOptions, threads: Int = 2) -> UInt64 {
        let one = LZMACompressor.memoryUsage(options)
        guard threads >= 2, MatchFeed.supports(options.lzma) else { return one }
        let layout = MatchFinder.Layout(dictionarySize: max(options.lzma.dictionarySize, 4096),
                                        matchFinder: options.lzma.matchFinder)
        return one + UInt64(layout.bufferSize + 16 + MatchFinder.feedExtraLookahead) + MatchFeed.queueBytes(options.lzma)
    }
}
#endif
