/// Itanium (IA-64) branch converter.
///
/// IA-64 code is 16-byte bundles: a 5-bit template, then three 41-bit
/// instruction slots. The template says which slots hold branch units; in
/// those, an IP-relative branch (opcode 5, btype 0) has a 21-bit signed bundle
/// offset split into imm20b (bits 13...32) and a sign bit (bit 36).
enum BCJIA64 {
    @inline(__always)
    private static func slotMask(_ template: UInt8) -> UInt8 {
        // Bit n set: slot n may hold a branch (B unit). Other templates have none.
        switch template {
        case 0x10, 0x11, 0x18, 0x19, 0x1C, 0x1D: return 4
        case 0x12, 0x13: return 6
        case 0x16, 0x17: return 7
        default: return 0
        }
    }

    static func convert(_ buf: UnsafeMutablePointer<UInt8>, count: Int, position: UInt32, encoding: Bool) -> Int {
        var i = 0
        while i &+ 16 <= count {
            let mask = slotMask(buf[i] & 0x1F)
            if mask != 0 {
                let pc = position &+ UInt32(truncatingIfNeeded: i)
                for slot in 0..<3 where (mask &>> UInt8(slot)) & 1 != 0 {
                    // Slot `slot` starts at bit 5 + 41 * slot of the bundle; read
                    // the 6 bytes that cover it.
                    let bitPos = 5 &+ 41 &* slot
                    let p = buf + (i &+ (bitPos &>> 3))
                    let bitRes = UInt64(bitPos & 7)
                    var instruction: UInt64 = 0
                    for j in 0..<6 { instruction |= UInt64(p[j]) &<< UInt64(8 &* j) }
                    var norm = instruction &>> bitRes
                    guard (norm &>> 37) & 0xF == 0x5, (norm &>> 9) & 0x7 == 0 else { continue }

                    var src = UInt32(truncatingIfNeeded: (norm &>> 13) & 0xF_FFFF)
                    src |= UInt32(truncatingIfNeeded: (norm &>> 36) & 1) &<< 20
                    src &<<= 4
                    let dest = (encoding ? src &+ pc : src &- pc) &>> 4

                    norm &= ~(UInt64(0x8F_FFFF) &<< 13)
                    norm |= UInt64(dest & 0xF_FFFF) &<< 13
                    norm |= UInt64(dest & 0x10_0000) &<< (36 - 20)
                    instruction &= (1 &<< bitRes) &- 1
                    instruction |= norm &<< bitRes
                    for j in 0..<6 { p[j] = UInt8(truncatingIfNeeded: instruction &>> UInt64(8 &* j)) }
                }
            }
            i &+= 16
        }
        return i
    }
}
