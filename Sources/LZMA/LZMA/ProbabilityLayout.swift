/// Where each group of adaptive probabilities lives in the one flat
/// `UInt16` array an LZMA coder allocates.
///
/// Keeping every model in a single allocation makes a reset one loop and keeps
/// the hot ones (is-match, literals) close together in cache. The order below
/// follows the order in which the format consults them.
enum ProbabilityLayout {
    /// is-match[state][posState]: literal or match?
    static let isMatch = 0
    /// is-rep[state]: new distance or a repeated one?
    static let isRep = isMatch + (LZMAConstants.numStates << 4)
    /// is-rep-g0[state]: rep0 or an older rep?
    static let isRepG0 = isRep + LZMAConstants.numStates
    /// is-rep-g1[state]: rep1 or older?
    static let isRepG1 = isRepG0 + LZMAConstants.numStates
    /// is-rep-g2[state]: rep2 or rep3?
    static let isRepG2 = isRepG1 + LZMAConstants.numStates
    /// is-rep0-long[state][posState]: a one-byte "short rep" or a rep0 match?
    static let isRep0Long = isRepG2 + LZMAConstants.numStates
    /// distance-slot trees: 4 length classes x 64 symbols.
    static let posSlot = isRep0Long + (LZMAConstants.numStates << 4)
    /// reverse bit trees for the low bits of distances with slot 4...13.
    static let specPos = posSlot + (LZMAConstants.numLenToPosStates << LZMAConstants.numPosSlotBits)
    /// reverse bit tree for the 4 low "align" bits of large distances.
    static let align = specPos + LZMAConstants.numFullDistances - LZMAConstants.endPosModelIndex
    /// length coder for matches.
    static let lenCoder = align + LZMAConstants.alignTableSize
    /// length coder for rep matches.
    static let repLenCoder = lenCoder + LengthLayout.size
    /// literal coders: 0x300 probabilities each, (1 << (lc + lp)) of them.
    static let literal = repLenCoder + LengthLayout.size

    /// Total count of probabilities for given lc + lp.
    static func count(lc: Int, lp: Int) -> Int { literal + (0x300 << (lc + lp)) }

    /// The decoder's block has 16 more slots before index 0, which are not
    /// probabilities and which a reset of the probabilities never touches:
    /// - slots -16 ..< -8, the four last match distances (`reps`, 32-bit
    ///   each; see `RepDistances`): addressed from the probabilities'
    ///   pointer, they cost the decoder loop no register of their own;
    /// - slots -8 ..< 0, 16 bytes where byte i is the 4-bit value i with its
    ///   bits reversed (see `reverseBitTree4`).
    static let reps = -16
    static let reversedNibbles = -8
    static let prefix = 16

    /// A decoder's block of `count` probabilities (not yet initialised) with
    /// the `reps` and `reversedNibbles` slots before it. Free it with
    /// `deallocateBlock`.
    static func allocateBlock(count: Int) -> UnsafeMutablePointer<UInt16> {
        let base = UnsafeMutablePointer<UInt16>.allocate(capacity: count + prefix)
        base.initialize(repeating: 0, count: prefix)
        let table = UnsafeMutableRawPointer(base + (prefix + reversedNibbles))
        for i in 0..<16 {
            let reversed = ((i & 1) << 3) | ((i & 2) << 1) | ((i & 4) >> 1) | ((i & 8) >> 3)
            table.storeBytes(of: UInt8(reversed), toByteOffset: i, as: UInt8.self)
        }
        return base + prefix
    }

    /// Frees a block from `allocateBlock`.
    static func deallocateBlock(_ probs: UnsafeMutablePointer<UInt16>) {
        (probs - prefix).deallocate()
    }
}

/// Layout inside one length coder: two choice bits, then low/mid trees per
/// position state, then the shared high tree.
enum LengthLayout {
    static let choice = 0
    static let choice2 = 1
    static let low = 2
    static let mid = low + (LZMAConstants.numPosStatesMax << LZMAConstants.lenLowBits)
    static let high = mid + (LZMAConstants.numPosStatesMax << LZMAConstants.lenMidBits)
    static let size = high + LZMAConstants.lenHighSymbols
}

/// rep0...rep3, the last four match distances (minus one), in the `reps`
/// slots of a decoder's probability block (see `ProbabilityLayout.reps`).
struct RepDistances {
    let base: UnsafeMutableRawPointer

    @inline(__always)
    init(_ probs: UnsafeMutablePointer<UInt16>) { base = UnsafeMutableRawPointer(probs + ProbabilityLayout.reps) }

    @inline(__always)
    subscript(i: Int) -> UInt32 {
        get { base.load(fromByteOffset: i &<< 2, as: UInt32.self) }
        nonmutating set { base.storeBytes(of: newValue, toByteOffset: i &<< 2, as: UInt32.self) }
    }
}
