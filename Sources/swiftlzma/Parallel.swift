// Threads: how many (-T, --memlimit-compress, --memlimit-mt-decompress as xz
// 5.8 reads them) and the bridge from this synchronous, blocking-I/O program
// to the library's async parallel coders: the main thread reads and writes,
// Swift concurrency's threads compress and decompress.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import LZMA

/// The number of processors online (what `-T0` means).
func processorCount() -> Int {
    max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
}

/// xz's default for the memory of `-T0` compression without a
/// `--memlimit-compress`, and for `--memlimit-mt-decompress`: a quarter of the RAM.
func defaultThreadingMemoryLimit() -> UInt64 {
    max(physicalMemory() / 4, 1 << 20)
}

/// glibc raises its mmap threshold each time a large mmapped block is freed
/// (up to 32 MiB), after which the parallel coders' block-sized buffers come
/// from heap arenas that keep their pages: peak RSS then grows with the input
/// (1 GiB at -T2 -6: 315 MiB instead of 214 MiB). A fixed threshold keeps
/// every large buffer mmapped and returned when freed. Called once.
func keepLargeBuffersMapped() {
    #if canImport(Glibc)
    if largeBuffersMapped { return }
    largeBuffersMapped = true
    typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
    // mallopt is not in Swift's Glibc module; M_MMAP_THRESHOLD is -3.
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
    _ = unsafeBitCast(symbol, to: Mallopt.self)(-3, 1 << 17)
    #endif
}
nonisolated(unsafe) private var largeBuffersMapped = false

private struct Unchecked<T>: @unchecked Sendable {
    let value: T
}

private final class Slot<T>: @unchecked Sendable {
    var value: T?
}

/// Runs `body` on Swift concurrency's executor and waits for it (the calling
/// thread must not be one of the executor's).
func blockingAwait<T>(_ body: @escaping () async -> T) -> T {
    let slot = Slot<T>()
    let done = DispatchSemaphore(value: 0)
    let work = Unchecked(value: body)
    Task.detached {
        slot.value = await work.value()
        done.signal()
    }
    done.wait()
    return slot.value!
}

/// `blockingAwait` for the library's throwing calls.
func blockingAwait<T>(_ body: @escaping () async throws(LZMAError) -> T) throws(LZMAError) -> T {
    let r: Result<T, LZMAError> = blockingAwait { () async -> Result<T, LZMAError> in
        do throws(LZMAError) { return .success(try await body()) } catch { return .failure(error) }
    }
    return try r.get()
}

// MARK: - Compression

/// What compression runs with once the memory limit has had its say.
struct CompressionPlan {
    /// Threads of the parallel compressor; nil = single-threaded mode.
    var threads: Int?
    /// The LZMA settings (the dictionary may have been reduced).
    var lzma: LZMASettings
}

/// Plans computed so far, so that each message is shown once per run.
nonisolated(unsafe) private var plannedMessagesShown = false

/// Chooses the threads and settings as xz 5.8 does: `-T1` single-threaded,
/// anything else the multithreaded format (.xz only); over the memory limit
/// fewer threads, then (unless `--no-adjust`, or with `-T0` and no
/// `--memlimit-compress`, whose quarter-of-RAM limit only lowers the threads)
/// single-threaded mode, then a dictionary smaller by 1 MiB steps. Memory is
/// counted as liblzma counts it (`XZMemoryUsage`), over every chain the run
/// uses (`--block-list` may use `--filtersN` chains).
///
/// The first call of a run prints xz's messages: with -vv the chain, the
/// threads and the memory needed to compress and to decompress, then the
/// changes made to meet the limit (fewer threads only with -vv).
/// - Parameter chain: the default chain (`defaultFilterChain`).
/// - Throws: `UsageError` with xz's message when the limit cannot be met.
func compressionPlan(_ options: Options, chain: LZMAFilterChain, xz: Bool, raw: Bool) throws(UsageError) -> CompressionPlan {
    var plan = CompressionPlan(threads: nil, lzma: chain.lzma)
    let showMessages = !plannedMessagesShown && options.verbosity >= 2
    let showDebug = showMessages && options.verbosity >= 4
    plannedMessagesShown = true
    // Autoclosures: a message not shown is not formatted either (building
    // them touched some 100 KiB of string and integer code at -0).
    func note(_ text: @autoclosure () -> String) {
        if showMessages { writeStderr("swiftlzma: \(text())\n") }
    }
    func debug(_ text: @autoclosure () -> String) {
        if showDebug { writeStderr("swiftlzma: \(text())\n") }
    }
    let mib = mebibytesRoundedUp
    let compressLimit = options.memlimitCompress ?? .max
    func tooSmall(_ usage: UInt64) -> UsageError {
        UsageError("Memory usage limit is too low for the given filter setup.\n"
                   + memoryRequiredText(usage, limit: options.memlimitCompress))
    }
    let (chains, defaultUsed) = xz ? try chainsInUse(options, defaultChain: chain) : ([chain], true)
    if defaultUsed { debug("Filter chain: \(filterChainText(chain))") }
    if options.flushTimeoutLeftThreads { note("Switching to single-threaded mode due to --flush-timeout") }
    func singleThreaded() -> UInt64 { chains.map(XZMemoryUsage.encoder).max() ?? 0 }
    let multithreaded = xz && (options.threads != 1 || options.threadsForceMT)
    let requested = options.threads == 0 ? processorCount() : options.threads
    let blockSize = multithreadedBlockSize(options, chains: chains)
    func parallel(_ threads: Int) -> UInt64 {
        chains.map { XZMemoryUsage.multithreadedEncoder($0, threads: threads, blockSize: blockSize) }.max() ?? 0
    }
    var usage: UInt64
    if multithreaded {
        usage = parallel(requested)
        debug("Using up to \(requested) threads.")
    } else {
        usage = singleThreaded()
    }
    debug(memoryRequiredText(usage, limit: options.memlimitCompress))
    debug("Decompression will need \(mib(chains.map(XZMemoryUsage.decoder).max() ?? 0)) MiB of memory.")
    // -T0 without --memlimit-compress: a soft limit that only lowers the threads.
    let automatic = options.threads == 0 && options.memlimitCompress == nil
    let limit = multithreaded && automatic ? defaultThreadingMemoryLimit() : compressLimit
    if multithreaded { plan.threads = requested }
    guard usage > limit else { return plan }
    if raw { throw tooSmall(usage) }
    if multithreaded {
        // Fewer threads never change the output.
        var threads = requested
        while threads > 1 {
            threads -= 1
            usage = parallel(threads)
            if usage <= limit {
                debug("Reduced the number of threads from \(requested) to \(threads) to not exceed "
                      + "the memory usage limit of \(mib(limit)) MiB")
                plan.threads = threads
                return plan
            }
        }
        if automatic {
            debug("Reduced the number of threads from \(requested) to one. The automatic memory usage limit of "
                  + "\(mib(limit)) MiB is still being exceeded. \(mib(usage)) MiB of memory is required. Continuing anyway.")
            plan.threads = 1
            return plan
        }
        if options.noAdjust { throw tooSmall(usage) }
        plan.threads = nil
        usage = singleThreaded()
        note("Switching to single-threaded mode to not exceed the memory usage limit of \(mib(limit)) MiB")
    }
    guard usage > compressLimit else { return plan }
    if options.noAdjust { throw tooSmall(usage) }
    // As xz 5.8: the dictionary of the default chain, whole MiB, then 1 MiB
    // less until the chain's encoder is below the limit. (The --filtersN
    // chains of a block list keep theirs.)
    guard defaultUsed, XZMemoryUsage.encoder(chain) > compressLimit else { return plan }
    var reduced = chain
    reduced.lzma.dictionarySize &= ~((1 << 20) - 1)
    while true {
        if reduced.lzma.dictionarySize < 1 << 20 { throw tooSmall(usage) }
        if XZMemoryUsage.encoder(reduced) < compressLimit { break }
        reduced.lzma.dictionarySize -= 1 << 20
    }
    plan.lzma = reduced.lzma
    note("Adjusted LZMA\(chain.coder == .lzma1 ? 1 : 2) dictionary size from \(chain.lzma.dictionarySize >> 20) MiB to "
         + "\(reduced.lzma.dictionarySize >> 20) MiB to not exceed the memory usage limit of \(mib(compressLimit)) MiB")
    return plan
}

/// The parallel compressor as a synchronous `EncodeStep`: each input chunk
/// is handed over whole and the compressed bytes ready so far are returned
/// through the caller's buffer.
final class ParallelEncodeStep {
    private let compressor: ParallelXZCompressor
    private var pending: [UInt8] = []
    private var pendingPos = 0
    private var finished = false

    init(_ compressor: ParallelXZCompressor) {
        self.compressor = compressor
        keepLargeBuffersMapped()
    }

    func step(_ input: UnsafeBufferPointer<UInt8>, _ output: UnsafeMutableBufferPointer<UInt8>,
              _ finish: Bool) throws(LZMAError) -> (consumed: Int, produced: Int, status: CodingStatus) {
        var consumed = 0
        if pendingPos == pending.count {
            let c = compressor
            if !input.isEmpty {
                let chunk = Array(input)
                pending = try blockingAwait { () async throws(LZMAError) -> [UInt8] in try await c.compress(chunk) }
                consumed = input.count
            } else if finish && !finished {
                pending = try blockingAwait { () async throws(LZMAError) -> [UInt8] in try await c.finish() }
                finished = true
            }
            pendingPos = 0
        }
        let n = min(pending.count - pendingPos, output.count)
        if n > 0 {
            pending.withUnsafeBufferPointer { output.baseAddress!.update(from: $0.baseAddress! + pendingPos, count: n) }
            pendingPos += n
        }
        if pendingPos < pending.count { return (consumed, n, .outputFull) }
        return (consumed, n, finished ? .streamEnd : .needsInput)
    }
}

/// The synchronous step over `ParallelLZMACompressor` (one stream, the
/// match finder on a second thread): each call runs one of its calls on the
/// executor and waits.
final class FinderEncodeStep {
    private let compressor: ParallelLZMACompressor

    init(_ compressor: ParallelLZMACompressor) {
        self.compressor = compressor
    }

    func step(_ input: UnsafeBufferPointer<UInt8>, _ output: UnsafeMutableBufferPointer<UInt8>,
              _ finish: Bool) throws(LZMAError) -> (consumed: Int, produced: Int, status: CodingStatus) {
        let c = Unchecked(value: (compressor, input, output))
        return try blockingAwait { () async throws(LZMAError) -> (consumed: Int, produced: Int, status: CodingStatus) in
            let (compressor, input, output) = c.value
            return try await compressor.encode(input: input, output: output, finish: finish)
        }
    }
}

/// Threads for the single-stream formats (.lzma, raw): with 2 or more the
/// match finder runs on a thread of its own (as the LZMA SDK does), when
/// the memory limit allows it. The bytes are the same either way.
func finderThreads(_ options: Options, lzma: LZMASettings) -> Int {
    let threads = options.threads == 0 ? processorCount() : options.threads
    guard threads >= 2 else { return 1 }
    let usage = ParallelLZMACompressor.memoryUsage(CompressionOptions(lzma: lzma))
    if let limit = options.memlimitCompress, usage > limit { return 1 }
    return 2
}

// MARK: - Decompression

/// Threads for decoding: `-T0` (the default) one per processor, `-T1` (and
/// `-T+1`) the single-threaded decoder.
func decodeThreads(_ options: Options) -> Int {
    options.threads == 0 ? processorCount() : options.threads
}

/// Decodes `.xz` input (whose first `inLen` bytes are already in the input
/// buffer) with the parallel decoder; the counterpart of `decodeStream`'s
/// loop, with the same callbacks.
func decodeStreamParallel(input: InputFile, options: Options, threads: Int, buffers: Buffers, inLen firstLength: Int,
                          progress: Progress?, totals: inout StreamTotals,
                          warning: (String) -> Void, ready: () throws -> Void,
                          emit: (UnsafeRawBufferPointer) throws -> Void) throws {
    keepLargeBuffersMapped()
    let d = ParallelXZDecompressor(threads: threads, memoryLimit: options.memoryLimit,
                                   threadingMemoryLimit: options.memlimitMTDecompress ?? defaultThreadingMemoryLimit(),
                                   singleStream: options.singleStream, ignoreCheck: options.ignoreCheck,
                                   allocator: .system)
    // Whole blocks come back without a copy; the decoder bounds the rest.
    let maxLength = Int.max
    var chunk = Array(UnsafeBufferPointer(start: buffers.input, count: firstLength))
    var isReady = false
    var checkWarned = false
    func deliver(_ call: @escaping () async throws(LZMAError) -> [UInt8]) throws {
        let out: [UInt8]
        do {
            out = try blockingAwait(call)
        } catch {
            throw DecodeFailure(message: describe(error))
        }
        if !checkWarned && d.unsupportedCheck != nil {
            checkWarned = true
            warning("Unsupported type of integrity check; not verifying file integrity")
        }
        if !isReady && (d.totalIn >= 13 || !out.isEmpty || d.isFinished) {
            try ready()
            isReady = true
        }
        if !out.isEmpty { try out.withUnsafeBytes { try emit($0) } }
        totals.compressed = d.totalIn
        totals.uncompressed = d.totalOut
        progress?.update(compressed: totals.compressed, uncompressed: totals.uncompressed)
    }
    while true {
        let data = chunk
        try deliver { () async throws(LZMAError) -> [UInt8] in try await d.decompress(data, maxLength: maxLength) }
        while !d.needsInput && !d.isFinished {
            try deliver { () async throws(LZMAError) -> [UInt8] in try await d.decompress([], maxLength: maxLength) }
        }
        if d.isFinished { return }  // --single-stream: the rest is ignored
        let n = try input.read(into: buffers.input, capacity: Buffers.size)
        if n == 0 { break }
        chunk = Array(UnsafeBufferPointer(start: buffers.input, count: n))
    }
    while !d.isFinished {
        try deliver { () async throws(LZMAError) -> [UInt8] in try await d.finish(maxLength: maxLength) }
    }
}
