// The fixed numbers of the LZMA model, shared by the decoder and the encoder.
// Layout of the probability array follows the order the format uses them.

enum LZMAConstants {
    /// Number of states in the literal/match state machine.
    static let numStates = 12
    /// Maximum number of position states (1 << pb, pb <= 4).
    static let numPosStatesMax = 16
    /// Shortest match length.
    static let matchLenMin = 2
    /// Longest match length: 2 + 8 + 8 + 256 - 1.
    static let matchLenMax = 273

    // Length coder: 8 low lengths, 8 mid lengths (per pos state), 256 high lengths.
    static let lenLowBits = 3
    static let lenMidBits = 3
    static let lenHighBits = 8
    static let lenLowSymbols = 1 << lenLowBits
    static let lenMidSymbols = 1 << lenMidBits
    static let lenHighSymbols = 1 << lenHighBits

    // Distances: lengths 2,3,4,5+ select one of four slot coders of 6 bits.
    static let numLenToPosStates = 4
    static let numPosSlotBits = 6
    static let startPosModelIndex = 4
    static let endPosModelIndex = 14
    static let numFullDistances = 1 << (endPosModelIndex >> 1) // 128
    static let numAlignBits = 4
    static let alignTableSize = 1 << numAlignBits
    /// Literal states are 0...6; states 7...11 follow a match or rep.
    static let numLitStates = 7
}

/// Probability model constants: an 11-bit probability of a 0 bit, adapted by 1/32.
enum BitModelConstants {
    static let numBitModelTotalBits: UInt32 = 11
    static let bitModelTotal: UInt32 = 1 << numBitModelTotalBits
    /// Initial probability: one half.
    static let initialProbability: UInt16 = 1 << 10
    static let numMoveBits: UInt32 = 5
    /// The range is renormalised when it falls below 2^24.
    static let topValue: UInt32 = 1 << 24
}
