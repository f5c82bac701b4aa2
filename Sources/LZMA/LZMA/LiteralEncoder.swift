/// Literals: one byte coded with a 0x300-probability coder chosen by the
/// previous byte's top `lc` bits and the position's low `lp` bits.
///
/// Right after a match the byte at distance rep0 ("match byte") is a good
/// guess, so while the bits agree with it a second set of probabilities is
/// used ("matched literal"); after the first difference coding goes plain.
extension LZMAEncoder {
    /// The probabilities for a literal at `position` after `prevByte`.
    @inline(__always)
    func literalCoder(position: UInt32, prevByte: UInt8) -> UnsafeMutablePointer<UInt16> {
        let index = ((position & lpMask) << UInt32(lc)) &+ (UInt32(prevByte) >> UInt32(8 &- lc))
        return literalProbs + 0x300 &* Int(index)
    }

    /// Encodes the byte at the encoder's position as a literal.
    @inline(__always)
    func encodeLiteral(_ rc: inout RangeEncoder, position: UInt32) {
        let buf = mf.buffer
        let at = mf.readPos &- mf.readAhead
        let curByte = buf[at]
        let coder = literalCoder(position: position, prevByte: buf[at &- 1])
        if state.isLiteral {
            rc.encodeBitTree(coder, bits: 8, UInt32(curByte))
        } else {
            let matchByte = buf[at &- Int(reps[0]) &- 1]
            encodeMatchedLiteral(&rc, coder, matchByte: matchByte, symbol: curByte)
        }
        state.updateLiteral()
    }

    @inline(__always)
    func encodeMatchedLiteral(_ rc: inout RangeEncoder, _ coder: UnsafeMutablePointer<UInt16>, matchByte: UInt8, symbol: UInt8) {
        LZMAEncoder.forEachMatchedLiteralBit(matchByte: matchByte, symbol: symbol) { rc.encodeBit(coder + $0, $1) }
    }

    /// The walk of a matched literal (a literal right after a match, coded
    /// with the byte at rep0 as context): calls `body(probability index,
    /// bit)` for each of the 8 bits of `symbol`, high bit first. While the
    /// bits agree with `matchByte`'s, the probabilities depend on the match
    /// byte's next bit; after the first difference, on the plain bit tree.
    @inline(__always)
    static func forEachMatchedLiteralBit(matchByte: UInt8, symbol: UInt8, _ body: (Int, UInt32) -> Void) {
        var offset: UInt32 = 0x100
        var sym = UInt32(symbol) | 0x100
        var mb = UInt32(matchByte)
        repeat {
            mb <<= 1
            let matchBit = mb & offset
            body(Int(offset &+ matchBit &+ (sym >> 8)), (sym >> 7) & 1)
            sym <<= 1
            offset &= ~(mb ^ sym)
        } while sym < 0x10000
    }

    /// Price of coding `symbol` as a literal (matched when `matchMode`).
    @inline(__always)
    func literalPrice(position: UInt32, prevByte: UInt8, matchMode: Bool, matchByte: UInt8, symbol: UInt8) -> UInt32 {
        let coder = literalCoder(position: position, prevByte: prevByte)
        if !matchMode {
            return prices.bitTree(coder, bits: 8, UInt32(symbol))
        }
        var price: UInt32 = 0
        let prices = self.prices
        LZMAEncoder.forEachMatchedLiteralBit(matchByte: matchByte, symbol: symbol) { price &+= prices.bit(coder[$0], $1) }
        return price
    }
}
