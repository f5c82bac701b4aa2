/// Match lengths 2...273, coded in three tiers.
///
/// `choice` = 0: lengths 2-9 from a 3-bit tree per position state (`low`);
/// `choice` = 1, `choice2` = 0: lengths 10-17 from a 3-bit tree (`mid`);
/// both 1: lengths 18-273 from one shared 8-bit tree (`high`).
/// Matches and rep matches have separate length coders with this layout
/// (see `LengthLayout`). The value returned is `length - 2`.
extension RangeDecoder {
    @inlinable @inline(__always)
    mutating func decodeLength(_ base: UnsafeMutablePointer<UInt16>, posState: Int) -> Int {
        if decodeBit(base + LengthLayout.choice) == 0 {
            return Int(decodeBitTree(base + LengthLayout.low + (posState &<< 3), numBits: 3))
        }
        if decodeBit(base + LengthLayout.choice2) == 0 {
            return 8 &+ Int(decodeBitTree(base + LengthLayout.mid + (posState &<< 3), numBits: 3))
        }
        return 16 &+ Int(decodeBitTree(base + LengthLayout.high, numBits: 8))
    }
}

extension DryRunRangeDecoder {
    @inlinable mutating func length(_ base: UnsafeMutablePointer<UInt16>, posState: Int) -> Int {
        if bit(base + LengthLayout.choice) == 0 {
            return Int(tree(base + LengthLayout.low + (posState << 3), numBits: 3))
        }
        if bit(base + LengthLayout.choice2) == 0 {
            return 8 + Int(tree(base + LengthLayout.mid + (posState << 3), numBits: 3))
        }
        return 16 + Int(tree(base + LengthLayout.high, numBits: 8))
    }
}
