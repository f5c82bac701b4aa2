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
        guard (0...8).contains(lc), (0...4).contains(lp), (0...4).contains(pb) else {
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
        var p = Int(propertiesByte)
        guard p <= (4 * 5 + 4) * 9 + 8 else {
            throw LZMAError.invalidProperties("properties byte \(propertiesByte) is above 224")
        }
        let pb = p / (9 * 5)
        p -= pb * 9 * 5
        let lp = p / 9
        let lc = p - lp * 9
        try self.init(lc: lc, lp: lp, pb: pb, dictionarySize: dictionarySize)
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
    /// xz accepts when it detects `.lzma` by itself. UInt32.max stays as is.
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
    public var propertiesByte: UInt8 { UInt8((pb * 5 + lp) * 9 + lc) }

    /// The dictionary size a decoder actually needs (never below 4 KiB).
    public var effectiveDictionarySize: UInt32 { max(dictionarySize, LZMAProperties.minimumDictionarySize) }

    public var description: String { "lc=\(lc),lp=\(lp),pb=\(pb),dict=\(dictionarySize)" }
}
