// Command-line parsing, compatible with xz's (getopt_long rules): short options
// bundle (`-dc`), an option's value may be attached (`-M100MiB`, `--memlimit=1G`)
// or be the next argument (`-M 100MiB`, `--memlimit 1G`), long options may be
// abbreviated to any unique prefix, options and file names may be mixed, `--`
// ends the options and `-` means standard input.

import LZMA
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What to do with the input files.
enum Operation {
    case compress
    case decompress
    case test
    case list
}

/// The container format, as `-F/--format` names it.
enum FileFormat: String {
    case auto, xz, lzma, raw, lzip
}

/// Everything the command line selects.
struct Options {
    var operation: Operation = .compress
    /// `true` when `-z/-d/-t` was given (otherwise the program name decides).
    var operationGiven = false
    var format: FileFormat = .auto
    var toStdout = false
    var keep = false
    var force = false
    var singleStream = false
    /// `--range=START:LENGTH`: write only those uncompressed bytes (Range.swift).
    var range: ByteRange?
    /// Verbosity as xz counts it: 0 silent, 1 errors, 2 warnings (default),
    /// 3 verbose, 4 debug.
    var verbosity = 2
    /// `-Q`: warnings do not change the exit status.
    var noWarn = false
    /// `-S/--suffix`, including the leading dot.
    var suffix: String?
    /// Memory limit for decoding; `nil` = no limit.
    var memoryLimit: UInt64?
    /// The custom filter chain (`--delta`, `--x86`, ..., `--lzma1=`, `--lzma2=`)
    /// in command-line order; empty = LZMA2 (or LZMA1 for .lzma) from the preset.
    var chain: [ChainItem] = []
    /// `-C/--check` for .xz compression.
    var check: XZCheck = .crc64
    /// `--block-size`: start a new .xz block every this many input bytes.
    var blockSize: UInt64?
    /// `-T/--threads` (0 = one per processor, xz 5.8's default). Above 1, or
    /// 0, or `+1` (``threadsForceMT``), .xz is compressed in parallel in the
    /// format of xz's multithreaded encoder (blocks of 3 x the dictionary,
    /// sizes in the headers) and such blocks are decoded in parallel; 1 is
    /// single-threaded xz's format and decoder.
    var threads = 0
    /// `-T+1`: the multithreaded format with one thread.
    var threadsForceMT = false
    /// `--memlimit-compress` (or `-M`): lowers the thread count, then
    /// switches to single-threaded mode, then shrinks the dictionary, as xz.
    var memlimitCompress: UInt64?
    /// `--memlimit-mt-decompress` (or `-M`): the memory parallel decoding may
    /// use (default: a quarter of the RAM, as xz); only limits the threads.
    var memlimitMTDecompress: UInt64?
    /// `--no-adjust`: fail instead of changing the compressed output to meet
    /// `--memlimit-compress`.
    var noAdjust = false
    /// `--ignore-check`: do not verify .xz integrity checks.
    var ignoreCheck = false
    /// Compression preset `-0` ... `-9`, and `-e`.
    var preset = 6
    var extreme = false
    /// `--sha1`: print SHA-1 digests instead of coding.
    var sha1 = false
    /// `--roundtrip`: compress, decompress and compare.
    var roundtrip = false
    /// `--trace[=text|json]`: print the symbol trace instead of coding.
    var trace: String?
    /// `--explain`: write an HTML page that shows the trace; at most
    /// `explainMax` bytes of output are shown.
    var explain = false
    var explainMax: UInt64 = 1 << 20
    /// `--robot`: machine-parsable output (here: for `--list`).
    var robot = false
    /// `--files[=FILE]` / `--files0[=FILE]`: more names to read from FILE
    /// (`nil`: standard input), ended by newlines or by NUL bytes.
    var fileList: (path: String?, delimiter: UInt8)?
    var files: [String] = []
    /// `--filters=` (index 0) and `--filters1=` ... `--filters9=`.
    var fullChains: [FullChainOption?] = Array(repeating: nil, count: 10)
    /// `--block-list=`: the items in order.
    var blockList: [BlockListEntry] = []
    /// `--no-sparse`: write every zero when decompressing to a file.
    var noSparse = false
    /// `--no-sync`: do not fsync the output before removing the input.
    var noSync = false
    /// `--flush-timeout=MS` (nil: off).
    var flushTimeout: UInt64?
    /// `--flush-timeout` turned multithreaded compression into single-threaded.
    var flushTimeoutLeftThreads = false
}

/// One entry of a custom filter chain, as xz's options give it.
enum ChainItem {
    case filter(XZFilter)
    /// `--lzma1=OPTS` or `--lzma2=OPTS`: the settings and the option text.
    case lzma1(LZMASettings, text: String)
    case lzma2(LZMASettings, text: String)
}

/// A command-line mistake: reported as `swiftlzma: <message>`, exit status 1.
struct UsageError: Error {
    var message: String
    /// Add "Try `swiftlzma --help' for more information."
    var suggestHelp = false
    init(_ message: String, suggestHelp: Bool = false) {
        self.message = message
        self.suggestHelp = suggestHelp
    }
}

/// What the parser found besides options to run.
enum ParseOutcome {
    case run(Options)
    case help(long: Bool)
    /// `--filters-help` (with `--robot`: the list only).
    case filtersHelp(robot: Bool)
    /// `--robot --version`: xz's XZ_VERSION=/LIBLZMA_VERSION= lines.
    case robotVersion
    /// `--info-memory` with the options given before it.
    case infoMemory(Options)
    case version
}

/// Parses an integer with an optional binary multiplier suffix, as xz's
/// `str_to_uint64`: `K`/`M`/`G` (either case), optionally followed by `i`,
/// `iB` or `B`, all powers of 1024.
func parseSize(_ text: String, name: String, min: UInt64, max: UInt64) throws(UsageError) -> UInt64 {
    do throws(LZMAError) {
        return try XZOptionParsing.parseSize(text, option: name, in: min...max)
    } catch {
        throw usageError(error)
    }
}

/// Parses a memory limit: `0` (no limit), `max`, `N%` of the RAM, or a size.
func parseMemoryLimit(_ text: String) throws(UsageError) -> UInt64? {
    if text == "max" { return nil }
    if text.hasSuffix("%") {
        // As xz, the option is named `memlimit%' in its messages.
        let percent = try parseSize(String(text.dropLast()), name: "memlimit%", min: 1, max: 100)
        // As xz: percent x RAM / 100, in integers.
        return Swift.max(1, physicalMemory() * percent / 100)
    }
    let value = try parseSize(text, name: "memlimit", min: 0, max: .max)
    return value == 0 ? nil : value
}

/// The long options, their short equivalents, and whether they take a value.
private struct LongOption {
    var name: String
    var takesValue: Bool
    var key: String
    /// The value is optional and can only be attached (`--x86=start=16`).
    var optionalValue = false
}

private let longOptions: [LongOption] = [
    .init(name: "compress", takesValue: false, key: "z"),
    .init(name: "decompress", takesValue: false, key: "d"),
    .init(name: "uncompress", takesValue: false, key: "d"),
    .init(name: "test", takesValue: false, key: "t"),
    .init(name: "list", takesValue: false, key: "l"),
    .init(name: "keep", takesValue: false, key: "k"),
    .init(name: "force", takesValue: false, key: "f"),
    .init(name: "stdout", takesValue: false, key: "c"),
    .init(name: "to-stdout", takesValue: false, key: "c"),
    .init(name: "single-stream", takesValue: false, key: "single-stream"),
    .init(name: "range", takesValue: true, key: "range"),
    .init(name: "no-sparse", takesValue: false, key: "no-sparse"),
    .init(name: "suffix", takesValue: true, key: "S"),
    .init(name: "format", takesValue: true, key: "F"),
    .init(name: "check", takesValue: true, key: "C"),
    .init(name: "ignore-check", takesValue: false, key: "ignore-check"),
    .init(name: "block-size", takesValue: true, key: "block-size"),
    .init(name: "extreme", takesValue: false, key: "e"),
    .init(name: "fast", takesValue: false, key: "0"),
    .init(name: "best", takesValue: false, key: "9"),
    .init(name: "threads", takesValue: true, key: "T"),
    .init(name: "memlimit", takesValue: true, key: "M"),
    .init(name: "memory", takesValue: true, key: "M"),
    .init(name: "memlimit-decompress", takesValue: true, key: "memlimit-decompress"),
    .init(name: "memlimit-compress", takesValue: true, key: "memlimit-compress"),
    .init(name: "no-adjust", takesValue: false, key: "no-adjust"),
    .init(name: "lzma1", takesValue: false, key: "lzma1", optionalValue: true),
    .init(name: "lzma2", takesValue: false, key: "lzma2", optionalValue: true),
    .init(name: "x86", takesValue: false, key: "filter", optionalValue: true),
    .init(name: "powerpc", takesValue: false, key: "filter", optionalValue: true),
    .init(name: "ia64", takesValue: false, key: "filter", optionalValue: true),
    .init(name: "arm", takesValue: false, key: "filter", optionalValue: true),
    .init(name: "armthumb", takesValue: false, key: "filter", optionalValue: true),
    .init(name: "arm64", takesValue: false, key: "filter", optionalValue: true),
    .init(name: "riscv", takesValue: false, key: "filter", optionalValue: true),
    .init(name: "sparc", takesValue: false, key: "filter", optionalValue: true),
    .init(name: "delta", takesValue: false, key: "filter", optionalValue: true),
    .init(name: "quiet", takesValue: false, key: "q"),
    .init(name: "verbose", takesValue: false, key: "v"),
    .init(name: "no-warn", takesValue: false, key: "Q"),
    .init(name: "help", takesValue: false, key: "h"),
    .init(name: "long-help", takesValue: false, key: "H"),
    .init(name: "version", takesValue: false, key: "V"),
    .init(name: "sha1", takesValue: false, key: "sha1"),
    .init(name: "roundtrip", takesValue: false, key: "roundtrip"),
    .init(name: "robot", takesValue: false, key: "robot"),
    .init(name: "files", takesValue: false, key: "files", optionalValue: true),
    .init(name: "files0", takesValue: false, key: "files0", optionalValue: true),
    .init(name: "memlimit-mt-decompress", takesValue: true, key: "memlimit-mt-decompress"),
    .init(name: "trace", takesValue: false, key: "trace", optionalValue: true),
    .init(name: "explain", takesValue: false, key: "explain"),
    .init(name: "explain-max", takesValue: true, key: "explain-max"),
] + newLongOptions.map { LongOption(name: $0.name, takesValue: $0.takesValue, key: $0.name) }

/// Short options that take a value, and those that do not. Switches, not
/// sets: a `Set<Character>` brought in hashing and set code (some 128 KiB of
/// resident pages) that nothing else on the way to compressing uses.
private func shortTakesValue(_ c: Character) -> Bool {
    switch c {
    case "S", "F", "C", "T", "M": return true
    default: return false
    }
}

private func isShortFlag(_ c: Character) -> Bool {
    switch c {
    case "z", "d", "t", "l", "k", "f", "c", "e", "q", "v", "Q", "h", "H", "V",
         "0", "1", "2", "3", "4", "5", "6", "7", "8", "9":
        return true
    default: return false
    }
}

/// Parses `arguments` (without the program name). `programName` selects the
/// default operation as xz does for `unxz`/`xzcat`/`unlzma`/`lzcat`/`lzma`.
func parseCommandLine(_ arguments: [String], programName: String) throws(UsageError) -> ParseOutcome {
    var options = Options()
    let base = programName.split(separator: "/").last.map(String.init) ?? programName
    if base.contains("xzcat") {
        options.operation = .decompress
        options.toStdout = true
    } else if base.contains("unxz") {
        options.operation = .decompress
    } else if base.contains("lzcat") {
        options.operation = .decompress
        options.format = .lzma
        options.toStdout = true
    } else if base.contains("unlzma") {
        options.operation = .decompress
        options.format = .lzma
    } else if base.contains("lzma") && !base.contains("swiftlzma") {
        options.format = .lzma
    }

    var wantHelp: Bool?
    var wantVersion = false
    var wantFiltersHelp = false
    var infoMemory: Options?
    var versionRobot = false, versionBeforeInfo = false

    func addToChain(_ item: ChainItem) throws(UsageError) {
        // xz allows four filters: up to three before LZMA1/LZMA2. As xz 5.6+,
        // an individual filter option replaces a --filters= chain.
        options.fullChains[0] = nil
        guard options.chain.count < 4 else { throw UsageError("Maximum number of filters is four") }
        options.chain.append(item)
    }

    func apply(_ key: String, _ value: String?, _ shown: String) throws(UsageError) {
        switch key {
        case "z": options.operation = .compress; options.operationGiven = true
        case "d": options.operation = .decompress; options.operationGiven = true
        case "t": options.operation = .test; options.operationGiven = true
        case "l": options.operation = .list; options.operationGiven = true
        case "k": options.keep = true
        case "f": options.force = true
        case "c": options.toStdout = true
        case "e": options.extreme = true; options.chain = []; options.fullChains[0] = nil
        case "q": options.verbosity = max(0, options.verbosity - 1)
        case "v": options.verbosity = min(4, options.verbosity + 1)
        case "Q": options.noWarn = true
        case "h": wantHelp = wantHelp ?? false
        case "H": wantHelp = wantHelp ?? true
        case "V":
            // As xz, which acts on --version and --info-memory at once: the
            // first one wins, with the options given before it.
            if !wantVersion { versionRobot = options.robot; versionBeforeInfo = infoMemory == nil }
            wantVersion = true
        case "info-memory": if infoMemory == nil { infoMemory = options }
        case "0", "1", "2", "3", "4", "5", "6", "7", "8", "9":
            // As xz 5.4: a preset replaces a custom filter chain given before it.
            options.preset = Int(key)!
            options.chain = []
            options.fullChains[0] = nil
        case "single-stream": options.singleStream = true
        case "range": options.range = try parseRange(value!)
        case "sha1": options.sha1 = true
        case "roundtrip": options.roundtrip = true
        case "trace":
            guard value == nil || value == "text" || value == "json" else {
                throw UsageError("--trace: unknown output kind `\(value!)' (text or json)")
            }
            options.trace = value ?? "text"
        case "explain": options.explain = true
        case "explain-max": options.explainMax = try parseSize(value!, name: "explain-max", min: 1, max: 1 << 32)
        case "robot": options.robot = true
        case "files": options.fileList = (value, UInt8(ascii: "\n"))
        case "files0": options.fileList = (value, 0)
        case "ignored": break
        case "ignore-check": options.ignoreCheck = true
        case "block-size":
            // As xz: 0 means no splitting.
            let size = try parseSize(value!, name: "block-size", min: 0, max: UInt64.max >> 1)
            options.blockSize = size == 0 ? nil : size
        case "filter":
            try addToChain(.filter(try parseFilterOption(String(shown.dropFirst(2)), value)))
        case "lzma2":
            try addToChain(.lzma2(try parseLZMAOptions(value ?? ""), text: value ?? ""))
        case "S":
            let suffix = value!
            guard !suffix.isEmpty, !suffix.contains("/") else { throw UsageError("\(suffix): Invalid filename suffix") }
            options.suffix = suffix.hasPrefix(".") ? suffix : "." + suffix
        case "F":
            switch value! {
            case "auto": options.format = .auto
            case "xz": options.format = .xz
            case "lzma", "alone": options.format = .lzma
            case "raw": options.format = .raw
            case "lzip", "lz": options.format = .lzip
            default: throw UsageError("\(value!): Unknown file format type")
            }
        case "C":
            switch value! {
            case "none": options.check = .none
            case "crc32": options.check = .crc32
            case "crc64": options.check = .crc64
            case "sha256": options.check = .sha256
            default: throw UsageError("\(value!): Unsupported integrity check type")
            }
        case "T":
            // As xz 5.4+: `+1` is the multithreaded mode with one thread.
            let plus = value!.hasPrefix("+")
            options.threads = Int(try parseSize(plus ? String(value!.dropFirst()) : value!, name: "threads", min: 0, max: 16384))
            options.threadsForceMT = plus && options.threads == 1
        case "M":
            // As xz: -M sets the limits of compression, decompression and
            // multithreaded decompression.
            options.memoryLimit = try parseMemoryLimit(value!)
            options.memlimitCompress = options.memoryLimit
            options.memlimitMTDecompress = options.memoryLimit
        case "memlimit-decompress": options.memoryLimit = try parseMemoryLimit(value!)
        case "memlimit-compress": options.memlimitCompress = try parseMemoryLimit(value!)
        case "memlimit-mt-decompress": options.memlimitMTDecompress = try parseMemoryLimit(value!)
        case "no-adjust": options.noAdjust = true
        case "lzma1":
            try addToChain(.lzma1(try parseLZMAOptions(value ?? ""), text: value ?? ""))
        case "filters", "filters1", "filters2", "filters3", "filters4", "filters5", "filters6", "filters7",
             "filters8", "filters9":
            try applyFiltersOption(&options, key, value!)
        case "filters-help": wantFiltersHelp = true
        case "block-list": options.blockList = try parseBlockList(value!)
        case "no-sparse": options.noSparse = true
        case "no-sync": options.noSync = true
        case "flush-timeout": options.flushTimeout = try parseFlushTimeout(value!)
        default:
            throw UsageError("unrecognized option '\(shown)'", suggestHelp: true)
        }
    }

    func parse(_ arguments: [String]) throws(UsageError) {
        var index = 0
        var onlyFiles = false
        while index < arguments.count {
            let arg = arguments[index]
            index += 1
            if onlyFiles || arg == "-" || !arg.hasPrefix("-") {
                options.files.append(arg)
                continue
            }
            if arg == "--" { onlyFiles = true; continue }
            if arg.hasPrefix("--") {
                let body = arg.dropFirst(2)
                let name: Substring
                var value: String?
                if let eq = body.firstIndex(of: "=") {
                    name = body[..<eq]
                    value = String(body[body.index(after: eq)...])
                } else {
                    name = body
                }
                let option: LongOption
                if let exact = longOptions.first(where: { $0.name == name }) {
                    option = exact
                } else {
                    let matches = longOptions.filter { $0.name.hasPrefix(name) }
                    // Several names for one option (for example --memlimit and
                    // --memory) make an abbreviation ambiguous only if they differ.
                    guard let first = matches.first else {
                        throw UsageError("unrecognized option '--\(name)'", suggestHelp: true)
                    }
                    guard matches.allSatisfy({ $0.key == first.key }) else {
                        throw UsageError("option '--\(name)' is ambiguous", suggestHelp: true)
                    }
                    option = first
                }
                if option.takesValue {
                    if value == nil {
                        guard index < arguments.count else {
                            throw UsageError("option '--\(option.name)' requires an argument", suggestHelp: true)
                        }
                        value = arguments[index]
                        index += 1
                    }
                } else if value != nil && !option.optionalValue {
                    throw UsageError("option '--\(option.name)' doesn't allow an argument", suggestHelp: true)
                }
                try apply(option.key, value, "--\(option.name)")
                continue
            }
            // A bundle of short options: -dkc, -M100MiB, -M 100MiB.
            var rest = arg.dropFirst()
            while let c = rest.first {
                rest = rest.dropFirst()
                if shortTakesValue(c) {
                    var value = String(rest)
                    if value.isEmpty {
                        guard index < arguments.count else {
                            throw UsageError("option requires an argument -- '\(c)'", suggestHelp: true)
                        }
                        value = arguments[index]
                        index += 1
                    }
                    try apply(String(c), value, "-\(c)")
                    break
                }
                guard isShortFlag(c) else {
                    // xz 5.4's getopt knows -r but has no action for it: it
                    // prints only the hint, no "invalid option" line.
                    if c == "r" { throw UsageError("", suggestHelp: true) }
                    throw UsageError("invalid option -- '\(c)'", suggestHelp: true)
                }
                try apply(String(c), nil, "-\(c)")
            }
        }
    }

    // As xz: XZ_DEFAULTS, then XZ_OPT (options only), then the command line.
    for variable in ["XZ_DEFAULTS", "XZ_OPT"] {
        guard let value = getenv(variable) else { continue }
        let words = String(cString: value).split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).map(String.init)
        try parse(words)
        guard options.files.isEmpty else {
            throw UsageError("\(variable): Non-option arguments are not allowed")
        }
    }
    try parse(arguments)

    if let long = wantHelp { return .help(long: long) }
    if wantFiltersHelp { return .filtersHelp(robot: options.robot) }
    if let info = infoMemory, !(wantVersion && versionBeforeInfo) { return .infoMemory(info) }
    if wantVersion { return versionRobot ? .robotVersion : .version }
    // --trace and --explain read a compressed file unless -z asks for the
    // encoder's view; they never write files.
    if (options.trace != nil || options.explain) && !(options.operationGiven && options.operation == .compress) {
        options.operation = .decompress
    }
    if options.trace != nil || options.explain { options.toStdout = true }
    // As xz: testing never writes files, so it behaves like writing to stdout.
    if options.operation == .test { options.toStdout = true }
    // As xz 5.8, --single-stream implies --keep.
    if options.toStdout || options.singleStream { options.keep = true }
    try checkRangeOptions(options)
    if options.files.isEmpty && options.fileList == nil { options.files = ["-"] }
    return .run(options)
}

let helpText = """
Usage: swiftlzma [OPTION]... [FILE]...
Compress or decompress FILEs in the .xz format, like xz.

  -z, --compress      force compression
  -d, --decompress    force decompression
  -t, --test          test compressed file integrity
  -l, --list          list information about .xz files
  -k, --keep          keep (don't delete) input files
  -f, --force         force overwrite of output file and follow symbolic links
  -c, --stdout        write to standard output and don't delete input files
      --single-stream decompress only the first stream, and silently
                      ignore possible remaining input data (implies -k)
      --range=START:LENGTH
                      with -dc: write only LENGTH bytes from uncompressed
                      offset START (KiB, MiB, GiB); a multi-block .xz file
                      decodes only the blocks that hold them
      --no-sparse     do not create sparse files when decompressing
      --no-sync       do not synchronize the output file to the storage
                      device before removing the input file
      --flush-timeout=TIMEOUT
                      when compressing, if TIMEOUT milliseconds have passed
                      since the last flush and reading more input would
                      block, make all data so far decodable (here: end the
                      .xz stream; the next input starts a new one)
  -S, --suffix=.SUF   use the suffix `.SUF' on compressed files
  -0 ... -9           compression preset; default is 6
  -e, --extreme       use more CPU time to compress a little better
  -T, --threads=NUM   use at most NUM threads; 0 (the default) = one per
                      processor; 1 = single-threaded mode (xz -T1's output);
                      +1 = multithreaded mode with one thread
  -F, --format=FMT    file format: `auto' (default), `xz', `lzma', `raw'
  -C, --check=CHECK   integrity check: `none', `crc32', `crc64' (default),
                      or `sha256'
      --ignore-check  don't verify the integrity check when decompressing
      --block-size=SIZE
                      start a new .xz block after every SIZE bytes of input
      --block-list=BLOCKS
                      start a new .xz block after the given comma-separated
                      intervals of input; an interval may be prefixed with a
                      filter chain number (0-9) and a colon (`1:2MiB')
      --memlimit-compress=LIMIT
                      memory usage limit for compression (lowers the threads,
                      then the dictionary, as xz; --no-adjust: threads only)
      --memlimit-decompress=LIMIT
                      memory usage limit for decompression
      --memlimit-mt-decompress=LIMIT
                      memory for parallel decompression (limits threads only;
                      default a quarter of the RAM)
  -M, --memlimit=LIMIT
                      all three limits: a size (KiB, MiB, GiB), a percentage
                      of RAM (`50%'), or 0/`max' for none
  -q, --quiet         suppress warnings; specify twice to suppress errors too
  -v, --verbose       be verbose; show progress on a terminal; with -l,
                      list streams and blocks (-vv: block headers too)
  -Q, --no-warn       make warnings not affect the exit status
      --files[=FILE]  read file names to process from FILE (or standard
                      input), one per line; after the FILEs given
      --files0[=FILE] the same with names ended by NUL bytes
      --robot         machine-parsable output (for --list, as xz's)
      --sha1 FILE...  print SHA-1 digests like sha1sum; with -t, of the
                      decompressed content of each FILE
      --roundtrip [FILE]
                      compress FILE (or a built-in sample) as a stream,
                      decompress the result as a stream, compare SHA-1s
      --info-memory   display the amount of RAM and the memory usage limits
  -h, --help          display the short help (lists only the basic options)
  -H, --long-help     display this long help and exit
  -V, --version       display the version number and exit

 Custom filter chain for compression (instead of a preset), in order:
  --filters=FILTERS   the whole chain in liblzma's filter string syntax
                      (`x86 lzma2:preset=6e'); see --filters-help
  --filters1=FILTERS ... --filters9=FILTERS
                      more chains, for --block-list
  --filters-help      display the filter string syntax and exit
  --lzma1[=OPTS]      LZMA1 or LZMA2; OPTS (comma-separated): preset=PRE,
  --lzma2[=OPTS]      dict=NUM, lc=NUM, lp=NUM, pb=NUM, mode=fast|normal,
                      nice=NUM, mf=hc3|hc4|bt2|bt3|bt4, depth=NUM
  --x86[=start=N]     x86 BCJ filter (32-bit and 64-bit)
  --arm[=start=N]     ARM BCJ filter
  --armthumb[=start=N] ARM-Thumb BCJ filter
  --arm64[=start=N]   ARM64 BCJ filter
  --riscv[=start=N]   RISC-V BCJ filter
  --powerpc[=start=N] PowerPC BCJ filter (big endian only)
  --ia64[=start=N]    IA-64 (Itanium) BCJ filter
  --sparc[=start=N]   SPARC BCJ filter
  --delta[=dist=N]    Delta filter; N = distance between bytes (1-256)
 With --format=raw the same options describe the data both ways.

With no FILE, or when FILE is -, read standard input.
Exit status: 0 success, 1 error, 2 warning.
"""

let versionText = """
swiftlzma (SwiftLZMA) 0.1.0
A pure-Swift .xz and .lzma codec; command-line compatible with xz.
"""
