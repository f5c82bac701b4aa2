/// Match distances, coded as a 6-bit "slot" plus extra bits.
///
/// The slot (chosen from one of four trees by the match length: 2, 3, 4, 5+)
/// gives the position of the highest set bit and the bit below it. Slots 0-3
/// are the distances themselves. For slots 4-13 the remaining low bits are
/// coded with adaptive reverse bit trees (`specPos`); for slots 14-63 the
/// middle bits are direct (probability one half) and only the 4 lowest
/// ("align") bits are adaptive. A distance of 0xFFFFFFFF is the end marker.
extension LZMABitSource {
    /// Decodes a distance (0-based: the match starts `distance + 1` bytes back).
    /// `length` is the match length minus 2.
    @inline(__always)
    mutating func distance(_ probs: UnsafeMutablePointer<UInt16>, length: Int) -> UInt32 {
        let lenState = length < LZMAConstants.numLenToPosStates - 1 ? length : LZMAConstants.numLenToPosStates - 1
        let slot = bitTree6(probs + ProbabilityLayout.posSlot + (lenState &<< LZMAConstants.numPosSlotBits))
        if slot < UInt32(LZMAConstants.startPosModelIndex) { return slot }
        let numDirectBits = Int(slot &>> 1) &- 1
        var distance = (2 | (slot & 1)) &<< UInt32(numDirectBits)
        if slot < UInt32(LZMAConstants.endPosModelIndex) {
            // The reverse tree for this slot starts so that its index 1 is at
            // specPos + distance - slot.
            let base: Int = ProbabilityLayout.specPos &+ Int(distance) &- Int(slot) &- 1
            distance &+= reverseBitTree(probs + base, numBits: numDirectBits)
        } else {
            let middle: UInt32 = directBits(numDirectBits &- LZMAConstants.numAlignBits)
            distance &+= middle &<< UInt32(LZMAConstants.numAlignBits)
            distance &+= reverseBitTree4(probs + ProbabilityLayout.align,
                                         reversed: UnsafeRawPointer(probs + ProbabilityLayout.reversedNibbles))
        }
        return distance
    }
}
