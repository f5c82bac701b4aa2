#if !hasFeature(Embedded)

/// A streaming `.xz` decompressor that decodes several blocks at once, on
/// Swift concurrency's global executor (no threads of its own).
///
/// Blocks whose headers give both their compressed and uncompressed sizes
/// (what `xz -T2` and more, and ``ParallelXZCompressor``, write) are
/// independent: their bytes are collected and each is decoded on a task of its
/// own. Other blocks (single-threaded xz's, and blocks too large for
/// ``threadingMemoryLimit``) are decoded on the caller's task, in order, as
/// liblzma's threaded decoder does.
///
/// ```swift
/// let d = ParallelXZDecompressor(threads: 4)
/// for chunk in chunks {
///     write(try await d.decompress(chunk, maxLength: 1 << 20))
///     while !d.needsInput { write(try await d.decompress([], maxLength: 1 << 20)) }
/// }
/// repeat { write(try await d.finish(maxLength: 1 << 20)) } while !d.isFinished
/// ```
///
/// - **Output** is the same bytes, in the same order, as ``LZMADecompressor``
///   (`format: .xz`) produces for the same input, whatever the number of
///   threads and the chunking.
/// - **Errors**: the first error in input order is thrown — a bad block is
///   reported exactly as single-threaded decoding reports it (same case, text,
///   block number and input offset) — and only after every byte before it has
///   been returned; a call that returns bytes defers its error to the next
///   call. After an error the decompressor stays failed. Indexes, checks,
///   stream footers and stream padding are verified as ``LZMADecompressor``
///   verifies them.
/// - **Threads**: at most `threads` blocks are decoded at once (the global
///   executor's width, the number of cores, also caps it).
/// - **Memory**: blocks in flight (collected, decoding, or decoded and waiting
///   for an earlier one) are at most `2 × threads` and together cost at most
///   ``threadingMemoryLimit`` (each block: its compressed and uncompressed
///   sizes plus a decoder, ``LZMADecompressor``'s count); a block that alone
///   costs more is decoded on the caller's task with bounded buffers. The
///   memory limit, if any, stays the hard limit of every block, as in
///   ``LZMADecompressor``. Output waiting to be handed out is at most one
///   block's. A caller is suspended while the budget is full and nothing is
///   ready to return, so memory never grows with the input.
///
/// The type is not `Sendable`: one owner calls it, one call at a time.
@available(macOS 15.0, iOS 18.0, tvOS 18.0, watchOS 11.0, visionOS 2.0, *)
public final class ParallelXZDecompressor {
    /// The most blocks decoded at once.
    public let threads: Int
    /// The hard limit: a block needing more fails with `memoryLimitExceeded`.
    public let memoryLimit: UInt64?
    /// The budget of the blocks in flight (never more than `memoryLimit`).
    public let threadingMemoryLimit: UInt64
    /// End after the first stream (xz's `--single-stream`); what follows goes to ``unusedData``.
    public let singleStream: Bool
    /// Do not verify the blocks' checks (xz's `--ignore-check`).
    public let ignoreCheck: Bool
    /// Where the blocks' dictionaries come from.
    private let allocator: LZMAAllocator

    /// Compressed bytes read so far (those of blocks still being decoded included).
    public private(set) var totalIn: UInt64 = 0
    /// Decompressed bytes returned so far.
    public private(set) var totalOut: UInt64 = 0
    /// True once the end of the input (or with ``singleStream``, of the first
    /// stream) has been reached and verified and every byte returned.
    public private(set) var isFinished = false
    /// False when the last call stopped with input or output left over (or a
    /// block to wait for): call again, with no new data, before feeding more.
    public private(set) var needsInput = true
    /// With ``singleStream``: the bytes after the first stream.
    public private(set) var unusedData: [UInt8] = []
    /// A Check ID this library cannot verify, if a stream used one (its data
    /// is decoded unverified, as xz does with a warning).
    public private(set) var unsupportedCheck: UInt8?

    // Input not yet parsed.
    private var input: [UInt8] = []
    private var inPos = 0
    private var inputEnded = false

    private enum Phase {
        case streamHeader, blockStart, blockHeader
        /// A block header has been read: decode the block in parallel or here.
        case blockDecide
        /// Collecting the bytes of a block decoded in parallel.
        case blockBody
        /// A collected block waits for a worker.
        case blockReady
        /// A block decoded on the caller's task.
        case inline
        case index, streamFooter, streamPadding
        /// The first stream ended (``singleStream``).
        case done
        /// An error is queued; nothing more is read.
        case failed
    }
    private var phase = Phase.streamHeader
    private var field = [UInt8](repeating: 0, count: 1024)
    private var have = 0
    private var need = XZStreamHeader.size
    private var fieldStart: UInt64 = 0

    private var streamCount = 0
    private var checkID: UInt8 = 0
    private var checkSize: Int { XZCheck.fieldSize(id: checkID) }
    private var records = XZRecordDigest()
    private var index = XZIndexDecoder(blocks: XZRecordDigest())
    private var streamPadding: UInt64 = 0

    // The current block.
    private var header: XZBlockHeader?
    private var blockOffset: UInt64 = 0
    private var blockCost: UInt64 = 0
    private var body: ArraySlice<UInt8> = []
    private var bodySize = 0
    private var inlineDecoder: XZDecoder?
    /// Bytes of the inline block read before its decoder started.
    private var inlineHeader: [UInt8] = []
    private var inlineHeaderPos = 0
    /// Where the current block starts in `input`, while that is still known.
    private var blockStartInInput: Int?
    private let scratch = UnsafeMutablePointer<UInt8>.allocate(capacity: ParallelXZDecompressor.scratchSize)

    // Blocks in flight, in input order, then errors found by the reader.
    private struct Decoded: Sendable {
        var output: [UInt8]
        var error: LZMAError?
    }
    private enum Item {
        case block(WorkItem<Decoded>, cost: UInt64)
        case failure(LZMAError)
    }
    private var queue = FIFO<Item>()
    private var blocksInFlight = 0
    private var costInFlight: UInt64 = 0
    private let maxInFlight: Int
    private let gate: WorkerGate

    // Output of the block at the front, being handed out.
    private var ready: [UInt8] = []
    private var readyPos = 0
    private var readyError: LZMAError?
    private var failure: LZMAError?

    private static let scratchSize = 1 << 16
    /// The most output a block decoded on the caller's task adds to one call.
    static let inlineOutputPerCall = 1 << 20

    /// The budget of blocks in flight when none is given: 1 GiB.
    public static let defaultThreadingMemoryLimit: UInt64 = 1 << 30

    /// Creates a decompressor.
    /// - Parameters:
    ///   - threads: the most blocks to decode at once, at least 1.
    ///   - memoryLimit: fail with `memoryLimitExceeded` instead of decoding a
    ///     block that needs more (xz's `--memlimit-decompress`).
    ///   - threadingMemoryLimit: the memory the blocks in flight may use
    ///     together (xz's `--memlimit-mt-decompress`): blocks beyond it wait,
    ///     and a block that alone needs more is decoded on the caller's task;
    ///     it never makes decoding fail. Capped at `memoryLimit`.
    ///   - singleStream: stop after the first stream.
    ///   - ignoreCheck: do not verify the blocks' checks.
    ///   - allocator: supplies the blocks' dictionaries (see
    ///     ``LZMADecompressor/init(format:options:allocator:)``).
    /// - Complexity: O(1).
    public init(threads: Int, memoryLimit: UInt64? = nil,
                threadingMemoryLimit: UInt64 = ParallelXZDecompressor.defaultThreadingMemoryLimit,
                singleStream: Bool = false, ignoreCheck: Bool = false, allocator: LZMAAllocator = .standard) {
        self.allocator = allocator
        self.threads = max(1, threads)
        self.memoryLimit = memoryLimit
        self.threadingMemoryLimit = min(threadingMemoryLimit, memoryLimit ?? .max)
        self.singleStream = singleStream
        self.ignoreCheck = ignoreCheck
        gate = WorkerGate(width: self.threads)
        maxInFlight = 2 * self.threads
    }

    deinit { scratch.deallocate() }

    /// Takes `data` (after any input kept from earlier calls) and returns at
    /// most `maxLength` decoded bytes: those ready now, in order — at most one
    /// parallel block's output (returned without a copy when it fits) and at
    /// most 1 MiB from a block decoded on the caller's task; when
    /// ``needsInput`` is false, call again before feeding more.
    ///
    /// Returns early, possibly with nothing, when all input has been read and
    /// the blocks are still being decoded: feed more, or call ``finish(maxLength:)``
    /// at the end. Suspends when it has nothing to return and cannot read on
    /// (all workers busy, or the budget full) until a block is done.
    /// - Throws: `LZMAError` as ``LZMADecompressor`` throws for `.xz`;
    ///   `programmingError` for data after ``finish(maxLength:)``.
    /// - Complexity: O(data + output) on the caller's task.
    public func decompress(_ data: [UInt8], maxLength: Int = .max) async throws(LZMAError) -> [UInt8] {
        if let failure { throw failure }
        if isFinished {
            unusedData += data
            return []
        }
        if inputEnded && !data.isEmpty {
            failure = LZMAError.programmingError("input given after finish()")
            throw failure!
        }
        if !data.isEmpty {
            blockStartInInput = nil
            if inPos == input.count {
                input = data
            } else {
                input.removeFirst(inPos)
                input += data
            }
            inPos = 0
        }
        return try await run(maxLength)
    }

    /// Declares the end of the input, waits for the blocks still in flight,
    /// and returns at most `maxLength` more bytes; call it until
    /// ``isFinished``. The input must end after a complete stream (and its
    /// padding), as with ``LZMADecompressor/finish()``.
    /// - Throws: as ``decompress(_:maxLength:)``, and `truncatedInput` when
    ///   the input ends inside a stream.
    public func finish(maxLength: Int = .max) async throws(LZMAError) -> [UInt8] {
        if let failure { throw failure }
        if isFinished { return [] }
        inputEnded = true
        return try await run(maxLength)
    }

    /// Decompresses a whole `.xz` buffer, up to `threads` blocks at once.
    ///
    /// Like ``LZMACodec/decompress(_:format:memoryLimit:)``: concatenated
    /// streams and stream padding are allowed, data after them is an error.
    /// - Throws: `LZMAError` for invalid, corrupt or truncated input, or an
    ///   exceeded memory limit.
    /// - Complexity: O(n) work spread over the threads; memory: the output
    ///   plus the blocks in flight (the input is not copied).
    public static func decompress(_ data: [UInt8], threads: Int, memoryLimit: UInt64? = nil,
                                  threadingMemoryLimit: UInt64 = defaultThreadingMemoryLimit) async throws(LZMAError) -> [UInt8] {
        let d = ParallelXZDecompressor(threads: threads, memoryLimit: memoryLimit, threadingMemoryLimit: threadingMemoryLimit)
        var out = try await d.decompress(data)
        while !d.needsInput { out += try await d.decompress([]) }
        while !d.isFinished { out += try await d.finish() }
        return out
    }

    // MARK: - The loop

    /// Why reading stopped.
    private enum Stop {
        /// All input read.
        case input
        /// The front of the queue must be done first.
        case queue
        /// A collected block waits for a worker.
        case worker
        /// No room for output (a block decoded here).
        case output
        /// The first stream ended (``singleStream``).
        case done
    }

    private func run(_ maxLength: Int) async throws(LZMAError) -> [UInt8] {
        let limit = max(0, maxLength)
        var out = [UInt8]()
        needsInput = false
        do throws(LZMAError) {
            loop: while true {
                // 1. The output of the block at the front.
                if readyPos < ready.count {
                    handOut(into: &out, limit: limit)
                    if out.count == limit {
                        try await startWhatCanStart(&out)
                        break loop
                    }
                }
                if let e = readyError {
                    readyError = nil
                    throw e
                }
                // 2. The next block, if it is done.
                switch queue.first {
                case .block(let job, _)? where job.isDone:
                    if !out.isEmpty {
                        // One block's output per call: it is returned without
                        // a copy, and the caller comes back for the next.
                        try await startWhatCanStart(&out)
                        break loop
                    }
                    try await takeFront()
                    continue loop
                case .failure(let e)?:
                    throw e
                default:
                    break
                }
                // 3. Read on.
                switch try read(limit: limit, into: &out) {
                case .output:
                    break loop
                case .input:
                    if !inputEnded {
                        needsInput = true
                        break loop
                    }
                    if !queue.isEmpty {
                        if !out.isEmpty { break loop }
                        try await takeFront()
                        continue loop
                    }
                    if phase == .blockBody {
                        // The input ended inside a block: decode what there is
                        // of it here, so its output and error are those of a
                        // whole-stream decoder.
                        blocksInFlight -= 1
                        costInFlight -= blockCost
                        startInline(header: Array(body))
                        body = []
                        continue loop
                    }
                    try endOfInput()
                    isFinished = true
                    break loop
                case .queue:
                    if !out.isEmpty { break loop }
                    try await takeFront()
                case .worker:
                    if await gate.tryAcquire() {
                        startBlock()
                        continue loop
                    }
                    if !out.isEmpty { break loop }
                    await gate.acquire()
                    startBlock()
                case .done:
                    if !queue.isEmpty {
                        if !out.isEmpty { break loop }
                        try await takeFront()
                        continue loop
                    }
                    isFinished = true
                    unusedData = Array(input[inPos...])
                    input = []
                    inPos = 0
                    break loop
                }
            }
        } catch let e {
            failure = e
            needsInput = false
            if out.isEmpty { throw e }
        }
        totalOut += UInt64(out.count)
        return out
    }

    /// Before returning output: reads on as far as that needs no room for
    /// output, and starts the blocks that have a free worker, so the workers
    /// stay busy while the caller writes.
    private func startWhatCanStart(_ out: inout [UInt8]) async throws(LZMAError) {
        while try read(limit: out.count, into: &out) == .worker, await gate.tryAcquire() {
            startBlock()
        }
    }

    private func handOut(into out: inout [UInt8], limit: Int) {
        let n = min(ready.count - readyPos, limit - out.count)
        if out.isEmpty && readyPos == 0 && n == ready.count {
            out = ready
        } else {
            out += ready[readyPos..<readyPos + n]
        }
        readyPos += n
        if readyPos == ready.count {
            ready = []
            readyPos = 0
        }
    }

    /// Waits for the block at the front of the queue and makes its output the
    /// next to hand out.
    private func takeFront() async throws(LZMAError) {
        switch queue.removeFirst() {
        case .failure(let e):
            throw e
        case .block(let job, let cost):
            let r = await job.value
            blocksInFlight -= 1
            costInFlight -= cost
            ready = r.output
            readyPos = 0
            readyError = r.error
        }
    }

    /// The end of the input: it must end after a stream and its padding.
    private func endOfInput() throws(LZMAError) {
        switch phase {
        case .streamPadding:
            guard streamPadding % 4 == 0 else {
                throw LZMAError.corruptData("stream padding of \(streamPadding) bytes is not a multiple of 4", offset: totalIn)
            }
        default:
            throw LZMAError.truncatedInput("the .xz data ends inside a stream", offset: totalIn)
        }
    }

    // MARK: - Reading the container

    /// Reads input as far as it can without waiting: queues blocks with sizes,
    /// decodes other blocks into `out` (up to `limit` bytes in all). Errors
    /// found here are queued behind the blocks before them.
    private func read(limit: Int, into out: inout [UInt8]) throws(LZMAError) -> Stop {
        do throws(LZMAError) {
            return try readBody(limit: limit, into: &out)
        } catch let e {
            // Thrown now only when nothing comes before it: no block queued,
            // no output and no error of the front block still to hand out.
            if queue.isEmpty && readyPos == ready.count && readyError == nil { throw e }
            queue.append(.failure(e))
            phase = .failed
            return .queue
        }
    }

    private func readBody(limit: Int, into out: inout [UInt8]) throws(LZMAError) -> Stop {
        while true {
            switch phase {
            case .streamHeader, .blockHeader, .streamFooter:
                let n = min(need - have, input.count - inPos)
                if n > 0 {
                    field.replaceSubrange(have..<have + n, with: input[inPos..<inPos + n])
                    have += n
                    inPos += n
                    totalIn += UInt64(n)
                }
                guard have == need else { return .input }
                try fieldComplete()

            case .blockStart:
                guard inPos < input.count else { return .input }
                let b = input[inPos]
                blockStartInInput = inPos
                inPos += 1
                totalIn += 1
                if b == 0 {
                    index = XZIndexDecoder(blocks: records)
                    phase = .index
                } else {
                    expect((Int(b) + 1) * 4, then: .blockHeader)
                    fieldStart -= 1
                    blockOffset = fieldStart
                    field[0] = b
                    have = 1
                }

            case .blockDecide:
                let h = header!
                if let cs = h.compressedSize, let us = h.uncompressedSize, let cost = parallelCost(h, cs, us),
                   cost <= threadingMemoryLimit {
                    if blocksInFlight >= maxInFlight || (blocksInFlight > 0 && costInFlight + cost > threadingMemoryLimit) {
                        return .queue
                    }
                    let pad = Int((4 - (UInt64(h.headerSize) + cs) % 4) % 4)
                    bodySize = h.headerSize + Int(cs) + pad + checkSize
                    blockCost = cost
                    blocksInFlight += 1
                    costInFlight += cost
                    if let start = blockStartInInput, input.count - start >= bodySize {
                        // The whole block is in the input: no copy.
                        body = input[start..<start + bodySize]
                        inPos = start + bodySize
                        totalIn += UInt64(bodySize - h.headerSize)
                        phase = .blockReady
                    } else {
                        // Grown as the bytes arrive: a header's claim alone
                        // allocates nothing.
                        var b = [UInt8]()
                        b.reserveCapacity(min(bodySize, 1 << 20))
                        b += field[0..<h.headerSize]
                        body = b[...]
                        phase = .blockBody
                    }
                } else {
                    guard queue.isEmpty && readyPos == ready.count && readyError == nil else { return .queue }
                    startInline(header: Array(field[0..<h.headerSize]))
                }

            case .blockBody:
                let n = min(bodySize - body.count, input.count - inPos)
                if n > 0 {
                    body += input[inPos..<inPos + n]
                    inPos += n
                    totalIn += UInt64(n)
                }
                guard body.count == bodySize else { return .input }
                phase = .blockReady

            case .blockReady:
                return .worker

            case .inline:
                guard out.count < limit else { return .output }
                // Bounded per call even without a maxLength, so a small input
                // that expands enormously never makes a huge result.
                let cap = limit - out.count > ParallelXZDecompressor.inlineOutputPerCall
                    ? out.count + ParallelXZDecompressor.inlineOutputPerCall : limit
                if let stop = try decodeInline(limit: cap, into: &out) { return stop }

            case .index:
                let n = try input.withUnsafeBufferPointer { (p) throws(LZMAError) -> Int in
                    try index.feed(p.baseAddress.map { $0 + inPos } ?? UnsafePointer(bitPattern: 1)!,
                                   count: p.count - inPos, offset: totalIn)
                }
                inPos += n
                totalIn += UInt64(n)
                guard index.isDone else { return .input }
                expect(XZStreamHeader.size, then: .streamFooter)

            case .streamPadding:
                while inPos < input.count && input[inPos] == 0 {
                    inPos += 1
                    totalIn += 1
                    streamPadding += 1
                }
                guard inPos < input.count else { return .input }
                guard streamPadding % 4 == 0 else {
                    throw LZMAError.corruptData("stream padding of \(streamPadding) bytes is not a multiple of 4", offset: totalIn)
                }
                expect(XZStreamHeader.size, then: .streamHeader)

            case .done:
                return .done

            case .failed:
                return .queue
            }
        }
    }

    private func expect(_ n: Int, then next: Phase) {
        have = 0
        need = n
        fieldStart = totalIn
        phase = next
    }

    private func fieldComplete() throws(LZMAError) {
        switch phase {
        case .streamHeader:
            checkID = try field.withUnsafeBufferPointer { (p) throws(LZMAError) in
                try XZStreamHeader.decodeHeader(p.baseAddress!, firstStream: streamCount == 0, offset: fieldStart)
            }
            if XZCheck(rawValue: checkID) == nil { unsupportedCheck = checkID }
            records = XZRecordDigest()
            phase = .blockStart
        case .blockHeader:
            let checkSize = self.checkSize
            header = try field.withUnsafeBufferPointer { (p) throws(LZMAError) in
                try XZBlockHeader(p.baseAddress!, checkSize: checkSize, offset: fieldStart)
            }
            phase = .blockDecide
        case .streamFooter:
            let checkID = self.checkID, indexSize = index.size, at = fieldStart
            try field.withUnsafeBufferPointer { (p) throws(LZMAError) in
                try XZStreamHeader.decodeFooter(p.baseAddress!, checkID: checkID, indexSize: indexSize, offset: at)
            }
            streamCount += 1
            streamPadding = 0
            phase = singleStream ? .done : .streamPadding
        default:
            break
        }
    }

    /// What decoding a block in parallel costs: its input and output and a
    /// decoder (nil when that cannot be allocated at all).
    private func parallelCost(_ h: XZBlockHeader, _ cs: UInt64, _ us: UInt64) -> UInt64? {
        let dec = h.decoderMemoryUsage
        guard us < UInt64(Int.max / 4), cs < UInt64(Int.max / 4), dec < UInt64.max / 4 else { return nil }
        return cs + us + dec
    }

    // MARK: - Blocks in parallel

    /// Starts the collected block on a worker (whose slot the caller took)
    /// and records it for the Index.
    private func startBlock() {
        let h = header!
        let bytes = body
        body = []
        let number = records.count + 1
        let job = WorkItem<Decoded>.started(on: gate) { [checkID, memoryLimit, ignoreCheck, blockOffset, allocator] in
            ParallelXZDecompressor.decode(bytes, checkID: checkID, blockNumber: number, offset: blockOffset,
                                          memoryLimit: memoryLimit, ignoreCheck: ignoreCheck, allocator: allocator,
                                          uncompressedSize: Int(h.uncompressedSize!), compressedSize: Int(h.compressedSize!))
        }
        queue.append(.block(job, cost: blockCost))
        phase = .blockStart
        // The block's record as its header gives it: decoding fails unless it
        // is the block's real one.
        let unpadded = UInt64(h.headerSize) + h.compressedSize! + UInt64(checkSize)
        if !records.append(unpadded: unpadded, uncompressed: h.uncompressedSize!) {
            queue.append(.failure(LZMAError.corruptData("stream is larger than 2^63 - 1 bytes",
                                                        offset: blockOffset + UInt64(bytes.count))))
            phase = .failed
        }
    }

    /// Decodes one block (header to check) on its own.
    private static func decode(_ bytes: ArraySlice<UInt8>, checkID: UInt8, blockNumber: UInt64, offset: UInt64,
                               memoryLimit: UInt64?, ignoreCheck: Bool, allocator: LZMAAllocator,
                               uncompressedSize: Int, compressedSize: Int) -> Decoded {
        let d = XZDecoder.oneBlock(checkID: checkID, blockNumber: blockNumber, offset: offset,
                                   memoryLimit: memoryLimit, ignoreCheck: ignoreCheck, allocator: allocator)
        // One byte of room beyond the declared size, so that a block that
        // decodes to more is caught as it is by a whole-stream decoder.
        let full = uncompressedSize + 1
        var capacity = min(full, max(4 * compressedSize, 1 << 16))
        var output = [UInt8]()
        var error: LZMAError?
        var inPos = 0
        bytes.withUnsafeBufferPointer { inp in
            while true {
                var done = false
                let grown = [UInt8](unsafeUninitializedCapacity: capacity) { buf, count in
                    let kept = output.count
                    output.withUnsafeBufferPointer { old in
                        if kept > 0 { buf.baseAddress!.update(from: old.baseAddress!, count: kept) }
                    }
                    var outPos = kept
                    while true {
                        do throws(LZMAError) {
                            let r = try d.code(inp.baseAddress.map { $0 + inPos }, inCount: inp.count - inPos,
                                               buf.baseAddress! + outPos, outCount: buf.count - outPos)
                            inPos += r.consumed
                            outPos += r.produced
                            if r.status == .streamEnd { done = true; break }
                            if outPos == buf.count { break }
                            if r.consumed == 0 && r.produced == 0 {
                                error = LZMAError.programmingError("a block decoder stopped before the end of its block")
                                done = true
                                break
                            }
                        } catch let e {
                            error = e
                            done = true
                            break
                        }
                    }
                    count = outPos
                }
                output = grown
                if done { break }
                if capacity == full {
                    // Unreachable: more than the declared size throws.
                    error = LZMAError.programmingError("a block decoder wrote past its declared size")
                    break
                }
                capacity = min(full, capacity * 2)
            }
        }
        return Decoded(output: output, error: error)
    }

    // MARK: - Blocks decoded here

    /// Starts decoding the current block on the caller's task; `header`
    /// (the block's bytes read so far) is fed to its decoder first.
    private func startInline(header bytes: [UInt8]) {
        inlineDecoder = XZDecoder.oneBlock(checkID: checkID, blockNumber: records.count + 1, offset: blockOffset,
                                           memoryLimit: memoryLimit, ignoreCheck: ignoreCheck, allocator: allocator)
        inlineHeader = bytes
        inlineHeaderPos = 0
        phase = .inline
    }

    /// Decodes the inline block into `out` (up to `limit` bytes in all).
    /// - Returns: nil when the block has ended (reading goes on), else why it stopped.
    private func decodeInline(limit: Int, into out: inout [UInt8]) throws(LZMAError) -> Stop? {
        let d = inlineDecoder!
        let scratch = self.scratch
        while true {
            let fromHeader = inlineHeaderPos < inlineHeader.count
            let outCount = min(limit - out.count, ParallelXZDecompressor.scratchSize)
            let r: (consumed: Int, produced: Int, status: CodingStatus)
            if fromHeader {
                r = try inlineHeader.withUnsafeBufferPointer { (p) throws(LZMAError) in
                    try d.code(p.baseAddress! + inlineHeaderPos, inCount: p.count - inlineHeaderPos, scratch, outCount: outCount)
                }
                inlineHeaderPos += r.consumed
            } else {
                let at = inPos
                r = try input.withUnsafeBufferPointer { (p) throws(LZMAError) in
                    try d.code(p.baseAddress.map { $0 + at }, inCount: p.count - at, scratch, outCount: outCount)
                }
                inPos += r.consumed
                totalIn += UInt64(r.consumed)
            }
            if r.produced > 0 { out += UnsafeBufferPointer(start: scratch, count: r.produced) }
            if r.status == .streamEnd {
                let record = d.decodedBlockRecord!
                inlineDecoder = nil
                inlineHeader = []
                phase = .blockStart
                guard records.append(unpadded: record.unpadded, uncompressed: record.uncompressed) else {
                    throw LZMAError.corruptData("stream is larger than 2^63 - 1 bytes", offset: totalIn)
                }
                return nil
            }
            if out.count == limit { return .output }
            if !fromHeader && inPos == input.count && r.status == .needsInput { return .input }
        }
    }
}
#endif
