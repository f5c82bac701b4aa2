/// Literals: one byte coded with a bit tree of 0x300 probabilities.
///
/// Which of the `1 << (lc + lp)` literal coders is used depends on the high
/// `lc` bits of the previous byte and the low `lp` bits of the position. Right
/// after a match the byte at distance rep0 (the "match byte") is likely to be
/// repeated, so while the decoded bits agree with it a second set of
/// probabilities (offset 0x100/0x200, selected by the match bit) is used: a
/// "matched literal".
extension LZMABitSource {
    @inline(__always)
    mutating func literal(_ probs: UnsafeMutablePointer<UInt16>) -> UInt32 {
        var symbol: UInt32 = 1
        repeat {
            symbol = (symbol &<< 1) | treeBit(probs + Int(symbol))
        } while symbol < 0x100
        return symbol & 0xFF
    }

    @inline(__always)
    mutating func matchedLiteral(_ probs: UnsafeMutablePointer<UInt16>, matchByte: UInt32) -> UInt32 {
        var symbol: UInt32 = 1
        var match = matchByte
        var offset: UInt32 = 0x100
        repeat {
            match &<<= 1
            let matchBit = match & offset
            let bit = treeBit(probs + Int(offset &+ matchBit &+ symbol))
            symbol = (symbol &<< 1) | bit
            // While decoded bits equal the match byte's, keep using the
            // matched probabilities; after the first difference, plain ones.
            offset &= bit != 0 ? matchBit : ~matchBit
        } while symbol < 0x100
        return symbol & 0xFF
    }
}
