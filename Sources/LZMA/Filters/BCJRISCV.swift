/// RISC-V converter (filter ID 0x0B, xz 5.6's `--riscv`), for RV32 and RV64
/// code of either data endianness (instructions are always little endian).
///
/// Two kinds of pc-relative code are rewritten, scanning every 2 bytes (the
/// C extension's 16-bit instructions keep 32-bit ones only 2-aligned):
///
/// - **JAL with rd = x1 (ra) or x5 (t0)**, i.e. calls. The 20-bit J-type
///   immediate (bits 20:1 of the offset, scattered over the instruction) is
///   gathered, the instruction's address is added, and bits 20:1 of the
///   result are stored in the upper three bytes, most significant first.
///   The first byte and the low nibble of the second (opcode, rd) stay.
///
/// - **AUIPC + the next instruction** when AUIPC's rd is neither x0 nor x2,
///   the next instruction is a 32-bit one (low two bits set) and its rs1
///   (bits 19:15) is AUIPC's rd. The target is AUIPC's upper immediate plus
///   the sign-extended 12-bit immediate of the second instruction (always
///   read as I-type) plus the address. The pair becomes an AUIPC with rd = x2
///   whose upper 20 bits carry the second instruction's low 20 bits (opcode,
///   rd, funct3, rs1), followed by the 32-bit target, big endian.
///
/// An AUIPC whose rd is x2 and whose fields look like that converted form
/// (bits 13:12 set, bits 31:27 neither x0 nor x2) is re-packed so the decoder
/// can tell it apart: it becomes an AUIPC with rd = bits 31:27 and the next
/// word's upper 20 bits as immediate, followed by a word holding the original
/// AUIPC's upper 20 bits and the next word's low 12 bits on top (both little
/// endian, no address added). Such a "fake pair" is the only AUIPC with rd not
/// x0/x2 followed by a matching instruction that the encoder ever writes, so
/// the decoder restores it by the reverse shuffle.
///
/// When the AUIPC is not part of a pair the scan moves on 6 bytes: far enough
/// that no later conversion can change the bits of the second word that the
/// pairing test looked at (its low 2 bits and rs1), so the decoder sees the
/// same test and makes the same decision. Every conversion only touches the
/// 8 bytes from the current position onwards and every test reads only bytes
/// that no later conversion changes, which is what makes the two directions
/// inverse. A slot is examined only when 8 bytes are present, so up to 7
/// bytes wait for more data (and a JAL in the last 6 bytes of a stream is
/// left as it is).
enum BCJRISCV {
    static func convert(_ buf: UnsafeMutablePointer<UInt8>, count: Int, position: UInt32, encoding: Bool) -> Int {
        encoding ? encode(buf, count: count, position: position) : decode(buf, count: count, position: position)
    }

    /// AUIPC's rd (bits 11:7) is neither x0 nor x2: one of bits 7, 9, 10, 11 is set.
    @inline(__always)
    private static func rdIsNotX0OrX2(_ auipc: UInt32) -> Bool { auipc & 0xE80 != 0 }

    /// `second` is a 32-bit instruction whose rs1 (bits 19:15) is `auipc`'s rd (bits 11:7).
    @inline(__always)
    private static func pairs(_ auipc: UInt32, _ second: UInt32) -> Bool {
        second & 3 == 3 && (auipc &>> 7) & 0x1F == (second &>> 15) & 0x1F
    }

    /// An AUIPC with rd = x0/x2 that has the shape of a converted pair: rd = x2,
    /// bits 13:12 set, bits 31:27 (the packed rs1) neither x0 nor x2.
    @inline(__always)
    private static func looksConverted(_ auipc: UInt32) -> Bool {
        auipc & 0x3FFF == 0x3117 && (auipc &>> 27) & 0x1D != 0
    }

    private static func encode(_ buf: UnsafeMutablePointer<UInt8>, count: Int, position: UInt32) -> Int {
        guard count >= 8 else { return 0 }
        let lastSlot = count &- 8
        var i = 0
        while i <= lastSlot {
            let p = buf + i
            let b0 = p[0]
            if b0 == 0xEF {
                // JAL; bits 11:8 of the instruction are rd's upper four bits.
                let b1 = UInt32(p[1])
                if b1 & 0x0D != 0 { i &+= 2; continue }
                let b2 = UInt32(p[2]), b3 = UInt32(p[3])
                // Offset bits 20:1 from their J-type places.
                var offset = (b1 & 0xF0) &<< 8            // inst 15:12 = offset 15:12
                offset |= (b2 & 0x0F) &<< 16              // inst 19:16 = offset 19:16
                offset |= (b2 & 0x10) &<< 7               // inst 20    = offset 11
                offset |= (b2 & 0xE0) &>> 4               // inst 23:21 = offset 3:1
                offset |= (b3 & 0x7F) &<< 4               // inst 30:24 = offset 10:4
                offset |= (b3 & 0x80) &<< 13              // inst 31    = offset 20
                let target = offset &+ position &+ UInt32(truncatingIfNeeded: i)
                p[1] = UInt8(truncatingIfNeeded: (b1 & 0x0F) | ((target &>> 13) & 0xF0))
                p[2] = UInt8(truncatingIfNeeded: target &>> 9)
                p[3] = UInt8(truncatingIfNeeded: target &>> 1)
                i &+= 4
            } else if b0 & 0x7F == 0x17 {
                let auipc = bcjRead32LE(p)
                let next = bcjRead32LE(p + 4)
                if rdIsNotX0OrX2(auipc) {
                    guard pairs(auipc, next) else { i &+= 6; continue }
                    let low = UInt32(bitPattern: Int32(bitPattern: next) &>> 20)   // sign-extended imm12
                    let target = (auipc & 0xFFFF_F000) &+ low &+ position &+ UInt32(truncatingIfNeeded: i)
                    bcjWrite32LE(p, 0x117 | (next &<< 12))
                    bcjWrite32BE(p + 4, target)
                } else {
                    guard looksConverted(auipc) else { i &+= 4; continue }
                    bcjWrite32LE(p, 0x17 | ((auipc &>> 27) &<< 7) | (next & 0xFFFF_F000))
                    bcjWrite32LE(p + 4, (auipc &>> 12) | (next &<< 20))
                }
                i &+= 8
            } else {
                i &+= 2
            }
        }
        return i
    }

    private static func decode(_ buf: UnsafeMutablePointer<UInt8>, count: Int, position: UInt32) -> Int {
        guard count >= 8 else { return 0 }
        let lastSlot = count &- 8
        var i = 0
        while i <= lastSlot {
            let p = buf + i
            let b0 = p[0]
            if b0 == 0xEF {
                let b1 = UInt32(p[1])
                if b1 & 0x0D != 0 { i &+= 2; continue }
                let target = (b1 & 0xF0) &<< 13 | UInt32(p[2]) &<< 9 | UInt32(p[3]) &<< 1
                let offset = target &- (position &+ UInt32(truncatingIfNeeded: i))
                p[1] = UInt8(truncatingIfNeeded: (b1 & 0x0F) | ((offset &>> 8) & 0xF0))
                p[2] = UInt8(truncatingIfNeeded: ((offset &>> 16) & 0x0F) | ((offset &>> 7) & 0x10) | ((offset &<< 4) & 0xE0))
                p[3] = UInt8(truncatingIfNeeded: ((offset &>> 4) & 0x7F) | ((offset &>> 13) & 0x80))
                i &+= 4
            } else if b0 & 0x7F == 0x17 {
                let first = bcjRead32LE(p)
                if rdIsNotX0OrX2(first) {
                    let second = bcjRead32LE(p + 4)
                    guard pairs(first, second) else { i &+= 6; continue }
                    // A fake pair: put the original AUIPC x2 and its next word back.
                    bcjWrite32LE(p, 0x117 | (second &<< 12))
                    bcjWrite32LE(p + 4, (first & 0xFFFF_F000) | (second &>> 20))
                } else {
                    guard looksConverted(first) else { i &+= 4; continue }
                    let offset = bcjRead32BE(p + 4) &- (position &+ UInt32(truncatingIfNeeded: i))
                    // The second instruction's imm12 is the offset's low 12 bits; AUIPC's
                    // upper immediate compensates for their sign.
                    bcjWrite32LE(p, 0x17 | ((first &>> 27) &<< 7) | ((offset &+ 0x800) & 0xFFFF_F000))
                    bcjWrite32LE(p + 4, (first &>> 12) | (offset &<< 20))
                }
                i &+= 8
            } else {
                i &+= 2
            }
        }
        return i
    }
}
