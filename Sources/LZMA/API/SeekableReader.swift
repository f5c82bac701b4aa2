/// Random access to the uncompressed bytes of a compressed file: read any
/// range without decoding everything before it.
///
/// For a `.xz` file with several blocks (what `xz -T2`, `xz --block-size`
/// and ``CompressionOptions/blockSize`` write), the reader loads every
/// stream's index from the end of the file, finds the block that holds an
/// offset by binary search, decodes from that block's start, skips to the
/// offset, and keeps the block's decoder, so that reading on from there (a
/// forward seek within the block included) does not start again. Reads
/// that span blocks continue into the next block. Blocks are decoded by the
/// same one-block decoder as ``ParallelXZDecompressor`` uses, with the same
/// checks and error messages (block numbers, file offsets).
///
/// Anything else — `.lzma`, `.lz`, a single-block `.xz` — has no index to
/// seek with: the reader decodes **sequentially** from the start, keeping
/// its position, and a backward seek starts over. ``isSequential`` says which.
///
/// ```swift
/// let reader = try LZMASeekableReader(fileBytes)          // any RandomAccessByteSource
/// let member = try reader.read(at: 1_048_576, count: 4096)
/// ```
///
/// **Integrity**: a block's check (CRC32/CRC64/SHA-256) is verified when the
/// block is decoded to its end, and so is the block's agreement with its
/// index record (Unpadded and Uncompressed Size). A read that stops inside a
/// block has not seen the block's check yet, so its bytes are unverified
/// until a later read reaches the block's end (``verifiedBlocks`` counts
/// them). The index, stream headers, footers and stream padding are
/// verified when the reader is created.
///
/// **Memory**: 16 bytes per block for the index, as XZ for Java counts it
/// (plus O(streams)); it counts against ``DecompressionOptions/memoryLimit``,
/// and each block decoder gets what the index leaves of the limit (a
/// `memoryLimitExceeded` then gives the block's need plus the index's). One block
/// decoder at a time, a 64 KiB output buffer and 64 KiB input reads. A
/// hostile index (record counts, sizes that overflow or do not fit the file)
/// is rejected while the index is read, before anything is allocated for it.
///
/// **Thread safety**: single-owner (not `Sendable`), as the decompressor.
public final class LZMASeekableReader<Source: RandomAccessByteSource> {
    /// The source of compressed bytes.
    public let source: Source
    /// The options for every decoder the reader makes (`memoryLimit`,
    /// `ignoreCheck`; `concatenated` is implied).
    public let options: DecompressionOptions
    /// The uncompressed size of the whole file, when known up front (every
    /// `.xz` file; a `.lzma` file with a known size); nil otherwise.
    public let uncompressedSize: UInt64?
    /// True when the reader decodes from the start instead of seeking by blocks.
    public let isSequential: Bool
    /// The position of the next ``read(count:)``.
    public private(set) var position: UInt64 = 0
    /// Blocks (or, sequentially, whole decodes from the start) begun so far:
    /// a forward-only sequence of reads begins each block once.
    public private(set) var blocksStarted = 0
    /// Blocks decoded to their end, with their check verified.
    public private(set) var verifiedBlocks = 0

    /// The number of `.xz` blocks the reader seeks among (0 when ``isSequential``).
    public var blockCount: Int { compressedStarts.count }
    /// The number of `.xz` streams (0 when ``isSequential``).
    public var streamCount: Int { streams.count }

    // The index, 16 bytes a block: where each block starts, compressed (the
    // offset is a multiple of 4; its low 2 bits hold the Unpadded Size's) and
    // not (one more entry: the end of the data).
    private var compressedStarts: [UInt64] = []
    private var uncompressedStarts: [UInt64] = []
    private struct Stream {
        var firstBlock: Int
        /// Where its index starts: the end of its last block.
        var indexStart: UInt64
        var checkID: UInt8
    }
    private var streams: [Stream] = []
    /// What the memory limit leaves each block decoder after the index.
    private let blockMemoryLimit: UInt64?
    /// What the index costs (16 bytes a block).
    private var indexCost: UInt64 = 0

    // The current decoder.
    private enum Decoder {
        case block(XZDecoder)
        case whole(LZMADecompressor)
    }
    private var decoder: Decoder?
    private var block = -1
    /// Uncompressed position the current decoder has reached.
    private var decodedTo: UInt64 = 0
    /// Where the current block's uncompressed data ends (`.max` sequentially).
    private var blockEnd: UInt64 = 0
    /// Next compressed byte to feed it, and the end of what it may be fed.
    private var feedAt: UInt64 = 0
    private var feedEnd: UInt64 = 0
    private var inBuffer: [UInt8] = []
    private var inPos = 0
    private let scratch: UnsafeMutablePointer<UInt8>
    private static var chunk: Int { 1 << 16 }

    /// Opens `source`.
    /// - Throws: `LZMAError` for a damaged `.xz` index, stream header, footer
    ///   or stream padding (from ``XZFileInfo``), `.unknownFormat`,
    ///   `.memoryLimitExceeded` when the index alone (16 bytes a block)
    ///   exceeds the limit, `readFailed`.
    /// - Complexity: `.xz`: reads O(streams × 24 + 2 × index sizes) bytes from
    ///   the end; memory 16 bytes a block.
    public init(_ source: Source, options: DecompressionOptions = DecompressionOptions()) throws(LZMAError) {
        self.source = source
        var opts = options
        opts.concatenated = true
        self.options = opts
        let head = try source.read(at: 0, count: 1)
        var blockLimit = options.memoryLimit
        if head.first == 0xFD {
            let read = { (offset: UInt64, count: Int) throws(LZMAError) -> [UInt8] in
                try source.read(at: offset, count: count)
            }
            // First the totals, in O(streams) memory, so that the index's
            // cost is known (and refused) before anything is kept per block.
            let info = try XZFileInfo(fileSize: source.byteCount, includeBlocks: false, read: read)
            let (indexBytes, overflow) = info.blockCount.multipliedReportingOverflow(by: 16)
            if let limit = options.memoryLimit, overflow || indexBytes > limit {
                throw LZMAError.memoryLimitExceeded(required: overflow ? .max : indexBytes, limit: limit)
            }
            blockLimit = options.memoryLimit.map { $0 - indexBytes }
            indexCost = indexBytes
            uncompressedSize = info.uncompressedSize
            isSequential = info.blockCount <= 1
            if !isSequential {
                // The records, stream by stream, read again in 4 KiB pieces.
                guard let count = Int(exactly: info.blockCount), count < Int.max / 16 else {
                    throw LZMAError.memoryLimitExceeded(required: indexBytes, limit: UInt64(Int.max))
                }
                compressedStarts.reserveCapacity(count)
                uncompressedStarts.reserveCapacity(count + 1)
                streams.reserveCapacity(info.streams.count)
                var walker = XZBlockWalker(info)
                while let b = try walker.next(read: read) {
                    let s = info.streams[walker.streamIndex]
                    if walker.streamIndex == streams.count {
                        streams.append(Stream(firstBlock: compressedStarts.count,
                                              indexStart: s.compressedOffset + s.compressedSize
                                                  - UInt64(XZStreamHeader.size) - s.indexSize,
                                              checkID: s.checkID))
                    }
                    guard b.compressedOffset & 3 == 0 else {
                        throw LZMAError.corruptData("block \(b.numberInFile) starts at an offset that is not a multiple of 4",
                                                    offset: b.compressedOffset)
                    }
                    compressedStarts.append(b.compressedOffset | (b.unpaddedSize & 3))
                    uncompressedStarts.append(b.uncompressedOffset)
                }
                guard compressedStarts.count == count else {
                    throw LZMAError.corruptData("the indexes changed while they were read", offset: info.fileSize)
                }
                // One past the last block: the end of the data.
                uncompressedStarts.append(info.uncompressedSize)
            }
        } else {
            let info = try LZMAFileInfo(source)
            uncompressedSize = info.uncompressedSize
            isSequential = true
        }
        blockMemoryLimit = blockLimit
        scratch = .allocate(capacity: Self.chunk)
    }

    deinit { scratch.deallocate() }

    /// The block (from 0, in file order) whose uncompressed bytes include
    /// `offset`; nil when ``isSequential`` or `offset` is past the end.
    /// - Complexity: O(log blocks).
    public func blockIndex(holding offset: UInt64) -> Int? {
        guard !isSequential, let size = uncompressedSize, offset < size else { return nil }
        var lo = 0, hi = compressedStarts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if uncompressedStarts[mid] <= offset { lo = mid } else { hi = mid - 1 }
        }
        return lo
    }

    /// Block `index` (from 0, in file order; `0..<blockCount`) as its
    /// stream's index records it, placed in the file, with its stream's check.
    /// - Complexity: O(log streams).
    public func blockInfo(_ index: Int) -> (block: XZBlockInfo, check: XZCheck?) {
        let s = streamIndex(ofBlock: index)
        let (from, to) = compressedSpan(ofBlock: index, stream: s)
        let packed = compressedStarts[index]
        let info = XZBlockInfo(numberInStream: UInt64(index - streams[s].firstBlock + 1), numberInFile: UInt64(index + 1),
                               compressedOffset: from, uncompressedOffset: uncompressedStarts[index],
                               unpaddedSize: to - from - ((4 - (packed & 3)) & 3),
                               uncompressedSize: uncompressedStarts[index + 1] - uncompressedStarts[index])
        return (info, XZCheck(rawValue: streams[s].checkID))
    }

    /// The stream (an index into `streams`) of block `index`.
    private func streamIndex(ofBlock index: Int) -> Int {
        var lo = 0, hi = streams.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if streams[mid].firstBlock <= index { lo = mid } else { hi = mid - 1 }
        }
        return lo
    }

    /// Where block `index` (of stream `s`) starts in the file, and where the
    /// next block (or the stream's index) starts.
    private func compressedSpan(ofBlock index: Int, stream s: Int) -> (from: UInt64, to: UInt64) {
        let from = compressedStarts[index] & ~3
        let lastInStream = index + 1 == compressedStarts.count || (s + 1 < streams.count && streams[s + 1].firstBlock == index + 1)
        return (from, lastInStream ? streams[s].indexStart : compressedStarts[index + 1] & ~3)
    }

    /// Moves the position for the next ``read(count:)``. Seeking is free;
    /// the work happens at the next read.
    public func seek(to offset: UInt64) { position = offset }

    /// Reads up to `count` bytes at ``position`` and advances it; fewer bytes
    /// only at the end of the data.
    /// - Throws: `LZMAError` for damaged data in the blocks read.
    public func read(count: Int) throws(LZMAError) -> [UInt8] {
        let out = try read(at: position, count: count)
        position &+= UInt64(out.count)
        return out
    }

    /// Reads up to `count` bytes starting at uncompressed `offset`; fewer
    /// only at the end of the data. Does not move ``position``.
    /// - Throws: `LZMAError` for damaged data in the blocks read: a bad
    ///   block, a check mismatch (for blocks read to their end), a block that
    ///   disagrees with its index record (`corruptData`).
    /// - Complexity: decodes from the start of the block holding `offset`
    ///   (or continues the current block when `offset` is at or after where it
    ///   stands) up to `offset + count`.
    public func read(at offset: UInt64, count: Int) throws(LZMAError) -> [UInt8] {
        var out: [UInt8] = []
        guard count > 0 else { return out }
        if let size = uncompressedSize, offset >= size { return out }
        var at = offset
        var want = count
        do throws(LZMAError) {
            while want > 0 {
                if let size = uncompressedSize, at >= size { break }
                try prepare(for: at)
                let got = try produce(skipTo: at, take: want, into: &out)
                if got == 0 {
                    if isSequential { break }   // the end of the data
                    continue                    // the block ended: `prepare` opens the next
                }
                at &+= UInt64(got)
                want -= got
            }
        } catch {
            // A failed decoder is not reused: the next read starts afresh.
            decoder = nil
            block = -1
            throw error
        }
        return out
    }

    /// Makes the decoder stand at or before `offset`, in the block holding it.
    private func prepare(for offset: UInt64) throws(LZMAError) {
        if isSequential {
            if decoder == nil || decodedTo > offset {
                decoder = .whole(LZMADecompressor(format: .auto, options: options))
                start(block: 0, from: 0, to: source.byteCount, uncompressed: 0, end: .max)
            }
            return
        }
        let target = blockIndex(holding: offset)!
        if decoder != nil && block == target && decodedTo <= offset { return }
        let stream = streamIndex(ofBlock: target)
        let s = streams[stream]
        let (from, to) = compressedSpan(ofBlock: target, stream: stream)
        decoder = .block(XZDecoder.oneBlock(checkID: s.checkID, blockNumber: UInt64(target - s.firstBlock + 1), offset: from,
                                            memoryLimit: blockMemoryLimit, ignoreCheck: options.ignoreCheck))
        start(block: target, from: from, to: to, uncompressed: uncompressedStarts[target], end: uncompressedStarts[target + 1])
    }

    private func start(block b: Int, from: UInt64, to: UInt64, uncompressed: UInt64, end: UInt64) {
        block = b
        blocksStarted += 1
        decodedTo = uncompressed
        blockEnd = end
        feedAt = from
        feedEnd = to
        inBuffer = []
        inPos = 0
    }

    /// One call of the current decoder on the input at hand, into `scratch`.
    private func code(room: Int) throws(LZMAError) -> (consumed: Int, produced: Int, status: CodingStatus) {
        if inPos == inBuffer.count && feedAt < feedEnd {
            let n = Int(min(UInt64(Self.chunk), feedEnd - feedAt))
            inBuffer = try source.read(at: feedAt, count: n)
            inPos = 0
            guard !inBuffer.isEmpty else { throw LZMAError.truncatedInput("the file ends inside a block", offset: feedAt) }
            feedAt &+= UInt64(inBuffer.count)
        }
        let at = inPos, scratch = self.scratch
        let r = try inBuffer.withUnsafeBufferPointer { (p) throws(LZMAError) -> (consumed: Int, produced: Int, status: CodingStatus) in
            switch decoder! {
            case .block(let d):
                do throws(LZMAError) {
                    return try d.code(p.baseAddress.map { $0 + at }, inCount: p.count - at, scratch, outCount: room)
                } catch {
                    // The need and the limit as the caller sees them: the index's share included.
                    if case .memoryLimitExceeded(let required, _) = error, let limit = options.memoryLimit {
                        throw LZMAError.memoryLimitExceeded(required: required &+ indexCost, limit: limit)
                    }
                    throw error
                }
            case .whole(let d):
                return try d.decode(input: UnsafeBufferPointer(rebasing: p[at...]),
                                    output: UnsafeMutableBufferPointer(start: scratch, count: room))
            }
        }
        inPos += r.consumed
        return r
    }

    /// True when every byte the decoder may be fed has been fed.
    private var inputDone: Bool { inPos == inBuffer.count && feedAt >= feedEnd }

    /// Decodes from the current decoder: drops what comes before `target`,
    /// appends up to `take` bytes to `out`; returns how many it appended (0:
    /// the block, or sequentially the data, ended).
    private func produce(skipTo target: UInt64, take: Int, into out: inout [UInt8]) throws(LZMAError) -> Int {
        var appended = 0
        while appended < take {
            if decodedTo >= blockEnd {
                try finishBlock()
                break
            }
            let skipping = decodedTo < target
            let wanted = skipping ? target - decodedTo : UInt64(take - appended)
            let room = Int(min(UInt64(Self.chunk), wanted, blockEnd - decodedTo))
            let r = try code(room: room)
            if r.produced > 0 {
                let base = decodedTo
                decodedTo &+= UInt64(r.produced)
                if decodedTo > target {
                    let drop = base < target ? Int(target - base) : 0
                    out.append(contentsOf: UnsafeBufferPointer(start: scratch + drop, count: r.produced - drop))
                    appended += r.produced - drop
                }
                continue
            }
            if r.status != .streamEnd && r.consumed == 0 && !inputDone {
                // The decoders' contract rules this out; never spin on it.
                throw LZMAError.programmingError("a decoder made no progress")
            }
            if r.status == .streamEnd || (r.consumed == 0 && inputDone) {
                if case .whole(let d) = decoder! {
                    // The end of the data: it must be a proper end.
                    if r.status != .streamEnd { try d.finish() }
                    decoder = nil
                    break
                }
                if r.status == .streamEnd {
                    throw LZMAError.corruptData("block \(block + 1) ends before the uncompressed size its index records",
                                                offset: feedAt - UInt64(inBuffer.count - inPos))
                }
                throw LZMAError.corruptData("block \(block + 1) goes on past the end its index records", offset: feedEnd)
            }
        }
        if decoder != nil && decodedTo >= blockEnd { try finishBlock() }
        return appended
    }

    /// Feeds the block's remaining bytes (padding and check): the check is
    /// verified, and the block's record compared with the index's.
    private func finishBlock() throws(LZMAError) {
        guard case .block(let d) = decoder! else { return }
        while true {
            let r = try code(room: 1)
            if r.produced > 0 {
                throw LZMAError.corruptData("block \(block + 1) holds more data than its index records", offset: feedAt)
            }
            if r.status == .streamEnd { break }
            if r.consumed == 0 {
                guard inputDone else { throw LZMAError.programmingError("a decoder made no progress") }
                throw LZMAError.corruptData("block \(block + 1) goes on past the end its index records", offset: feedEnd)
            }
        }
        let packed = compressedStarts[block]
        let totalSize = feedEnd - (packed & ~3)
        let record = d.decodedBlockRecord
        guard let record, inputDone, (record.unpadded &+ 3) & ~3 == totalSize, record.unpadded & 3 == packed & 3,
              record.uncompressed == uncompressedStarts[block + 1] - uncompressedStarts[block] else {
            let unpadded = record.map { "\($0.unpadded)" } ?? "?", size = record.map { "\($0.uncompressed)" } ?? "?"
            let indexUnpadded = totalSize - ((4 - (packed & 3)) & 3)
            throw LZMAError.corruptData("block \(block + 1) differs from its index record (unpadded size \(unpadded), "
                                        + "uncompressed size \(size); the index: \(indexUnpadded), "
                                        + "\(uncompressedStarts[block + 1] - uncompressedStarts[block]))", offset: packed & ~3)
        }
        verifiedBlocks += 1
        decoder = nil
        block = -1
    }
}
