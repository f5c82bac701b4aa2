/// Bit trees: how LZMA codes a multi-bit symbol with adaptive bits.
///
/// A `numBits`-bit symbol is coded most significant bit first; the
/// probability for each bit is chosen by the bits already seen, so the tree
/// has `1 << numBits` probabilities (index 0 unused, the root at 1). The
/// *reverse* tree codes the least significant bit first; LZMA uses it for the
/// low bits of distances, whose high bits have already been coded.
extension RangeDecoder {
    /// Decodes a symbol of `numBits` bits from the tree at `probs`.
    @inlinable @inline(__always)
    mutating func decodeBitTree(_ probs: UnsafeMutablePointer<UInt16>, numBits: Int) -> UInt32 {
        var m: UInt32 = 1
        var n = numBits
        repeat {
            m = (m &<< 1) | decodeBit(probs + Int(m))
            n -= 1
        } while n > 0
        return m &- (1 &<< UInt32(numBits))
    }

    /// Decodes a symbol of `numBits` bits, least significant bit first.
    @inlinable @inline(__always)
    mutating func decodeReverseBitTree(_ probs: UnsafeMutablePointer<UInt16>, numBits: Int) -> UInt32 {
        var m: UInt32 = 1
        var symbol: UInt32 = 0
        var i: UInt32 = 0
        while i < UInt32(numBits) {
            let bit = decodeBit(probs + Int(m))
            m = (m &<< 1) | bit
            symbol |= bit &<< i
            i &+= 1
        }
        return symbol
    }
}

/// A read-only twin of the decoder used to find out, without changing any
/// probability, whether the next symbol is complete in a short buffer. It reads
/// with a bound and reports running out of input instead of reading past it.
@usableFromInline struct DryRunRangeDecoder {
    @usableFromInline var range: UInt32
    @usableFromInline var code: UInt32
    @usableFromInline var pos: Int
    @usableFromInline let buf: UnsafePointer<UInt8>
    @usableFromInline let count: Int
    /// Set when a byte beyond `count` was needed.
    @usableFromInline var starved = false

    @inlinable init(range: UInt32, code: UInt32, buf: UnsafePointer<UInt8>, count: Int) {
        self.range = range
        self.code = code
        self.pos = 0
        self.buf = buf
        self.count = count
    }

    @inlinable mutating func normalize() {
        if range < BitModelConstants.topValue {
            if pos >= count { starved = true; range = UInt32.max; return }
            range &<<= 8
            code = (code &<< 8) | UInt32(buf[pos])
            pos += 1
        }
    }

    @inlinable mutating func bit(_ p: UnsafeMutablePointer<UInt16>) -> UInt32 {
        normalize()
        let bound = (range &>> BitModelConstants.numBitModelTotalBits) &* UInt32(p.pointee)
        if code < bound { range = bound; return 0 }
        range &-= bound
        code &-= bound
        return 1
    }

    @inlinable mutating func tree(_ probs: UnsafeMutablePointer<UInt16>, numBits: Int) -> UInt32 {
        var m: UInt32 = 1
        for _ in 0..<numBits { m = (m &<< 1) | bit(probs + Int(m)) }
        return m &- (1 &<< UInt32(numBits))
    }

    @inlinable mutating func reverseTree(_ probs: UnsafeMutablePointer<UInt16>, numBits: Int) {
        var m: UInt32 = 1
        for _ in 0..<numBits { m = (m &<< 1) | bit(probs + Int(m)) }
    }

    @inlinable mutating func directBits(_ count: Int) {
        for _ in 0..<count {
            normalize()
            range &>>= 1
            if code >= range { code &-= range }
        }
    }
}
