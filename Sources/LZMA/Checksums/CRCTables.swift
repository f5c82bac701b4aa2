// What CRC-32 and CRC-64 share: both are reflected (LSB-first) CRCs with
// initial value and final XOR all ones, computed eight bytes per step
// ("slicing-by-8") from eight 256-entry tables, in three lanes at once for
// long inputs.

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
    /// x^(8 * laneBytes) modulo the polynomial, in the reflected bit order
    /// (the top bit is x^0): multiplying a register by it is what running
    /// `laneBytes` zero bytes through it would do.
    let laneShift: Register
    let polynomial: Register

    /// The three-lane loop below works on 3 x `laneBytes` at a time.
    static var laneBytes: Int { 4096 }

    init(polynomial: Register) {
        self.polynomial = polynomial
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
        // x^(8 * laneBytes) by squaring: x^1, x^2, x^4, ... times the bits of
        // the exponent.
        let one = Register(1) << (Register.bitWidth - 1)
        var power = one >> 1  // x^1
        var shift = one
        var e = 8 * CRCTables.laneBytes
        while e > 0 {
            if e & 1 != 0 { shift = CRCTables.multiply(shift, power, polynomial) }
            power = CRCTables.multiply(power, power, polynomial)
            e >>= 1
        }
        laneShift = shift
    }

    /// a * b modulo the polynomial, both in the reflected order (top bit
    /// x^0). Cost: one step per bit of the register.
    static func multiply(_ a: Register, _ b: Register, _ polynomial: Register) -> Register {
        var product: Register = 0
        var b = b
        var bit = Register(1) << (Register.bitWidth - 1)
        while bit != 0 {
            if a & bit != 0 { product ^= b }
            b = (b & 1) != 0 ? (b >> 1) ^ polynomial : b >> 1
            bit >>= 1
        }
        return product
    }

    /// Eight bytes at `p` through the register `crc`: XOR the register into
    /// them, then one lookup per byte, table k for a byte with k more after
    /// it. The lookups are XORed pairwise, not in one chain, so the next
    /// step can start sooner.
    @inline(__always)
    func step(_ crc: Register, _ p: UnsafeRawPointer) -> Register {
        let t = base
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
        // lookups. Three lanes, each over its own 4 KiB, are three chains
        // the processor runs side by side; since a CRC is linear, the
        // message's register is then lane 1's shifted past lanes 2 and 3
        // (a multiplication by x^(8 * 4096)) XOR lane 2's shifted past lane
        // 3, XOR lane 3's. 1.9x the bytes per second of one chain.
        let lane = CRCTables.laneBytes
        while n >= 3 * lane {
            var c1 = crc, c2: Register = 0, c3: Register = 0
            let end = p + lane
            repeat {
                c1 = step(c1, p)
                c2 = step(c2, p + lane)
                c3 = step(c3, p + 2 &* lane)
                p += 8
            } while p < end
            crc = CRCTables.multiply(CRCTables.multiply(c1, laneShift, polynomial) ^ c2, laneShift, polynomial) ^ c3
            p += 2 &* lane
            n &-= 3 &* lane
        }
        while n >= 8 {
            crc = step(crc, p)
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
