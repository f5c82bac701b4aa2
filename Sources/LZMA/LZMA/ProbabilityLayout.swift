/// Where each group of adaptive probabilities lives in the one flat
/// `UInt16` array an LZMA coder allocates.
///
/// Keeping every model in a single allocation makes a reset one loop and keeps
/// the hot ones (is-match, literals) close together in cache. The order below
/// follows the order in which the format consults them.
@usableFromInline enum ProbabilityLayout {
    /// is-match[state][posState]: literal or match?
    @usableFromInline static let isMatch = 0
    /// is-rep[state]: new distance or a repeated one?
    @usableFromInline static let isRep = isMatch + (LZMAConstants.numStates << 4)
    /// is-rep-g0[state]: rep0 or an older rep?
    @usableFromInline static let isRepG0 = isRep + LZMAConstants.numStates
    /// is-rep-g1[state]: rep1 or older?
    @usableFromInline static let isRepG1 = isRepG0 + LZMAConstants.numStates
    /// is-rep-g2[state]: rep2 or rep3?
    @usableFromInline static let isRepG2 = isRepG1 + LZMAConstants.numStates
    /// is-rep0-long[state][posState]: a one-byte "short rep" or a rep0 match?
    @usableFromInline static let isRep0Long = isRepG2 + LZMAConstants.numStates
    /// distance-slot trees: 4 length classes x 64 symbols.
    @usableFromInline static let posSlot = isRep0Long + (LZMAConstants.numStates << 4)
    /// reverse bit trees for the low bits of distances with slot 4...13.
    @usableFromInline static let specPos = posSlot + (LZMAConstants.numLenToPosStates << LZMAConstants.numPosSlotBits)
    /// reverse bit tree for the 4 low "align" bits of large distances.
    @usableFromInline static let align = specPos + LZMAConstants.numFullDistances - LZMAConstants.endPosModelIndex
    /// length coder for matches.
    @usableFromInline static let lenCoder = align + LZMAConstants.alignTableSize
    /// length coder for rep matches.
    @usableFromInline static let repLenCoder = lenCoder + LengthLayout.size
    /// literal coders: 0x300 probabilities each, (1 << (lc + lp)) of them.
    @usableFromInline static let literal = repLenCoder + LengthLayout.size

    /// Total count of probabilities for given lc + lp.
    @inlinable static func count(lc: Int, lp: Int) -> Int { literal + (0x300 << (lc + lp)) }
}

/// Layout inside one length coder: two choice bits, then low/mid trees per
/// position state, then the shared high tree.
@usableFromInline enum LengthLayout {
    @usableFromInline static let choice = 0
    @usableFromInline static let choice2 = 1
    @usableFromInline static let low = 2
    @usableFromInline static let mid = low + (LZMAConstants.numPosStatesMax << LZMAConstants.lenLowBits)
    @usableFromInline static let high = mid + (LZMAConstants.numPosStatesMax << LZMAConstants.lenMidBits)
    @usableFromInline static let size = high + LZMAConstants.lenHighSymbols
}
