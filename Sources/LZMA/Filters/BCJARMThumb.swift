/// ARM Thumb (little-endian instruction encoding) BL converter.
///
/// Thumb BL is a pair of 16-bit halves, `11110 hi11` then `11111 lo11`, holding
/// a 22-bit halfword offset relative to the instruction address + 4. Halves
/// are 2-byte aligned, so the scan steps by 2 and skips a converted pair whole.
enum BCJARMThumb {
    static func convert(_ buf: UnsafeMutablePointer<UInt8>, count: Int, position: UInt32, encoding: Bool) -> Int {
        var i = 0
        while i &+ 4 <= count {
            if buf[i &+ 1] & 0xF8 == 0xF0 && buf[i &+ 3] & 0xF8 == 0xF8 {
                let src = (UInt32(buf[i &+ 1] & 7) &<< 19 | UInt32(buf[i]) &<< 11
                    | UInt32(buf[i &+ 3] & 7) &<< 8 | UInt32(buf[i &+ 2])) &<< 1
                let pc = position &+ UInt32(truncatingIfNeeded: i) &+ 4
                let dest = (encoding ? src &+ pc : src &- pc) &>> 1
                buf[i &+ 1] = 0xF0 | UInt8(truncatingIfNeeded: (dest &>> 19) & 7)
                buf[i] = UInt8(truncatingIfNeeded: dest &>> 11)
                buf[i &+ 3] = 0xF8 | UInt8(truncatingIfNeeded: (dest &>> 8) & 7)
                buf[i &+ 2] = UInt8(truncatingIfNeeded: dest)
                i &+= 2
            }
            i &+= 2
        }
        return i
    }
}
