/// Match lengths 2...273, coded in three tiers.
///
/// `choice` = 0: lengths 2-9 from a 3-bit tree per position state (`low`);
/// `choice` = 1, `choice2` = 0: lengths 10-17 from a 3-bit tree (`mid`);
/// both 1: lengths 18-273 from one shared 8-bit tree (`high`).
/// Matches and rep matches have separate length coders with this layout
/// (see `LengthLayout`). The value returned is `length - 2`.
extension LZMABitSource {
    @inline(__always)
    mutating func length(_ base: UnsafeMutablePointer<UInt16>, posState: Int) -> Int {
        if !decision(base + LengthLayout.choice) {
            return Int(bitTree3(base + LengthLayout.low + (posState &<< 3)))
        }
        if !decision(base + LengthLayout.choice2) {
            return 8 &+ Int(bitTree3(base + LengthLayout.mid + (posState &<< 3)))
        }
        return 16 &+ Int(bitTree8(base + LengthLayout.high))
    }
}
