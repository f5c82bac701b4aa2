/// The 12-state machine that remembers what the last few symbols were.
///
/// States 0...6 mean "the last symbol was a literal" (with finer history of
/// what came before); 7...11 mean the last symbol was a match (7), a rep
/// match (8), a short rep (9) or one of those followed by a literal. The state
/// picks the probabilities for the next is-match / is-rep decisions, and
/// whether a literal is coded as a "matched literal".
@usableFromInline struct LZMAState: Sendable {
    @usableFromInline var value: Int

    @inlinable init() { value = 0 }
    @inlinable init(_ v: Int) { value = v }

    @inlinable var isLiteral: Bool { value < 7 }

    /// After a literal: 0-3 -> 0, 4-9 -> state-3, 10-11 -> state-6.
    @inlinable mutating func updateLiteral() {
        if value < 4 { value = 0 } else if value < 10 { value -= 3 } else { value -= 6 }
    }
    @inlinable mutating func updateMatch() { value = value < 7 ? 7 : 10 }
    @inlinable mutating func updateRep() { value = value < 7 ? 8 : 11 }
    @inlinable mutating func updateShortRep() { value = value < 7 ? 9 : 11 }

    /// Table form of `updateLiteral`, handy in hot loops.
    @usableFromInline static let nextAfterLiteral: [Int] = [0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 4, 5]
}
