/// The parameters of an LZMA (LZMA1) stream.
///
/// - `lc`: literal context bits, how many high bits of the previous byte select
///   the literal coder (0...8).
/// - `lp`: literal position bits, how many low bits of the position select the
///   literal coder (0...4).
/// - `pb`: position bits, how many low bits of the position select the state
///   for match/literal decisions (0...4).
/// - `dictionarySize`: how far back a match may reach.
///
/// In the `.lzma` header the three small numbers are packed into one byte as
/// `(pb * 5 + lp) * 9 + lc`.
public struct LZMAProperties: Sendable, Hashable, CustomStringConvertible {
    public var lc: Int
    public var lp: Int
    public var pb: Int
    public var dictionarySize: UInt32

    /// The smallest dictionary LZMA uses; smaller declared sizes are raised to it.
    public static let minimumDictionarySize: UInt32 = 4096

    /// Creates validated properties.
    /// - Throws: `LZMAError.invalidProperties` when lc > 8, lp > 4 or pb > 4.
    public init(lc: Int = 3, lp: Int = 0, pb: Int = 2, dictionarySize: UInt32 = 1 << 23) throws(LZMAError) {
        guard LZMAProperties.lcRange.contains(lc), LZMAProperties.lpRange.contains(lp),
              LZMAProperties.pbRange.contains(pb) else {
            throw LZMAError.invalidProperties("lc=\(lc) lp=\(lp) pb=\(pb) out of range (lc 0-8, lp 0-4, pb 0-4)")
        }
        self.lc = lc
        self.lp = lp
        self.pb = pb
        self.dictionarySize = dictionarySize
    }

    /// Decodes the packed properties byte of a `.lzma` header.
    /// - Throws: `LZMAError.invalidProperties` when the byte is above 224.
    public init(propertiesByte: UInt8, dictionarySize: UInt32) throws(LZMAError) {
        guard let (lc, lp, pb) = LZMAProperties.unpack(propertiesByte) else {
            throw LZMAError.invalidProperties("properties byte \(propertiesByte) is above 224")
        }
        self.init(unchecked: lc, lp, pb, dictionarySize)
    }

    /// xz's default properties (preset 6): lc=3, lp=0, pb=2, 8 MiB.
    public static let `default` = LZMAProperties(unchecked: 3, 0, 2, 1 << 23)

    init(unchecked lc: Int, _ lp: Int, _ pb: Int, _ dictionarySize: UInt32) {
        self.lc = lc
        self.lp = lp
        self.pb = pb
        self.dictionarySize = dictionarySize
    }

    /// `size` rounded up to 2^n or 2^n + 2^(n-1): the dictionary sizes a
    /// `.lzma` header written by xz (and LZMA Utils) holds, and the only ones
    /// xz accepts when it detects `.lzma` by itself (a size is one of them
    /// when this returns it unchanged). UInt32.max stays as is; sizes above
    /// 3 GiB and 0 give UInt32.max. The LZMA2 dictionary code rounds the same way.
    public static func roundedDictionarySize(_ size: UInt32) -> UInt32 {
        var d = size &- 1
        d |= d >> 2
        d |= d >> 3
        d |= d >> 4
        d |= d >> 8
        d |= d >> 16
        return d == UInt32.max ? d : d &+ 1
    }

    /// The packed `(pb * 5 + lp) * 9 + lc` byte.
    public var propertiesByte: UInt8 { LZMAProperties.pack(lc: lc, lp: lp, pb: pb) }

    // MARK: - The format rules (the one home of each; `.lzma`, LZMA2 and the
    // encoder settings all use these)

    /// The values lc, lp and pb may take.
    static let lcRange = 0...8, lpRange = 0...4, pbRange = 0...4

    /// The largest properties byte: lc = 8, lp = 4, pb = 4.
    static let maximumPropertiesByte: UInt8 = 224

    /// `(pb * 5 + lp) * 9 + lc`, for values in range.
    static func pack(lc: Int, lp: Int, pb: Int) -> UInt8 { UInt8((pb * 5 + lp) * 9 + lc) }

    /// lc, lp and pb of a properties byte, or nil when it is above 224.
    static func unpack(_ byte: UInt8) -> (lc: Int, lp: Int, pb: Int)? {
        guard byte <= maximumPropertiesByte else { return nil }
        let p = Int(byte)
        return (p % 9, (p / 9) % 5, p / 45)
    }

    /// LZMA2 and `.lzma` files written by xz limit lc + lp to 4 (the
    /// literal coders' table stays at most 0x300 << 4 probabilities).
    static func lcPlusLpFits(lc: Int, lp: Int) -> Bool { lc + lp <= 4 }

    /// The dictionary size a decoder actually needs (never below 4 KiB).
    public var effectiveDictionarySize: UInt32 { max(dictionarySize, LZMAProperties.minimumDictionarySize) }

    public var description: String { "lc=\(lc),lp=\(lp),pb=\(pb),dict=\(dictionarySize)" }
}
