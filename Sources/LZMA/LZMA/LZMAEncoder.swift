/// The LZMA encoder: the adaptive model (probabilities, state, the four
/// repeated distances), the range encoder, the match finder and the price
/// tables, all allocated once.
///
/// A parser (`optimumFast` or `optimumNormal`) picks the next symbol at the
/// read position: a literal (`back == literalBack`), a repeated match
/// (`back` 0...3 = which rep) or a new match (`back` = distance + 4). This file
/// encodes those symbols; the coders for each part are in LiteralEncoder,
/// LengthEncoder and DistanceEncoder.
final class LZMAEncoder {
    static let reps = 4
    /// `back` value meaning "literal".
    static let literalBack = UInt32.max

    let lc: Int
    let lp: Int
    let posMask: UInt32
    let lpMask: UInt32
    let fastMode: Bool
    let niceLength: Int
    let dictionarySize: UInt32

    let mf: MatchFinder
    var rc: RangeEncoder
    let prices: Prices

    // The model.
    let probs: UnsafeMutablePointer<UInt16>
    let probCount: Int
    let isMatchProbs: UnsafeMutablePointer<UInt16>
    let isRepProbs: UnsafeMutablePointer<UInt16>
    let isRepG0Probs: UnsafeMutablePointer<UInt16>
    let isRepG1Probs: UnsafeMutablePointer<UInt16>
    let isRepG2Probs: UnsafeMutablePointer<UInt16>
    let isRep0LongProbs: UnsafeMutablePointer<UInt16>
    let distSlotProbs: UnsafeMutablePointer<UInt16>
    let distSpecialProbs: UnsafeMutablePointer<UInt16>
    let alignProbs: UnsafeMutablePointer<UInt16>
    let matchLenProbs: UnsafeMutablePointer<UInt16>
    let repLenProbs: UnsafeMutablePointer<UInt16>
    let literalProbs: UnsafeMutablePointer<UInt16>
    var state = LZMAState()
    /// rep0...rep3: the last four distances used.
    let reps: UnsafeMutablePointer<UInt32>

    // Matches at the read position (from the match finder).
    let matches: UnsafeMutablePointer<LZMatch>
    var matchesCount = 0
    var longestMatchLength = 0

    // Optimal parser state.
    let opts: UnsafeMutablePointer<Optimal>
    /// backs[4] for each opts entry (kept apart from `Optimal` to index them).
    let optBacks: UnsafeMutablePointer<UInt32>
    var optsEndIndex = 0
    var optsCurrentIndex = 0
    /// Lengths of the four rep matches at the parse start.
    let repLenScratch: UnsafeMutablePointer<Int>

    // Price tables (normal mode).
    static let lenPriceStride = LZMAConstants.matchLenMax - LZMAConstants.matchLenMin + 1
    let lenTableSize: Int
    let matchLenPrices: UnsafeMutablePointer<UInt32>
    let repLenPrices: UnsafeMutablePointer<UInt32>
    let matchLenCounters: UnsafeMutablePointer<Int>
    let repLenCounters: UnsafeMutablePointer<Int>
    let distSlotPrices: UnsafeMutablePointer<UInt32>   // [4][64]
    let distPrices: UnsafeMutablePointer<UInt32>       // [4][128]
    let alignPrices: UnsafeMutablePointer<UInt32>      // [16]
    let distTableSize: Int
    var matchPriceCount: UInt32 = 0
    var alignPriceCount: UInt32 = 0

    /// The first byte (always a literal) has been encoded.
    var isInitialized = false
    /// Receives every symbol encoded when set (see `LZMATracer`).
    var tracer: LZMATracer?
    /// Bytes encoded so far (for the known-size check).
    var uncompressedSize: UInt64 = 0

    init(options: LZMASettings, allocator: LZMAAllocator = .standard, feed: MatchFeed? = nil) {
        lc = options.lc
        lp = options.lp
        posMask = (1 << UInt32(options.pb)) - 1
        lpMask = (1 << UInt32(options.lp)) - 1
        fastMode = options.mode == .fast
        niceLength = options.niceLength
        dictionarySize = options.dictionarySize
        mf = MatchFinder(options: options, allocator: allocator, feed: feed)
        rc = RangeEncoder(capacity: RangeEncoder.initialCapacity)
        let table = UnsafeMutablePointer<UInt32>.allocate(capacity: PriceConstants.tableSize)
        PriceConstants.fill(table)
        prices = Prices(table: table)

        probCount = ProbabilityLayout.count(lc: options.lc, lp: options.lp)
        probs = .allocate(capacity: probCount)
        isMatchProbs = probs + ProbabilityLayout.isMatch
        isRepProbs = probs + ProbabilityLayout.isRep
        isRepG0Probs = probs + ProbabilityLayout.isRepG0
        isRepG1Probs = probs + ProbabilityLayout.isRepG1
        isRepG2Probs = probs + ProbabilityLayout.isRepG2
        isRep0LongProbs = probs + ProbabilityLayout.isRep0Long
        distSlotProbs = probs + ProbabilityLayout.posSlot
        distSpecialProbs = probs + ProbabilityLayout.specPos
        alignProbs = probs + ProbabilityLayout.align
        matchLenProbs = probs + ProbabilityLayout.lenCoder
        repLenProbs = probs + ProbabilityLayout.repLenCoder
        literalProbs = probs + ProbabilityLayout.literal
        reps = .allocate(capacity: 4)

        matches = .allocate(capacity: LZMAConstants.matchLenMax + 2)
        opts = .allocate(capacity: MatchFinder.optsSize)
        optBacks = .allocate(capacity: MatchFinder.optsSize * 4)
        // Only the normal parser uses them: in fast mode their 192 KiB stay
        // untouched, so not resident (as liblzma's).
        if !fastMode {
            opts.initialize(repeating: Optimal(), count: MatchFinder.optsSize)
            optBacks.initialize(repeating: 0, count: MatchFinder.optsSize * 4)
        }
        repLenScratch = .allocate(capacity: 4)
        repLenScratch.initialize(repeating: 0, count: 4)

        lenTableSize = options.niceLength + 1 - LZMAConstants.matchLenMin
        matchLenPrices = .allocate(capacity: LZMAConstants.numPosStatesMax * LZMAEncoder.lenPriceStride)
        repLenPrices = .allocate(capacity: LZMAConstants.numPosStatesMax * LZMAEncoder.lenPriceStride)
        matchLenCounters = .allocate(capacity: LZMAConstants.numPosStatesMax)
        repLenCounters = .allocate(capacity: LZMAConstants.numPosStatesMax)
        distSlotPrices = .allocate(capacity: LZMAConstants.numLenToPosStates << LZMAConstants.numPosSlotBits)
        distPrices = .allocate(capacity: LZMAConstants.numLenToPosStates * LZMAConstants.numFullDistances)
        alignPrices = .allocate(capacity: LZMAConstants.alignTableSize)
        var logSize = 0
        while (UInt64(1) << logSize) < UInt64(options.dictionarySize) { logSize += 1 }
        distTableSize = logSize * 2
        reset()
    }

    /// Bytes allocated by `init` besides the match finder's window, hash and
    /// son tables (see `LZMACompressor.memoryUsage`).
    static func fixedBytes(lc: Int, lp: Int) -> UInt64 {
        let priceTable = PriceConstants.tableSize * 4
        let model = ProbabilityLayout.count(lc: lc, lp: lp) * 2 + 4 * 4
        let matchList = (LZMAConstants.matchLenMax + 2) * MemoryLayout<LZMatch>.stride
        let parser = MatchFinder.optsSize * (MemoryLayout<Optimal>.stride + 4 * 4) + 4 * MemoryLayout<Int>.stride
        let lengthTables = 2 * LZMAConstants.numPosStatesMax * (LZMAEncoder.lenPriceStride * 4 + MemoryLayout<Int>.stride)
        let distanceTables = LZMAConstants.numLenToPosStates * ((1 << LZMAConstants.numPosSlotBits) + LZMAConstants.numFullDistances) * 4
            + LZMAConstants.alignTableSize * 4
        return UInt64(priceTable + model + matchList + parser + lengthTables + distanceTables
                      + RangeEncoder.initialCapacity)
    }

    deinit {
        rc.deallocate()
        prices.table.deallocate()
        probs.deallocate()
        reps.deallocate()
        matches.deallocate()
        opts.deallocate()
        optBacks.deallocate()
        repLenScratch.deallocate()
        matchLenPrices.deallocate()
        repLenPrices.deallocate()
        matchLenCounters.deallocate()
        repLenCounters.deallocate()
        distSlotPrices.deallocate()
        distPrices.deallocate()
        alignPrices.deallocate()
    }

    /// Puts the model in its initial state.
    func reset() {
        probs.initialize(repeating: BitModelConstants.initialProbability, count: probCount)
        state = LZMAState()
        for i in 0..<4 { reps[i] = 0 }
        rc.reset()
        let numPosStates = Int(posMask) + 1
        if !fastMode {
            for ps in 0..<numPosStates {
                updateLengthPrices(matchLenProbs, matchLenPrices, matchLenCounters, posState: ps)
                updateLengthPrices(repLenProbs, repLenPrices, repLenCounters, posState: ps)
            }
        }
        matchPriceCount = UInt32.max / 2
        alignPriceCount = UInt32.max / 2
        optsEndIndex = 0
        optsCurrentIndex = 0
        isInitialized = false
    }

    /// Codes the stream's first byte, always a literal without context (there
    /// is nothing before it to match or to take a context from), once it is
    /// there; an empty stream just starts at its end.
    /// - Returns: false while it still waits for input.
    func startIfNeeded() -> Bool {
        if isInitialized { return true }
        if mf.readPos >= mf.readLimit {
            if !mf.isFinishing { return false }
        } else {
            guard mf.matchesReady else { return false }
            mf.skip(1)
            mf.readAhead = 0
            var rc = self.rc
            let bitsBefore = tracer.map { _ in rc.bitsSoFar }
            rc.encodeBit(isMatchProbs, 0)
            rc.encodeBitTree(literalProbs, bits: 8, UInt32(mf.buffer[0]))
            if let tracer, let bitsBefore {
                tracer.symbol(.literal, length: 1, distance: 0, bits: rc.bitsSoFar - bitsBefore, byte: mf.buffer[0])
            }
            self.rc = rc
            uncompressedSize += 1
        }
        isInitialized = true
        return true
    }

    /// Buffer position of the next byte to encode; the window moves by
    /// multiples of 16, so its low bits are those of the stream position.
    @inline(__always) var position: UInt32 { UInt32(truncatingIfNeeded: mf.readPos &- mf.readAhead) }

    /// Encodes symbols while input with full look-ahead (or, when finishing,
    /// any input) remains and the pending output is below `outputLimit`.
    /// Returns whether anything was encoded.
    func encodeAvailable(outputLimit: Int) -> Bool {
        // Chosen once per call: the untraced loop has no trace code.
        if let tracer { return encodeAvailable(outputLimit: outputLimit, EncoderTrace(tracer: tracer)) }
        return encodeAvailable(outputLimit: outputLimit, NoEncoderTrace())
    }

    private func encodeAvailable<T: EncoderTraceSink>(outputLimit: Int, _ sink: T) -> Bool {
        let before = uncompressedSize
        guard startIfNeeded() else { return false }
        var progressed = uncompressedSize != before
        while rc.outPos < outputLimit {
            if mf.readPos >= mf.readLimit {
                if !mf.isFinishing || mf.readAhead == 0 { break }
            }
            // A finder thread has not searched far enough yet: wait for it.
            if !mf.matchesReady { break }
            let pos = position
            let (back, len) = fastMode ? optimumFast() : optimumNormal(position: pos)
            encodeSymbol(back: back, len: len, position: pos, sink)
            progressed = true
        }
        return progressed
    }

    /// True when every byte in the window has been encoded.
    var isDrained: Bool { isInitialized && mf.readPos == mf.writePos && mf.readAhead == 0 }

    /// Writes the end-of-payload marker (if wanted) and flushes the range coder.
    func encodeEnd(endMarker: Bool) {
        var rc = self.rc
        if endMarker {
            let bitsBefore = rc.bitsSoFar
            let posState = Int(position & posMask)
            rc.encodeBit(isMatchProbs + (state.value << 4) + posState, 1)
            rc.encodeBit(isRepProbs + state.value, 0)
            encodeMatch(&rc, posState: posState, distance: UInt32.max, len: UInt32(LZMAConstants.matchLenMin))
            tracer?.symbol(.endMarker, length: 0, distance: 0, bits: rc.bitsSoFar - bitsBefore)
        }
        rc.flush()
        self.rc = rc
    }

    /// Encodes one symbol chosen by the parser and advances past it.
    @inline(__always)
    func encodeSymbol<T: EncoderTraceSink>(back: UInt32, len: Int, position: UInt32, _ sink: T) {
        var rc = self.rc
        // What the trace reports, read before the reps move.
        var traceKind = LZMATraceSymbol.Kind.literal
        var traceDistance: UInt64 = 0
        var traceByte: UInt8 = 0
        var bitsBefore = 0.0
        if T.active {
            bitsBefore = rc.bitsSoFar
            if back == LZMAEncoder.literalBack {
                traceByte = mf.buffer[mf.readPos &- mf.readAhead]
            } else if back < 4 {
                switch back {
                case 0: traceKind = len == 1 ? .shortRep : .rep0
                case 1: traceKind = .rep1
                case 2: traceKind = .rep2
                default: traceKind = .rep3
                }
                traceDistance = UInt64(reps[Int(back)]) + 1
            } else {
                traceKind = .match
                traceDistance = UInt64(back &- 4) + 1
            }
        }
        let posState = Int(position & posMask)
        let s = state.value
        if back == LZMAEncoder.literalBack {
            rc.encodeBit(isMatchProbs + (s << 4) + posState, 0)
            encodeLiteral(&rc, position: position)
        } else {
            rc.encodeBit(isMatchProbs + (s << 4) + posState, 1)
            if back < 4 {
                rc.encodeBit(isRepProbs + s, 1)
                encodeRepMatch(&rc, posState: posState, rep: Int(back), len: UInt32(len))
            } else {
                rc.encodeBit(isRepProbs + s, 0)
                encodeMatch(&rc, posState: posState, distance: back &- 4, len: UInt32(len))
            }
        }
        if T.active {
            sink.encoded(traceKind, length: len, distance: traceDistance, bits: rc.bitsSoFar - bitsBefore, byte: traceByte)
        }
        self.rc = rc
        mf.readAhead -= len
        uncompressedSize &+= UInt64(len)
    }

    /// The matches at the read position (count, longest length): from the
    /// match finder, or the ones kept from when the parser last looked ahead
    /// (`readAhead` > 0). With `keep` the found ones are kept as well.
    @inline(__always)
    func matchesAtReadPosition(keep: Bool) -> (count: Int, longest: Int) {
        guard mf.readAhead == 0 else { return (matchesCount, longestMatchLength) }
        let found = mf.find(matches)
        if keep {
            matchesCount = found.count
            longestMatchLength = found.longest
        }
        return found
    }

    /// A repeated match (or, with rep 0 and length 1, a "short rep").
    @inline(__always)
    func encodeRepMatch(_ rc: inout RangeEncoder, posState: Int, rep: Int, len: UInt32) {
        let s = state.value
        if rep == 0 {
            rc.encodeBit(isRepG0Probs + s, 0)
            rc.encodeBit(isRep0LongProbs + (s << 4) + posState, len != 1 ? 1 : 0)
        } else {
            let distance = reps[rep]
            rc.encodeBit(isRepG0Probs + s, 1)
            if rep == 1 {
                rc.encodeBit(isRepG1Probs + s, 0)
            } else {
                rc.encodeBit(isRepG1Probs + s, 1)
                rc.encodeBit(isRepG2Probs + s, UInt32(rep - 2))
                if rep == 3 { reps[3] = reps[2] }
                reps[2] = reps[1]
            }
            reps[1] = reps[0]
            reps[0] = distance
        }
        if len == 1 {
            state.updateShortRep()
        } else {
            encodeLength(&rc, repLenProbs, repLenPrices, repLenCounters, len: len, posState: posState)
            state.updateRep()
        }
    }
}

/// One entry of the optimal parser's table: the cheapest known way to reach
/// this position, and how (the symbol ending here and where it started).
struct Optimal {
    var state = LZMAState()
    /// The path ends with "literal, then this symbol" (literal + rep0) ...
    var prev1IsLiteral = false
    /// ... and before the literal a match or rep (match + literal + rep0).
    var prev2 = false
    var posPrev2: UInt32 = 0
    var backPrev2: UInt32 = 0
    var price: UInt32 = 0
    var posPrev: UInt32 = 0
    var backPrev: UInt32 = 0
}
