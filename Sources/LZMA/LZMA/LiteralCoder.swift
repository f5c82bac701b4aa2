/// Literals: one byte coded with a bit tree of 0x300 probabilities.
///
/// Which of the `1 << (lc + lp)` literal coders is used depends on the high
/// `lc` bits of the previous byte and the low `lp` bits of the position. Right
/// after a match the byte at distance rep0 (the "match byte") is likely to be
/// repeated, so while the decoded bits agree with it a second set of
/// probabilities (offset 0x100/0x200, selected by the match bit) is used: a
/// "matched literal".
extension LZMABitSource {
    /// A plain literal: an 8-bit tree; `top3` as for `bitTree8` (see
    /// `LZMADecoder.decodeSymbols` for its use).
    @inline(__always)
    mutating func literal(_ probs: UnsafeMutablePointer<UInt16>, top3: inout UInt32) -> UInt32 {
        bitTree8(probs, top3: &top3)
    }

    /// One bit of a matched literal. While the decoded bits equal the match
    /// byte's (`matching`), each uses the matched probabilities (offset 0x100
    /// or 0x200 by the match bit); from the first difference on, the plain
    /// tree's, with `prob` its current node's probability (see `treeStep`).
    ///
    /// The difference is a branch, not arithmetic: it comes once per literal
    /// (a literal after a match differs from the match byte, or the match
    /// would have been longer), so it costs one mispredict, while the
    /// branch-free offset took four instructions between one bit and the next
    /// probability's address (about 16 cycles a bit, against 11 matching and
    /// 6 once plain).
    @inline(__always)
    mutating func matchedStep(_ probs: UnsafeMutablePointer<UInt16>, _ symbol: inout UInt32,
                              _ match: inout UInt32, _ matching: inout Bool, _ prob: inout UInt32) {
        if matching {
            match &<<= 1
            let matchBit = match & 0x100
            let p = probs + Int(0x100 &+ matchBit &+ symbol)
            let bit = treeBit(p, UInt32(p.pointee))
            symbol = (symbol &<< 1) | bit
            if bit != matchBit &>> 8 {
                matching = false
                prob = UInt32(probs[Int(symbol)])
            }
        } else {
            treeStep(probs, &symbol, &prob)
        }
    }

    /// A matched literal, its 8 bits spelled out (see `BitTree`); `top3` as
    /// for `literal`.
    @inline(__always)
    mutating func matchedLiteral(_ probs: UnsafeMutablePointer<UInt16>, matchByte: UInt32,
                                 top3: inout UInt32) -> UInt32 {
        var symbol: UInt32 = 1
        var match = matchByte
        var matching = true
        var prob: UInt32 = 0
        matchedStep(probs, &symbol, &match, &matching, &prob); matchedStep(probs, &symbol, &match, &matching, &prob)
        matchedStep(probs, &symbol, &match, &matching, &prob)
        top3 = symbol
        matchedStep(probs, &symbol, &match, &matching, &prob); matchedStep(probs, &symbol, &match, &matching, &prob)
        matchedStep(probs, &symbol, &match, &matching, &prob); matchedStep(probs, &symbol, &match, &matching, &prob)
        matchedStep(probs, &symbol, &match, &matching, &prob)
        return symbol &- 0x100
    }
}

