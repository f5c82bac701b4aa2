// The fixed numbers of the LZMA model, shared by the decoder and the encoder.
// Layout of the probability array follows the order the format uses them.

@usableFromInline enum LZMAConstants {
    /// Number of states in the literal/match state machine.
    @usableFromInline static let numStates = 12
    /// Maximum number of position states (1 << pb, pb <= 4).
    @usableFromInline static let numPosStatesMax = 16
    /// Shortest match length.
    @usableFromInline static let matchLenMin = 2
    /// Longest match length: 2 + 8 + 8 + 256 - 1.
    @usableFromInline static let matchLenMax = 273

    // Length coder: 8 low lengths, 8 mid lengths (per pos state), 256 high lengths.
    @usableFromInline static let lenLowBits = 3
    @usableFromInline static let lenMidBits = 3
    @usableFromInline static let lenHighBits = 8
    @usableFromInline static let lenLowSymbols = 1 << lenLowBits
    @usableFromInline static let lenMidSymbols = 1 << lenMidBits
    @usableFromInline static let lenHighSymbols = 1 << lenHighBits

    // Distances: lengths 2,3,4,5+ select one of four slot coders of 6 bits.
    @usableFromInline static let numLenToPosStates = 4
    @usableFromInline static let numPosSlotBits = 6
    @usableFromInline static let startPosModelIndex = 4
    @usableFromInline static let endPosModelIndex = 14
    @usableFromInline static let numFullDistances = 1 << (endPosModelIndex >> 1) // 128
    @usableFromInline static let numAlignBits = 4
    @usableFromInline static let alignTableSize = 1 << numAlignBits
    /// Literal states are 0...6; states 7...11 follow a match or rep.
    @usableFromInline static let numLitStates = 7
}

/// Probability model constants: an 11-bit probability of a 0 bit, adapted by 1/32.
@usableFromInline enum BitModelConstants {
    @usableFromInline static let numBitModelTotalBits: UInt32 = 11
    @usableFromInline static let bitModelTotal: UInt32 = 1 << numBitModelTotalBits
    /// Initial probability: one half.
    @usableFromInline static let initialProbability: UInt16 = 1 << 10
    @usableFromInline static let numMoveBits: UInt32 = 5
    /// The range is renormalised when it falls below 2^24.
    @usableFromInline static let topValue: UInt32 = 1 << 24
}
