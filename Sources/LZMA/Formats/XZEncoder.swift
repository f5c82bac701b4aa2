/// Settings for writing `.xz` (or raw LZMA2) data.
public struct XZEncoderOptions: Sendable, Hashable {
    /// What to write around the LZMA2 data.
    public enum Container: Sendable, Hashable {
        /// A complete `.xz` stream (header, blocks, index, footer).
        case xz
        /// Only the LZMA2 data (xz `--format=raw`); `check` and `blockSize`
        /// do not apply. The decoder must be told the filters and the
        /// dictionary size.
        case rawLZMA2
    }

    /// The LZMA settings (lc + lp must be at most 4 for LZMA2).
    public var lzma: LZMAEncoderOptions
    /// The integrity check of each block. xz's default is CRC64.
    public var check: XZCheck
    /// Filters run before LZMA2 (Delta, BCJ), at most 3, in the order xz's
    /// command line gives them.
    public var filters: [XZFilter]
    /// Start a new block every this many uncompressed bytes (xz's
    /// `--block-size`). nil = one block.
    public var blockSize: UInt64?
    /// Record each block's compressed and uncompressed sizes in its header,
    /// as xz's multithreaded encoder (`-T0`, `-T2`...) does; a decoder can
    /// then split the work. Costs buffering one block's compressed data
    /// before it is written. false (the default): headers without sizes,
    /// output written as it is produced, as single-threaded xz (`-T1`) does.
    public var sizesInBlockHeaders: Bool
    public var container: Container

    /// - Parameters: see the properties. Defaults: xz's preset 6, CRC64, no
    ///   filters, one block, `.xz`.
    public init(lzma: LZMAEncoderOptions = LZMAEncoderOptions(), check: XZCheck = .crc64,
                filters: [XZFilter] = [], blockSize: UInt64? = nil, sizesInBlockHeaders: Bool = false,
                container: Container = .xz) {
        self.lzma = lzma
        self.check = check
        self.filters = filters
        self.blockSize = blockSize
        self.sizesInBlockHeaders = sizesInBlockHeaders
        self.container = container
    }

    /// Checks everything that can be checked before encoding.
    /// - Throws: `LZMAError.invalidOptions` for invalid LZMA settings, lc + lp > 4,
    ///   more than 3 filters or invalid filter values, or a block size of 0.
    public func validate() throws(LZMAError) {
        try lzma.validate(forLZMAAlone: false)
        guard lzma.lc + lzma.lp <= 4 else {
            throw LZMAError.invalidOptions("LZMA2 needs lc + lp <= 4 (lc=\(lzma.lc), lp=\(lzma.lp))")
        }
        guard filters.count <= 3 else {
            throw LZMAError.invalidOptions("at most 3 filters may precede LZMA2, got \(filters.count)")
        }
        for f in filters { try f.validate() }
        if let b = blockSize, b == 0 || b > VLI.max {
            throw LZMAError.invalidOptions("block size \(b) is out of range")
        }
    }
}

/// A streaming `.xz` (or raw LZMA2) compressor, fed input in chunks of any
/// size; the output does not depend on the chunking.
///
/// The output is byte-for-byte what xz 5.4 writes with the same settings
/// (`xz -T1`; with ``XZEncoderOptions/sizesInBlockHeaders``, what
/// multithreaded xz writes), because the LZMA encoder and the LZMA2 chunking
/// follow xz's.
///
/// Memory: the LZMA encoder's (see `LZMACompressor.memoryUsage(_:)`), about
/// 200 KiB of buffers, and with sizes in block headers one block's
/// compressed data.
public final class XZCompressor: BufferedEncoding {
    public let options: XZEncoderOptions

    private enum Phase { case streamHeader, idle, block, done }
    private var phase = Phase.streamHeader
    private var failure: LZMAError?

    /// Output waiting to be handed out.
    private var queue: [UInt8] = []
    private var queueHead = 0

    // The current block.
    private var lzma2: LZMA2Encoder?
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
    private static let stageCapacity = 1 << 16
    private let scratch: UnsafeMutablePointer<UInt8>
    private static let scratchCapacity = 1 << 16

    /// Index records of the blocks written.
    private var records: [(unpadded: UInt64, uncompressed: UInt64)] = []
    /// Uncompressed bytes taken so far.
    public private(set) var totalIn: UInt64 = 0

    /// Where the LZMA encoder's large tables come from (see ``LZMAAllocator``).
    public let allocator: LZMAAllocator

    /// The LZMA2 properties byte of every block header.
    private let dictionaryCode: UInt8
    /// With sizes in block headers: the header size xz's multithreaded
    /// encoder reserves before a block is encoded, for the largest sizes a
    /// block of `blockSize` bytes can have; each header is padded to it.
    private let reservedHeaderSize: Int

    /// Creates a compressor; the stream header is written with the first output.
    /// - Parameter allocator: supplies the match finder's tables; pass one
    ///   backed by `calloc` to keep untouched pages non-resident.
    /// - Throws: `LZMAError.invalidOptions` (see ``XZEncoderOptions/validate()``).
    /// - Complexity: allocates the LZMA encoder for each block (lazily).
    public init(options: XZEncoderOptions = XZEncoderOptions(), allocator: LZMAAllocator = .standard) throws(LZMAError) {
        try options.validate()
        self.options = options
        self.allocator = allocator
        checker = CheckCalculator(options.container == .xz ? options.check : .none)
        let code = LZMA2Encoder.dictionarySizeCode(options.lzma.dictionarySize)
        dictionaryCode = code
        reservedHeaderSize = options.blockSize.map {
            XZBlockHeader(compressedSize: XZCompressor.compressedBound($0), uncompressedSize: $0,
                          filters: options.filters, lzma2Properties: code).headerSize
        } ?? 0
        stage = .allocate(capacity: XZCompressor.stageCapacity)
        scratch = .allocate(capacity: XZCompressor.scratchCapacity)
        if options.container == .rawLZMA2 { phase = .idle }
    }

    deinit {
        stage.deallocate()
        scratch.deallocate()
    }

    private var isXZ: Bool { options.container == .xz }
    private var sizesInHeader: Bool { isXZ && options.sizesInBlockHeaders }

    /// Compresses like liblzma's `lzma_code`: consumes input, writes at most
    /// `output.count` bytes. With `finish` and all input consumed it ends the
    /// stream; `.streamEnd` once the last byte has been written.
    /// - Throws: `LZMAError.programmingError` for input after finishing.
    ///   After a throw the compressor stays failed.
    public func encode(input: UnsafeBufferPointer<UInt8>, output: UnsafeMutableBufferPointer<UInt8>,
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
                let (took, progressed) = try blockStep(input.baseAddress.map { $0 + consumed }, count: input.count - consumed,
                                                       finish: finish)
                consumed += took
                if !progressed && took == 0 && queueHead == queue.count {
                    return (consumed, produced, .needsInput)
                }
            }
        }
    }

    private func startBlock() throws(LZMAError) {
        lzma2 = try LZMA2Encoder(options: options.lzma, allocator: allocator)
        chain = options.filters.isEmpty ? nil : try FilterChain(filters: options.filters, encoding: true)
        checker.reset()
        blockIn = 0
        blockCompressed = 0
        blockData.removeAll(keepingCapacity: true)
        sourceEnded = false
        stageHead = 0
        stageCount = 0
        if isXZ && !sizesInHeader {
            let h = XZBlockHeader(compressedSize: nil, uncompressedSize: nil, filters: options.filters,
                                  lzma2Properties: dictionaryCode).encode()
            blockHeaderSize = h.count
            queue += h
        }
        phase = .block
    }

    /// Moves input through the filters and LZMA2; ends the block when its
    /// input has ended and LZMA2 has written its end.
    /// - Returns: input bytes taken, and whether anything else happened.
    private func blockStep(_ input: UnsafePointer<UInt8>?, count: Int, finish: Bool) throws(LZMAError) -> (Int, Bool) {
        var took = 0
        var progressed = false
        // 1. Refill the stage when it is empty.
        if stageHead == stageCount && !sourceEnded {
            stageHead = 0
            stageCount = 0
            let limit = options.blockSize.map { $0 - blockIn } ?? UInt64.max
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
            if let chain {
                let r = chain.run(output: UnsafeMutableBufferPointer(start: stage, count: XZCompressor.stageCapacity), source: source)
                stageCount = r.produced
                if r.finished { sourceEnded = true }
            } else {
                let r = source(UnsafeMutableBufferPointer(start: stage, count: XZCompressor.stageCapacity))
                stageCount = r.written
                if r.ended { sourceEnded = true }
            }
            blockIn += UInt64(took)
            totalIn += UInt64(took)
            if stageCount > 0 || sourceEnded { progressed = true }
        }
        // 2. Feed LZMA2 and collect what it writes.
        let lz = lzma2!
        let r = lz.code(stage + stageHead, inCount: stageCount - stageHead, scratch, outCount: XZCompressor.scratchCapacity,
                        finish: sourceEnded && true)
        stageHead += r.consumed
        if r.produced > 0 {
            let bytes = UnsafeBufferPointer(start: scratch, count: r.produced)
            if sizesInHeader { blockData += bytes } else { queue += bytes }
            blockCompressed += UInt64(r.produced)
        }
        if r.consumed > 0 || r.produced > 0 { progressed = true }
        if r.status == .streamEnd {
            endBlock()
            return (took, true)
        }
        return (took, progressed)
    }

    /// Writes the rest of the block (header and data when buffered, padding,
    /// check) and records it for the index.
    private func endBlock() {
        lzma2 = nil
        chain = nil
        phase = .idle
        guard isXZ else {
            phase = .done
            return
        }
        if sizesInHeader {
            let h = XZBlockHeader(compressedSize: blockCompressed, uncompressedSize: blockIn, filters: options.filters,
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

    /// Feeds `data` and returns the compressed bytes ready so far.
    /// - Throws: as ``encode(input:output:finish:)``.
    public func compress<C: Collection>(_ data: C) throws(LZMAError) -> [UInt8] where C.Element == UInt8 {
        try encodeAll(data, finish: false)
    }

    /// Ends the stream and returns the remaining compressed bytes.
    public func finish() throws(LZMAError) -> [UInt8] {
        try encodeAll(EmptyCollection<UInt8>(), finish: true)
    }

    /// Compresses `data` in one call.
    /// - Throws: `LZMAError.invalidOptions` for bad options.
    public static func compress<C: Collection>(_ data: C, options: XZEncoderOptions = XZEncoderOptions()) throws(LZMAError) -> [UInt8]
        where C.Element == UInt8 {
        let c = try XZCompressor(options: options)
        var out = try c.compress(data)
        out += try c.finish()
        return out
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
    /// - Throws: `LZMAError.invalidOptions` (see ``XZEncoderOptions/validate()``).
    /// - Complexity: O(input); allocates one LZMA encoder, freed on return.
    static func encodeBlock(_ input: UnsafeBufferPointer<UInt8>, options: XZEncoderOptions,
                            allocator: LZMAAllocator) throws(LZMAError) -> XZEncodedBlock {
        precondition(options.container == .xz && options.sizesInBlockHeaders
                     && UInt64(input.count) <= options.blockSize ?? UInt64.max, "encodeBlock: not a block of the multithreaded format")
        let c = try XZCompressor(options: options, allocator: allocator)
        c.phase = .idle
        try c.startBlock()
        var took = 0
        while c.phase == .block {
            let (n, progressed) = try c.blockStep(input.baseAddress.map { $0 + took }, count: input.count - took, finish: true)
            took += n
            if !progressed && n == 0 && c.phase == .block {
                throw LZMAError.programmingError("block encoder made no progress")
            }
        }
        let record = c.records[0]
        return XZEncodedBlock(bytes: c.queue, unpaddedSize: record.unpadded, uncompressedSize: record.uncompressed)
    }

    /// The stream header these options write.
    static func streamHeader(_ options: XZEncoderOptions) -> [UInt8] {
        XZStreamHeader.encodeHeader(check: options.check)
    }

    /// The Index and stream footer after blocks with these records.
    static func streamEnd(_ options: XZEncoderOptions, records: [(unpadded: UInt64, uncompressed: UInt64)]) -> [UInt8] {
        let index = XZIndexEncoder.encode(records)
        return index + XZStreamHeader.encodeFooter(check: options.check, indexSize: UInt64(index.count))
    }
}
