/// What the symbol decoder keeps of a literal for the next literal's coder
/// (see `LZMADecoder.decodeSymbols`); chosen per run of symbols, so each
/// specialisation has one rule and no test.
protocol LiteralContext {
    /// True: lc = 3 and lp = 0 (every preset), where the coder is the byte's
    /// three high bits and nothing else, so the decoder keeps just those
    /// (0...7), known before the byte is. False: the whole byte.
    static var highBitsOnly: Bool { get }
}

extension LiteralContext {
    /// What the decoder keeps of a whole byte (the previous one for the next
    /// literal's coder).
    @inline(__always)
    static func kept(_ byte: UInt32) -> UInt32 { highBitsOnly ? byte &>> 5 : byte }
}

enum HighBitsContext: LiteralContext { static var highBitsOnly: Bool { true } }
enum ByteContext: LiteralContext { static var highBitsOnly: Bool { false } }

/// The LZMA decoder proper: turns range-coded symbols into bytes in the
/// output window.
///
/// A symbol is one of
/// - a literal (is-match = 0): one byte;
/// - a match (is-match = 1, is-rep = 0): a new distance and a length;
/// - a short rep (is-rep = 1, rep0, is-rep0-long = 0): one byte from rep0;
/// - a rep match (is-rep = 1): a length, reusing one of the four last
///   distances (rep0...rep3), which is then moved to the front.
///
/// Resumable at any input byte: the hot loop (`decodeSymbols`) runs without
/// input bounds checks while at least `maxSymbolBytes` input bytes remain. The
/// last few bytes of a chunk go into a small carry buffer, and a symbol is
/// decoded from it only once a dry run (`dryRun`) shows it is complete. The
/// whole decoding state lives in this object, so the caller can stop after any
/// byte and go on with the next chunk.
final class LZMADecoder {
    /// The most input one symbol (with the renormalisation after it) can use.
    static let maxSymbolBytes = 20

    /// What stopped `decode`.
    enum Stop: Equatable {
        /// All input consumed; more is needed.
        case needsInput
        /// The window limit was reached (output must be flushed, or the
        /// caller's size limit was reached).
        case limitReached
        /// The end-of-payload marker was decoded.
        case endMarker
        /// The caller said the size is reached and the range coder is cleanly
        /// finished (no end marker).
        case finishedWithoutMarker
    }

    /// What kind of symbol a dry run found.
    enum SymbolKind { case literal, match, rep, shortRep }

    private(set) var lc = 0
    private(set) var lp = 0
    private(set) var pb = 0
    private var probs: UnsafeMutablePointer<UInt16>
    private var probsCapacity: Int
    var window: OutputWindow

    // Range decoder registers.
    private var range: UInt32 = 0xFFFF_FFFF
    private var code: UInt32 = 0
    /// The first 5 input bytes prime `code`; they are collected here.
    private var needInitBytes = 5

    // Model state.
    private var state = LZMAState()
    /// rep0...rep3, the last four match distances (minus one), kept in the
    /// probability block.
    private var reps: RepDistances { RepDistances(probs) }
    /// Bytes of a match still to copy when the window limit stopped it.
    private var remainLen = 0
    private(set) var endMarkerSeen = false
    /// The error `decode` threw; it throws it again until `resetState`.
    private var failed: LZMAError?

    /// Carry buffer for the tail of a chunk (at most one incomplete symbol).
    private let temp: UnsafeMutablePointer<UInt8>
    private var tempCount = 0

    /// Input bytes consumed so far (for error positions); the owner may bias it.
    var totalIn: UInt64 = 0

    /// Receives every symbol when set (see `LZMATracer`).
    var tracer: LZMATracer?

    init(properties: LZMAProperties, windowSize: Int? = nil, allocator: LZMAAllocator = .standard) {
        lc = properties.lc
        lp = properties.lp
        pb = properties.pb
        probsCapacity = ProbabilityLayout.count(lc: lc, lp: lp)
        probs = ProbabilityLayout.allocateBlock(count: probsCapacity)
        // Int(clamping:): a 4 GiB - 1 dictionary does not fit a 32-bit Int; the
        // window only grows with the output, so the clamped limit never matters there.
        window = OutputWindow(dictSize: windowSize ?? Int(clamping: properties.effectiveDictionarySize),
                              allocator: allocator)
        temp = .allocate(capacity: 32)
        resetState()
    }

    deinit {
        ProbabilityLayout.deallocateBlock(probs)
        temp.deallocate()
        window.deallocate()
    }

    /// Sets new lc/lp/pb (LZMA2 chunks may change them); implies a state reset.
    func setProperties(lc: Int, lp: Int, pb: Int) {
        self.lc = lc
        self.lp = lp
        self.pb = pb
        let need = ProbabilityLayout.count(lc: lc, lp: lp)
        if need > probsCapacity {
            ProbabilityLayout.deallocateBlock(probs)
            probs = ProbabilityLayout.allocateBlock(count: need)
            probsCapacity = need
        }
        resetState()
    }

    /// Resets probabilities, state and reps, and expects a fresh range coder.
    func resetState() {
        probs.initialize(repeating: BitModelConstants.initialProbability,
                         count: ProbabilityLayout.count(lc: lc, lp: lp))
        state = LZMAState()
        for i in 0..<4 { reps[i] = 0 }
        remainLen = 0
        endMarkerSeen = false
        failed = nil
        resetRangeCoder()
    }

    /// Expects a new range coder stream (5 init bytes) without touching the model.
    func resetRangeCoder() {
        range = 0xFFFF_FFFF
        code = 0
        needInitBytes = 5
        tempCount = 0
    }

    /// Forgets the dictionary (LZMA2 dictionary reset).
    func resetDictionary() {
        window.reset()
    }

    /// True when no match copy is pending and no partial symbol is buffered.
    var isAtSymbolBoundary: Bool { remainLen == 0 && tempCount == 0 && needInitBytes == 0 }

    /// True if the range coder has been primed and its code is zero, the
    /// condition for a clean end without marker. (Call after `normalizeForEnd`.)
    var rangeCoderFinished: Bool { code == 0 }

    /// An error at `consumed` bytes past the start of this call's input (may
    /// be negative for bytes carried over from an earlier call).
    private func corrupt(_ what: String, _ consumed: Int) -> LZMAError {
        .corruptData(what, offset: UInt64(bitPattern: Int64(bitPattern: totalIn) &+ Int64(consumed)))
    }

    // MARK: - Driving loop

    /// Decodes from `src[0..<count]` into the window up to position `limit`
    /// (at most `window.capacity`).
    ///
    /// - Parameters:
    ///   - sizeReached: the caller's uncompressed size has been produced; the
    ///     stream must end here, either cleanly (code == 0) or, when
    ///     `allowEndMarker`, with an end marker.
    /// - Returns: bytes consumed and why decoding stopped.
    /// - Throws: `LZMAError.corruptData` for invalid data.
    func decode(_ src: UnsafePointer<UInt8>, count: Int, limit: Int,
                sizeReached: Bool = false, allowEndMarker: Bool = true) throws(LZMAError) -> (consumed: Int, stop: Stop) {
        // After an error the model may hold what the bad symbol decoded (a
        // rep0 beyond the history, say), so the decoder stays failed until a
        // state reset.
        if let failed { throw failed }
        do {
            return try decodeBody(src, count: count, limit: limit, sizeReached: sizeReached, allowEndMarker: allowEndMarker)
        } catch {
            failed = error
            throw error
        }
    }

    private func decodeBody(_ src: UnsafePointer<UInt8>, count: Int, limit: Int,
                            sizeReached: Bool, allowEndMarker: Bool) throws(LZMAError) -> (consumed: Int, stop: Stop) {
        var consumed = 0
        defer { totalIn &+= UInt64(consumed) }

        // Prime the range coder: the first byte is always 0, then 4 bytes of code.
        while needInitBytes > 0 {
            guard consumed < count else { return (consumed, .needsInput) }
            let b = src[consumed]
            if needInitBytes == 5 {
                if b != 0 { throw corrupt("first byte of the range coder is not zero", consumed) }
            } else {
                code = (code << 8) | UInt32(b)
            }
            consumed += 1
            needInitBytes -= 1
            if needInitBytes == 0 && code == 0xFFFF_FFFF {
                throw corrupt("invalid range coder initial value", consumed)
            }
        }

        while true {
            if endMarkerSeen { return (consumed, .endMarker) }
            if remainLen > 0 {
                if sizeReached {
                    throw corrupt("a match continues past the declared uncompressed size", consumed)
                }
                copyPendingMatch(limit: limit)
                if remainLen > 0 { return (consumed, .limitReached) }
            }
            var expectMarker = false
            if sizeReached {
                // The bytes are all out. A renormalisation may still be due.
                if tempCount == 0 && range < BitModelConstants.topValue {
                    guard consumed < count else { return (consumed, .needsInput) }
                    range <<= 8
                    code = (code << 8) | UInt32(src[consumed])
                    consumed += 1
                }
                if tempCount == 0 && code == 0 { return (consumed, .finishedWithoutMarker) }
                if !allowEndMarker {
                    throw corrupt("data continues after the declared uncompressed size", consumed)
                }
                expectMarker = true
            } else if window.pos >= limit {
                return (consumed, .limitReached)
            }

            if tempCount == 0 && !expectMarker && count - consumed >= LZMADecoder.maxSymbolBytes {
                // Fast path: many symbols, no input checks.
                let used = try decodeSymbols(src + consumed,
                                             bufLimit: src + (count - LZMADecoder.maxSymbolBytes),
                                             limit: limit, consumedBefore: consumed)
                consumed += used
                continue
            }

            // Careful path: gather up to maxSymbolBytes in the carry buffer and
            // decode one symbol from it only if a dry run shows it is complete.
            let add = min(LZMADecoder.maxSymbolBytes - tempCount, count - consumed)
            (temp + tempCount).update(from: src + consumed, count: add)
            let have = tempCount + add
            guard let kind = dryRun(temp, count: have) else {
                // Offsets count from where the buffered symbol starts, which is
                // `tempCount` bytes before this call's input.
                if have >= LZMADecoder.maxSymbolBytes {
                    throw corrupt("symbol longer than possible", consumed - tempCount)
                }
                tempCount = have
                consumed += add
                return (consumed, .needsInput)
            }
            if expectMarker && kind != .match {
                throw corrupt("data continues after the declared uncompressed size", consumed - tempCount)
            }
            // The carry buffer's first byte was consumed by an earlier call:
            // it sits `tempCount` bytes before this call's input.
            let used = try decodeSymbols(UnsafePointer(temp), bufLimit: UnsafePointer(temp),
                                         limit: expectMarker ? window.pos : limit,
                                         consumedBefore: consumed - tempCount)
            if used >= tempCount {
                consumed += used - tempCount
                tempCount = 0
            } else {
                // Cannot happen (a symbol uses all bytes a starved dry run saw),
                // but stay correct if it does.
                (temp).update(from: temp + used, count: tempCount - used)
                tempCount -= used
            }
            if expectMarker && !endMarkerSeen {
                throw corrupt("data continues after the declared uncompressed size", consumed)
            }
        }
    }

    /// Copies as much of a pending match as fits below `limit`.
    private func copyPendingMatch(limit: Int) {
        let n = min(remainLen, limit - window.pos)
        guard n > 0 else { return }
        let distance = Int(reps[0]) + 1
        OutputWindow.copyMatch(window.buf, pos: window.pos,
                               src: OutputWindow.wrapped(window.pos - distance, capacity: window.capacity),
                               distance: distance, count: n, capacity: window.capacity, mayWrap: true)
        window.pos += n
        remainLen -= n
    }

    // MARK: - The symbol decoder

    /// Decodes symbols from `inp` into the window until it reaches `limit` or
    /// the input pointer passes `bufLimit` (at least one symbol is decoded).
    /// Returns the input bytes used. The caller guarantees that
    /// `maxSymbolBytes` bytes are readable from every position before
    /// `bufLimit` (or, for a single symbol, that a dry run succeeded).
    private func decodeSymbols(_ inp: UnsafePointer<UInt8>, bufLimit: UnsafePointer<UInt8>,
                               limit: Int, consumedBefore: Int) throws(LZMAError) -> Int {
        var rc = RangeDecoder(range: range, code: code, inp: inp)
        let failure: String?
        if let tracer {
            // Chosen once per run of symbols: the untraced loop has no trace code.
            var traced = TracingRangeDecoder(rc, tracer: tracer)
            failure = decodeSymbols(&traced, ByteContext.self, bufLimit: bufLimit, limit: limit).failure
            rc = traced.base
        } else if lc == 3 && lp == 0 {
            // Also chosen once per run: with xz's lc and lp (every preset)
            // the next literal's coder is the byte's high bits alone.
            failure = decodeSymbols(&rc, HighBitsContext.self, bufLimit: bufLimit, limit: limit).failure
        } else {
            failure = decodeSymbols(&rc, ByteContext.self, bufLimit: bufLimit, limit: limit).failure
        }
        let used = rc.inp - inp
        range = rc.range
        code = rc.code
        if let failure { throw corrupt(failure, consumedBefore + used) }
        if endMarkerSeen && code != 0 {
            throw corrupt("range coder not finished at the end marker", consumedBefore + used)
        }
        return used
    }

    /// The failure for a match distance (minus one) beyond the `history`
    /// bytes a match may reach.
    private static func distanceFailure(_ rep0: UInt32, history: Int) -> String {
        "match distance \(UInt64(rep0) + 1) is beyond the \(history) bytes decoded so far"
    }

    /// Decodes the next symbol from `buf[0..<count]` without changing any
    /// state. Returns its kind, or nil when the buffer does not hold all of it
    /// (including the renormalisation after it).
    private func dryRun(_ buf: UnsafePointer<UInt8>, count: Int) -> SymbolKind? {
        var rc = RangeLookAhead(range: range, code: code, inp: buf, count: count)
        let (kind, _) = decodeSymbols(&rc, ByteContext.self, bufLimit: buf, limit: window.pos)
        rc.normalize()
        return rc.starved ? nil : kind
    }

    /// The symbol decoder, written once for both bit sources (see
    /// `LZMABitSource`). With `RangeDecoder` it loops while `pos < limit` and
    /// the input pointer is before `bufLimit`, writes the window and stores the
    /// model back; with `RangeLookAhead` it decodes one symbol and stores
    /// nothing. Returns the kind of the symbol (set by the dry run only: the
    /// real decoder's caller does not use it, and keeping it was a register
    /// write a symbol) and, for invalid data (checked only when committing),
    /// what is wrong.
    ///
    /// The loop keeps few values live so that they stay in registers: rep1-3
    /// live in memory (only rep matches touch them), the position bits are
    /// `pos`'s own, and the literal coder index takes one mask.
    private func decodeSymbols<S: LZMABitSource, C: LiteralContext>(
        _ source: inout S, _ context: C.Type, bufLimit: UnsafePointer<UInt8>, limit: Int
    ) -> (kind: SymbolKind, failure: String?) {
        // A local copy: `range`, `code` and `inp` stay in registers (through
        // the inout parameter every bit stored `inp` to memory).
        var rc = source
        defer { source = rc }
        let probs = self.probs
        let reps = self.reps
        let dic = window.buf
        let cap = window.capacity
        var pos = window.pos
        // The byte before `pos` (see OutputWindow), carried in a register
        // from symbol to symbol: read back from the window, the next
        // literal's coder waited for the byte just stored to be forwarded to
        // the load (a run of literals decodes 7% faster this way).
        var prevByte = C.kept(UInt32(dic[pos &- 1]))
        // A distance is valid when it is within the dictionary and, until
        // the window has wrapped, within what has been decoded since the
        // last reset: then the source (pos - distance) is never below 0.
        let maxDistance = UInt(bitPattern: window.dictSize)
        let isFull = window.isFull
        var state = self.state
        var rep0 = reps[0]
        let pbMask = (UInt32(1) << UInt32(pb)) &- 1
        // ((position << 8) | prevByte) & literalMask keeps the lp low bits of
        // the position and the lc high bits of the previous byte: the coder
        // index, times 2^(8 - lc).
        let literalMask = (UInt32(0x100) << UInt32(lp)) &- (UInt32(0x100) >> UInt32(lc))
        let lc = UInt32(self.lc)
        var kind = SymbolKind.literal
        var failure: String? = nil
        var marker = false
        var traceKind = LZMATraceSymbol.Kind.match

        repeat {
            // The pb and lp bits count bytes since the dictionary reset. The
            // window position is that count minus whole buffers (it starts at
            // 0 at the reset and every capacity is a multiple of 16; see
            // `OutputWindow`), so its low 4 bits are the count's. (A separate
            // counter was one more value live in the loop: Ir -1.1% on dickens.)
            let position = UInt32(truncatingIfNeeded: pos)
            let posState = Int(position & pbMask)
            if !rc.decision(probs + ProbabilityLayout.isMatch + (state.value &<< 4) + posState) {
                // Literal. dic[-1] is the byte before dic[0] (see OutputWindow).
                if !S.commits { kind = .literal }
                let litProbs: UnsafeMutablePointer<UInt16>
                if C.highBitsOnly {
                    // Coder (previous byte >> 5) of 0x300 probabilities: no
                    // position bits, no masks (6 fewer instructions a literal,
                    // and fewer between one literal and the next's first load).
                    litProbs = probs + ProbabilityLayout.literal + 0x300 &* Int(prevByte)
                } else {
                    let index = ((position &<< 8) | prevByte) & literalMask
                    // index / 2^(8 - lc) coders of 0x300 probabilities each.
                    litProbs = probs + ProbabilityLayout.literal + 3 &* Int(index &<< lc)
                }
                let byte: UInt32
                var top3: UInt32 = 0
                if state.isLiteral {
                    byte = rc.literal(litProbs, top3: &top3)
                } else {
                    // State >= 7 means a match was decoded since the last state
                    // reset, and every match checks that rep0 is within the
                    // history, which only grows until the next dictionary reset
                    // (which always comes with a state reset): dic[src] is history.
                    var src = pos &- Int(rep0) &- 1
                    if src < 0 { src &+= cap }
                    byte = rc.matchedLiteral(litProbs, matchByte: UInt32(dic[src]), top3: &top3)
                }
                if S.commits { dic[pos] = UInt8(truncatingIfNeeded: byte) }
                if S.traces { rc.traced(.literal, length: 1, distance: 0, byte: byte) }
                pos &+= 1
                // With lc = 3 and lp = 0 the next literal's coder needs only
                // the byte's three high bits, known after the third of its
                // eight bits (top3 is 8 + those bits): the next coder's first
                // probability need not wait for the last five (a run of
                // literals decodes 6% faster).
                prevByte = C.highBitsOnly ? top3 & 7 : byte
                state.updateLiteral()
                continue
            }

            var len: Int
            if !rc.decision(probs + ProbabilityLayout.isRep + state.value) {
                // Match with a new distance.
                if !S.commits { kind = .match }
                if S.traces { traceKind = .match }
                len = rc.length(probs + ProbabilityLayout.lenCoder, posState: posState)
                state.updateMatch()
                let dist = rc.distance(probs, length: len)
                if dist == 0xFFFF_FFFF {
                    // End of payload marker; the range coder ends after one
                    // more renormalisation.
                    rc.normalize()
                    if S.traces { rc.traced(.endMarker, length: 0, distance: 0, byte: 0) }
                    marker = true
                    break
                }
                if S.commits { reps[3] = reps[2]; reps[2] = reps[1]; reps[1] = rep0 }
                rep0 = dist
            } else {
                if !S.commits { kind = .rep }
                if S.traces { traceKind = .rep0 }
                if !rc.decision(probs + ProbabilityLayout.isRepG0 + state.value) {
                    if !rc.decision(probs + ProbabilityLayout.isRep0Long + (state.value &<< 4) + posState) {
                        // Short rep: one byte from distance rep0.
                        if !S.commits { kind = .shortRep }
                        if S.commits {
                            var src = pos &- Int(rep0) &- 1
                            if UInt(rep0) >= maxDistance || (src < 0 && !isFull) {
                                failure = "short rep before any output"; break
                            }
                            if src < 0 { src &+= cap }
                            let byte = dic[src]
                            dic[pos] = byte
                            prevByte = C.kept(UInt32(byte))
                        }
                        if S.traces { rc.traced(.shortRep, length: 1, distance: rep0, byte: 0) }
                        pos &+= 1
                        state.updateShortRep()
                        continue
                    }
                } else {
                    // rep1, rep2 or rep3 moves to the front.
                    let dist: UInt32
                    if !rc.decision(probs + ProbabilityLayout.isRepG1 + state.value) {
                        dist = reps[1]
                        if S.traces { traceKind = .rep1 }
                    } else {
                        if !rc.decision(probs + ProbabilityLayout.isRepG2 + state.value) {
                            dist = reps[2]
                            if S.traces { traceKind = .rep2 }
                        } else {
                            dist = reps[3]
                            if S.traces { traceKind = .rep3 }
                            if S.commits { reps[3] = reps[2] }
                        }
                        if S.commits { reps[2] = reps[1] }
                    }
                    if S.commits { reps[1] = rep0 }
                    rep0 = dist
                }
                len = rc.length(probs + ProbabilityLayout.repLenCoder, posState: posState)
                state.updateRep()
            }
            guard S.commits else { break }

            // Copy the match (len + 2 bytes from rep0 + 1 back). Compared as
            // UInt: a corrupt distance may not fit a 32-bit Int.
            var src = pos &- Int(rep0) &- 1
            if UInt(rep0) >= maxDistance {
                failure = LZMADecoder.distanceFailure(rep0, history: isFull ? window.dictSize : pos)
                break
            }
            len &+= LZMAConstants.matchLenMin
            // The loop runs while pos < limit, so cur >= 1.
            let room = limit &- pos
            let cur = len < room ? len : room
            remainLen = len &- cur
            // The last byte copied is read at its source: dic[pos - 1] would
            // wait for the copy's store to be forwarded.
            if src >= 0 {
                // The source is behind pos, not across the buffer's end: the
                // copy needs no wrap test (a tenth of a match's instructions
                // were the wrap and its tests).
                OutputWindow.copyMatch(dic, pos: pos, src: src, distance: Int(rep0) &+ 1, count: cur,
                                       capacity: cap, mayWrap: false)
                prevByte = C.kept(UInt32(dic[src &+ cur &- 1]))
            } else {
                // Before any output since the last reset, or, once the buffer
                // has wrapped, at its end.
                if !isFull {
                    failure = LZMADecoder.distanceFailure(rep0, history: pos)
                    break
                }
                src &+= cap
                OutputWindow.copyMatch(dic, pos: pos, src: src, distance: Int(rep0) &+ 1, count: cur,
                                       capacity: cap, mayWrap: true)
                let last = src &+ cur &- 1
                prevByte = C.kept(UInt32(dic[last < cap ? last : last &- cap]))
            }
            // Traced once known to be valid.
            if S.traces { rc.traced(traceKind, length: len, distance: rep0, byte: 0) }
            pos &+= cur
        } while S.commits && pos < limit && rc.inp < bufLimit

        if S.commits {
            self.state = state
            reps[0] = rep0
            window.pos = pos
            if marker { endMarkerSeen = true }
        }
        return (kind, failure)
    }
}
