/// SPARC CALL converter.
///
/// CALL is `01 disp30` (big endian), a word displacement from the instruction
/// address. Only displacements that fit in 23 signed bits (first byte 0x40 with
/// the next two bits 00, or 0x7F with 11) are converted, and the result is
/// written back sign-extended from 23 bits so the decoder recognises it again.
enum BCJSPARC {
    static func convert(_ buf: UnsafeMutablePointer<UInt8>, count: Int, position: UInt32, encoding: Bool) -> Int {
        var i = 0
        while i &+ 4 <= count {
            let b0 = buf[i], b1 = buf[i &+ 1]
            if (b0 == 0x40 && b1 & 0xC0 == 0x00) || (b0 == 0x7F && b1 & 0xC0 == 0xC0) {
                let src = bcjRead32BE(buf + i) &<< 2
                let pc = position &+ UInt32(truncatingIfNeeded: i)
                var dest = (encoding ? src &+ pc : src &- pc) &>> 2
                dest = ((0 &- ((dest &>> 22) & 1)) &<< 22) & 0x3FFF_FFFF
                    | (dest & 0x3F_FFFF) | 0x4000_0000
                bcjWrite32BE(buf + i, dest)
            }
            i &+= 4
        }
        return i
    }
}
