/// Random access to the uncompressed bytes of a compressed file: read any
/// range without decoding everything before it.
///
/// For a `.xz` file with several blocks (what `xz -T2`, `xz --block-size`
/// and ``CompressionOptions/blockSize`` write), the reader loads every
/// stream's index from the end of the file, finds the block that holds an
/// offset by binary search, decodes from that block's start, skips to the
/// offset, and keeps the block's decoder, so that reading on from there (a
/// forward seek within the block included) does not start again. Reads
/// that span blocks continue into the next block.
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
/// block is decoded to its end. A read that stops inside a block has not
/// seen the block's check yet, so its bytes are unverified until a later
/// read reaches the block's end (``verifiedBlocks`` counts them). The index,
/// stream headers and footers are verified when the reader is created.
///
/// **Memory**: about 20 bytes per block for the index (16 counted against
/// ``DecompressionOptions/memoryLimit`` with the block decoder, as XZ for
/// Java counts it), one block decoder at a time, and a 64 KiB read buffer.
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

    // The index, 16 bytes a block: where each block starts, compressed and not.
    private var compressedStarts: [UInt64] = []
    private var uncompressedStarts: [UInt64] = []
    /// For each block: its stream's header offset and check ID, by stream number.
    private var blockStream: [UInt32] = []
    private var streamHeaders: [UInt64] = []
    /// Where each stream's index starts: the end of its last block.
    private var streamIndexStarts: [UInt64] = []

    // The current decoder.
    private var decoder: LZMADecompressor?
    private var block = -1
    /// Uncompressed position the current decoder has reached.
    private var decodedTo: UInt64 = 0
    /// Next compressed byte to feed it.
    private var feedAt: UInt64 = 0
    private var feedEnd: UInt64 = 0
    private var inBuffer: [UInt8] = []
    private var inPos = 0
    private static var chunk: Int { 1 << 16 }

    /// Opens `source`.
    /// - Throws: `LZMAError` for a damaged `.xz` index, stream header or footer
    ///   (from ``XZFileInfo``), `.unknownFormat`, `.memoryLimitExceeded` when
    ///   the index alone (16 bytes a block) exceeds the limit, `readFailed`.
    /// - Complexity: `.xz`: reads O(streams × 24 + index sizes) bytes from the end.
    public init(_ source: Source, options: DecompressionOptions = DecompressionOptions()) throws(LZMAError) {
        self.source = source
        var opts = options
        opts.concatenated = true
        self.options = opts
        let head = try source.read(at: 0, count: 1)
        if head.first == 0xFD {
            let info = try XZFileInfo(fileSize: source.byteCount, includeBlocks: false) {
                (offset, count) throws(LZMAError) in try source.read(at: offset, count: count)
            }
            let indexBytes = info.blockCount &* 16
            if let limit = options.memoryLimit, indexBytes > limit {
                throw LZMAError.memoryLimitExceeded(required: indexBytes, limit: limit)
            }
            uncompressedSize = info.uncompressedSize
            isSequential = info.blockCount <= 1
            if !isSequential {
                // The records, stream by stream (the first pass kept none:
                // memory O(streams) until the count was checked).
                let full = try XZFileInfo(fileSize: source.byteCount, includeBlocks: true) {
                    (offset, count) throws(LZMAError) in try source.read(at: offset, count: count)
                }
                compressedStarts.reserveCapacity(Int(info.blockCount))
                uncompressedStarts.reserveCapacity(Int(info.blockCount))
                for s in full.streams {
                    streamHeaders.append(s.compressedOffset)
                    streamIndexStarts.append(s.compressedOffset + s.compressedSize - 12 - s.indexSize)
                    for b in s.blocks {
                        compressedStarts.append(b.compressedOffset)
                        uncompressedStarts.append(b.uncompressedOffset)
                        blockStream.append(UInt32(streamHeaders.count - 1))
                    }
                }
                // One past the last block: the end of the data.
                uncompressedStarts.append(info.uncompressedSize)
            }
        } else {
            let info = try LZMAFileInfo(source)
            uncompressedSize = info.uncompressedSize
            isSequential = true
        }
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
    /// - Throws: `LZMAError` for damaged data in the blocks read.
    /// - Complexity: decodes from the start of the block holding `offset`
    ///   (or continues the current block when `offset` is at or after where it
    ///   stands) up to `offset + count`.
    public func read(at offset: UInt64, count: Int) throws(LZMAError) -> [UInt8] {
        var out: [UInt8] = []
        guard count > 0 else { return out }
        if let size = uncompressedSize, offset >= size { return out }
        var at = offset
        var want = count
        while want > 0 {
            if let size = uncompressedSize, at >= size { break }
            try prepare(for: at)
            guard let d = decoder else { break }
            // Skip to `at`, then take what is wanted.
            let got = try produce(d, skip: at &- decodedTo, take: want, into: &out)
            if got == 0 {
                if isSequential || block + 1 >= compressedStarts.count { break }  // the end
                continue  // the block ended: `prepare` opens the next
            }
            at &+= UInt64(got)
            want -= got
        }
        return out
    }

    /// Makes `decoder` stand at or before `offset`, in the block holding it.
    private func prepare(for offset: UInt64) throws(LZMAError) {
        if isSequential {
            if decoder == nil || decodedTo > offset { try start(block: 0, compressedFrom: 0, end: source.byteCount, header: nil) }
            return
        }
        let target = blockIndex(holding: offset)
        if decoder != nil && block == target && decodedTo <= offset { return }
        let stream = Int(blockStream[target])
        let end = target + 1 < compressedStarts.count && blockStream[target + 1] == blockStream[target]
            ? compressedStarts[target + 1] : streamIndexStarts[stream]
        try start(block: target, compressedFrom: compressedStarts[target], end: end, header: streamHeaders[stream])
        decodedTo = uncompressedStarts[target]
    }

    /// The block whose range holds `offset` (binary search over the starts).
    private func blockIndex(holding offset: UInt64) -> Int {
        var lo = 0, hi = compressedStarts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if uncompressedStarts[mid] <= offset { lo = mid } else { hi = mid - 1 }
        }
        return lo
    }

    /// A fresh decoder for one block: the stream header, then the block's
    /// bytes (it stops after the block's check: the next byte is not fed).
    private func start(block b: Int, compressedFrom: UInt64, end: UInt64, header: UInt64?) throws(LZMAError) {
        let d = LZMADecompressor(format: header == nil ? .auto : .xz, options: options)
        if let header {
            let h = try source.read(at: header, count: 12)
            guard h.count == 12 else { throw LZMAError.truncatedInput("the stream header is cut short", offset: header) }
            _ = try d.decompress(h)
        }
        decoder = d
        block = b
        blocksStarted += 1
        decodedTo = 0
        feedAt = compressedFrom
        feedEnd = end
        inBuffer = []
        inPos = 0
    }

    /// Decodes from the current decoder: drops `skip` bytes, appends up to
    /// `take` to `out`; returns how many it appended (0: the block or data ended).
    private func produce(_ d: LZMADecompressor, skip: UInt64, take: Int, into out: inout [UInt8]) throws(LZMAError) -> Int {
        var toSkip = skip
        var appended = 0
        let blockEnd = isSequential ? UInt64.max : uncompressedStarts[block + 1]
        while appended < take {
            if decodedTo >= blockEnd {
                try finishBlock(d)
                break
            }
            let input = try nextInput(d)
            let wanted = Int(min(UInt64(Self.chunk), toSkip &+ UInt64(take - appended)))
            var bytes = try d.decompress(input, maxLength: wanted)
            if bytes.isEmpty {
                if input.isEmpty && d.needsInput || d.isFinished {
                    // Nothing more to feed: the end of the data, or (by blocks)
                    // a block shorter than its index says.
                    if isSequential { break }
                    throw LZMAError.corruptData("block \(block + 1) ends before the size its index records",
                                                offset: feedAt)
                }
                continue
            }
            decodedTo &+= UInt64(bytes.count)
            if toSkip > 0 {
                let drop = Int(min(toSkip, UInt64(bytes.count)))
                toSkip &-= UInt64(drop)
                bytes.removeFirst(drop)
            }
            let n = min(bytes.count, take - appended)
            out.append(contentsOf: bytes[..<n])
            appended += n
        }
        if !isSequential && decoder != nil && decodedTo >= blockEnd { try finishBlock(d) }
        return appended
    }

    /// Input for the next call: nothing while the decoder still holds some,
    /// else the next chunk of the block's compressed bytes.
    private func nextInput(_ d: LZMADecompressor) throws(LZMAError) -> [UInt8] {
        guard d.needsInput, feedAt < feedEnd else { return [] }
        let n = Int(min(UInt64(Self.chunk), feedEnd - feedAt))
        let bytes = try source.read(at: feedAt, count: n)
        guard !bytes.isEmpty else { throw LZMAError.truncatedInput("the file ends inside a block", offset: feedAt) }
        feedAt &+= UInt64(bytes.count)
        return bytes
    }

    /// Feeds the block's remaining bytes (padding and check): the check is
    /// verified, and the decoder stops where the next block begins.
    private func finishBlock(_ d: LZMADecompressor) throws(LZMAError) {
        while true {
            let input = try nextInput(d)
            let extra = try d.decompress(input, maxLength: 1)
            if !extra.isEmpty {
                throw LZMAError.corruptData("block \(block + 1) holds more data than its index records", offset: feedAt)
            }
            if input.isEmpty && d.needsInput { break }
        }
        verifiedBlocks += 1
        decoder = nil
        block = -1
    }
}
