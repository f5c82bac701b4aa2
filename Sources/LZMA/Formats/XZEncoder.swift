/// A streaming `.xz` (or raw LZMA2) compressor, fed input in chunks of any
/// size; the output does not depend on the chunking.
///
/// The output is byte-for-byte what xz 5.4 writes with the same settings
/// (`xz -T1`; with ``CompressionOptions/sizesInBlockHeaders``, what
/// multithreaded xz writes), because the LZMA encoder and the LZMA2 chunking
/// follow xz's.
///
/// Memory: the LZMA encoder's (see `LZMACompressor.memoryUsage(_:)`), about
/// 200 KiB of buffers, and with sizes in block headers one block's
/// compressed data.
final class XZCompressor: BufferedEncoding {
    let options: CompressionOptions
    /// Raw LZMA2 (xz `--format=raw`): only the LZMA2 data, no container.
    let raw: Bool

    private enum Phase { case streamHeader, idle, block, done }
    private var phase = Phase.streamHeader
    private var failure: LZMAError?

    /// Output waiting to be handed out.
    private var queue: [UInt8] = []
    private var queueHead = 0

    // The current block.
    private var lzma2: LZMA2Encoder?
    /// Receives the blocks, chunks and symbols when set (see `LZMATracer`).
    var tracer: LZMATracer? { didSet { lzma2?.tracer = tracer } }
    private var chain: FilterChain?
    private let checker: CheckCalculator
    private var blockIn: UInt64 = 0
    private var blockCompressed: UInt64 = 0
    private var blockData: [UInt8] = []
    /// Header size of the current block when it was written before the data.
    private var blockHeaderSize = 0
    private var sourceEnded = false
    /// Input after the filters, waiting for LZMA2.
    private let stage: UnsafeMutablePointer<UInt8>
    private var stageHead = 0
    private var stageCount = 0
    /// 16 KiB each, stage and scratch: a call per 16 KiB costs nothing
    /// measurable, and the 96 KiB they save is resident memory at -0.
    private static let stageCapacity = 1 << 14
    private let scratch: UnsafeMutablePointer<UInt8>
    private static let scratchCapacity = 1 << 14

    /// Index records of the blocks written.
    private var records: [(unpadded: UInt64, uncompressed: UInt64)] = []
    /// Uncompressed bytes taken so far.
    private(set) var totalIn: UInt64 = 0

    /// Where the LZMA encoder's large tables come from (see ``LZMAAllocator``).
    let allocator: LZMAAllocator
    /// The finder thread the next block's encoder uses (taken by the first).
    private var feed: MatchFeed?

    /// The LZMA2 properties byte of the current block's header.
    private var dictionaryCode: UInt8
    /// The current block's chain: the options' unless the block list gives one.
    private var blockFilters: [XZFilter]
    private var blockLZMA: LZMASettings
    /// Uncompressed bytes the current block may take (nil: no limit).
    private var blockLimit: UInt64?
    // The block list: the item in use and what is left of it.
    private var listPos = 0
    private var itemLeft: UInt64 = 0
    private var itemIsRest = false
    private var itemChain: LZMAFilterChain?
    /// With sizes in block headers: the header size xz's multithreaded
    /// encoder reserves before a block is encoded, for the largest sizes a
    /// block of `blockSize` bytes can have; each header is padded to it.
    private let reservedHeaderSize: Int

    /// Creates a compressor; the stream header is written with the first output.
    /// - Parameter allocator: supplies the match finder's tables; pass one
    ///   backed by `calloc` to keep untouched pages non-resident.
    /// - Throws: `LZMAError.invalidOptions` (see ``CompressionOptions/validate(for:)``).
    /// - Complexity: allocates the LZMA encoder for each block (lazily).
    /// - Parameter feed: a finder thread for the first block's match finder
    ///   (only for a stream that has one block; see `ParallelLZMACompressor`).
    init(options: CompressionOptions, raw: Bool = false, allocator: LZMAAllocator = .standard,
         feed: MatchFeed? = nil) throws(LZMAError) {
        try options.validate(for: raw ? .rawLZMA2 : .xz)
        self.options = options
        self.raw = raw
        self.allocator = allocator
        self.feed = feed
        checker = CheckCalculator(raw ? .none : options.check)
        let code = LZMA2Encoder.dictionarySizeCode(options.lzma.dictionarySize)
        dictionaryCode = code
        blockFilters = options.filters
        blockLZMA = options.lzma
        reservedHeaderSize = options.blockSize.map {
            XZBlockHeader(compressedSize: XZCompressor.compressedBound($0), uncompressedSize: $0,
                          filters: options.filters, lzma2Properties: code).headerSize
        } ?? 0
        stage = .allocate(capacity: XZCompressor.stageCapacity)
        scratch = .allocate(capacity: XZCompressor.scratchCapacity)
        if raw { phase = .idle }
    }

    deinit {
        stage.deallocate()
        scratch.deallocate()
    }

    private var isXZ: Bool { !raw }
    private var sizesInHeader: Bool { isXZ && options.sizesInBlockHeaders }

    /// Compresses like liblzma's `lzma_code`: consumes input, writes at most
    /// `output.count` bytes. With `finish` and all input consumed it ends the
    /// stream; `.streamEnd` once the last byte has been written.
    /// - Throws: `LZMAError.programmingError` for input after finishing.
    ///   After a throw the compressor stays failed.
    func encode(input: UnsafeBufferPointer<UInt8>, output: UnsafeMutableBufferPointer<UInt8>,
                       finish: Bool) throws(LZMAError) -> (consumed: Int, produced: Int, status: CodingStatus) {
        if let f = failure { throw f }
        do {
            return try step(input, output, finish: finish)
        } catch let e {
            failure = e
            throw e
        }
    }

    private func step(_ input: UnsafeBufferPointer<UInt8>, _ output: UnsafeMutableBufferPointer<UInt8>,
                      finish: Bool) throws(LZMAError) -> (consumed: Int, produced: Int, status: CodingStatus) {
        if phase == .done && !input.isEmpty {
            throw LZMAError.programmingError("input given after the compressor was finished")
        }
        var consumed = 0
        var produced = 0
        while true {
            if queueHead < queue.count {
                let n = min(queue.count - queueHead, output.count - produced)
                if n > 0 {
                    queue.withUnsafeBufferPointer {
                        (output.baseAddress! + produced).update(from: $0.baseAddress! + queueHead, count: n)
                    }
                    produced += n
                    queueHead += n
                }
                if queueHead < queue.count { return (consumed, produced, .outputFull) }
                queue.removeAll(keepingCapacity: true)
                queueHead = 0
            }
            switch phase {
            case .done:
                return (consumed, produced, .streamEnd)
            case .streamHeader:
                queue += XZStreamHeader.encodeHeader(check: options.check)
                phase = .idle
            case .idle:
                // A block starts with its first byte (an empty input has no
                // block in .xz, as with xz; raw LZMA2 always has its stream).
                if consumed < input.count || (!isXZ && finish) {
                    try startBlock()
                } else if finish {
                    finishStream()
                } else {
                    return (consumed, produced, .needsInput)
                }
            case .block:
                let (took, written, progressed) = try blockStep(input.baseAddress.map { $0 + consumed }, count: input.count - consumed,
                                                                finish: finish, output: output.baseAddress.map { $0 + produced },
                                                                room: output.count - produced)
                consumed += took
                produced += written
                if !progressed && took == 0 && queueHead == queue.count {
                    return (consumed, produced, .needsInput)
                }
            }
        }
    }

    /// The next block's size limit and chain, from the block list and block size.
    private func planBlock() {
        blockLimit = options.blockSize
        blockFilters = options.filters
        blockLZMA = options.lzma
        let list = options.blockList
        guard isXZ, !list.isEmpty else { return }
        if itemLeft == 0 && !itemIsRest {
            // The next item; past the end of the list the last one repeats.
            let item = list[min(listPos, list.count - 1)]
            listPos += 1
            itemChain = item.chain
            if item.size == 0 { itemIsRest = true } else { itemLeft = item.size }
        }
        if !itemIsRest { blockLimit = min(itemLeft, options.blockSize ?? .max) }
        if let c = itemChain {
            blockFilters = c.filters
            blockLZMA = c.lzma
        }
    }

    private func startBlock() throws(LZMAError) {
        planBlock()
        dictionaryCode = LZMA2Encoder.dictionarySizeCode(blockLZMA.dictionarySize)
        lzma2 = try LZMA2Encoder(options: blockLZMA, allocator: allocator, feed: feed)
        feed = nil
        if let tracer {
            let filters = blockFilters.map { f -> String in
                if case .delta(let d) = f { return "delta:dist=\(d)" }
                if let s = f.startOffset, s != 0 { return "\(f.name):start=\(s)" }
                return f.name
            }
            var line = raw ? "raw LZMA2" : "block \(records.count + 1)"
            line += ": filters " + (filters + ["lzma2:dict=" + XZBlockHeaderInfo.sizeWithSuffix(blockLZMA.dictionarySize)]).joined(separator: " ")
            if !filters.isEmpty { line += "; the symbols below are LZMA2's input, after the filters" }
            tracer.structure(line)
            lzma2!.tracer = tracer
        }
        chain = blockFilters.isEmpty ? nil : try FilterChain(filters: blockFilters, encoding: true)
        checker.reset()
        blockIn = 0
        blockCompressed = 0
        blockData.removeAll(keepingCapacity: true)
        sourceEnded = false
        stageHead = 0
        stageCount = 0
        if isXZ && !sizesInHeader {
            let h = XZBlockHeader(compressedSize: nil, uncompressedSize: nil, filters: blockFilters,
                                  lzma2Properties: dictionaryCode).encode()
            blockHeaderSize = h.count
            queue += h
        }
        phase = .block
    }

    /// Moves input through the filters and LZMA2; ends the block when its
    /// input has ended and LZMA2 has written its end. LZMA2's output goes
    /// straight to `output` when there is room and it is not held back for
    /// the block header (sizes in the header); else to the queue.
    /// - Returns: input bytes taken, bytes written to `output`, and whether
    ///   anything else happened.
    private func blockStep(_ input: UnsafePointer<UInt8>?, count: Int, finish: Bool,
                           output: UnsafeMutablePointer<UInt8>? = nil, room: Int = 0) throws(LZMAError) -> (Int, Int, Bool) {
        var took = 0
        var progressed = false
        let lz = lzma2!
        let limit = blockLimit.map { $0 - blockIn } ?? UInt64.max
        let direct = !sizesInHeader && room > 0
        let dst = direct ? output! : scratch
        let dstCount = direct ? room : XZCompressor.scratchCapacity
        let r: (consumed: Int, produced: Int, status: CodingStatus)
        if chain == nil {
            // No filters: LZMA2 reads the caller's input where it is (no
            // copy through the stage).
            let n = Int(min(UInt64(count), limit))
            let last = UInt64(n) == limit || finish
            r = lz.code(input, inCount: n, dst, outCount: dstCount, finish: last)
            if r.consumed > 0 {
                checker.update(input!, count: r.consumed)
                took = r.consumed
                blockIn += UInt64(took)
                totalIn += UInt64(took)
            }
            if last && r.consumed == n { sourceEnded = true }
        } else {
            // 1. Refill the stage when it is empty.
            if stageHead == stageCount && !sourceEnded {
                stageHead = 0
                stageCount = 0
                let source = { (dst: UnsafeMutableBufferPointer<UInt8>) -> (written: Int, ended: Bool) in
                    let n = Int(min(UInt64(min(dst.count, count - took)), limit - UInt64(took)))
                    if n > 0 {
                        dst.baseAddress!.update(from: input! + took, count: n)
                        self.checker.update(input! + took, count: n)
                        took += n
                    }
                    let ended = UInt64(took) == limit || (finish && took == count)
                    return (n, ended)
                }
                let f = chain!.run(output: UnsafeMutableBufferPointer(start: stage, count: XZCompressor.stageCapacity), source: source)
                stageCount = f.produced
                if f.finished { sourceEnded = true }
                blockIn += UInt64(took)
                totalIn += UInt64(took)
                if stageCount > 0 || sourceEnded { progressed = true }
            }
            // 2. Feed LZMA2 from the stage.
            r = lz.code(stage + stageHead, inCount: stageCount - stageHead, dst, outCount: dstCount, finish: sourceEnded)
            stageHead += r.consumed
        }
        var written = 0
        if r.produced > 0 {
            if direct {
                written = r.produced
            } else {
                let bytes = UnsafeBufferPointer(start: scratch, count: r.produced)
                if sizesInHeader { blockData += bytes } else { queue += bytes }
            }
            blockCompressed += UInt64(r.produced)
        }
        if r.consumed > 0 || r.produced > 0 { progressed = true }
        if r.status == .streamEnd {
            endBlock()
            return (took, written, true)
        }
        return (took, written, progressed)
    }

    /// Writes the rest of the block (header and data when buffered, padding,
    /// check) and records it for the index.
    private func endBlock() {
        lzma2 = nil
        chain = nil
        phase = .idle
        if !itemIsRest && !options.blockList.isEmpty { itemLeft -= blockIn }
        guard isXZ else {
            phase = .done
            return
        }
        if sizesInHeader {
            let h = XZBlockHeader(compressedSize: blockCompressed, uncompressedSize: blockIn, filters: blockFilters,
                                  lzma2Properties: dictionaryCode).encode(minimumSize: reservedHeaderSize)
            blockHeaderSize = h.count
            queue += h
            queue += blockData
            blockData.removeAll(keepingCapacity: true)
        }
        let unpaddedNoCheck = UInt64(blockHeaderSize) + blockCompressed
        queue += [UInt8](repeating: 0, count: Int((4 - unpaddedNoCheck % 4) % 4))
        queue += checker.finalize()
        records.append((unpaddedNoCheck + UInt64(options.check.size), blockIn))
    }

    /// liblzma's `lzma_block_buffer_bound64`: the most a block of `size`
    /// bytes can take (LZMA2 in stored chunks of 64 KiB with 3-byte headers,
    /// an end byte, block padding, and room for the largest header and check).
    static func compressedBound(_ size: UInt64) -> UInt64 {
        let lzma2 = size + (size + 0xFFFF) / 0x10000 * 3 + 1
        let largestHeaderAndCheck: UInt64 = (1024 + 64 + 3) & ~3
        return largestHeaderAndCheck + ((lzma2 + 3) & ~3)
    }

    private func finishStream() {
        let index = XZIndexEncoder.encode(records)
        queue += index
        queue += XZStreamHeader.encodeFooter(check: options.check, indexSize: UInt64(index.count))
        phase = .done
    }
}

// MARK: - One block on its own (for the parallel compressor)

/// One complete block of the multithreaded `.xz` format: header (with both
/// sizes, padded to the room xz reserves), LZMA2 data, padding and check; and
/// its Index record.
struct XZEncodedBlock: Sendable {
    var bytes: [UInt8]
    var unpaddedSize: UInt64
    var uncompressedSize: UInt64
}

extension XZCompressor {
    /// Encodes `input` as one block of a stream written with `options`
    /// (which must have `sizesInBlockHeaders`, `.xz` and a block size of at
    /// least `input.count`): exactly the bytes this compressor writes for a
    /// block with that content, so blocks encoded separately and joined in
    /// order, between a stream header and an Index of their records, are
    /// this compressor's output.
    /// - Throws: `LZMAError.invalidOptions` (see ``CompressionOptions/validate(for:)``).
    /// - Complexity: O(input); allocates one LZMA encoder, freed on return.
    static func encodeBlock(_ input: UnsafeBufferPointer<UInt8>, options: CompressionOptions,
                            allocator: LZMAAllocator) throws(LZMAError) -> XZEncodedBlock {
        let c = try blockEncoder(for: input, options: options, allocator: allocator, feed: nil)
        var took = 0
        while c.phase == .block {
            let (n, _, progressed) = try c.blockStep(input.baseAddress.map { $0 + took }, count: input.count - took, finish: true)
            took += n
            if !progressed && n == 0 && c.phase == .block {
                throw LZMAError.programmingError("block encoder made no progress")
            }
        }
        return c.encodedBlock
    }

    /// A compressor in the middle of the one block `input` makes.
    private static func blockEncoder(for input: UnsafeBufferPointer<UInt8>, options: CompressionOptions,
                                     allocator: LZMAAllocator, feed: MatchFeed?) throws(LZMAError) -> XZCompressor {
        precondition(options.sizesInBlockHeaders
                     && UInt64(input.count) <= options.blockSize ?? UInt64.max, "encodeBlock: not a block of the multithreaded format")
        let c = try XZCompressor(options: options, allocator: allocator, feed: feed)
        c.phase = .idle
        try c.startBlock()
        return c
    }

    /// The block written, once `phase` has left `.block`.
    private var encodedBlock: XZEncodedBlock {
        let record = records[0]
        return XZEncodedBlock(bytes: queue, unpaddedSize: record.unpadded, uncompressedSize: record.uncompressed)
    }

    #if !hasFeature(Embedded)
    /// `encodeBlock` with the match finder on a task of its own (see
    /// `MatchFeed`): the same bytes, in about the time of the slower of the
    /// two halves.
    @available(macOS 15.0, iOS 18.0, tvOS 18.0, watchOS 11.0, visionOS 2.0, *)
    static func encodeBlockWithFinderThread(_ input: UnsafeBufferPointer<UInt8>, options: CompressionOptions,
                                            allocator: LZMAAllocator) async throws(LZMAError) -> XZEncodedBlock {
        let feed = MatchFeed(settings: options.lzma)
        let c = try blockEncoder(for: input, options: options, allocator: allocator, feed: feed)
        let settings = options.lzma
        Task.detached { await feed.runFinder(settings: settings, allocator: allocator) }
        defer { feed.cancel() }
        var took = 0
        while c.phase == .block {
            let (n, _, progressed) = try c.blockStep(input.baseAddress.map { $0 + took }, count: input.count - took, finish: true)
            took += n
            await feed.encoderStepped()
            if !progressed && n == 0 && c.phase == .block {
                await feed.waitForFinder(forInput: took < input.count)
            }
        }
        return c.encodedBlock
    }
    #endif

    /// The stream header these options write.
    static func streamHeader(_ options: CompressionOptions) -> [UInt8] {
        XZStreamHeader.encodeHeader(check: options.check)
    }

    /// The Index and stream footer after blocks with these records.
    static func streamEnd(_ options: CompressionOptions, records: [(unpadded: UInt64, uncompressed: UInt64)]) -> [UInt8] {
        let index = XZIndexEncoder.encode(records)
        return index + XZStreamHeader.encodeFooter(check: options.check, indexSize: UInt64(index.count))
    }
}
