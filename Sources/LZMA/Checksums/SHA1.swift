// SHA-1 (FIPS 180-4, section 6.1). Not used by the .xz format itself; the
// command-line tool offers it for checking files.

/// An incremental SHA-1 hasher (FIPS 180-4).
///
/// Feed data with `update` any number of times, in chunks of any size, then
/// call `finalize()` once to get the 20-byte digest. Whole 64-byte blocks are
/// hashed straight from the caller's memory; only a partial block is kept in
/// the struct (inline, no heap). Cost: O(n) time, O(1) memory.
///
/// ```swift
/// var h = SHA1()
/// h.update(Array("abc".utf8))
/// hexString(h.finalize())  // "a9993e364706816aba3e25717850c26c9cd0d89d"
/// ```
public struct SHA1: Sendable, IncrementalChecksum, MerkleDamgardHash {
    /// Length of a digest in bytes.
    public static let digestSize = 20

    var state: (UInt32, UInt32, UInt32, UInt32, UInt32) =
        (0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476, 0xC3D2_E1F0)
    var pending = MDBlockBuffer()

    /// Creates a hasher for an empty message.
    public init() {}

    /// Adds `bytes` to the message. Cost: O(bytes.count).
    public mutating func update(_ bytes: UnsafeRawBufferPointer) { absorb(bytes) }

    /// Pads the message and returns its 20-byte digest.
    ///
    /// Call it once, after the last `update`; the hasher must not be used
    /// afterwards (create a new one for another message).
    public mutating func finalize() -> [UInt8] { finishDigest() }

    /// The SHA-1 digest (20 bytes) of `bytes`. Cost: O(bytes.count).
    @inlinable
    public static func hash<C: Collection>(_ bytes: C) -> [UInt8] where C.Element == UInt8 {
        var hasher = SHA1()
        hasher.update(bytes)
        return hasher.finalize()
    }

    /// The digest's words, in order (stored big endian).
    static func digestWords(_ h: State) -> [UInt32] { [h.0, h.1, h.2, h.3, h.4] }

    // MARK: - Compression function

    /// Hashes `blocks` 64-byte blocks starting at `p` (any alignment) into `h`.
    ///
    /// The 80-word message schedule lives in a stack allocation made once per
    /// call. Words 20-79 are expanded inside the rounds that use them, which
    /// gives the processor independent work next to the serial chain of
    /// rounds. The rounds run five at a time with the variables renamed in
    /// each step instead of shuffled, so the loop body is pure arithmetic;
    /// each sum adds the just-computed variable last, keeping the dependency
    /// chain between rounds short (rotate + add).
    static func compress(_ h: inout (UInt32, UInt32, UInt32, UInt32, UInt32),
                                 _ p: UnsafeRawPointer, _ blocks: Int) {
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 80) { wBuffer in
            let w = wBuffer.baseAddress!
            var (h0, h1, h2, h3, h4) = h
            var block = p
            for _ in 0..<blocks {
                for t in 0..<16 {
                    w[t] = UInt32(bigEndian: block.loadUnaligned(fromByteOffset: t &* 4, as: UInt32.self))
                }
                for t in 16..<20 { w[t] = expand(w, t) }
                var a = h0, b = h1, c = h2, d = h3, e = h4
                var t = 0
                // Rounds 0-19: f = Ch(b, c, d).
                while t < 20 {
                    let x = w + t
                    e = e &+ 0x5A82_7999 &+ x[0] &+ ch(b, c, d) &+ rotl(a, 5); b = rotl(b, 30)
                    d = d &+ 0x5A82_7999 &+ x[1] &+ ch(a, b, c) &+ rotl(e, 5); a = rotl(a, 30)
                    c = c &+ 0x5A82_7999 &+ x[2] &+ ch(e, a, b) &+ rotl(d, 5); e = rotl(e, 30)
                    b = b &+ 0x5A82_7999 &+ x[3] &+ ch(d, e, a) &+ rotl(c, 5); d = rotl(d, 30)
                    a = a &+ 0x5A82_7999 &+ x[4] &+ ch(c, d, e) &+ rotl(b, 5); c = rotl(c, 30)
                    t &+= 5
                }
                // Rounds 20-39: f = Parity(b, c, d).
                while t < 40 {
                    e = e &+ 0x6ED9_EBA1 &+ expand(w, t) &+ (b ^ c ^ d) &+ rotl(a, 5); b = rotl(b, 30)
                    d = d &+ 0x6ED9_EBA1 &+ expand(w, t &+ 1) &+ (a ^ b ^ c) &+ rotl(e, 5); a = rotl(a, 30)
                    c = c &+ 0x6ED9_EBA1 &+ expand(w, t &+ 2) &+ (e ^ a ^ b) &+ rotl(d, 5); e = rotl(e, 30)
                    b = b &+ 0x6ED9_EBA1 &+ expand(w, t &+ 3) &+ (d ^ e ^ a) &+ rotl(c, 5); d = rotl(d, 30)
                    a = a &+ 0x6ED9_EBA1 &+ expand(w, t &+ 4) &+ (c ^ d ^ e) &+ rotl(b, 5); c = rotl(c, 30)
                    t &+= 5
                }
                // Rounds 40-59: f = Maj(b, c, d).
                while t < 60 {
                    e = e &+ 0x8F1B_BCDC &+ expand(w, t) &+ maj(b, c, d) &+ rotl(a, 5); b = rotl(b, 30)
                    d = d &+ 0x8F1B_BCDC &+ expand(w, t &+ 1) &+ maj(a, b, c) &+ rotl(e, 5); a = rotl(a, 30)
                    c = c &+ 0x8F1B_BCDC &+ expand(w, t &+ 2) &+ maj(e, a, b) &+ rotl(d, 5); e = rotl(e, 30)
                    b = b &+ 0x8F1B_BCDC &+ expand(w, t &+ 3) &+ maj(d, e, a) &+ rotl(c, 5); d = rotl(d, 30)
                    a = a &+ 0x8F1B_BCDC &+ expand(w, t &+ 4) &+ maj(c, d, e) &+ rotl(b, 5); c = rotl(c, 30)
                    t &+= 5
                }
                // Rounds 60-79: f = Parity(b, c, d).
                while t < 80 {
                    e = e &+ 0xCA62_C1D6 &+ expand(w, t) &+ (b ^ c ^ d) &+ rotl(a, 5); b = rotl(b, 30)
                    d = d &+ 0xCA62_C1D6 &+ expand(w, t &+ 1) &+ (a ^ b ^ c) &+ rotl(e, 5); a = rotl(a, 30)
                    c = c &+ 0xCA62_C1D6 &+ expand(w, t &+ 2) &+ (e ^ a ^ b) &+ rotl(d, 5); e = rotl(e, 30)
                    b = b &+ 0xCA62_C1D6 &+ expand(w, t &+ 3) &+ (d ^ e ^ a) &+ rotl(c, 5); d = rotl(d, 30)
                    a = a &+ 0xCA62_C1D6 &+ expand(w, t &+ 4) &+ (c ^ d ^ e) &+ rotl(b, 5); c = rotl(c, 30)
                    t &+= 5
                }
                h0 &+= a; h1 &+= b; h2 &+= c; h3 &+= d; h4 &+= e
                block += 64
            }
            h = (h0, h1, h2, h3, h4)
        }
    }

    /// Schedule word t >= 16 (FIPS 180-4 6.1.2 step 1), stored for later words.
    @inline(__always)
    private static func expand(_ w: UnsafeMutablePointer<UInt32>, _ t: Int) -> UInt32 {
        let x = w + t
        let word = rotl(x[-3] ^ x[-8] ^ x[-14] ^ x[-16], 1)
        x.pointee = word
        return word
    }

    /// Ch(x, y, z): bits of y where x is 1, of z where x is 0.
    @inline(__always)
    private static func ch(_ x: UInt32, _ y: UInt32, _ z: UInt32) -> UInt32 { z ^ (x & (y ^ z)) }

    /// Maj(x, y, z): the majority of each bit position.
    @inline(__always)
    private static func maj(_ x: UInt32, _ y: UInt32, _ z: UInt32) -> UInt32 { (x & y) | (z & (x | y)) }
}
