/// A whole filter chain — up to three Delta/BCJ filters, then LZMA1 or
/// LZMA2 — as xz 5.6+ writes it in `--filters=`: `"x86 lzma2:preset=6e"`,
/// `"delta:dist=4--lzma2:dict=1MiB,lc=4,lp=0"`, or a preset alone (`"6"`, `"-9e"`).
///
/// Filters are separated by spaces or `--`; a filter's options follow its
/// name after `:` or `=`, comma-separated (extra commas are ignored). The
/// option names and values are those of xz's individual options
/// (`--x86=start=N`, `--delta=dist=N`, `--lzma2=preset=…,dict=…`), parsed by
/// the same code (``XZFilter/init(xzOption:value:)``,
/// ``LZMASettings/init(xzOptionString:)``).
public struct LZMAFilterChain: Sendable, Hashable {
    /// Which LZMA coder ends the chain.
    public enum Coder: Sendable, Hashable {
        case lzma1, lzma2
    }

    /// The filters before the LZMA coder, in chain order (as on xz's command line).
    public var filters: [XZFilter]
    /// LZMA1 (only for `.lzma` and raw) or LZMA2.
    public var coder: Coder
    /// The LZMA coder's settings.
    public var lzma: LZMASettings

    /// A chain from its parts.
    public init(filters: [XZFilter] = [], coder: Coder = .lzma2, lzma: LZMASettings = LZMASettings(preset: .default)) {
        self.filters = filters
        self.coder = coder
        self.lzma = lzma
    }

    /// Parses xz's `--filters=` syntax.
    /// - Throws: `LZMAError.invalidOptions` naming the bad filter, option or
    ///   value: an unknown filter, a chain that does not end with LZMA1/LZMA2
    ///   or has it elsewhere, more than 4 filters, or an option error.
    /// - Complexity: O(text.count).
    public init(parsing text: String) throws(LZMAError) {
        // The separators: spaces (any run) and "--".
        let spaced = text.replacingAll("--", with: " ")
        let items = spaced.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard !items.isEmpty else { throw LZMAError.invalidOptions("Empty string is not allowed, try \"6\" if a default value is needed") }
        // A preset alone: "6", "-6", "6e", "-6e".
        if items.count == 1, let preset = LZMAFilterChain.preset(items[0]) {
            self.init(lzma: LZMASettings(preset: preset))
            return
        }
        guard items.count <= 4 else { throw LZMAError.invalidOptions("The maximum number of filters is four") }
        var filters: [XZFilter] = []
        var end: (Coder, LZMASettings)?
        for (i, item) in items.enumerated() {
            var name = item
            var options: String?
            if let sep = item.firstIndex(where: { $0 == ":" || $0 == "=" }) {
                name = String(item[..<sep])
                options = String(item[item.index(after: sep)...])
            }
            switch name {
            case "lzma1", "lzma2":
                guard i == items.count - 1 else {
                    throw LZMAError.invalidOptions("\(name): LZMA1 or LZMA2 is only allowed as the last filter")
                }
                end = (name == "lzma1" ? .lzma1 : .lzma2, try LZMASettings(xzOptionString: options ?? ""))
            default:
                if LZMAFilterChain.preset(name) != nil, options == nil {
                    throw LZMAError.invalidOptions("\(name): a preset cannot be combined with filters")
                }
                filters.append(try XZFilter(xzOption: name, value: options))
            }
        }
        guard let end else { throw LZMAError.invalidOptions("The last filter must be LZMA1 or LZMA2") }
        self.init(filters: filters, coder: end.0, lzma: end.1)
    }

    private static func preset(_ s: String) -> LZMAPreset? {
        var t = Substring(s)
        if t.hasPrefix("-") { t = t.dropFirst() }
        var extreme = false
        if t.hasSuffix("e") { extreme = true; t = t.dropLast() }
        guard t.count == 1, let level = Int(t) else { return nil }
        return LZMAPreset(level: level, extreme: extreme)
    }

    /// Options for compressing with this chain (the other options at their
    /// defaults: CRC64, one block).
    public var compressionOptions: CompressionOptions {
        CompressionOptions(lzma: lzma, filters: filters)
    }
}

extension String {
    /// Every occurrence of `target` replaced, by a plain scan (no regex or
    /// string-processing module, which Embedded Swift lacks).
    fileprivate func replacingAll(_ target: String, with replacement: String) -> String {
        let t = Array(target.utf8), me = Array(utf8)
        var out: [UInt8] = []
        var i = 0
        while i < me.count {
            if i + t.count <= me.count && Array(me[i..<(i + t.count)]) == t {
                out += replacement.utf8
                i += t.count
            } else {
                out.append(me[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
