/// ARM64 BL and ADRP converter (the filter xz 5.4 introduced).
///
/// BL is `100101 imm26` (little endian), a word offset from the instruction.
/// ADRP is `1 immlo(2) 10000 immhi(19) Rd(5)`, a 4 KiB-page offset from the
/// instruction's page; only offsets within +-512 MiB are converted (the
/// 21-bit immediate's top bits are all 0 or all 1), which keeps the false
/// positives from non-code data low.
enum BCJARM64 {
    static func convert(_ buf: UnsafeMutablePointer<UInt8>, count: Int, position: UInt32, encoding: Bool) -> Int {
        var i = 0
        while i &+ 4 <= count {
            var instr = bcjRead32LE(buf + i)
            let pc = position &+ UInt32(truncatingIfNeeded: i)
            if instr &>> 26 == 0x25 {
                let delta = encoding ? pc &>> 2 : 0 &- (pc &>> 2)
                instr = 0x9400_0000 | ((instr &+ delta) & 0x03FF_FFFF)
                bcjWrite32LE(buf + i, instr)
            } else if instr & 0x9F00_0000 == 0x9000_0000 {
                let src = (instr &>> 29) & 3 | (instr &>> 3) & 0x001F_FFFC
                // One test for "bits 17...20 are all equal" (the +-512 MiB range).
                if (src &+ 0x0002_0000) & 0x001C_0000 == 0 {
                    let delta = encoding ? pc &>> 12 : 0 &- (pc &>> 12)
                    let dest = src &+ delta
                    instr &= 0x9000_001F
                    instr |= (dest & 3) &<< 29
                    instr |= (dest & 0x0003_FFFC) &<< 3
                    instr |= (0 &- (dest & 0x0002_0000)) & 0x00E0_0000
                    bcjWrite32LE(buf + i, instr)
                }
            }
            i &+= 4
        }
        return i
    }
}
