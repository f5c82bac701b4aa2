/// Settings of the LZMA encoder: the stream properties (lc, lp, pb,
/// dictionary size) and how hard the encoder searches (mode, match finder,
/// nice length, depth). Defaults to xz's preset 6.
public struct LZMASettings: Sendable, Hashable {
    /// How the encoder chooses between literals and matches.
    public enum Mode: Sendable, Hashable {
        /// Greedy with a one-byte lazy look-ahead: fast, a little larger output.
        case fast
        /// Optimal parsing over prices of up to 4096 positions: slower, smaller.
        case normal
    }

    /// The match finder: hash chains (`hc*`) or binary trees (`bt*`), hashing
    /// the first 2, 3 or 4 bytes of each position.
    public enum MatchFinder: String, Sendable, Hashable {
        case hc3, hc4, bt2, bt3, bt4
    }

    /// Literal context bits, literal position bits, position bits.
    public var lc: Int, lp: Int, pb: Int
    /// How far back matches may reach; also sets most of the memory use.
    public var dictionarySize: UInt32
    public var mode: Mode
    public var matchFinder: MatchFinder
    /// A match this long is taken at once without looking further (2...273).
    public var niceLength: Int
    /// Maximum match finder search steps per position; 0 = automatic
    /// (hash chains: 4 + nice/4, binary trees: 16 + nice/2).
    public var depth: Int

    /// The smallest and largest dictionary xz accepts.
    public static let minimumDictionarySize: UInt32 = LZMAProperties.minimumDictionarySize
    public static let maximumDictionarySize: UInt32 = (1 << 30) + (1 << 29)

    /// Creates options; the defaults are xz's preset 6.
    public init(lc: Int = 3, lp: Int = 0, pb: Int = 2, dictionarySize: UInt32 = 1 << 23,
                mode: Mode = .normal, matchFinder: MatchFinder = .bt4, niceLength: Int = 64, depth: Int = 0) {
        self.lc = lc
        self.lp = lp
        self.pb = pb
        self.dictionarySize = dictionarySize
        self.mode = mode
        self.matchFinder = matchFinder
        self.niceLength = niceLength
        self.depth = depth
    }

    /// xz's preset: level 0...9, optionally extreme (xz's `-e`).
    ///
    /// Levels 0-3 use the fast mode with hash chains, 4-9 the normal mode with
    /// bt4. Dictionaries: 256 KiB, 1, 2, 4, 4, 8, 8, 16, 32, 64 MiB.
    /// - Complexity: O(1); nothing is allocated until a compressor is made.
    public init(preset: LZMAPreset) {
        let level = preset.level
        let dictPow2: [UInt32] = [18, 20, 21, 22, 22, 23, 23, 24, 25, 26]
        self.init(dictionarySize: 1 << dictPow2[level])
        if level <= 3 {
            mode = .fast
            matchFinder = level == 0 ? .hc3 : .hc4
            niceLength = level <= 1 ? 128 : 273
            depth = [4, 8, 24, 48][level]
        } else {
            mode = .normal
            matchFinder = .bt4
            niceLength = level == 4 ? 16 : level == 5 ? 32 : 64
            depth = 0
        }
        if preset.isExtreme {
            mode = .normal
            matchFinder = .bt4
            if level == 3 || level == 5 {
                niceLength = 192
                depth = 0
            } else {
                niceLength = 273
                depth = 512
            }
        }
    }

    /// The settings of an xz preset: `.preset(6)`, `.preset(.extreme(9))`.
    public static func preset(_ preset: LZMAPreset) -> LZMASettings { LZMASettings(preset: preset) }

    /// Parses xz's `--lzma1=` / `--lzma2=` option string, for example
    /// `"preset=6e,dict=64MiB,lc=3,lp=0,pb=2,mode=fast,nice=128,mf=hc4,depth=0"`.
    ///
    /// Starts from preset 6. Options apply in order, and `preset=` resets all
    /// options (as in xz), so it should come first. Numbers are read by
    /// ``XZOptionParsing/parseSize(_:option:in:)``: xz's suffixes KiB, MiB,
    /// GiB and their spellings, and `max`.
    /// - Throws: `LZMAError.invalidOptions` naming the bad option or value.
    public init(xzOptionString: String) throws(LZMAError) {
        self = LZMASettings(preset: .default)
        if xzOptionString.isEmpty { return }
        for item in xzOptionString.split(separator: ",", omittingEmptySubsequences: false) {
            if item.isEmpty { continue }
            // As xz, a pair without `=` or without a value names the whole list.
            guard let eq = item.firstIndex(of: "="), item.index(after: eq) != item.endIndex else {
                throw LZMAError.invalidOptions("\(xzOptionString): Options must be `name=value' pairs separated with commas")
            }
            let name = String(item[..<eq])
            let value = String(item[item.index(after: eq)...])
            switch name {
            case "preset":
                var digits = value
                var extreme = false
                if digits.hasSuffix("e") { extreme = true; digits.removeLast() }
                guard digits.count == 1, let level = Int(digits), let p = LZMAPreset(level: level, extreme: extreme) else {
                    throw LZMAError.invalidOptions("Unsupported LZMA1/LZMA2 preset: \(value)")
                }
                self = LZMASettings(preset: p)
            case "dict":
                let v = try XZOptionParsing.parseSize(value, option: name, in: UInt64(LZMASettings.minimumDictionarySize)...UInt64(LZMASettings.maximumDictionarySize))
                dictionarySize = UInt32(v)
            case "lc": lc = Int(try XZOptionParsing.parseSize(value, option: name, in: 0...4))
            case "lp": lp = Int(try XZOptionParsing.parseSize(value, option: name, in: 0...4))
            case "pb": pb = Int(try XZOptionParsing.parseSize(value, option: name, in: 0...4))
            case "nice": niceLength = Int(try XZOptionParsing.parseSize(value, option: name, in: 2...273))
            case "depth": depth = Int(clamping: try XZOptionParsing.parseSize(value, option: name, in: 0...UInt64(UInt32.max)))
            case "mode":
                switch value {
                case "fast": mode = .fast
                case "normal": mode = .normal
                default: throw LZMAError.invalidOptions("\(value): Invalid option value")
                }
            case "mf":
                guard let mf = MatchFinder(rawValue: value) else {
                    throw LZMAError.invalidOptions("\(value): Invalid option value")
                }
                matchFinder = mf
            default:
                throw LZMAError.invalidOptions("\(name): Invalid option name")
            }
        }
    }

    /// Checks the options as xz does.
    ///
    /// lc 0...8, lp 0...4, pb 0...4 (with `lcPlusLpAtMost4` — for `.lzma` files and
    /// LZMA2 — also lc + lp <= 4); dictionary 4 KiB ... 1.5 GiB; nice length
    /// 2...273 and at least the bytes the match finder hashes (3 for hc3/bt3,
    /// 4 for hc4/bt4); depth >= 0.
    /// - Throws: `LZMAError.invalidOptions` saying which value is wrong.
    public func validate(lcPlusLpAtMost4: Bool) throws(LZMAError) {
        guard LZMAProperties.lcRange.contains(lc) else { throw LZMAError.invalidOptions("lc=\(lc) is not 0-8") }
        guard LZMAProperties.lpRange.contains(lp) else { throw LZMAError.invalidOptions("lp=\(lp) is not 0-4") }
        guard LZMAProperties.pbRange.contains(pb) else { throw LZMAError.invalidOptions("pb=\(pb) is not 0-4") }
        if lcPlusLpAtMost4 && !LZMAProperties.lcPlusLpFits(lc: lc, lp: lp) {
            throw LZMAError.invalidOptions("lc=\(lc) + lp=\(lp) exceeds 4")
        }
        guard dictionarySize >= LZMASettings.minimumDictionarySize,
              dictionarySize <= LZMASettings.maximumDictionarySize else {
            throw LZMAError.invalidOptions("dictionary size \(dictionarySize) is not 4 KiB - 1536 MiB")
        }
        guard (LZMAConstants.matchLenMin...LZMAConstants.matchLenMax).contains(niceLength) else {
            throw LZMAError.invalidOptions("nice=\(niceLength) is not 2-273")
        }
        guard niceLength >= matchFinder.hashBytes else {
            throw LZMAError.invalidOptions("nice=\(niceLength) is shorter than the \(matchFinder.hashBytes) bytes match finder \(matchFinder.rawValue) needs")
        }
        // Compared as UInt64: UInt32.max does not fit a 32-bit Int.
        guard depth >= 0, UInt64(depth) <= UInt64(UInt32.max) else {
            throw LZMAError.invalidOptions("depth=\(depth) is not 0-\(UInt32.max)")
        }
        // On a 32-bit target the largest dictionaries need more than the address space.
        let layout = MatchFinderLayout(dictionarySize: dictionarySize, matchFinder: matchFinder)
        guard layout.fitsAddressSpace else {
            throw LZMAError.memoryLimitExceeded(required: layout.bytes, limit: UInt64(Int.max))
        }
    }
}
