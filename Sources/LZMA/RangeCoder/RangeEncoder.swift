/// The range encoder: turns a sequence of (probability, bit) pairs and
/// direct bits into bytes.
///
/// `low` is kept in 64 bits so that a carry out of the low 32 bits is seen
/// (bit 32). A byte is not written until it is known that no later carry can
/// change it: the first undecided byte waits in `cache`, followed by
/// `cacheSize - 1` bytes of 0xFF that a carry would turn into 0x00.
///
/// Output goes to a growable buffer owned by the encoder (`out`); the owner
/// drains it and calls `discardOutput()`. The struct is copied into a local
/// around hot code and written back, so the fields are plain stored values.
struct RangeEncoder {
    var low: UInt64 = 0
    var range: UInt32 = 0xFFFF_FFFF
    var cache: UInt8 = 0
    var cacheSize: Int = 1
    /// The pending output buffer and how much of it is filled.
    var out: UnsafeMutablePointer<UInt8>
    var outPos: Int = 0
    var outCapacity: Int

    /// Output buffer size at creation (it grows if a caller lets output pile up).
    static let initialCapacity = 1 << 16

    init(capacity: Int) {
        out = .allocate(capacity: capacity)
        outCapacity = capacity
    }

    /// Frees the output buffer; call once from the owner's deinit.
    func deallocate() { out.deallocate() }

    /// Starts a new range-coded stream (the buffered output is kept).
    mutating func reset() {
        low = 0
        range = 0xFFFF_FFFF
        cache = 0
        cacheSize = 1
    }

    /// Forgets the first `count` bytes of pending output (they were handed out).
    mutating func consumeOutput(_ count: Int) {
        if count == outPos { outPos = 0; return }
        (out).update(from: out + count, count: outPos - count)
        outPos -= count
    }

    /// Appends raw bytes (a container header) to the pending output.
    mutating func appendRaw(_ bytes: [UInt8]) {
        reserve(bytes.count)
        for b in bytes { out[outPos] = b; outPos += 1 }
    }

    @inline(never)
    mutating func grow(_ needed: Int) {
        var cap = outCapacity * 2
        while cap < outPos + needed { cap *= 2 }
        let n = UnsafeMutablePointer<UInt8>.allocate(capacity: cap)
        n.update(from: out, count: outPos)
        out.deallocate()
        out = n
        outCapacity = cap
    }

    @inline(__always)
    mutating func reserve(_ needed: Int) {
        if outPos + needed > outCapacity { grow(needed) }
    }

    /// Emits the top byte of `low` (resolving any pending carry).
    @inline(__always)
    mutating func shiftLow() {
        if UInt32(truncatingIfNeeded: low) < 0xFF00_0000 || (low >> 32) != 0 {
            reserve(cacheSize)
            let carry = UInt8(truncatingIfNeeded: low >> 32)
            var c = cache
            repeat {
                out[outPos] = c &+ carry
                outPos &+= 1
                c = 0xFF
                cacheSize &-= 1
            } while cacheSize != 0
            cache = UInt8(truncatingIfNeeded: low >> 24)
        }
        cacheSize &+= 1
        low = (low & 0x00FF_FFFF) << 8
    }

    /// Encodes `bit` (0 or 1) with the adaptive probability at `p`, then adapts it.
    @inline(__always)
    mutating func encodeBit(_ p: UnsafeMutablePointer<UInt16>, _ bit: UInt32) {
        normalize()
        let prob = UInt32(p.pointee)
        let bound = (range >> BitModelConstants.numBitModelTotalBits) &* prob
        if bit == 0 {
            range = bound
            p.pointee = UInt16(truncatingIfNeeded: prob &+ ((BitModelConstants.bitModelTotal &- prob) >> BitModelConstants.numMoveBits))
        } else {
            low &+= UInt64(bound)
            range &-= bound
            p.pointee = UInt16(truncatingIfNeeded: prob &- (prob >> BitModelConstants.numMoveBits))
        }
    }

    /// Brings `range` back to at least 2^24 before a bit is coded. One step
    /// is always enough: a bit leaves at least 2^17.
    ///
    /// Normalizing before each bit rather than after it (the output is the
    /// same) keeps the state as liblzma 5.4 keeps it between symbols, which
    /// `pendingSize` relies on.
    @inline(__always)
    mutating func normalize() {
        if range < BitModelConstants.topValue {
            range <<= 8
            shiftLow()
        }
    }

    /// Output so far plus the most the bytes held in `low` and the cache can
    /// add (liblzma's `out_pos + rc_pending`): LZMA2 ends a chunk on it.
    var pendingSize: Int { outPos &+ cacheSize &+ 4 }

    /// Encodes the `bits` low bits of `symbol`, high bit first, walking a bit tree.
    @inline(__always)
    mutating func encodeBitTree(_ probs: UnsafeMutablePointer<UInt16>, bits: Int, _ symbol: UInt32) {
        var m: UInt32 = 1
        var i = bits
        repeat {
            i &-= 1
            let b = (symbol >> UInt32(i)) & 1
            encodeBit(probs + Int(m), b)
            m = (m << 1) | b
        } while i != 0
    }

    /// Encodes the `bits` low bits of `symbol`, low bit first (distance footers).
    @inline(__always)
    mutating func encodeReverseBitTree(_ probs: UnsafeMutablePointer<UInt16>, bits: Int, _ symbol: UInt32) {
        var m: UInt32 = 1
        var s = symbol
        var i = bits
        repeat {
            let b = s & 1
            s >>= 1
            encodeBit(probs + Int(m), b)
            m = (m << 1) | b
            i &-= 1
        } while i != 0
    }

    /// Encodes `bits` bits of `value` with fixed probability one half.
    @inline(__always)
    mutating func encodeDirectBits(_ value: UInt32, bits: Int) {
        var i = bits
        repeat {
            i &-= 1
            normalize()
            range >>= 1
            let b = (value >> UInt32(i)) & 1
            low &+= UInt64(range & (0 &- b))
        } while i != 0
    }

    /// Writes out everything still held in `low` and the cache (5 bytes).
    mutating func flush() {
        normalize()
        for _ in 0..<5 { shiftLow() }
    }
}
