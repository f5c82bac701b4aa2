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

    /// Bit `k` (1...8) of a matched literal. While the decoded bits equal
    /// the match byte's (`matching`), they use the matched probabilities,
    /// 0x100 + 0x100 x match bit + the match byte's first k - 1 bits (with
    /// the leading 1): their addresses follow from the match byte alone, so
    /// every load can start before any bit is decoded. From the first
    /// difference on, the literal is a plain one, with `symbol` its node and
    /// `prob` that node's probability (see `treeStep`).
    ///
    /// The difference is a branch, not arithmetic: it comes once per literal
    /// (a literal after a match differs from the match byte, or the match
    /// would have been longer), so it costs one mispredict, while the
    /// branch-free offset (liblzma's) put four instructions between one bit
    /// and the next probability's address: about 16 cycles a bit.
    @inline(__always)
    mutating func matchedStep(_ probs: UnsafeMutablePointer<UInt16>, _ matchByte: UInt32, _ k: UInt32,
                              _ symbol: inout UInt32, _ matching: inout Bool, _ prob: inout UInt32) {
        if matching {
            let prefix = (0x100 | matchByte) &>> (9 &- k)
            let matchBit = (matchByte &>> (8 &- k)) & 1
            let p = probs + Int(0x100 &+ (matchBit &<< 8) &+ prefix)
            let bit = treeBit(p, UInt32(p.pointee))
            if bit != matchBit {
                matching = false
                symbol = (prefix &<< 1) | bit
                // The plain node's probability; after the last bit, none.
                if k < 8 { prob = UInt32(probs[Int(symbol)]) }
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
        var symbol: UInt32 = 0
        var matching = true
        var prob: UInt32 = 0
        matchedStep(probs, matchByte, 1, &symbol, &matching, &prob)
        matchedStep(probs, matchByte, 2, &symbol, &matching, &prob)
        matchedStep(probs, matchByte, 3, &symbol, &matching, &prob)
        top3 = matching ? (0x100 | matchByte) &>> 5 : symbol
        matchedStep(probs, matchByte, 4, &symbol, &matching, &prob)
        matchedStep(probs, matchByte, 5, &symbol, &matching, &prob)
        matchedStep(probs, matchByte, 6, &symbol, &matching, &prob)
        matchedStep(probs, matchByte, 7, &symbol, &matching, &prob)
        matchedStep(probs, matchByte, 8, &symbol, &matching, &prob)
        // All eight bits as the match byte's: the byte is the match byte.
        return matching ? matchByte : symbol &- 0x100
    }
}

