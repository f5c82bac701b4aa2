/// xz's command-line number syntax, in one place: `LZMASettings(xzOptionString:)`
/// (`--lzma1=`/`--lzma2=`), `XZFilter(xzOption:value:)` (`--delta=`, `--x86=`...)
/// and a command-line tool's own size options (`--block-size=`, `--memlimit=`...)
/// all read numbers with it, so they accept exactly what xz accepts.
///
/// Stateless; every function is safe to call from any thread.
public enum XZOptionParsing {
    /// What ends the "Invalid multiplier suffix" message (xz prints it as a
    /// second line; a tool can split the message there).
    public static let validSuffixesSentence = ". Valid suffixes are `KiB' (2^10), `MiB' (2^20), and `GiB' (2^30)."

    /// Parses an unsigned decimal integer with an optional binary multiplier
    /// suffix, as xz does (xz 5.8 manual, "Integer suffixes and special values").
    ///
    /// Accepted: leading spaces or tabs; then either `max` (the largest value
    /// of `range`) or decimal digits followed directly by nothing or a suffix:
    /// `k` or `K` (2^10), `m` or `M` (2^20), `g` or `G` (2^30), each optionally
    /// followed by `i`, `iB` or `B` — so `KiB`, `Ki`, `k`, `kB`, `K`, `KB` and
    /// the same for M and G are all accepted, and all are powers of 1024.
    /// Nothing else: no sign, no `0x`, no trailing space.
    ///
    /// - Parameters:
    ///   - text: the value as written, e.g. `"64MiB"`.
    ///   - option: the option's name, used in the error message (`dict`, `start`...).
    ///   - range: the values the option allows.
    /// - Returns: the value, multiplied out.
    /// - Throws: `LZMAError.invalidOptions` with xz's message: the text is not
    ///   a non-negative decimal integer, the suffix is invalid, or the value
    ///   (also one that overflows 64 bits) is outside `range`.
    /// - Complexity: O(text.count).
    public static func parseSize(_ text: String, option: String, in range: ClosedRange<UInt64>) throws(LZMAError) -> UInt64 {
        let bytes = Array(text.utf8.drop(while: { $0 == 0x20 || $0 == 0x09 }))
        if bytes == Array("max".utf8) { return range.upperBound }
        // A function, so the message is formatted only when thrown.
        func outOfRange() -> LZMAError {
            .invalidOptions("Value of the option `\(option)' must be in the range [\(range.lowerBound), \(range.upperBound)]")
        }
        var i = 0
        var value: UInt64 = 0
        while i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39 {
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(UInt64(bytes[i] &- 0x30))
            guard !o1, !o2 else { throw outOfRange() }
            value = a
            i += 1
        }
        guard i > 0 else {
            throw LZMAError.invalidOptions("\(String(decoding: bytes, as: UTF8.self)): Value is not a non-negative decimal integer")
        }
        if i < bytes.count {
            var shift: UInt64 = 0
            switch bytes[i] {
            case UInt8(ascii: "k"), UInt8(ascii: "K"): shift = 10
            case UInt8(ascii: "m"), UInt8(ascii: "M"): shift = 20
            case UInt8(ascii: "g"), UInt8(ascii: "G"): shift = 30
            default: break
            }
            let rest = bytes[(i + 1)...]
            guard shift != 0, rest.isEmpty || rest.elementsEqual("i".utf8) || rest.elementsEqual("iB".utf8)
                    || rest.elementsEqual("B".utf8) else {
                throw LZMAError.invalidOptions("\(String(decoding: bytes[i...], as: UTF8.self)): Invalid multiplier suffix"
                    + XZOptionParsing.validSuffixesSentence)
            }
            guard value <= UInt64.max >> shift else { throw outOfRange() }
            value <<= shift
        }
        guard range.contains(value) else { throw outOfRange() }
        return value
    }
}
