/// Bit trees: how LZMA codes a multi-bit symbol with adaptive bits.
///
/// A `numBits`-bit symbol is coded most significant bit first; the
/// probability for each bit is chosen by the bits already seen, so the tree
/// has `1 << numBits` probabilities (index 0 unused, the root at 1). The
/// *reverse* tree codes the least significant bit first; LZMA uses it for the
/// low bits of distances, whose high bits have already been coded.
extension LZMABitSource {
    /// Decodes a symbol of `numBits` bits from the tree at `probs`.
    @inline(__always)
    mutating func bitTree(_ probs: UnsafeMutablePointer<UInt16>, numBits: Int) -> UInt32 {
        var m: UInt32 = 1
        var n = numBits
        repeat {
            m = (m &<< 1) | treeBit(probs + Int(m))
            n &-= 1
        } while n > 0
        return m &- (1 &<< UInt32(numBits))
    }

    /// Decodes a symbol of `numBits` bits, least significant bit first.
    @inline(__always)
    mutating func reverseBitTree(_ probs: UnsafeMutablePointer<UInt16>, numBits: Int) -> UInt32 {
        var m: UInt32 = 1
        var symbol: UInt32 = 0
        var i: UInt32 = 0
        repeat {
            let bit = treeBit(probs + Int(m))
            m = (m &<< 1) | bit
            symbol |= bit &<< i
            i &+= 1
        } while i < UInt32(numBits)
        return symbol
    }
}
