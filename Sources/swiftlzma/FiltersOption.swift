// The filter-chain options of xz 5.6+: `--filters=`, `--filters1=` ...
// `--filters9=`, `--filters-help`, and the `--lzma1=`/`--lzma2=` option
// strings, all read by the library's parsers (LZMAFilterChain,
// LZMASettings(xzOptionString:), XZFilter(xzOption:value:)) so that the
// command line and embedders accept exactly the same text.

import LZMA

/// A whole chain given in one option: `--filters=` (number 0) or `--filtersN=`.
struct FullChainOption {
    /// The text as given (for messages and descriptions).
    var text: String
    var chain: LZMAFilterChain
}

/// A library option error as xz prints it: "Invalid multiplier suffix" is
/// followed by xz's second line naming the valid suffixes.
func usageError(_ error: LZMAError) -> UsageError {
    guard case .invalidOptions(let text) = error else { return UsageError(describe(error)) }
    let sentence = XZOptionParsing.validSuffixesSentence
    if text.hasSuffix(sentence) {
        return UsageError(String(text.dropLast(sentence.count)) + "\nswiftlzma: " + String(sentence.dropFirst(2)))
    }
    return UsageError(text)
}

/// Parses the options of `--lzma1=` or `--lzma2=` with the library's parser.
/// - Throws: `UsageError` with xz's messages, including xz's own check that
///   lc + lp is at most 4.
func parseLZMAOptions(_ text: String) throws(UsageError) -> LZMASettings {
    let settings: LZMASettings
    do throws(LZMAError) {
        settings = try LZMASettings(xzOptionString: text)
    } catch {
        throw usageError(error)
    }
    if settings.lc + settings.lp > 4 { throw UsageError("The sum of lc and lp must not exceed 4") }
    return settings
}

/// Parses one Delta/BCJ filter option (`--x86=start=16`, `--delta=dist=4`).
/// - Throws: `UsageError` with xz's messages.
func parseFilterOption(_ name: String, _ value: String?) throws(UsageError) -> XZFilter {
    do throws(LZMAError) {
        return try XZFilter(xzOption: name, value: value)
    } catch {
        throw usageError(error)
    }
}

/// Parses `--filters=` (`number` 0) or `--filtersN=`.
/// - Throws: `UsageError` whose first line is xz 5.8's ("Error in
///   --filters=FILTERS option:"), then the text and the library's reason.
func parseFullChain(_ text: String, number: Int) throws(UsageError) -> FullChainOption {
    let option = number == 0 ? "--filters" : "--filters\(number)"
    func failure(_ reason: String) -> UsageError {
        UsageError("Error in \(option)=FILTERS option:\nswiftlzma: \(text)\nswiftlzma: \(reason)")
    }
    let chain: LZMAFilterChain
    do throws(LZMAError) {
        chain = try LZMAFilterChain(parsing: text)
    } catch {
        throw failure(usageError(error).message)
    }
    if chain.lzma.lc + chain.lzma.lp > 4 { throw failure("The sum of lc and lp must not exceed 4") }
    return FullChainOption(text: text, chain: chain)
}

/// `--filters-help`, as xz 5.8: what the syntax is (wrapped at 76 columns as
/// xz wraps it; not with `--robot`), then each filter and its options in the
/// format the manual gives for `--robot --filters-help`
/// (`filter:option=<value>,...`, ranges `<min-max>`, choices `<a|b>`).
func filtersHelpText(robot: Bool) -> String {
    let lzma = "preset=<0-9[e]>,dict=<4KiB-1536MiB>,lc=<0-4>,lp=<0-4>,pb=<0-4>,mode=<fast|normal>,"
        + "nice=<2-273>,mf=<hc3|hc4|bt2|bt3|bt4>,depth=<0-4294967295>"
    var lines = ["lzma1:" + lzma, "lzma2:" + lzma]
    for bcj in ["x86", "arm", "armthumb", "arm64", "riscv", "powerpc", "ia64", "sparc"] {
        lines.append("\(bcj):start=<0-4294967295>")
    }
    lines.append("delta:dist=<1-256>")
    let list = lines.joined(separator: "\n") + "\n"
    if robot { return list }
    let intro = "Filter chains are set using the --filters=FILTERS or --filters1=FILTERS ... --filters9=FILTERS "
        + "options. Each filter in the chain can be separated by spaces or '--'. Alternatively a preset "
        + "<0-9>[e] can be specified instead of a filter chain."
    return wrap(intro, width: 76) + "\n\n" + "The supported filters and their options are:\n" + list
}

/// Greedy word wrap at `width` columns.
func wrap(_ text: String, width: Int) -> String {
    var lines: [String] = []
    var line = ""
    for word in text.split(separator: " ") {
        if line.isEmpty {
            line = String(word)
        } else if line.count + 1 + word.count <= width {
            line += " " + word
        } else {
            lines.append(line)
            line = String(word)
        }
    }
    if !line.isEmpty { lines.append(line) }
    return lines.joined(separator: "\n")
}

/// The custom chain for coding: `--filters=` when it was the last chain
/// option, else the individual filter options (`--x86 --lzma2=...`), else nil
/// (the preset decides).
/// - Throws: `UsageError` "Unsupported filter chain or filter options" when
///   LZMA1/LZMA2 is missing or not last, as liblzma reports it.
func resolveChain(_ options: Options) throws(UsageError) -> ResolvedChain {
    if let full = options.fullChains[0] {
        return ResolvedChain(filters: full.chain.filters, coder: full.chain.coder, lzma: full.chain.lzma)
    }
    var resolved = ResolvedChain()
    for (i, item) in options.chain.enumerated() {
        switch item {
        case .filter(let f):
            resolved.filters.append(f)
        case .lzma1(let s, _), .lzma2(let s, _):
            guard i == options.chain.count - 1 else { throw UsageError("Unsupported filter chain or filter options") }
            if case .lzma1 = item { resolved.coder = .lzma1 } else { resolved.coder = .lzma2 }
            resolved.lzma = s
        }
    }
    if !options.chain.isEmpty && resolved.coder == nil { throw UsageError("Unsupported filter chain or filter options") }
    return resolved
}

/// The custom filter chain split into its filters and its LZMA coder.
struct ResolvedChain {
    /// Delta/BCJ filters, in chain order.
    var filters: [XZFilter] = []
    /// The LZMA coder at the end; nil when no custom chain was given.
    var coder: LZMAFilterChain.Coder?
    /// Its settings; nil when no custom chain was given.
    var lzma: LZMASettings?
    var isLZMA1: Bool { coder == .lzma1 }
}
