// What CRC-32 and CRC-64 share: both are reflected (LSB-first) CRCs with
// initial value and final XOR all ones, computed eight bytes per step
// ("slicing-by-8") from eight 256-entry tables.

/// The slicing-by-8 tables of a reflected CRC, and the loop that uses them.
///
/// Table 0 is the classic byte-at-a-time table (the match finder also uses
/// CRC-32's as a byte scrambler for its hashes); table k maps a byte to its
/// CRC contribution when k more bytes follow it. Built once per CRC type
/// (8 KiB for CRC-32, 16 KiB for CRC-64) and never freed, so `base` stays
/// valid for the whole run; nothing writes to it after `init`.
struct CRCTables<Register: FixedWidthInteger & UnsignedInteger>: @unchecked Sendable {
    /// 8 x 256 entries.
    let base: UnsafePointer<Register>

    init(polynomial: Register) {
        let t = UnsafeMutablePointer<Register>.allocate(capacity: 8 * 256)
        for i in 0..<256 {
            var r = Register(i)
            for _ in 0..<8 { r = (r & 1) != 0 ? (r >> 1) ^ polynomial : r >> 1 }
            t[i] = r
        }
        for k in 1..<8 {
            for i in 0..<256 {
                let previous = t[(k - 1) * 256 + i]
                t[k * 256 + i] = (previous >> 8) ^ t[Int(truncatingIfNeeded: previous & 0xFF)]
            }
        }
        base = UnsafePointer(t)
    }

    /// Runs `count` bytes at `p` through the register `crc` (which holds the
    /// complemented CRC). Cost: O(count), one table lookup per byte.
    @inline(__always)
    func update(_ crc: Register, _ p: UnsafeRawPointer, _ count: Int) -> Register {
        let t = base
        var crc = crc
        var p = p
        var n = count
        while n >= 8 {
            // XOR the register into the next bytes, then one lookup per byte,
            // table k for a byte with k more after it. (The width test is
            // decided at compile time: CRC-32 works on two 32-bit halves,
            // which takes fewer instructions than one 64-bit word.)
            if Register.bitWidth == 32 {
                let lo = UInt32(truncatingIfNeeded: crc) ^ UInt32(littleEndian: p.loadUnaligned(as: UInt32.self))
                let hi = UInt32(littleEndian: p.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
                crc = t[0x700 | byteIndex(lo)] ^ t[0x600 | byteIndex(lo &>> 8)]
                    ^ t[0x500 | byteIndex(lo &>> 16)] ^ t[0x400 | byteIndex(lo &>> 24)]
                    ^ t[0x300 | byteIndex(hi)] ^ t[0x200 | byteIndex(hi &>> 8)]
                    ^ t[0x100 | byteIndex(hi &>> 16)] ^ t[byteIndex(hi &>> 24)]
            } else {
                let x = UInt64(truncatingIfNeeded: crc) ^ UInt64(littleEndian: p.loadUnaligned(as: UInt64.self))
                crc = t[0x700 | byteIndex(x)] ^ t[0x600 | byteIndex(x &>> 8)]
                    ^ t[0x500 | byteIndex(x &>> 16)] ^ t[0x400 | byteIndex(x &>> 24)]
                    ^ t[0x300 | byteIndex(x &>> 32)] ^ t[0x200 | byteIndex(x &>> 40)]
                    ^ t[0x100 | byteIndex(x &>> 48)] ^ t[byteIndex(x &>> 56)]
            }
            p += 8
            n &-= 8
        }
        while n > 0 {
            crc = t[byteIndex(UInt64(truncatingIfNeeded: crc) ^ UInt64(p.load(as: UInt8.self)))] ^ (crc &>> 8)
            p += 1
            n &-= 1
        }
        return crc
    }
}

/// The low byte of `x` as a table index.
@inline(__always)
func byteIndex(_ x: UInt32) -> Int { Int(truncatingIfNeeded: x & 0xFF) }

/// The low byte of `x` as a table index.
@inline(__always)
func byteIndex(_ x: UInt64) -> Int { Int(truncatingIfNeeded: x & 0xFF) }
