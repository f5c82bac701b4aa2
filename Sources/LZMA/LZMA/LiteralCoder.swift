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
    /// byte's, `offset` (0x100) selects the matched probabilities (0x100 or
    /// 0x200 by the match bit); after the first difference it is 0 and the
    /// plain ones are used.
    @inline(__always)
    mutating func matchedStep(_ probs: UnsafeMutablePointer<UInt16>, _ symbol: inout UInt32,
                              _ match: inout UInt32, _ offset: inout UInt32) {
        match &<<= 1
        let matchBit = match & offset
        let p = probs + Int(offset &+ matchBit &+ symbol)
        let bit = treeBit(p, UInt32(p.pointee))
        symbol = (symbol &<< 1) | bit
        // bit 1: keep offset if matchBit is set; bit 0: keep it if clear.
        offset &= matchBit ^ (bit &- 1)
    }

    /// A matched literal, its 8 bits spelled out (see `BitTree`); `top3` as
    /// for `literal`.
    @inline(__always)
    mutating func matchedLiteral(_ probs: UnsafeMutablePointer<UInt16>, matchByte: UInt32,
                                 top3: inout UInt32) -> UInt32 {
        var symbol: UInt32 = 1
        var match = matchByte
        var offset: UInt32 = 0x100
        matchedStep(probs, &symbol, &match, &offset); matchedStep(probs, &symbol, &match, &offset)
        matchedStep(probs, &symbol, &match, &offset)
        top3 = symbol
        matchedStep(probs, &symbol, &match, &offset)
        matchedStep(probs, &symbol, &match, &offset); matchedStep(probs, &symbol, &match, &offset)
        matchedStep(probs, &symbol, &match, &offset); matchedStep(probs, &symbol, &match, &offset)
        return symbol &- 0x100
    }
}

