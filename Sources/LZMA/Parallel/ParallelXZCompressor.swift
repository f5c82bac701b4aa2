#if !hasFeature(Embedded)

/// A streaming `.xz` compressor that compresses several blocks at once, on
/// Swift concurrency's global executor (no threads of its own).
///
/// The output is the `.xz` format of xz's multithreaded encoder, byte for
/// byte what `xz -T N` writes with the same settings whatever `N` is (and
/// what ``XZCompressor`` writes with ``CompressionOptions/sizesInBlockHeaders``):
/// the input is cut into blocks of ``blockSize`` bytes, each block is
/// compressed on its own by a fresh LZMA2 encoder and written with both its
/// sizes in its header. Only the time depends on the number of threads.
///
/// ```swift
/// let c = try ParallelXZCompressor(options: CompressionOptions(lzma: .preset(6)), threads: 4)
/// for chunk in chunks { write(try await c.compress(chunk)) }   // any chunk sizes
/// write(try await c.finish())
/// ```
///
/// - **Threads**: at most `threads` blocks are compressed at the same time,
///   each on a task of its own (a CPU-bound task occupies one thread of the
///   global executor for the whole block, so the executor's width — the number
///   of cores — also caps the parallelism). The library cannot ask the system
///   for the number of cores: callers that want "all of them" pass it.
/// - **Order**: output comes in input order. ``compress(_:)`` returns the
///   blocks that have been finished since the last call, in order, and starts
///   the blocks the new input completes; the rest follows in later calls and in
///   ``finish()``.
/// - **Back-pressure and memory**: a block is started only when a worker is
///   free, and at most `2 × threads` blocks are in flight (compressing, or done
///   and waiting for an earlier one). A caller that supplies input faster than
///   the workers compress is suspended in ``compress(_:)`` until a worker is
///   free, so memory does not grow with the input: about `threads` × (block
///   input + encoder) + `2 × threads` compressed blocks + the block being
///   filled, as ``memoryUsage(options:threads:)`` counts it (xz budgets the
///   same, about 3 × the block size per thread plus the encoders).
///
/// The type is not `Sendable`: one owner calls it, one call at a time.
@available(macOS 15.0, iOS 18.0, tvOS 18.0, watchOS 11.0, visionOS 2.0, *)
public final class ParallelXZCompressor {
    /// The settings in effect: those given, with `sizesInBlockHeaders` set
    /// and the block size filled in.
    public let options: CompressionOptions
    /// The most blocks compressed at once.
    public let threads: Int
    /// The uncompressed size of every block but the last.
    public var blockSize: UInt64 { options.blockSize! }
    /// Uncompressed bytes taken so far.
    public private(set) var totalIn: UInt64 = 0

    private let allocator: LZMAAllocator
    private let gate: WorkerGate
    private let maxInFlight: Int
    private typealias Job = WorkItem<Result<XZEncodedBlock, LZMAError>>
    private var inFlight = FIFO<Job>()
    /// Input of the block being filled.
    private var filling: [UInt8] = []
    private var records: [(unpadded: UInt64, uncompressed: UInt64)] = []
    private var headerWritten = false
    private var finished = false
    private var failure: LZMAError?

    /// xz's block size for its multithreaded encoder (liblzma's
    /// `lzma_mt_block_size`): three times the dictionary, at least 1 MiB.
    public static func defaultBlockSize(_ lzma: LZMASettings) -> UInt64 {
        max(3 * UInt64(lzma.dictionarySize), 1 << 20)
    }

    /// Creates a compressor.
    /// - Parameters:
    ///   - options: the settings; `container` must be `.xz`. A nil
    ///     `blockSize` means ``defaultBlockSize(_:)``; `sizesInBlockHeaders`
    ///     is implied.
    ///   - threads: the most blocks to compress at once, at least 1 (with 1
    ///     the output is still the multithreaded format, as `xz -T+1`).
    ///   - allocator: supplies each block encoder's tables (see ``LZMAAllocator``).
    /// - Throws: `LZMAError.invalidOptions` for invalid options (see
    ///   ``CompressionOptions/validate(for:)``), raw LZMA2, or fewer than 1 thread.
    /// - Complexity: O(1); memory is allocated as blocks start.
    public init(options: CompressionOptions = CompressionOptions(), threads: Int,
                allocator: LZMAAllocator = .standard) throws(LZMAError) {
        guard threads >= 1 else { throw LZMAError.invalidOptions("parallel compression needs at least 1 thread, got \(threads)") }
        guard options.blockList.isEmpty else {
            throw LZMAError.unsupported("parallel compression with a block list is not supported yet; use one thread")
        }
        var o = options
        o.sizesInBlockHeaders = true
        if o.blockSize == nil { o.blockSize = ParallelXZCompressor.defaultBlockSize(o.lzma) }
        try o.validate(for: .xz)
        self.options = o
        self.threads = threads
        self.allocator = allocator
        gate = WorkerGate(width: threads)
        maxInFlight = 2 * threads
    }

    /// The memory a compressor with these settings uses at most, counted as
    /// liblzma counts its multithreaded encoder's (what xz compares with
    /// `--memlimit-compress`): per thread a block of input, an LZMA encoder
    /// (``LZMACompressor/memoryUsage(_:)``), and two buffers of the largest
    /// compressed block.
    public static func memoryUsage(options: CompressionOptions, threads: Int) -> UInt64 {
        let block = options.blockSize ?? defaultBlockSize(options.lzma)
        let t = UInt64(max(threads, 1))
        let outBuffer = XZCompressor.compressedBound(block) + 64
        let (a, o1) = t.multipliedReportingOverflow(by: block)
        let (b, o2) = t.multipliedReportingOverflow(by: LZMACompressor.memoryUsage(CompressionOptions(lzma: options.lzma)))
        let (c, o3) = (2 * t).multipliedReportingOverflow(by: outBuffer)
        guard !o1 && !o2 && !o3 else { return .max }
        let (s1, o4) = a.addingReportingOverflow(b)
        let (s2, o5) = s1.addingReportingOverflow(c)
        guard !o4 && !o5 else { return .max }
        return s2 &+ (1 << 15) &+ t * 512
    }

    /// Takes `data` and returns the compressed bytes that are ready: the
    /// stream header with the first call, then every block finished so far,
    /// in order.
    ///
    /// Suspends while all workers are busy and a new block is complete, and
    /// while `2 × threads` blocks are in flight.
    /// - Throws: `LZMAError.programmingError` for input after ``finish()``.
    ///   After a throw the compressor stays failed.
    public func compress(_ data: [UInt8]) async throws(LZMAError) -> [UInt8] {
        if let failure { throw failure }
        guard !finished else {
            if data.isEmpty { return [] }
            failure = LZMAError.programmingError("input given after the compressor was finished")
            throw failure!
        }
        var out = [UInt8]()
        if !headerWritten {
            out = XZCompressor.streamHeader(options)
            headerWritten = true
        }
        let block = Int(clamping: blockSize)
        var pos = 0
        do throws(LZMAError) {
            // Whole blocks straight from the caller's array when none is being filled.
            while filling.isEmpty && data.count - pos >= block {
                try await start(data[pos..<pos + block], into: &out)
                pos += block
            }
            while pos < data.count {
                let n = min(block - filling.count, data.count - pos)
                if filling.isEmpty { filling.reserveCapacity(block) }
                filling += data[pos..<pos + n]
                pos += n
                if filling.count == block {
                    let full = filling
                    filling = []
                    try await start(full[...], into: &out)
                }
            }
            totalIn += UInt64(data.count)
            try await drain(into: &out, all: false)
        } catch let e {
            failure = e
            throw e
        }
        return out
    }

    /// Compresses what is left, waits for every block, and returns the rest
    /// of the stream (the last blocks, the Index and the stream footer).
    /// - Throws: as ``compress(_:)``.
    public func finish() async throws(LZMAError) -> [UInt8] {
        if let failure { throw failure }
        if finished { return [] }
        var out = [UInt8]()
        if !headerWritten {
            out = XZCompressor.streamHeader(options)
            headerWritten = true
        }
        do throws(LZMAError) {
            if !filling.isEmpty && threads >= 2 && records.isEmpty && inFlight.isEmpty && MatchFeed.supports(options.lzma) {
                // The whole stream is one block: no blocks to share out, so
                // the match finder takes the second thread (same bytes).
                let last = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: filling.count)
                defer { last.deallocate() }
                _ = last.initialize(from: filling)
                filling = []
                let block = try await XZCompressor.encodeBlockWithFinderThread(UnsafeBufferPointer(last), options: options,
                                                                               allocator: allocator)
                out += block.bytes
                records.append((block.unpaddedSize, block.uncompressedSize))
            } else if !filling.isEmpty {
                let last = filling
                filling = []
                try await start(last[...], into: &out)
            }
            try await drain(into: &out, all: true)
        } catch let e {
            failure = e
            throw e
        }
        out += XZCompressor.streamEnd(options, records: records)
        finished = true
        return out
    }

    /// Compresses `data` in one call with up to `threads` blocks at once.
    /// The output is what ``compress(_:)`` and ``finish()`` return together.
    /// - Throws: as ``init(options:threads:allocator:)``.
    /// - Complexity: O(n) work spread over the threads; memory: the output,
    ///   plus per thread an encoder and a compressed block (the input is not
    ///   copied).
    public static func compress(_ data: [UInt8], options: CompressionOptions = CompressionOptions(), threads: Int,
                                allocator: LZMAAllocator = .standard) async throws(LZMAError) -> [UInt8] {
        let c = try ParallelXZCompressor(options: options, threads: threads, allocator: allocator)
        var out = try await c.compress(data)
        out += try await c.finish()
        return out
    }

    /// Starts a block once a worker is free, first collecting finished blocks
    /// and, with too many in flight, waiting for the oldest.
    private func start(_ input: ArraySlice<UInt8>, into out: inout [UInt8]) async throws(LZMAError) {
        try await drain(into: &out, all: false)
        while inFlight.count >= maxInFlight {
            try await take(inFlight.removeFirst(), into: &out)
        }
        let options = self.options, allocator = self.allocator
        let job = await Job.start(on: gate) {
            input.withUnsafeBufferPointer { p in
                Result { () throws(LZMAError) in try XZCompressor.encodeBlock(p, options: options, allocator: allocator) }
            }
        }
        inFlight.append(job)
    }

    /// Appends finished blocks from the front of the queue: all of them
    /// (waiting as needed) with `all`, else those already done.
    private func drain(into out: inout [UInt8], all: Bool) async throws(LZMAError) {
        while let job = inFlight.first, all || job.isDone {
            try await take(inFlight.removeFirst(), into: &out)
        }
    }

    private func take(_ job: Job, into out: inout [UInt8]) async throws(LZMAError) {
        let block = try await job.value.get()
        if out.isEmpty {
            out = block.bytes
        } else {
            out += block.bytes
        }
        records.append((block.unpaddedSize, block.uncompressedSize))
    }
}
#endif
