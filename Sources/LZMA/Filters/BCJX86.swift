/// x86 (32- and 64-bit) CALL/JMP converter, the original BCJ filter.
///
/// `E8 rel32` (CALL) and `E9 rel32` (JMP) are converted when the rel32's top
/// byte is 0x00 or 0xFF, i.e. the target is within +-16 MiB, which is where real
/// calls are and where most random E8/E9 bytes are not. Because x86 instructions
/// have no alignment, an E8 byte may be the operand of an earlier E8; `prevMask`
/// remembers, as a bit per byte, which of the last few bytes were E8/E9 that
/// were *not* converted, and the conversion is skipped or redone for patterns
/// that would not round-trip. This state carries across calls.
struct BCJX86 {
    /// Bit n set: the E8/E9 byte n + 1 bytes back was left unconverted
    /// (bit 4 also marks that its would-be top operand byte looked convertible).
    private var prevMask: UInt32 = 0
    /// Position of the last E8/E9 seen; starts 5 before 0 so the first byte
    /// has no history.
    private var prevPos: UInt32 = 0 &- 5

    /// A byte that could be the top byte of a near rel32: 0x00 or 0xFF.
    @inline(__always)
    private static func isNearTop(_ b: UInt8) -> Bool { (b &+ 1) & 0xFE == 0 }

    /// For prevMask >> 1 (0...7): may the current E8/E9 be converted?
    @inline(__always)
    private static func maskAllowed(_ m: UInt32) -> Bool { m == 0 || m == 1 || m == 2 || m == 4 }

    /// For prevMask >> 1: which operand byte (counting from the top) to test
    /// when undoing a conversion that would collide.
    @inline(__always)
    private static func maskBitNumber(_ m: UInt32) -> UInt32 {
        switch m { case 0: return 0; case 1: return 1; case 2, 3: return 2; default: return 3 }
    }

    mutating func convert(_ buf: UnsafeMutablePointer<UInt8>, count: Int, position: UInt32, encoding: Bool) -> Int {
        if count < 5 { return 0 }
        var prevMask = self.prevMask
        var prevPos = self.prevPos
        // Forget history older than 5 bytes (also keeps the distance below
        // from wrapping around after 4 GiB without an E8/E9).
        if position &- prevPos > 5 { prevPos = position &- 5 }

        let limit = count &- 5
        var i = 0
        while i <= limit {
            // 8 bytes at a time while none of them is E8 or E9 (most of any
            // data): nothing else changes the state. A byte is E8 or E9 when
            // (byte & FE) ^ E8 is 0, and a word has a zero byte when
            // (x - 0x01..01) & ~x & 0x80..80 is not 0. (Byte by byte, the scan
            // took 5 ms of dickens's 10 MB.)
            while i &+ 8 <= limit &+ 1 {
                let x = (UInt64(littleEndian: UnsafeRawPointer(buf + i).loadUnaligned(as: UInt64.self))
                    & 0xFEFE_FEFE_FEFE_FEFE) ^ 0xE8E8_E8E8_E8E8_E8E8
                if (x &- 0x0101_0101_0101_0101) & ~x & 0x8080_8080_8080_8080 != 0 { break }
                i &+= 8
            }
            if i > limit { break }
            let b = buf[i]
            if b != 0xE8 && b != 0xE9 {
                i &+= 1
                continue
            }
            let here = position &+ UInt32(truncatingIfNeeded: i)
            let offset = here &- prevPos
            prevPos = here
            if offset > 5 {
                prevMask = 0
            } else {
                for _ in 0..<offset { prevMask = (prevMask & 0x77) &<< 1 }
            }

            let top = buf[i &+ 4]
            if BCJX86.isNearTop(top) && BCJX86.maskAllowed((prevMask &>> 1) & 7) && (prevMask &>> 1) < 0x10 {
                var src = bcjRead32LE(buf + (i &+ 1))
                var dest: UInt32
                let pc = here &+ 5
                while true {
                    dest = encoding ? src &+ pc : src &- pc
                    if prevMask == 0 { break }
                    let n = BCJX86.maskBitNumber(prevMask &>> 1) &* 8
                    if !BCJX86.isNearTop(UInt8(truncatingIfNeeded: dest &>> (24 &- n))) { break }
                    src = dest ^ ((1 &<< (32 &- n)) &- 1)
                }
                // Store the top byte as 0x00 or 0xFF by bit 24: the sign of a
                // +-16 MiB target, so the decoder sees a near call too.
                bcjWrite32LE(buf + (i &+ 1), (dest & 0x00FF_FFFF) | (0 &- ((dest &>> 24) & 1)) &<< 24)
                i &+= 5
                prevMask = 0
            } else {
                i &+= 1
                prevMask |= 1
                if BCJX86.isNearTop(top) { prevMask |= 0x10 }
            }
        }
        self.prevMask = prevMask
        self.prevPos = prevPos
        return i
    }
}
