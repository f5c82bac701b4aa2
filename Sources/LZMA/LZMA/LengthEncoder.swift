/// Match lengths 2...273: a choice bit selects 8 low lengths (per position
/// state), a second one 8 middle lengths (per position state), else 256 high
/// lengths from a shared tree. Matches and rep matches have separate coders.
///
/// The optimal parser reads length prices from a table per position state,
/// refreshed after that many lengths were coded in that position state as the
/// table has entries (so prices track the adapting probabilities cheaply).
extension LZMAEncoder {
    /// Encodes `len` (2...273) with the length coder at `coder`.
    @inline(__always)
    func encodeLength(_ rc: inout RangeEncoder, _ coder: UnsafeMutablePointer<UInt16>,
                      _ priceTable: UnsafeMutablePointer<UInt32>, _ counters: UnsafeMutablePointer<Int>,
                      len: UInt32, posState: Int) {
        // liblzma queues range-coder bits and applies them (updating the
        // probabilities) only before the next symbol, so its refresh, made
        // while coding this length, still sees the probabilities from before
        // this length. Refreshing first gives the same prices.
        if !fastMode {
            counters[posState] -= 1
            if counters[posState] == 0 { updateLengthPrices(coder, priceTable, counters, posState: posState) }
        }
        var l = len &- UInt32(LZMAConstants.matchLenMin)
        if l < UInt32(LZMAConstants.lenLowSymbols) {
            rc.encodeBit(coder + LengthLayout.choice, 0)
            rc.encodeBitTree(coder + LengthLayout.low + (posState << LZMAConstants.lenLowBits), bits: LZMAConstants.lenLowBits, l)
        } else {
            rc.encodeBit(coder + LengthLayout.choice, 1)
            l &-= UInt32(LZMAConstants.lenLowSymbols)
            if l < UInt32(LZMAConstants.lenMidSymbols) {
                rc.encodeBit(coder + LengthLayout.choice2, 0)
                rc.encodeBitTree(coder + LengthLayout.mid + (posState << LZMAConstants.lenMidBits), bits: LZMAConstants.lenMidBits, l)
            } else {
                rc.encodeBit(coder + LengthLayout.choice2, 1)
                rc.encodeBitTree(coder + LengthLayout.high, bits: LZMAConstants.lenHighBits, l &- UInt32(LZMAConstants.lenMidSymbols))
            }
        }
    }

    /// Recomputes the prices of lengths 2...nice for one position state.
    func updateLengthPrices(_ coder: UnsafeMutablePointer<UInt16>, _ priceTable: UnsafeMutablePointer<UInt32>,
                            _ counters: UnsafeMutablePointer<Int>, posState: Int) {
        let tableSize = lenTableSize
        counters[posState] = tableSize
        let a0 = prices.bit0(coder[LengthLayout.choice])
        let a1 = prices.bit1(coder[LengthLayout.choice])
        let b0 = a1 &+ prices.bit0(coder[LengthLayout.choice2])
        let b1 = a1 &+ prices.bit1(coder[LengthLayout.choice2])
        let out = priceTable + posState * LZMAEncoder.lenPriceStride
        let low = coder + LengthLayout.low + (posState << LZMAConstants.lenLowBits)
        let mid = coder + LengthLayout.mid + (posState << LZMAConstants.lenMidBits)
        var i = 0
        while i < tableSize && i < LZMAConstants.lenLowSymbols {
            out[i] = a0 &+ prices.bitTree(low, bits: LZMAConstants.lenLowBits, UInt32(i))
            i += 1
        }
        while i < tableSize && i < LZMAConstants.lenLowSymbols + LZMAConstants.lenMidSymbols {
            out[i] = b0 &+ prices.bitTree(mid, bits: LZMAConstants.lenMidBits, UInt32(i - LZMAConstants.lenLowSymbols))
            i += 1
        }
        while i < tableSize {
            out[i] = b1 &+ prices.bitTree(coder + LengthLayout.high, bits: LZMAConstants.lenHighBits,
                                          UInt32(i - LZMAConstants.lenLowSymbols - LZMAConstants.lenMidSymbols))
            i += 1
        }
    }

    /// Price of match length `len` (2...nice) from a price table.
    @inline(__always)
    func lengthPrice(_ priceTable: UnsafeMutablePointer<UInt32>, len: UInt32, posState: Int) -> UInt32 {
        priceTable[posState &* LZMAEncoder.lenPriceStride &+ Int(len) &- LZMAConstants.matchLenMin]
    }
}
