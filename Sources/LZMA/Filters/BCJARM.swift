/// ARM (32-bit, little-endian instruction encoding) BL converter.
///
/// BL with condition "always" is `imm24 imm24 imm24 0xEB`: a signed word
/// offset relative to the instruction address + 8 (the ARM pipeline's PC).
enum BCJARM {
    static func convert(_ buf: UnsafeMutablePointer<UInt8>, count: Int, position: UInt32, encoding: Bool) -> Int {
        var i = 0
        while i &+ 4 <= count {
            if buf[i &+ 3] == 0xEB {
                let src = (UInt32(buf[i &+ 2]) &<< 16 | UInt32(buf[i &+ 1]) &<< 8 | UInt32(buf[i])) &<< 2
                let pc = position &+ UInt32(truncatingIfNeeded: i) &+ 8
                let dest = (encoding ? src &+ pc : src &- pc) &>> 2
                buf[i &+ 2] = UInt8(truncatingIfNeeded: dest &>> 16)
                buf[i &+ 1] = UInt8(truncatingIfNeeded: dest &>> 8)
                buf[i] = UInt8(truncatingIfNeeded: dest)
            }
            i &+= 4
        }
        return i
    }
}
