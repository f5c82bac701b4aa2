/// The arithmetic ("range") decoder at the bottom of LZMA.
///
/// The encoder narrows an interval `[low, low + range)` for every bit it codes,
/// and the decoder tracks where the encoded number (`code`, relative to `low`)
/// falls inside it. Each adaptive bit splits the range at
/// `bound = (range >> 11) * probability`: below it is a 0, above a 1. Whenever
/// the range drops under 2^24 one more input byte is shifted in, so a bit costs
/// at most one byte of input and a whole LZMA symbol at most 20.
///
/// This is a small value type on purpose: the hot decode loop copies it into
/// locals (registers) and stores it back once per call, so no bit touches
/// memory other than its probability. `inp` is not bounds-checked; the caller
/// guarantees the bytes are there (see `LZMADecoder`).
@usableFromInline struct RangeDecoder {
    @usableFromInline var range: UInt32
    @usableFromInline var code: UInt32
    @usableFromInline var inp: UnsafePointer<UInt8>

    @inlinable @inline(__always)
    init(range: UInt32, code: UInt32, inp: UnsafePointer<UInt8>) {
        self.range = range
        self.code = code
        self.inp = inp
    }

    /// Shifts in one byte when the range has become too small to split.
    @inlinable @inline(__always)
    mutating func normalize() {
        if range < BitModelConstants.topValue {
            range &<<= 8
            code = (code &<< 8) | UInt32(inp.pointee)
            inp += 1
        }
    }

    /// Decodes one bit with the adaptive probability at `p` and updates it
    /// (moving it 1/32 of the way toward the bit just seen).
    @inlinable @inline(__always)
    mutating func decodeBit(_ p: UnsafeMutablePointer<UInt16>) -> UInt32 {
        normalize()
        let prob = UInt32(p.pointee)
        let bound = (range &>> BitModelConstants.numBitModelTotalBits) &* prob
        if code < bound {
            range = bound
            p.pointee = UInt16(truncatingIfNeeded: prob &+ ((BitModelConstants.bitModelTotal &- prob) &>> BitModelConstants.numMoveBits))
            return 0
        } else {
            range &-= bound
            code &-= bound
            p.pointee = UInt16(truncatingIfNeeded: prob &- (prob &>> BitModelConstants.numMoveBits))
            return 1
        }
    }

    /// Decodes `count` bits with probability one half each ("direct bits"),
    /// most significant first. Used for the middle bits of long distances.
    @inlinable @inline(__always)
    mutating func decodeDirectBits(_ count: Int) -> UInt32 {
        var result: UInt32 = 0
        var n = count
        repeat {
            normalize()
            range &>>= 1
            // t is all ones when code < range (bit 0), zero otherwise.
            code &-= range
            let t = 0 &- (code &>> 31)
            code &+= range & t
            result = (result &<< 1) &+ (t &+ 1)
            n -= 1
        } while n > 0
        return result
    }
}
