/// The 12-state machine that remembers what the last few symbols were.
///
/// States 0...6 mean "the last symbol was a literal" (with finer history of
/// what came before); 7...11 mean the last symbol was a match (7), a rep
/// match (8), a short rep (9) or one of those followed by a literal. The state
/// picks the probabilities for the next is-match / is-rep decisions, and
/// whether a literal is coded as a "matched literal". The encoder and the
/// decoder share it.
struct LZMAState: Sendable {
    var value: Int

    init() { value = 0 }
    init(_ v: Int) { value = v }

    /// The last symbol was a literal: the next literal is a plain one (else it
    /// is a matched literal).
    var isLiteral: Bool { value < LZMAConstants.numLitStates }

    /// After a literal: 0-3 -> 0, 4-9 -> state-3, 10-11 -> state-6.
    mutating func updateLiteral() {
        value = value < 4 ? 0 : value &- (value < 10 ? 3 : 6)
    }
    mutating func updateMatch() { value = value < 7 ? 7 : 10 }
    mutating func updateRep() { value = value < 7 ? 8 : 11 }
    mutating func updateShortRep() { value = value < 7 ? 9 : 11 }
}
