// What CRC-32 and CRC-64 share: both are reflected (LSB-first) CRCs with
// initial value and final XOR all ones, computed eight bytes per step
// ("slicing-by-8") from 256-entry tables, in three interleaved lanes for all
// but short inputs.

/// The slicing-by-8 tables of a reflected CRC, and the loop that uses them.
///
/// Table k maps a byte to its CRC contribution when k more bytes follow it.
/// Tables 0-7 are the plain slicing-by-8 set (table 0 is the classic
/// byte-at-a-time table; the match finder also uses CRC-32's as a byte
/// scrambler for its hashes). Tables 8-15 hold k = 16...23, for the lanes of
/// `update`. Built once per CRC type (16 KiB for CRC-32, 32 KiB for CRC-64)
/// and never freed, so `base` stays valid for the whole run; nothing writes
/// to it after `init`.
struct CRCTables<Register: FixedWidthInteger & UnsignedInteger>: @unchecked Sendable {
    /// 16 x 256 entries: k = 0...7, then k = 16...23.
    let base: UnsafePointer<Register>

    /// The number of lanes `update` interleaves.
    static var lanes: Int { 3 }

    init(polynomial: Register) {
        let t = UnsafeMutablePointer<Register>.allocate(capacity: 16 * 256)
        // Row k from row k - 1: one more byte (of zeros) after it.
        let row = UnsafeMutablePointer<Register>.allocate(capacity: 256)
        defer { row.deallocate() }
        for i in 0..<256 {
            var r = Register(i)
            for _ in 0..<8 { r = (r & 1) != 0 ? (r >> 1) ^ polynomial : r >> 1 }
            t[i] = r
            row[i] = r
        }
        let far = 8 * (CRCTables.lanes - 1)
        for k in 1..<(far + 8) {
            for i in 0..<256 { row[i] = (row[i] >> 8) ^ t[Int(truncatingIfNeeded: row[i] & 0xFF)] }
            if k < 8 { (t + k * 256).update(from: row, count: 256) }
            if k >= far { (t + (8 + k - far) * 256).update(from: row, count: 256) }
        }
        base = UnsafePointer(t)
    }

    /// Eight bytes at `p` through the register `crc`: XOR the register into
    /// them, then one lookup per byte in the eight tables at `t`, the first
    /// byte's in the last of them. The lookups are XORed pairwise, not in one
    /// chain, so the next step can start sooner.
    @inline(__always)
    func step(_ crc: Register, _ p: UnsafeRawPointer, _ t: UnsafePointer<Register>) -> Register {
        // (The width test is decided at compile time: CRC-32 works on two
        // 32-bit halves, which takes fewer instructions than one 64-bit word.)
        if Register.bitWidth == 32 {
            let lo = UInt32(truncatingIfNeeded: crc) ^ UInt32(littleEndian: p.loadUnaligned(as: UInt32.self))
            let hi = UInt32(littleEndian: p.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
            return ((t[0x700 | byteIndex(lo)] ^ t[0x600 | byteIndex(lo &>> 8)])
                ^ (t[0x500 | byteIndex(lo &>> 16)] ^ t[0x400 | byteIndex(lo &>> 24)]))
                ^ ((t[0x300 | byteIndex(hi)] ^ t[0x200 | byteIndex(hi &>> 8)])
                ^ (t[0x100 | byteIndex(hi &>> 16)] ^ t[byteIndex(hi &>> 24)]))
        } else {
            let x = UInt64(truncatingIfNeeded: crc) ^ UInt64(littleEndian: p.loadUnaligned(as: UInt64.self))
            return ((t[0x700 | byteIndex(x)] ^ t[0x600 | byteIndex(x &>> 8)])
                ^ (t[0x500 | byteIndex(x &>> 16)] ^ t[0x400 | byteIndex(x &>> 24)]))
                ^ ((t[0x300 | byteIndex(x &>> 32)] ^ t[0x200 | byteIndex(x &>> 40)])
                ^ (t[0x100 | byteIndex(x &>> 48)] ^ t[byteIndex(x &>> 56)]))
        }
    }

    /// Runs `count` bytes at `p` through the register `crc` (which holds the
    /// complemented CRC). Cost: O(count), one table lookup per byte.
    @inline(__always)
    func update(_ crc: Register, _ p: UnsafeRawPointer, _ count: Int) -> Register {
        var crc = crc
        var p = p
        var n = count
        // One register is a chain: each step waits for the previous one's
        // lookups. Three lanes take the 8-byte words in turn (lane j words
        // j, j + 3, j + 6...), three chains the processor runs side by side.
        // A lane's step skips the other two lanes' 16 bytes as if they were
        // zeros (tables k = 16...23), so each lane's register is always due
        // at its own next word; since a CRC is linear, the lanes join in the
        // last 24 bytes with plain steps, each XORing in the next lane's
        // register where that lane's word begins. (Lanes of 4 KiB blocks
        // joined by a multiplication left up to 12 KiB a call to one chain:
        // CRC-64 at 0.45 cycles a byte in 32 KiB calls, was 0.74.)
        let block = 8 &* CRCTables.lanes
        if n >= 2 &* block {
            let lanes = base + 8 &* 256
            let blocks = n / block
            let end = p + (blocks &- 1) &* block
            var c0 = crc, c1: Register = 0, c2: Register = 0
            repeat {
                c0 = step(c0, p, lanes)
                c1 = step(c1, p + 8, lanes)
                c2 = step(c2, p + 16, lanes)
                p += 24
            } while p < end
            crc = step(c0, p, base)
            crc = step(crc ^ c1, p + 8, base)
            crc = step(crc ^ c2, p + 16, base)
            p += 24
            n &-= blocks &* block
        }
        while n >= 8 {
            crc = step(crc, p, base)
            p += 8
            n &-= 8
        }
        let t = base
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
