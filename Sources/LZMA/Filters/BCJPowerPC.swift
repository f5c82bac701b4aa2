/// PowerPC (big endian) branch converter.
///
/// Converts `b`/`bl` with AA=0, LK=1 (`010010 LI(24) 0 1`): the 24-bit word
/// offset LI is relative to the instruction address.
enum BCJPowerPC {
    static func convert(_ buf: UnsafeMutablePointer<UInt8>, count: Int, position: UInt32, encoding: Bool) -> Int {
        var i = 0
        while i &+ 4 <= count {
            if buf[i] &>> 2 == 0x12 && buf[i &+ 3] & 3 == 1 {
                let src = bcjRead32BE(buf + i) & 0x03FF_FFFC
                let pc = position &+ UInt32(truncatingIfNeeded: i)
                let dest = encoding ? src &+ pc : src &- pc
                // Opcode 0x48 and the AA/LK bits stay; only the offset changes.
                bcjWrite32BE(buf + i, 0x4800_0000 | (dest & 0x03FF_FFFC) | 1)
            }
            i &+= 4
        }
        return i
    }
}
