/// The normal-mode parser: optimal parsing over the price model.
///
/// From the current position it builds, for each position ahead (up to 4096),
/// the cheapest known way to get there (`opts[i].price`), trying at every
/// reached position: a literal, a short rep, every rep match, every match
/// length, and the two-step combinations "literal + rep0" and
/// "match/rep + literal + rep0". When a match reaches `nice` or no cheaper
/// path can extend further, it walks back from the end (`backward`) and then
/// hands out the chosen symbols one per call.
extension LZMAEncoder {
    /// Chooses the symbol at `position`: (back, len).
    func optimumNormal(position: UInt32) -> (UInt32, Int) {
        // Hand out the rest of an already computed path.
        if optsEndIndex != optsCurrentIndex {
            let cur = optsCurrentIndex
            let len = Int(opts[cur].posPrev) - cur
            let back = opts[cur].backPrev
            optsCurrentIndex = Int(opts[cur].posPrev)
            return (back, len)
        }
        // Prices are refreshed here only, between two parses.
        if mf.readAhead == 0 {
            if matchPriceCount >= (1 << 7) { fillDistancePrices() }
            if alignPriceCount >= UInt32(LZMAConstants.alignTableSize) { fillAlignPrices() }
        }
        var lenEnd: Int
        var result: (UInt32, Int) = (0, 0)
        lenEnd = parseFirst(position: position, result: &result)
        if lenEnd == Int.max { return result }

        var reps = (self.reps[0], self.reps[1], self.reps[2], self.reps[3])
        let mf = self.mf
        var cur = 1
        while cur < lenEnd {
            let found = mf.find(matches)
            matchesCount = found.count
            longestMatchLength = found.longest
            if found.longest >= niceLength { break }
            lenEnd = parseNext(reps: &reps, buf: UnsafePointer(mf.buffer + mf.readPos - 1), lenEnd: lenEnd,
                               position: position &+ UInt32(cur), cur: cur,
                               bufAvailFull: min(mf.available + 1, MatchFinder.optsSize - 1 - cur))
            cur += 1
        }
        return backward(cur)
    }

    /// Follows the chosen path back from `cur`, reversing the links so the
    /// symbols can be read forwards; returns the first symbol.
    func backward(_ end: Int) -> (UInt32, Int) {
        var cur = end
        optsEndIndex = cur
        var posMem = Int(opts[cur].posPrev)
        var backMem = opts[cur].backPrev
        repeat {
            if opts[cur].prev1IsLiteral {
                opts[posMem].backPrev = LZMAEncoder.literalBack
                opts[posMem].prev1IsLiteral = false
                opts[posMem].posPrev = UInt32(posMem - 1)
                if opts[cur].prev2 {
                    opts[posMem - 1].prev1IsLiteral = false
                    opts[posMem - 1].posPrev = opts[cur].posPrev2
                    opts[posMem - 1].backPrev = opts[cur].backPrev2
                }
            }
            let posPrev = posMem
            let backCur = backMem
            backMem = opts[posPrev].backPrev
            posMem = Int(opts[posPrev].posPrev)
            opts[posPrev].backPrev = backCur
            opts[posPrev].posPrev = UInt32(cur)
            cur = posPrev
        } while cur != 0
        optsCurrentIndex = Int(opts[0].posPrev)
        return (opts[0].backPrev, Int(opts[0].posPrev))
    }

    @inline(__always)
    func shortRepPrice(state: Int, posState: Int) -> UInt32 {
        prices.bit0(isRepG0Probs[state]) &+ prices.bit0(isRep0LongProbs[(state << 4) &+ posState])
    }

    /// Price of choosing rep `repIndex` (not counting is-match, is-rep, length).
    @inline(__always)
    func pureRepPrice(_ repIndex: Int, state: Int, posState: Int) -> UInt32 {
        if repIndex == 0 {
            return prices.bit0(isRepG0Probs[state]) &+ prices.bit1(isRep0LongProbs[(state << 4) &+ posState])
        }
        var price = prices.bit1(isRepG0Probs[state])
        if repIndex == 1 {
            price &+= prices.bit0(isRepG1Probs[state])
        } else {
            price &+= prices.bit1(isRepG1Probs[state])
            price &+= prices.bit(isRepG2Probs[state], UInt32(repIndex - 2))
        }
        return price
    }

    @inline(__always)
    func repPrice(_ repIndex: Int, len: UInt32, state: Int, posState: Int) -> UInt32 {
        lengthPrice(repLenPrices, len: len, posState: posState) &+ pureRepPrice(repIndex, state: state, posState: posState)
    }

    /// First step: the choices at the current position. Returns the end of
    /// the table, or `Int.max` with `result` set when the choice is obvious.
    @inline(__always)
    func parseFirst(position: UInt32, result: inout (UInt32, Int)) -> Int {
        let mf = self.mf
        let opts = self.opts
        let matches = self.matches
        let nice = niceLength
        let (matchesCount, lenMain) = matchesAtReadPosition(keep: true)
        let bufAvail = min(mf.available + 1, LZMAConstants.matchLenMax)
        if bufAvail < 2 {
            result = (LZMAEncoder.literalBack, 1)
            return Int.max
        }
        let buf = UnsafePointer(mf.buffer + mf.readPos - 1)
        let rl = repLenScratch
        var repMaxIndex = 0
        for i in 0..<4 {
            let back = buf - Int(reps[i]) - 1
            if buf[0] != back[0] || buf[1] != back[1] { rl[i] = 0; continue }
            rl[i] = commonLength(buf, back, 2, bufAvail)
            if rl[i] > rl[repMaxIndex] { repMaxIndex = i }
        }
        let repMaxLen = rl[repMaxIndex]
        if repMaxLen >= nice {
            mf.skip(repMaxLen - 1)
            result = (UInt32(repMaxIndex), repMaxLen)
            return Int.max
        }
        if lenMain >= nice {
            mf.skip(lenMain - 1)
            result = (matches[matchesCount - 1].dist &+ 4, lenMain)
            return Int.max
        }
        let currentByte = buf[0]
        let matchByte = (buf - Int(reps[0]) - 1).pointee
        if lenMain < 2 && currentByte != matchByte && repMaxLen < 2 {
            result = (LZMAEncoder.literalBack, 1)
            return Int.max
        }

        let st = state.value
        opts[0].state = state
        let posState = Int(position & posMask)
        opts[1].price = prices.bit0(isMatchProbs[(st << 4) + posState])
            &+ literalPrice(position: position, prevByte: buf[-1], matchMode: !state.isLiteral,
                            matchByte: matchByte, symbol: currentByte)
        opts[1].backPrev = LZMAEncoder.literalBack
        opts[1].prev1IsLiteral = false

        let matchPrice = prices.bit1(isMatchProbs[(st << 4) + posState])
        let repMatchPrice = matchPrice &+ prices.bit1(isRepProbs[st])
        if matchByte == currentByte {
            let p = repMatchPrice &+ shortRepPrice(state: st, posState: posState)
            if p < opts[1].price {
                opts[1].price = p
                opts[1].backPrev = 0
                opts[1].prev1IsLiteral = false
            }
        }
        let lenEnd = max(lenMain, repMaxLen)
        if lenEnd < 2 {
            result = (opts[1].backPrev, 1)
            return Int.max
        }
        opts[1].posPrev = 0
        for i in 0..<4 { optBacks[i] = reps[i] }
        var len = lenEnd
        repeat {
            opts[len].price = PriceConstants.infinity
            len -= 1
        } while len >= 2

        for i in 0..<4 {
            var repLen = rl[i]
            if repLen < 2 { continue }
            let price = repMatchPrice &+ pureRepPrice(i, state: st, posState: posState)
            repeat {
                let p = price &+ lengthPrice(repLenPrices, len: UInt32(repLen), posState: posState)
                if p < opts[repLen].price {
                    opts[repLen].price = p
                    opts[repLen].posPrev = 0
                    opts[repLen].backPrev = UInt32(i)
                    opts[repLen].prev1IsLiteral = false
                }
                repLen -= 1
            } while repLen >= 2
        }

        let normalMatchPrice = matchPrice &+ prices.bit0(isRepProbs[st])
        len = rl[0] >= 2 ? rl[0] + 1 : 2
        if len <= lenMain {
            var i = 0
            while len > Int(matches[i].len) { i += 1 }
            while true {
                let dist = matches[i].dist
                let p = normalMatchPrice &+ distanceLengthPrice(dist: dist, len: UInt32(len), posState: posState)
                if p < opts[len].price {
                    opts[len].price = p
                    opts[len].posPrev = 0
                    opts[len].backPrev = dist &+ 4
                    opts[len].prev1IsLiteral = false
                }
                if len == Int(matches[i].len) {
                    i += 1
                    if i == matchesCount { break }
                }
                len += 1
            }
        }
        return lenEnd
    }

    /// One step at `cur` positions ahead: works out the state and reps on the
    /// best path to `cur`, then tries every choice from there.
    @inline(__always)
    func parseNext(reps: inout (UInt32, UInt32, UInt32, UInt32), buf: UnsafePointer<UInt8>, lenEnd lenEndIn: Int,
                   position: UInt32, cur: Int, bufAvailFull: Int) -> Int {
        let opts = self.opts
        let matches = self.matches
        let nice = niceLength
        var lenEnd = lenEndIn
        var matchesCount = self.matchesCount
        var newLen = longestMatchLength
        var posPrev = Int(opts[cur].posPrev)
        var state: LZMAState

        if opts[cur].prev1IsLiteral {
            posPrev -= 1
            if opts[cur].prev2 {
                state = opts[Int(opts[cur].posPrev2)].state
                if opts[cur].backPrev2 < 4 { state.updateRep() } else { state.updateMatch() }
            } else {
                state = opts[posPrev].state
            }
            state.updateLiteral()
        } else {
            state = opts[posPrev].state
        }

        if posPrev == cur - 1 {
            if opts[cur].backPrev == 0 { state.updateShortRep() } else { state.updateLiteral() }
        } else {
            var pos: UInt32
            if opts[cur].prev1IsLiteral && opts[cur].prev2 {
                posPrev = Int(opts[cur].posPrev2)
                pos = opts[cur].backPrev2
                state.updateRep()
            } else {
                pos = opts[cur].backPrev
                if pos < 4 { state.updateRep() } else { state.updateMatch() }
            }
            let pb = optBacks + posPrev * 4
            if pos < 4 {
                switch pos {
                case 0: reps = (pb[0], pb[1], pb[2], pb[3])
                case 1: reps = (pb[1], pb[0], pb[2], pb[3])
                case 2: reps = (pb[2], pb[0], pb[1], pb[3])
                default: reps = (pb[3], pb[0], pb[1], pb[2])
                }
            } else {
                reps = (pos &- 4, pb[0], pb[1], pb[2])
            }
        }
        opts[cur].state = state
        let cb = optBacks + cur * 4
        cb[0] = reps.0; cb[1] = reps.1; cb[2] = reps.2; cb[3] = reps.3

        let st = state.value
        let curPrice = opts[cur].price
        let currentByte = buf[0]
        let matchByte = (buf - Int(reps.0) - 1).pointee
        let posState = Int(position & posMask)

        let curAnd1Price = curPrice &+ prices.bit0(isMatchProbs[(st << 4) &+ posState])
            &+ literalPrice(position: position, prevByte: buf[-1], matchMode: !state.isLiteral,
                            matchByte: matchByte, symbol: currentByte)
        var nextIsLiteral = false
        if curAnd1Price < opts[cur + 1].price {
            opts[cur + 1].price = curAnd1Price
            opts[cur + 1].posPrev = UInt32(cur)
            opts[cur + 1].backPrev = LZMAEncoder.literalBack
            opts[cur + 1].prev1IsLiteral = false
            nextIsLiteral = true
        }

        let matchPrice = curPrice &+ prices.bit1(isMatchProbs[(st << 4) &+ posState])
        let repMatchPrice = matchPrice &+ prices.bit1(isRepProbs[st])
        if matchByte == currentByte && !(Int(opts[cur + 1].posPrev) < cur && opts[cur + 1].backPrev == 0) {
            let p = repMatchPrice &+ shortRepPrice(state: st, posState: posState)
            if p <= opts[cur + 1].price {
                opts[cur + 1].price = p
                opts[cur + 1].posPrev = UInt32(cur)
                opts[cur + 1].backPrev = 0
                opts[cur + 1].prev1IsLiteral = false
                nextIsLiteral = true
            }
        }
        if bufAvailFull < 2 { return lenEnd }
        let bufAvail = min(bufAvailFull, nice)

        // Literal + rep0.
        if !nextIsLiteral && matchByte != currentByte {
            let back = buf - Int(reps.0) - 1
            let limit = min(bufAvailFull, nice + 1)
            let lenTest = commonLength(buf, back, 1, limit) - 1
            if lenTest >= 2 {
                var state2 = state
                state2.updateLiteral()
                let posStateNext = Int((position &+ 1) & posMask)
                let nextRepMatchPrice = curAnd1Price &+ prices.bit1(isMatchProbs[(state2.value << 4) &+ posStateNext])
                    &+ prices.bit1(isRepProbs[state2.value])
                let offset = cur + 1 + lenTest
                while lenEnd < offset { lenEnd += 1; opts[lenEnd].price = PriceConstants.infinity }
                let p = nextRepMatchPrice &+ repPrice(0, len: UInt32(lenTest), state: state2.value, posState: posStateNext)
                if p < opts[offset].price {
                    opts[offset].price = p
                    opts[offset].posPrev = UInt32(cur + 1)
                    opts[offset].backPrev = 0
                    opts[offset].prev1IsLiteral = true
                    opts[offset].prev2 = false
                }
            }
        }

        // Rep matches (and rep + literal + rep0).
        var startLen = 2
        for repIndex in 0..<4 {
            let r: UInt32
            switch repIndex {
            case 0: r = reps.0
            case 1: r = reps.1
            case 2: r = reps.2
            default: r = reps.3
            }
            let back = buf - Int(r) - 1
            if buf[0] != back[0] || buf[1] != back[1] { continue }
            var lenTest = commonLength(buf, back, 2, bufAvail)
            while lenEnd < cur + lenTest { lenEnd += 1; opts[lenEnd].price = PriceConstants.infinity }
            let lenTestTemp = lenTest
            let price = repMatchPrice &+ pureRepPrice(repIndex, state: st, posState: posState)
            repeat {
                let p = price &+ lengthPrice(repLenPrices, len: UInt32(lenTest), posState: posState)
                if p < opts[cur + lenTest].price {
                    opts[cur + lenTest].price = p
                    opts[cur + lenTest].posPrev = UInt32(cur)
                    opts[cur + lenTest].backPrev = UInt32(repIndex)
                    opts[cur + lenTest].prev1IsLiteral = false
                }
                lenTest -= 1
            } while lenTest >= 2
            lenTest = lenTestTemp
            if repIndex == 0 { startLen = lenTest + 1 }

            tryLiteralThenRep0(after: state, isRep: true, backPrev2: UInt32(repIndex), cur: cur, lenTest: lenTest,
                               buf: buf, back: back, bufAvailFull: bufAvailFull, nice: nice, position: position,
                               opts: opts, lenEnd: &lenEnd) {
                price &+ lengthPrice(repLenPrices, len: UInt32(lenTest), posState: posState)
            }
        }

        // New matches (and match + literal + rep0).
        if newLen > bufAvail {
            newLen = bufAvail
            matchesCount = 0
            while newLen > Int(matches[matchesCount].len) { matchesCount += 1 }
            matches[matchesCount].len = UInt32(newLen)
            matchesCount += 1
        }
        if newLen >= startLen {
            let normalMatchPrice = matchPrice &+ prices.bit0(isRepProbs[st])
            while lenEnd < cur + newLen { lenEnd += 1; opts[lenEnd].price = PriceConstants.infinity }
            var i = 0
            while startLen > Int(matches[i].len) { i += 1 }
            var lenTest = startLen
            while true {
                let curBack = matches[i].dist
                let p = normalMatchPrice &+ distanceLengthPrice(dist: curBack, len: UInt32(lenTest), posState: posState)
                if p < opts[cur + lenTest].price {
                    opts[cur + lenTest].price = p
                    opts[cur + lenTest].posPrev = UInt32(cur)
                    opts[cur + lenTest].backPrev = curBack &+ 4
                    opts[cur + lenTest].prev1IsLiteral = false
                }
                if lenTest == Int(matches[i].len) {
                    tryLiteralThenRep0(after: state, isRep: false, backPrev2: curBack &+ 4, cur: cur, lenTest: lenTest,
                                       buf: buf, back: buf - Int(curBack) - 1, bufAvailFull: bufAvailFull, nice: nice,
                                       position: position, opts: opts, lenEnd: &lenEnd) { p }
                    i += 1
                    if i == matchesCount { break }
                }
                lenTest += 1
            }
        }
        return lenEnd
    }

    /// liblzma's "match + literal + rep0" try: after a rep (`isRep`) or a
    /// new match of `lenTest` bytes at `cur`, reached from `state` at the price
    /// `matchPrice()`, a literal and then a rep0 match of the bytes after it
    /// (which repeat at the same distance, from `back`) may be a cheaper path
    /// to a position further on; if so it is recorded there with `backPrev2`
    /// as the first symbol. `matchPrice` is only evaluated when the rep0 is
    /// long enough (at least 2 bytes).
    @inline(__always)
    func tryLiteralThenRep0(after state: LZMAState, isRep: Bool, backPrev2: UInt32, cur: Int, lenTest: Int,
                            buf: UnsafePointer<UInt8>, back: UnsafePointer<UInt8>, bufAvailFull: Int, nice: Int,
                            position: UInt32, opts: UnsafeMutablePointer<Optimal>, lenEnd: inout Int,
                            matchPrice: () -> UInt32) {
        var lenTest2 = lenTest + 1
        let limit = min(bufAvailFull, lenTest2 + nice)
        if lenTest2 < limit { lenTest2 = commonLength(buf, back, lenTest2, limit) }
        lenTest2 -= lenTest + 1
        guard lenTest2 >= 2 else { return }
        recordLiteralThenRep0(after: state, isRep: isRep, backPrev2: backPrev2, cur: cur, lenTest: lenTest, lenTest2: lenTest2,
                              buf: buf, back: back, position: position, opts: opts, lenEnd: &lenEnd, matchPrice: matchPrice())
    }

    /// The rare part of `tryLiteralThenRep0` (the rep0 is long enough), kept
    /// out of line so that it does not crowd the registers of the parser's
    /// hottest loops.
    @inline(never)
    func recordLiteralThenRep0(after state: LZMAState, isRep: Bool, backPrev2: UInt32, cur: Int, lenTest: Int, lenTest2: Int,
                               buf: UnsafePointer<UInt8>, back: UnsafePointer<UInt8>, position: UInt32,
                               opts: UnsafeMutablePointer<Optimal>, lenEnd: inout Int, matchPrice: UInt32) {
        var state2 = state
        if isRep { state2.updateRep() } else { state2.updateMatch() }
        var posStateNext = Int((position &+ UInt32(lenTest)) & posMask)
        let curAndLenLiteralPrice = matchPrice
            &+ prices.bit0(isMatchProbs[(state2.value << 4) &+ posStateNext])
            &+ literalPrice(position: position &+ UInt32(lenTest), prevByte: buf[lenTest - 1], matchMode: true,
                            matchByte: back[lenTest], symbol: buf[lenTest])
        state2.updateLiteral()
        posStateNext = Int((position &+ UInt32(lenTest) &+ 1) & posMask)
        let nextRepMatchPrice = curAndLenLiteralPrice
            &+ prices.bit1(isMatchProbs[(state2.value << 4) &+ posStateNext])
            &+ prices.bit1(isRepProbs[state2.value])
        let offset = cur + lenTest + 1 + lenTest2
        while lenEnd < offset { lenEnd += 1; opts[lenEnd].price = PriceConstants.infinity }
        let p = nextRepMatchPrice &+ repPrice(0, len: UInt32(lenTest2), state: state2.value, posState: posStateNext)
        if p < opts[offset].price {
            opts[offset].price = p
            opts[offset].posPrev = UInt32(cur + lenTest + 1)
            opts[offset].backPrev = 0
            opts[offset].prev1IsLiteral = true
            opts[offset].prev2 = true
            opts[offset].posPrev2 = UInt32(cur)
            opts[offset].backPrev2 = backPrev2
        }
    }
}
