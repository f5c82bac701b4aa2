/// Match distances: a 6-bit slot (one tree per length class 2, 3, 4, 5+)
/// gives the top two bits and the bit count; slots 4...13 code the rest with
/// small reverse trees, larger slots with direct bits and then 4 "align" bits
/// through a reverse tree.
extension LZMAEncoder {
    /// The distance slot: 0...3 for distances 0...3, else 2 * (bit length - 1)
    /// plus the bit below the top one.
    @inline(__always)
    static func distanceSlot(_ dist: UInt32) -> UInt32 {
        if dist < 4 { return dist }
        let n = UInt32(31 &- dist.leadingZeroBitCount)
        return (n << 1) | ((dist >> (n &- 1)) & 1)
    }

    /// Which slot tree a match length uses.
    @inline(__always)
    static func distanceState(_ len: UInt32) -> Int {
        len < UInt32(LZMAConstants.numLenToPosStates + LZMAConstants.matchLenMin) ? Int(len) - LZMAConstants.matchLenMin
            : LZMAConstants.numLenToPosStates - 1
    }

    /// Encodes a new match: length, then distance; updates state and reps.
    @inline(__always)
    func encodeMatch(_ rc: inout RangeEncoder, posState: Int, distance: UInt32, len: UInt32) {
        state.updateMatch()
        encodeLength(&rc, matchLenProbs, matchLenPrices, matchLenCounters, len: len, posState: posState)
        let slot = LZMAEncoder.distanceSlot(distance)
        let distState = LZMAEncoder.distanceState(len)
        rc.encodeBitTree(distSlotProbs + (distState << LZMAConstants.numPosSlotBits), bits: LZMAConstants.numPosSlotBits, slot)
        if slot >= UInt32(LZMAConstants.startPosModelIndex) {
            let footerBits = Int((slot >> 1) &- 1)
            let base = (2 | (slot & 1)) << UInt32(footerBits)
            let reduced = distance &- base
            if slot < UInt32(LZMAConstants.endPosModelIndex) {
                rc.encodeReverseBitTree(distSpecialProbs + Int(base) - Int(slot) - 1, bits: footerBits, reduced)
            } else {
                rc.encodeDirectBits(reduced >> UInt32(LZMAConstants.numAlignBits), bits: footerBits - LZMAConstants.numAlignBits)
                rc.encodeReverseBitTree(alignProbs, bits: LZMAConstants.numAlignBits, reduced & UInt32(LZMAConstants.alignTableSize - 1))
                alignPriceCount &+= 1
            }
        }
        reps[3] = reps[2]
        reps[2] = reps[1]
        reps[1] = reps[0]
        reps[0] = distance
        matchPriceCount &+= 1
    }

    /// Refreshes slot prices (with direct-bit costs) and the full prices of
    /// distances below 128, for each length class.
    func fillDistancePrices() {
        let slotBits = LZMAConstants.numPosSlotBits
        for ds in 0..<LZMAConstants.numLenToPosStates {
            let sp = distSlotPrices + (ds << slotBits)
            let probsForState = distSlotProbs + (ds << slotBits)
            for slot in 0..<distTableSize {
                sp[slot] = prices.bitTree(probsForState, bits: slotBits, UInt32(slot))
            }
            var slot = LZMAConstants.endPosModelIndex
            while slot < distTableSize {
                sp[slot] &+= Prices.direct(UInt32((slot >> 1) - 1 - LZMAConstants.numAlignBits))
                slot += 1
            }
            for i in 0..<LZMAConstants.startPosModelIndex {
                distPrices[ds * LZMAConstants.numFullDistances + i] = sp[i]
            }
        }
        for i in LZMAConstants.startPosModelIndex..<LZMAConstants.numFullDistances {
            let slot = LZMAEncoder.distanceSlot(UInt32(i))
            let footerBits = Int((slot >> 1) - 1)
            let base = Int((2 | (slot & 1)) << UInt32(footerBits))
            let price = prices.reverseBitTree(distSpecialProbs + base - Int(slot) - 1, bits: footerBits, UInt32(i - base))
            for ds in 0..<LZMAConstants.numLenToPosStates {
                distPrices[ds * LZMAConstants.numFullDistances + i] = price &+ distSlotPrices[(ds << slotBits) + Int(slot)]
            }
        }
        matchPriceCount = 0
    }

    /// Refreshes the prices of the 16 align values.
    func fillAlignPrices() {
        for i in 0..<LZMAConstants.alignTableSize {
            alignPrices[i] = prices.reverseBitTree(alignProbs, bits: LZMAConstants.numAlignBits, UInt32(i))
        }
        alignPriceCount = 0
    }

    /// Price of a new match of `len` at distance `dist` (without is-match/is-rep).
    @inline(__always)
    func distanceLengthPrice(dist: UInt32, len: UInt32, posState: Int) -> UInt32 {
        let ds = LZMAEncoder.distanceState(len)
        var price: UInt32
        if dist < UInt32(LZMAConstants.numFullDistances) {
            price = distPrices[ds &* LZMAConstants.numFullDistances &+ Int(dist)]
        } else {
            let slot = LZMAEncoder.distanceSlot(dist)
            price = distSlotPrices[(ds << LZMAConstants.numPosSlotBits) &+ Int(slot)]
                &+ alignPrices[Int(dist & UInt32(LZMAConstants.alignTableSize - 1))]
        }
        return price &+ lengthPrice(matchLenPrices, len: len, posState: posState)
    }
}
