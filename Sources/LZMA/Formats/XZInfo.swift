/// The structure of an `.xz` file read from its end, without decoding any
/// compressed data: what `xz --list` shows.
///
/// An `.xz` file is one or more streams, each optionally followed by stream
/// padding (zero bytes, a multiple of 4). A stream ends with a 12-byte footer
/// whose Backward Size locates the Index just before it; the Index lists
/// every block's Unpadded and Uncompressed Size, which gives the stream's
/// total size and so the position of its header. Reading footer → index →
/// header, stream by stream from the end backwards, visits only the
/// metadata (spec sections 2.1 and 4), as liblzma's file-info decoder does.
///
/// The checks follow liblzma 5.4's `lzma_file_info_decoder`: the blocks
/// themselves (their headers, data and checks) are never read, so a file
/// whose blocks are damaged still lists; damaged metadata does not.

/// One block, as its stream's Index records it.
public struct XZBlockInfo: Sendable, Hashable {
    /// The block's number in its stream, from 1.
    public var numberInStream: UInt64
    /// The block's number in the file, from 1.
    public var numberInFile: UInt64
    /// File offset of the block header.
    public var compressedOffset: UInt64
    /// Offset of the block's first byte in the file's uncompressed data.
    public var uncompressedOffset: UInt64
    /// Block header + compressed data + check, without the block padding.
    public var unpaddedSize: UInt64
    /// The uncompressed size of the block.
    public var uncompressedSize: UInt64
    /// The size the block takes in the file: ``unpaddedSize`` rounded up to 4.
    public var totalSize: UInt64 { (unpaddedSize &+ 3) & ~3 }
}

/// What one block's own header and Check field say: the part of
/// `xz -lvv` that `XZFileInfo` alone does not read. See
/// ``XZFileInfo/readBlockHeader(_:checkID:read:)``.
public struct XZBlockHeaderInfo: Sendable, Hashable {
    /// One entry of a block's List of Filter Flags.
    public enum ChainFilter: Sendable, Hashable {
        case lzma2(dictionarySize: UInt32)
        case filter(XZFilter)
    }

    /// The Block Header's size in bytes (8...1024).
    public var headerSize: Int
    /// The Compressed Size field, when the header has one.
    public var compressedSizeInHeader: UInt64?
    /// The Uncompressed Size field, when the header has one.
    public var uncompressedSizeInHeader: UInt64?
    /// The filters as listed, first (the encoder's first) to last.
    public var chain: [ChainFilter]
    /// The compressed data alone: Unpadded Size minus header and check.
    public var compressedDataSize: UInt64
    /// The Check field's bytes as stored (empty for check None).
    public var checkValue: [UInt8]
    /// Bytes a decoder needs for this block (with the whole dictionary);
    /// `nil` when the chain is not one that can be decoded (LZMA2 not last,
    /// or missing), which liblzma's header decoder also lets through.
    public var memoryUsage: UInt64?

    /// The chain as xz's command line spells it, e.g.
    /// `--x86=start=16 --lzma2=dict=1MiB` (options at their defaults are left
    /// out, as `xz -lvv` does; dictionary sizes and start offsets that are
    /// whole KiB/MiB/GiB are written with that suffix, as liblzma does).
    public var chainDescription: String {
        chain.map { entry -> String in
            switch entry {
            case .lzma2(let dict):
                return "--lzma2=dict=" + XZBlockHeaderInfo.sizeWithSuffix(dict)
            case .filter(let f):
                if case .delta(let distance) = f { return "--delta=dist=\(distance)" }
                if let start = f.startOffset, start != 0 {
                    return "--\(f.name)=start=" + XZBlockHeaderInfo.sizeWithSuffix(start)
                }
                return "--" + f.name
            }
        }.joined(separator: " ")
    }

    /// `v` with the largest of KiB/MiB/GiB that divides it ("1536KiB").
    static func sizeWithSuffix(_ v: UInt32) -> String {
        guard v != 0 else { return "0" }
        var n = v
        var unit = 0
        while n & 1023 == 0 && unit < 3 { n >>= 10; unit += 1 }
        return "\(n)" + ["", "KiB", "MiB", "GiB"][unit]
    }
}

/// One stream of an `.xz` file.
public struct XZStreamInfo: Sendable, Hashable {
    /// The stream's number in the file, from 1.
    public var number: Int
    /// File offset of the stream header.
    public var compressedOffset: UInt64
    /// Offset of the stream's first byte in the file's uncompressed data.
    public var uncompressedOffset: UInt64
    /// Stream header to stream footer inclusive (padding not included).
    public var compressedSize: UInt64
    /// The sum of the blocks' uncompressed sizes.
    public var uncompressedSize: UInt64
    public var blockCount: UInt64
    /// The Check ID from the stream flags (0...15).
    public var checkID: UInt8
    /// The check, when it is one this library knows.
    public var check: XZCheck? { XZCheck(rawValue: checkID) }
    /// Stream padding after this stream, in bytes.
    public var padding: UInt64
    /// Size of the stream's Index in bytes.
    public var indexSize: UInt64
    /// The blocks, when they were asked for (else empty).
    public var blocks: [XZBlockInfo]
}

/// The streams and blocks of an `.xz` file, read from its metadata only.
public struct XZFileInfo: Sendable, Hashable {
    /// The size of the whole file (streams and padding).
    public var fileSize: UInt64
    /// The streams in file order.
    public var streams: [XZStreamInfo]

    /// The number of blocks in all streams.
    public var blockCount: UInt64 { streams.reduce(0) { $0 &+ $1.blockCount } }
    /// The uncompressed size of all streams.
    public var uncompressedSize: UInt64 { streams.reduce(0) { $0 &+ $1.uncompressedSize } }
    /// All stream padding in the file.
    public var streamPadding: UInt64 { streams.reduce(0) { $0 &+ $1.padding } }
    /// Bit `n` is set when a stream uses Check ID `n` (as liblzma's `lzma_index_checks`).
    public var checkMask: UInt16 { streams.reduce(0) { $0 | (1 << UInt16($1.checkID & 15)) } }

    /// The name xz gives a Check ID: `None`, `CRC32`, `CRC64`, `SHA-256`, or
    /// `Unknown-N` for the reserved IDs.
    public static func checkName(id: UInt8) -> String {
        XZCheck(rawValue: id)?.description ?? "Unknown-\(id)"
    }

    /// Bytes read from the file in one call while scanning padding or an Index.
    static let chunkSize = 1 << 16

    /// Reads the structure of an `.xz` file through `read`.
    ///
    /// - Parameters:
    ///   - fileSize: the size of the file.
    ///   - includeBlocks: keep every block's record (``XZStreamInfo/blocks``);
    ///     without it memory stays O(streams).
    ///   - read: returns `count` bytes at `offset` (never past `fileSize`);
    ///     fewer bytes are treated as a truncated file. Its errors are
    ///     rethrown unchanged.
    /// - Throws: `LZMAError.invalidHeader` when the file does not start with an
    ///   `.xz` stream header; `truncatedInput` for a file shorter than a
    ///   header and a footer or a short read; `corruptData` for a bad footer,
    ///   Index, stream header (CRC32s, magic bytes, sizes that do not add up,
    ///   flags that differ between header and footer, padding that is not a
    ///   multiple of 4); `unsupported` for reserved bits in the stream flags.
    /// - Complexity: reads O(number of streams × 12 + Index sizes + padding)
    ///   bytes in reads of at most 64 KiB; time is linear in those bytes.
    public init(fileSize: UInt64, includeBlocks: Bool = true,
                read: (_ offset: UInt64, _ count: Int) throws(LZMAError) -> [UInt8]) throws(LZMAError) {
        self.fileSize = fileSize
        func readExactly(_ offset: UInt64, _ count: Int) throws(LZMAError) -> [UInt8] {
            try XZFileInfo.readExactly(read, offset, count)
        }
        let headerSize = UInt64(XZStreamHeader.size)
        guard fileSize >= headerSize else {
            throw LZMAError.invalidHeader("a file of \(fileSize) bytes is too small to be an .xz file", offset: 0)
        }
        // The first stream header tells whether this is .xz at all.
        _ = try readExactly(0, XZStreamHeader.size).withUnsafeBufferPointer { (b) throws(LZMAError) in
            try XZStreamHeader.decodeHeader(b.baseAddress!, firstStream: true, offset: 0)
        }
        guard fileSize >= 2 * headerSize else {
            throw LZMAError.truncatedInput("a file of \(fileSize) bytes is too small to be an .xz file", offset: fileSize)
        }

        var reversed: [XZStreamInfo] = []
        var end = fileSize  // the end of the part not yet parsed
        while end > 0 {
            // 1. Stream padding, scanned backwards.
            var padding: UInt64 = 0
            // Small first, so that many short streams do not cost 64 KiB each.
            var scan = 4096
            while true {
                guard end >= 2 * headerSize else {
                    throw LZMAError.corruptData("no room for a stream before byte \(end)", offset: end)
                }
                let n = Int(min(end, UInt64(scan)))
                scan = XZFileInfo.chunkSize
                let chunk = try readExactly(end - UInt64(n), n)
                var zeros = 0
                while zeros < n && chunk[n - 1 - zeros] == 0 { zeros += 1 }
                end -= UInt64(zeros)
                padding += UInt64(zeros)
                if zeros < n { break }
            }
            guard padding % 4 == 0 else {
                throw LZMAError.corruptData("stream padding of \(padding) bytes is not a multiple of 4", offset: end)
            }
            guard end >= 2 * headerSize else {
                throw LZMAError.corruptData("no room for a stream before byte \(end)", offset: end)
            }

            // 2. The stream footer.
            let footerStart = end - headerSize
            let footer = try readExactly(footerStart, XZStreamHeader.size)
            guard footer[10] == XZStreamHeader.footerMagic[0] && footer[11] == XZStreamHeader.footerMagic[1] else {
                throw LZMAError.corruptData("wrong magic bytes in the stream footer", offset: footerStart + 10)
            }
            guard CRC32.checksum(footer[4..<10]) == UInt32(truncatingIfNeeded: readLittleEndian(footer, at: 0, count: 4)) else {
                throw LZMAError.corruptData("stream footer CRC32 mismatch", offset: footerStart)
            }
            let footerCheck = try footer.withUnsafeBufferPointer { (b) throws(LZMAError) in try XZStreamHeader.decodeFlags(b.baseAddress! + 8) }
            let indexSize = (readLittleEndian(footer, at: 4, count: 4) + 1) * 4
            guard footerStart >= headerSize + indexSize else {
                throw LZMAError.corruptData("backward size \(indexSize) points before the start of the file", offset: footerStart + 4)
            }

            // 3. The Index.
            let indexStart = footerStart - indexSize
            var index = IndexParser(keepRecords: includeBlocks)
            var at = indexStart
            while at < footerStart {
                let n = Int(min(footerStart - at, UInt64(XZFileInfo.chunkSize)))
                let chunk = try readExactly(at, n)
                try index.feed(chunk, at: at)
                at += UInt64(n)
            }
            guard index.isDone else {
                throw LZMAError.corruptData("the index is longer than the backward size \(indexSize)", offset: footerStart)
            }

            // 4. The stream header, found from the sizes in the Index.
            let (streamSize, o1) = (2 * headerSize + indexSize).addingReportingOverflow(index.blocksSize)
            guard !o1 && streamSize <= end && streamSize <= VLI.max else {
                throw LZMAError.corruptData("the index describes a stream of \(index.blocksSize) bytes of blocks, larger than the file before it",
                                            offset: indexStart)
            }
            let streamStart = end - streamSize
            let headerCheck = try readExactly(streamStart, XZStreamHeader.size).withUnsafeBufferPointer { (b) throws(LZMAError) in
                try XZStreamHeader.decodeHeader(b.baseAddress!, firstStream: false, offset: streamStart)
            }
            guard headerCheck == footerCheck else {
                throw LZMAError.corruptData("stream flags in the footer differ from the header", offset: footerStart + 8)
            }
            reversed.append(XZStreamInfo(
                number: 0, compressedOffset: streamStart, uncompressedOffset: 0, compressedSize: streamSize,
                uncompressedSize: index.uncompressedSum, blockCount: index.count, checkID: headerCheck,
                padding: padding, indexSize: indexSize,
                blocks: index.records.map {
                    XZBlockInfo(numberInStream: 0, numberInFile: 0, compressedOffset: 0, uncompressedOffset: 0,
                                unpaddedSize: $0.unpadded, uncompressedSize: $0.uncompressed)
                }))
            end = streamStart
        }

        // Number the streams and blocks and place them, front to back.
        streams = reversed.reversed()
        var uncompressed: UInt64 = 0
        var blockNumber: UInt64 = 0
        for s in streams.indices {
            streams[s].number = s + 1
            streams[s].uncompressedOffset = uncompressed
            var offset = streams[s].compressedOffset + headerSize
            var blockUncompressed = uncompressed
            for b in streams[s].blocks.indices {
                blockNumber += 1
                streams[s].blocks[b].numberInStream = UInt64(b + 1)
                streams[s].blocks[b].numberInFile = blockNumber
                streams[s].blocks[b].compressedOffset = offset
                streams[s].blocks[b].uncompressedOffset = blockUncompressed
                offset += streams[s].blocks[b].totalSize
                blockUncompressed &+= streams[s].blocks[b].uncompressedSize
            }
            let (sum, overflow) = uncompressed.addingReportingOverflow(streams[s].uncompressedSize)
            guard !overflow && sum <= VLI.max else {
                throw LZMAError.corruptData("the uncompressed sizes of the streams add up to more than 2^63 - 1",
                                            offset: streams[s].compressedOffset)
            }
            uncompressed = sum
        }
    }
}

extension XZFileInfo {
    /// Reads one block's header and Check field and checks them against the
    /// Index, as `xz -lvv` does (the compressed data is not read).
    ///
    /// - Parameters:
    ///   - block: a block from ``XZStreamInfo/blocks``.
    ///   - checkID: its stream's ``XZStreamInfo/checkID``.
    ///   - read: as for ``init(fileSize:includeBlocks:read:)``.
    /// - Throws: `LZMAError.corruptData` when the header is damaged (CRC32,
    ///   integers, sizes past the header), is an Index indicator, or disagrees
    ///   with the Index (sizes); `unsupported` for reserved flag bits,
    ///   non-zero padding or a filter this library does not know (what xz
    ///   calls "Unsupported options"); `truncatedInput` for a short read.
    /// - Complexity: two reads, of at most 1024 and 64 bytes.
    public static func readBlockHeader(_ block: XZBlockInfo, checkID: UInt8,
                                       read: (_ offset: UInt64, _ count: Int) throws(LZMAError) -> [UInt8]) throws(LZMAError) -> XZBlockHeaderInfo {
        func readExactly(_ offset: UInt64, _ count: Int) throws(LZMAError) -> [UInt8] {
            try XZFileInfo.readExactly(read, offset, count)
        }
        let at = block.compressedOffset
        let first = try readExactly(at, 1)[0]
        guard first != 0 else {
            throw LZMAError.corruptData("an index indicator where the index says block \(block.numberInStream) starts", offset: at)
        }
        let headerSize = (Int(first) + 1) * 4
        let checkSize = XZCheck.fieldSize(id: checkID)
        // In liblzma's order: the header must lie within the block before
        // its Check, then it must parse, then its sizes must fit the Index.
        guard UInt64(headerSize + checkSize) <= block.totalSize else {
            throw LZMAError.corruptData("a block header of \(headerSize) bytes does not fit the block's \(block.totalSize) bytes", offset: at)
        }
        let h = try readExactly(at, headerSize).withUnsafeBufferPointer { (b) throws(LZMAError) in
            try XZBlockHeader(b.baseAddress!, checkSize: checkSize, offset: at, requireDecodableChain: false)
        }
        guard UInt64(headerSize + checkSize) < block.unpaddedSize else {
            throw LZMAError.corruptData("a block header of \(headerSize) bytes leaves no compressed data in the block's \(block.unpaddedSize) bytes", offset: at)
        }
        let dataSize = block.unpaddedSize - UInt64(headerSize + checkSize)
        if let c = h.compressedSize, c != dataSize {
            throw LZMAError.corruptData("the block header gives a compressed size of \(c), the index \(dataSize)", offset: at)
        }
        if let u = h.uncompressedSize, u != block.uncompressedSize {
            throw LZMAError.corruptData("the block header gives an uncompressed size of \(u), the index \(block.uncompressedSize)", offset: at)
        }
        // The Check follows the block padding: it ends the block's total size.
        let check = checkSize == 0 ? [] : try readExactly(at + block.totalSize - UInt64(checkSize), checkSize)
        return XZBlockHeaderInfo(headerSize: headerSize, compressedSizeInHeader: h.compressedSize,
                                 uncompressedSizeInHeader: h.uncompressedSize, chain: h.chain,
                                 compressedDataSize: dataSize, checkValue: check,
                                 memoryUsage: h.isDecodable ? h.decoderMemoryUsage : nil)
    }
}

/// The blocks of a file that ``XZFileInfo`` read, one at a time and in file
/// order, without holding them all: each stream's Index is read again (in
/// chunks of 4 KiB) as the walk reaches it. For listings of files with
/// millions of blocks, where ``XZStreamInfo/blocks`` would grow with their
/// number; read the info with `includeBlocks: false` first.
///
///     let info = try XZFileInfo(fileSize: size, includeBlocks: false, read: read)
///     var walker = XZBlockWalker(info)
///     while let block = try walker.next(read: read) {
///         let stream = info.streams[walker.streamIndex]
///         ...
///     }
///
/// Memory is O(1) whatever the number of blocks; time and bytes read are
/// those of the Indexes again.
public struct XZBlockWalker: Sendable {
    /// The file's streams, as ``XZFileInfo`` found them.
    public let streams: [XZStreamInfo]
    /// The stream (an index into ``streams``) of the block ``next(read:)``
    /// returned last.
    public private(set) var streamIndex = 0

    private var parser: IndexParser?
    private var finished = false
    /// Where the next chunk of the current stream's Index starts, and its end.
    private var at: UInt64 = 0
    private var indexEnd: UInt64 = 0
    /// Records parsed but not yet returned: `pending[taken...]`.
    private var taken = 0
    private var numberInStream: UInt64 = 0
    private var numberInFile: UInt64 = 0
    private var compressedOffset: UInt64 = 0
    private var uncompressedOffset: UInt64 = 0
    private static let chunk = 4096

    /// Starts before the first block of `info`.
    public init(_ info: XZFileInfo) {
        streams = info.streams
    }

    /// The next block, or nil after the last.
    ///
    /// - Parameter read: the file's reader, as for
    ///   ``XZFileInfo/init(fileSize:includeBlocks:read:)``.
    /// - Throws: `LZMAError.corruptData` when an Index no longer says what it
    ///   said when the info was read (the file changed), or is damaged;
    ///   `truncatedInput` for a short read; `read`'s errors unchanged.
    /// - Complexity: amortised O(1); reads 4 KiB of Index every few hundred blocks.
    public mutating func next(read: (_ offset: UInt64, _ count: Int) throws(LZMAError) -> [UInt8]) throws(LZMAError)
        -> XZBlockInfo? {
        while !finished {
            if parser == nil {
                guard streamIndex < streams.count else { finished = true; break }
                let s = streams[streamIndex]
                indexEnd = s.compressedOffset + s.compressedSize - UInt64(XZStreamHeader.size)
                at = indexEnd - s.indexSize
                parser = IndexParser(keepRecords: true)
                taken = 0
                numberInStream = 0
                compressedOffset = s.compressedOffset + UInt64(XZStreamHeader.size)
                uncompressedOffset = s.uncompressedOffset
            }
            if taken < parser!.records.count {
                let r = parser!.records[taken]
                taken += 1
                numberInStream += 1
                numberInFile += 1
                let block = XZBlockInfo(numberInStream: numberInStream, numberInFile: numberInFile,
                                        compressedOffset: compressedOffset, uncompressedOffset: uncompressedOffset,
                                        unpaddedSize: r.unpadded, uncompressedSize: r.uncompressed)
                compressedOffset &+= block.totalSize
                uncompressedOffset &+= block.uncompressedSize
                return block
            }
            parser!.removeRecords()
            taken = 0
            if at < indexEnd {
                let n = Int(min(indexEnd - at, UInt64(XZBlockWalker.chunk)))
                let bytes = try XZFileInfo.readExactly(read, at, n)
                try parser!.feed(bytes, at: at)
                at += UInt64(n)
                continue
            }
            let s = streams[streamIndex]
            guard parser!.isDone, parser!.count == s.blockCount, numberInStream == s.blockCount,
                  parser!.uncompressedSum == s.uncompressedSize else {
                throw LZMAError.corruptData("the index of stream \(s.number) differs from when it was first read",
                                            offset: indexEnd - s.indexSize)
            }
            parser = nil
            if streamIndex + 1 == streams.count { finished = true } else { streamIndex += 1 }
        }
        return nil
    }
}

extension XZFileInfo {
    /// `read(offset, count)`, which must return all `count` bytes.
    /// - Throws: `truncatedInput` for a short read; `read`'s errors unchanged.
    static func readExactly(_ read: (_ offset: UInt64, _ count: Int) throws(LZMAError) -> [UInt8],
                                        _ offset: UInt64, _ count: Int) throws(LZMAError) -> [UInt8] {
        let bytes = try read(offset, count)
        guard bytes.count == count else {
            throw LZMAError.truncatedInput("the file ended while reading \(count) bytes at \(offset)", offset: offset + UInt64(bytes.count))
        }
        return bytes
    }
}

/// Parses one Index fed in chunks, checking it as liblzma's index decoder
/// does (`XZIndexReader`), and adds up its records; without blocks to
/// compare them with, which are not read.
private struct IndexParser: Sendable {
    private var reader = XZIndexReader(indicatorRead: false)
    private let keepRecords: Bool

    private(set) var count: UInt64 = 0
    /// The blocks' total sizes (Unpadded Sizes rounded up to 4) added up.
    private(set) var blocksSize: UInt64 = 0
    private(set) var uncompressedSum: UInt64 = 0
    private(set) var records: [(unpadded: UInt64, uncompressed: UInt64)] = []

    var isDone: Bool { reader.isDone }

    /// Forgets the records kept so far (the counts and sums stay).
    mutating func removeRecords() { records.removeAll(keepingCapacity: true) }

    init(keepRecords: Bool) {
        self.keepRecords = keepRecords
    }

    /// - Throws: `LZMAError.corruptData` with the file offset of the bad byte.
    mutating func feed(_ chunk: [UInt8], at offset: UInt64) throws(LZMAError) {
        for (i, b) in chunk.enumerated() {
            let at = offset + UInt64(i)
            func corrupt(_ what: String) -> LZMAError { .corruptData("index: " + what, offset: at) }
            guard !reader.isDone else { throw corrupt("data after the index CRC32 (backward size too large)") }
            switch try reader.feed(b, at: at) {
            case .count(let n)?:
                count = n
            case .record(let unpadded, let uncompressed, _)?:
                let (total, o1) = blocksSize.addingReportingOverflow((unpadded + 3) & ~3)
                let (sum, o2) = uncompressedSum.addingReportingOverflow(uncompressed)
                guard !o1 && !o2 && total <= VLI.max && sum <= VLI.max else {
                    throw corrupt("block sizes add up to more than 2^63 - 1")
                }
                blocksSize = total
                uncompressedSum = sum
                if keepRecords { records.append((unpadded, uncompressed)) }
            case nil:
                break
            }
        }
    }
}
