/// Prices: the cost in bits of encoding a symbol with the current
/// probabilities, used by the optimal parser to compare choices.
///
/// A price is -log2(probability) in units of 1/16 bit. The price of a bit only
/// depends on the probability's top 7 bits, so one 128-entry table serves all.
enum PriceConstants {
    /// Prices carry 4 fractional bits.
    static let shiftBits: UInt32 = 4
    /// Probabilities are looked up with their low 4 bits dropped.
    static let moveReducingBits: UInt32 = 4
    static let tableSize = Int(BitModelConstants.bitModelTotal >> moveReducingBits)
    /// "Not reachable yet" in the optimal parser.
    static let infinity: UInt32 = 1 << 30

    /// Fills `table` (128 entries) with -log2(p) * 16 for the middle of each
    /// probability bucket, computed with integers only (repeated squaring
    /// counts the bits of p^16), so every platform gets the same prices.
    static func fill(_ table: UnsafeMutablePointer<UInt32>) {
        let step = 1 << Int(moveReducingBits)
        var i = step / 2
        while i < Int(BitModelConstants.bitModelTotal) {
            var w = UInt32(i)
            var bitCount: UInt32 = 0
            for _ in 0..<Int(shiftBits) {
                w = w &* w
                bitCount <<= 1
                while w >= (1 << 16) {
                    w >>= 1
                    bitCount += 1
                }
            }
            table[i >> Int(moveReducingBits)] = (BitModelConstants.numBitModelTotalBits << shiftBits) - 15 - bitCount
            i += step
        }
    }
}

/// Read-only view of the bit price table with the price helpers.
struct Prices {
    let table: UnsafeMutablePointer<UInt32>

    /// Price of encoding `bit` with probability `prob` (of a zero).
    @inline(__always) func bit(_ prob: UInt16, _ bit: UInt32) -> UInt32 {
        table[Int((UInt32(prob) ^ ((0 &- bit) & (BitModelConstants.bitModelTotal - 1))) >> PriceConstants.moveReducingBits)]
    }
    @inline(__always) func bit0(_ prob: UInt16) -> UInt32 {
        table[Int(UInt32(prob) >> PriceConstants.moveReducingBits)]
    }
    @inline(__always) func bit1(_ prob: UInt16) -> UInt32 {
        table[Int((UInt32(prob) ^ (BitModelConstants.bitModelTotal - 1)) >> PriceConstants.moveReducingBits)]
    }
    /// Price of a bit-tree symbol (high bit first).
    @inline(__always) func bitTree(_ probs: UnsafeMutablePointer<UInt16>, bits: Int, _ symbol: UInt32) -> UInt32 {
        var price: UInt32 = 0
        var s = symbol | (1 << UInt32(bits))
        repeat {
            let b = s & 1
            s >>= 1
            price &+= bit(probs[Int(s)], b)
        } while s != 1
        return price
    }
    /// Price of a reverse bit-tree symbol (low bit first).
    @inline(__always) func reverseBitTree(_ probs: UnsafeMutablePointer<UInt16>, bits: Int, _ symbol: UInt32) -> UInt32 {
        var price: UInt32 = 0
        var m: UInt32 = 1
        var s = symbol
        for _ in 0..<bits {
            let b = s & 1
            s >>= 1
            price &+= bit(probs[Int(m)], b)
            m = (m << 1) | b
        }
        return price
    }
    /// Direct bits cost exactly one bit each.
    @inline(__always) static func direct(_ bits: UInt32) -> UInt32 { bits << PriceConstants.shiftBits }
}
