/// Streaming decoder for the `.xz` format (spec: xz-file-format 1.1.0).
///
/// A file is one or more streams, optionally separated by Stream Padding
/// (zero bytes, a multiple of 4). Each stream is:
///
///     Stream Header (12) | Block | Block | ... | Index | Stream Footer (12)
///
/// and each block:
///
///     Block Header | Compressed Data (LZMA2, after 0-3 Delta/BCJ filters) |
///     Block Padding (zeros to a multiple of 4) | Check (0, 4, 8 or 32 bytes)
///
/// The decoder reads all of it in one pass, in any chunking of the input down
/// to single bytes, and checks everything the format lets it check: CRC32s
/// of headers, footer and index, the block check, the sizes a block header
/// declares, and that the Index describes exactly the blocks decoded.
///
/// With `concatenated` (as `xz -d`), streams and stream padding that follow
/// decode as one output; bytes after a stream (and its padding) that do not
/// start a stream header end decoding: `.streamEnd`, and `lookahead` holds
/// the ones already consumed (at most 5, a prefix of the magic bytes). The
/// input's end can only be known from outside, so the owner calls
/// `finishInput()` there (`atValidEnd` tells whether it would pass). Without
/// `concatenated`, decoding stops after the first stream's footer and leaves
/// the rest unread.
final class XZDecoder: GoodBytesFirstDecoder {
    private enum Phase {
        case streamHeader, blockStart, blockHeader, blockData, blockPadding,
             check, index, streamFooter, streamPadding, done
    }

    let memoryLimit: UInt64?
    let concatenated: Bool
    /// Where the dictionaries come from.
    let allocator: LZMAAllocator
    let ignoreCheck: Bool

    private var phase = Phase.streamHeader
    /// Collects the fixed-size fields (headers, footer, check): at most 1024 bytes.
    private let field: UnsafeMutablePointer<UInt8>
    private var have = 0
    private var need = XZStreamHeader.size
    /// Input position of `field[0]`.
    private var fieldStart: UInt64 = 0
    /// Input position of the next byte (from the start of the first stream).
    private(set) var totalIn: UInt64 = 0

    /// Streams completely decoded.
    private(set) var streamCount = 0
    /// The Check ID of the current (or last) stream.
    private(set) var checkID: UInt8 = 0
    /// A Check ID this library cannot verify (0x02, 0x03, 0x05...0x09,
    /// 0x0B...0x0F), if a stream used one: such data is decoded unverified, as
    /// xz does with a warning.
    private(set) var unsupportedCheck: UInt8?
    /// The largest memory estimate of a block so far.
    private(set) var memoryUsage: UInt64 = 0
    private var checker: CheckCalculator?

    // The current block.
    private var block: XZBlockHeader?
    private var lzma2: LZMA2Decoder?
    private var chain: FilterChain?
    private var blockCompressed: UInt64 = 0
    private var blockUncompressed: UInt64 = 0
    private var paddingLeft = 0
    /// Records of the blocks decoded in the current stream.
    private var blocks = XZRecordDigest()
    private var index = XZIndexDecoder(blocks: XZRecordDigest())
    /// Zero bytes after the last stream footer.
    private var streamPadding: UInt64 = 0
    /// A decoder of one block (``oneBlock(checkID:blockNumber:offset:memoryLimit:ignoreCheck:)``)
    /// stops where the block ends: once the stream has this many blocks.
    private var stopAtBlockCount = UInt64.max

    /// Receives the container structure and the symbols when set (see `LZMATracer`).
    var tracer: LZMATracer? { didSet { lzma2?.tracer = tracer } }

    /// Bytes consumed after the last stream that turned out not to start
    /// another one (see the type's documentation).
    private(set) var lookahead: [UInt8] = []

    /// True between streams (after a footer and stream padding that is a
    /// multiple of 4): the input may end here.
    var atValidEnd: Bool { phase == .done || (phase == .streamPadding && streamPadding % 4 == 0) }

    init(memoryLimit: UInt64?, concatenated: Bool, ignoreCheck: Bool, allocator: LZMAAllocator = .standard) {
        self.allocator = allocator
        self.memoryLimit = memoryLimit
        self.concatenated = concatenated
        self.ignoreCheck = ignoreCheck
        field = .allocate(capacity: 1024)
    }

    deinit { field.deallocate() }

    /// The check of the current stream, if it is one this library knows.
    var check: XZCheck? { streamCount == 0 && phase == .streamHeader ? nil : XZCheck(rawValue: checkID) }

    var finished: Bool { phase == .done }

    private var checkSize: Int { XZCheck.fieldSize(id: checkID) }

    private func expect(_ n: Int, then next: Phase) {
        have = 0
        need = n
        fieldStart = totalIn
        phase = next
    }

    // `code(_:inCount:_:outCount:)` comes from `GoodBytesFirstDecoder`: an
    // error met after output of the same call was written is thrown by the
    // next call, so the caller keeps every byte decoded before it, as with xz.
    // Returns `.streamEnd` after the first stream without `concatenated`, or
    // at bytes after the streams that are not a stream (the rest of the input
    // is not consumed). Nothing waits inside this decoder between calls (the
    // LZMA2 decoder and the filters hand out their own bytes first), except,
    // after an LZMA2 error, the filters' finished bytes (`drainFilters`).
    var deferredError: LZMAError?
    /// LZMA2 failed inside a block with filters: the bytes the filters had
    /// finished before it are still handed out (and checked) first.
    private var drainFilters = false
    var pendingOutput: Int { drainFilters ? chain?.finalPending ?? 0 : 0 }
    func flushPending(_ output: UnsafeMutablePointer<UInt8>?, _ room: Int) -> Int {
        guard drainFilters, let chain, let output, room > 0 else { return 0 }
        let n = chain.drain(output: UnsafeMutableBufferPointer(start: output, count: room))
        if n > 0 { checker?.update(output, count: n) }
        blockUncompressed &+= UInt64(n)
        return n
    }

    func codeBody(_ input: UnsafePointer<UInt8>?, inCount: Int,
                  _ output: UnsafeMutablePointer<UInt8>?, outCount: Int,
                  consumed: inout Int, produced: inout Int) throws(LZMAError) -> (consumed: Int, produced: Int, status: CodingStatus) {
        while true {
            switch phase {
            case .streamHeader where streamCount > 0 && have < XZStreamHeader.magic.count:
                // After a stream: a byte that does not continue the magic
                // bytes ends the data; it and what follows stay unconsumed.
                guard consumed < inCount else { return (consumed, produced, .needsInput) }
                let b = input![consumed]
                guard b == XZStreamHeader.magic[have] else {
                    lookahead = Array(UnsafeBufferPointer(start: field, count: have))
                    phase = .done
                    return (consumed, produced, .streamEnd)
                }
                field[have] = b
                have += 1
                consumed += 1
                totalIn &+= 1

            case .streamHeader, .blockHeader, .check, .streamFooter:
                let n = min(need - have, inCount - consumed)
                if n > 0 {
                    (field + have).update(from: input! + consumed, count: n)
                    have += n
                    consumed += n
                    totalIn &+= UInt64(n)
                }
                guard have == need else { return (consumed, produced, .needsInput) }
                try fieldComplete()

            case .blockStart:
                if blocks.count >= stopAtBlockCount { return (consumed, produced, .streamEnd) }
                guard consumed < inCount else { return (consumed, produced, .needsInput) }
                let b = input![consumed]
                consumed += 1
                totalIn &+= 1
                if b == 0 {
                    // The Index Indicator: no more blocks.
                    tracer?.structure("index of stream \(streamCount + 1): \(blocks.count) record\(blocks.count == 1 ? "" : "s")",
                                      inputOffset: totalIn &- 1)
                    index = XZIndexDecoder(blocks: blocks)
                    phase = .index
                } else {
                    expect((Int(b) + 1) * 4, then: .blockHeader)
                    fieldStart -= 1
                    field[0] = b
                    have = 1
                }

            case .blockData:
                if let status = try blockData(input, inCount: inCount, output, outCount: outCount,
                                              consumed: &consumed, produced: &produced) {
                    return (consumed, produced, status)
                }

            case .blockPadding:
                while paddingLeft > 0 && consumed < inCount {
                    guard input![consumed] == 0 else {
                        throw LZMAError.corruptData("non-zero byte in the block padding", offset: totalIn)
                    }
                    consumed += 1
                    totalIn &+= 1
                    paddingLeft -= 1
                }
                guard paddingLeft == 0 else { return (consumed, produced, .needsInput) }
                expect(checkSize, then: .check)

            case .index:
                let n = try index.feed(input.map { $0 + consumed } ?? UnsafePointer(bitPattern: 1)!,
                                       count: inCount - consumed, offset: totalIn)
                consumed += n
                totalIn &+= UInt64(n)
                guard index.isDone else { return (consumed, produced, .needsInput) }
                expect(XZStreamHeader.size, then: .streamFooter)

            case .streamPadding:
                while consumed < inCount && input![consumed] == 0 {
                    consumed += 1
                    totalIn &+= 1
                    streamPadding &+= 1
                }
                guard consumed < inCount else { return (consumed, produced, .needsInput) }
                guard streamPadding % 4 == 0 else {
                    throw LZMAError.corruptData("stream padding of \(streamPadding) bytes is not a multiple of 4", offset: totalIn)
                }
                expect(XZStreamHeader.size, then: .streamHeader)

            case .done:
                return (consumed, produced, .streamEnd)
            }
        }
    }

    /// Declares the end of the input.
    /// - Throws: `truncatedInput` unless the input ended after a stream (and
    ///   its padding); `corruptData` if that padding is not a multiple of 4.
    func finishInput() throws(LZMAError) {
        switch phase {
        case .done:
            return
        case .streamPadding:
            guard streamPadding % 4 == 0 else {
                throw LZMAError.corruptData("stream padding of \(streamPadding) bytes is not a multiple of 4", offset: totalIn)
            }
        default:
            throw LZMAError.truncatedInput("the .xz data ends inside a stream", offset: totalIn)
        }
    }

    /// Acts on a complete fixed-size field in `field[0..<need]`.
    private func fieldComplete() throws(LZMAError) {
        switch phase {
        case .streamHeader:
            checkID = try XZStreamHeader.decodeHeader(field, firstStream: streamCount == 0, offset: fieldStart)
            if let c = XZCheck(rawValue: checkID) {
                if !ignoreCheck && c != .none {
                    if checker?.check != c { checker = CheckCalculator(c) }
                } else {
                    checker = nil
                }
            } else {
                unsupportedCheck = checkID
                checker = nil
            }
            blocks = XZRecordDigest()
            tracer?.structure("stream \(streamCount + 1): .xz stream header, check " +
                              (XZCheck(rawValue: checkID).map { "\($0)" } ?? "ID \(checkID) (unsupported)"),
                              inputOffset: fieldStart)
            phase = .blockStart

        case .blockHeader:
            let h = try XZBlockHeader(field, checkSize: checkSize, offset: fieldStart)
            if let tracer { traceBlockHeader(h, tracer) }
            try startBlock(h)

        case .check:
            if let checker {
                let computed = checker.finalize()
                let stored = Array(UnsafeBufferPointer(start: field, count: need))
                guard computed == stored else {
                    throw LZMAError.checkMismatch("\(checker.check) mismatch in block \(blocks.count + 1) at input byte \(fieldStart): stored \(hexString(stored.reversedIfCRC(checker.check))), computed \(hexString(computed.reversedIfCRC(checker.check)))", offset: fieldStart)
                }
                checker.reset()
            }
            let unpadded = UInt64(block!.headerSize) + blockCompressed + UInt64(checkSize)
            guard blocks.append(unpadded: unpadded, uncompressed: blockUncompressed) else {
                throw LZMAError.corruptData("stream is larger than 2^63 - 1 bytes", offset: totalIn)
            }
            phase = .blockStart

        case .streamFooter:
            try XZStreamHeader.decodeFooter(field, checkID: checkID, indexSize: index.size, offset: fieldStart)
            tracer?.structure("stream \(streamCount + 1): stream footer", inputOffset: fieldStart)
            streamCount += 1
            streamPadding = 0
            phase = concatenated ? .streamPadding : .done

        default:
            break
        }
    }

    /// Checks the memory limit and sets up the block's decoders.
    private func startBlock(_ h: XZBlockHeader) throws(LZMAError) {
        let dict = h.dictionarySize
        let need = h.decoderMemoryUsage
        if let limit = memoryLimit, need > limit {
            throw LZMAError.memoryLimitExceeded(required: need, limit: limit)
        }
        memoryUsage = max(memoryUsage, need)
        if let l = lzma2, l.dictionarySize == dict {
            l.reset()
        } else {
            lzma2 = nil  // free the old dictionary first
            lzma2 = LZMA2Decoder(dictionarySize: dict, allocator: allocator)
        }
        lzma2!.totalIn = totalIn
        lzma2!.tracer = tracer
        chain = h.filters.isEmpty ? nil : try FilterChain(filters: h.filters, encoding: false)
        block = h
        blockCompressed = 0
        blockUncompressed = 0
        phase = .blockData
    }

    /// Decodes block data: LZMA2, then the filters, into `output`, feeding
    /// the check; advances `consumed` and `produced` (also when it throws).
    /// - Returns: a status when the caller must return, nil to go on (the
    ///   block's data has ended).
    private func blockData(_ input: UnsafePointer<UInt8>?, inCount: Int,
                           _ output: UnsafeMutablePointer<UInt8>?, outCount: Int,
                           consumed: inout Int, produced: inout Int) throws(LZMAError) -> CodingStatus? {
        let lz = lzma2!
        let h = block!
        while true {
            // Never give LZMA2 more than the header says the block has.
            var avail = inCount - consumed
            var capped = false
            if let cs = h.compressedSize, UInt64(avail) >= cs - blockCompressed {
                avail = Int(cs - blockCompressed)
                capped = true
            }
            let inPtr = input.map { $0 + consumed }
            let outPtr = output.map { $0 + produced }
            // At most one byte past the declared size: a block that decodes
            // to more fails at the same symbol, so at the same input offset,
            // whatever the output buffer (as ParallelXZDecompressor decodes it).
            var room = outCount - produced
            if let us = h.uncompressedSize, UInt64(room) > us - blockUncompressed {
                room = Int(us - blockUncompressed) + 1
            }
            var used = 0
            var made = 0
            var ended = false
            // An error here reaches the caller after the bytes of this call
            // (see `GoodBytesFirstDecoder`). Through filters: LZMA2's error
            // stops the chain, which returns the bytes it finished first
            // (thrown out of `run`, they would be lost with the error).
            var lzmaError: LZMAError?
            if let chain {
                let r = chain.run(output: UnsafeMutableBufferPointer(start: outPtr, count: room)) { dst in
                    if lzmaError != nil { return (0, false) }
                    do throws(LZMAError) {
                        let r = try lz.code(inPtr.map { $0 + used }, inCount: avail - used, dst.baseAddress, outCount: dst.count)
                        used += r.consumed
                        return (r.produced, r.status == .streamEnd)
                    } catch {
                        lzmaError = error
                        return (0, false)
                    }
                }
                made = r.produced
                ended = r.finished
            } else {
                let r = try lz.code(inPtr, inCount: avail, outPtr, outCount: room)
                used = r.consumed
                made = r.produced
                ended = r.status == .streamEnd
            }
            if made > 0 { checker?.update(outPtr!, count: made) }
            consumed += used
            produced += made
            totalIn &+= UInt64(used)
            blockCompressed &+= UInt64(used)
            blockUncompressed &+= UInt64(made)
            if let us = h.uncompressedSize, blockUncompressed > us {
                // The bytes past the declared size are not handed out (as xz).
                produced -= Int(blockUncompressed - us)
                throw LZMAError.corruptData("block \(blocks.count + 1) decodes to more than the \(us) bytes its header declares", offset: totalIn)
            }
            if let lzmaError {
                drainFilters = true
                throw lzmaError
            }
            if ended {
                if let cs = h.compressedSize, cs != blockCompressed {
                    throw LZMAError.corruptData("block \(blocks.count + 1) has \(blockCompressed) bytes of compressed data, its header declares \(cs)", offset: totalIn)
                }
                if let us = h.uncompressedSize, us != blockUncompressed {
                    throw LZMAError.corruptData("block \(blocks.count + 1) decodes to \(blockUncompressed) bytes, its header declares \(us)", offset: totalIn)
                }
                guard UInt64(h.headerSize) + blockCompressed + UInt64(checkSize) <= XZBlockHeader.maxUnpaddedSize else {
                    throw LZMAError.corruptData("block is larger than 2^63 bytes", offset: totalIn)
                }
                paddingLeft = Int((4 - (UInt64(h.headerSize) + blockCompressed) % 4) % 4)
                phase = .blockPadding
                return nil
            }
            if used == 0 && made == 0 {
                if produced == outCount { return .outputFull }
                if capped {
                    throw LZMAError.corruptData("block \(blocks.count + 1) has more compressed data than its header declares", offset: totalIn)
                }
                if consumed < inCount {
                    throw LZMAError.programmingError("xz block decoder made no progress")
                }
                return .needsInput
            }
        }
    }
}

extension XZDecoder {
    /// The trace's line for a block header.
    private func traceBlockHeader(_ h: XZBlockHeader, _ tracer: LZMATracer) {
        func size(_ v: UInt64?) -> String { v.map { "\($0)" } ?? "not stored" }
        let filters = h.filters.map { f -> String in
            if case .delta(let d) = f { return "delta:dist=\(d)" }
            if let s = f.startOffset, s != 0 { return "\(f.name):start=\(s)" }
            return f.name
        }
        let chain = (filters + ["lzma2:dict=" + XZBlockHeaderInfo.sizeWithSuffix(h.dictionarySize)]).joined(separator: " ")
        var line = "block \(blocks.count + 1): header of \(h.headerSize) bytes, filters \(chain), " +
            "compressed size \(size(h.compressedSize)), uncompressed size \(size(h.uncompressedSize))"
        if !filters.isEmpty {
            line += "; the symbols below are LZMA2's output, before the filters (\(filters.joined(separator: " ")))"
        }
        tracer.structure(line, inputOffset: fieldStart)
    }
}

// MARK: - One block on its own (for the parallel decompressor)

extension XZDecoder {
    /// A decoder for one block in the middle of a stream: fed the block from
    /// its Block Header Size byte to the end of its check, it decodes and
    /// verifies it exactly as a decoder of the whole stream would (same
    /// output, same errors with the same block numbers and input offsets),
    /// then returns `.streamEnd` without reading further.
    /// - Parameters:
    ///   - checkID: the stream's Check ID (from its header).
    ///   - blockNumber: the block's number in its stream, from 1.
    ///   - offset: input position of the block's first byte, counted as
    ///     ``totalIn`` counts it (from the start of the first stream).
    static func oneBlock(checkID: UInt8, blockNumber: UInt64, offset: UInt64,
                         memoryLimit: UInt64?, ignoreCheck: Bool, allocator: LZMAAllocator = .standard) -> XZDecoder {
        let d = XZDecoder(memoryLimit: memoryLimit, concatenated: false, ignoreCheck: ignoreCheck, allocator: allocator)
        d.checkID = checkID
        if let c = XZCheck(rawValue: checkID) {
            d.checker = !ignoreCheck && c != .none ? CheckCalculator(c) : nil
        } else {
            d.unsupportedCheck = checkID
        }
        d.blocks = XZRecordDigest(numberedAfter: blockNumber - 1)
        d.stopAtBlockCount = blockNumber
        d.totalIn = offset
        d.phase = .blockStart
        return d
    }

    /// After a block decoded by a ``oneBlock(checkID:blockNumber:offset:memoryLimit:ignoreCheck:)``
    /// decoder: its Index record.
    var decodedBlockRecord: (unpadded: UInt64, uncompressed: UInt64)? {
        guard blocks.count >= stopAtBlockCount, let block else { return nil }
        return (UInt64(block.headerSize) + blockCompressed + UInt64(checkSize), blockUncompressed)
    }
}

private extension Array where Element == UInt8 {
    /// CRCs are stored little endian; show them as numbers.
    func reversedIfCRC(_ check: XZCheck) -> [UInt8] {
        check == .sha256 ? self : reversed()
    }
}
