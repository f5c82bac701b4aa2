// `--list`: the streams and blocks of .xz files, in xz 5.4's layout, read
// from the end of each file (footer, index, header) without decoding data.
// `-l` prints one line per file and a totals line for several files; `-lv`
// adds each file's summary and its stream and block tables; `-lvv` also reads
// every block's header and check (CheckVal, header size, flags, filters,
// memory) and adds the memory needed, whether all sizes are in the headers
// and the oldest xz that can decode the file. `--robot` gives the same facts
// as xz's tab-separated lines (name, file, stream, block, summary, totals). Numbers use the
// locale's digit grouping as xz does ("%'llu"), which in the C locale is none.
//
// The listing is written as it is made (`ListOutput`, 64 KiB at a time) and the
// blocks are visited one by one (`XZBlockWalker`), so memory does not grow
// with the number of blocks.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LZMA

/// Runs `--list` over all files; sets the exit status through the reporter.
func runList(_ context: RunContext) {
    let options = context.options
    let reporter = context.reporter
    guard options.format == .auto || options.format == .xz else {
        reporter.error(nil, "--list works only on .xz files (--format=xz or --format=auto)")
        return
    }
    // xz formats numbers for the user's locale.
    setlocale(LC_NUMERIC, "")
    let verbose = options.verbosity >= 3
    let debug = options.verbosity >= 4
    var totals = ListTotals()
    var headingShown = false
    var filenamePrinted = false
    let count = options.files.count
    var out = ListOutput()
    for (i, path) in options.files.enumerated() {
        let name = displayName(path)
        if verbose && !options.robot && (count != 1 || path != "-") {
            // As xz: the file's name and position, an empty line between files.
            out.append((filenamePrinted ? "\n" : "") + "\(name) (\(i + 1)/\(count))\n")
            filenamePrinted = true
        }
        // What came before goes out before a message about this file.
        out.flush()
        guard let (info, read) = readInfo(path, reporter: reporter) else { continue }
        var details = HeaderTotals()
        if options.robot || verbose {
            // As xz: what was listed before a bad block header stays printed.
            do {
                if options.robot {
                    try robotListing(path, info, verbose: verbose, reader: read, details: debug, totals: &details, into: &out)
                } else {
                    try advancedListing(info, reader: read, details: debug, totals: &details, into: &out)
                }
            } catch {
                out.flush()
                reportListError(error, path: path, reporter: reporter)
                continue
            }
        } else {
            if !headingShown {
                out.append("Strms  Blocks   Compressed Uncompressed  Ratio  Check   Filename\n")
                headingShown = true
            }
            out.append(basicRow(streams: UInt64(info.streams.count), blocks: info.blockCount,
                                compressed: info.fileSize, uncompressed: info.uncompressedSize,
                                checks: info.checkMask) + "\(path)\n")
        }
        totals.add(info)
        totals.details.add(details)
    }
    defer { out.flush() }
    if options.robot {
        // Always, even for one file or none.
        var line = "totals\t\(totals.streams)\t\(totals.blocks)\t\(totals.compressed)\t\(totals.uncompressed)\t"
            + ratioText(totals.compressed, totals.uncompressed) + "\t"
            + (totals.checks == 0 ? "None" : checkNames(totals.checks, separator: ",")) + "\t\(totals.padding)\t\(totals.files)"
        if debug { line += "\t" + totals.details.robotFields }
        out.append(line + "\n")
        return
    }
    guard totals.files > 1 else { return }
    if verbose {
        var text = "\nTotals:\n"
        text += "  " + leftAligned("Number of files:", 18) + " " + groupedNumber(totals.files) + "\n"
        text += summary(streams: totals.streams, blocks: totals.blocks, compressed: totals.compressed,
                        uncompressed: totals.uncompressed, checks: totals.checks, padding: totals.padding)
        if debug { text += totals.details.lines }
        out.append(text)
    } else {
        var text = String(repeating: "-", count: 79) + "\n"
        text += basicRow(streams: totals.streams, blocks: totals.blocks, compressed: totals.compressed,
                         uncompressed: totals.uncompressed, checks: totals.checks)
        text += "\(groupedNumber(totals.files)) files\n"
        out.append(text)
    }
}

/// The sums over the listed files.
private struct ListTotals {
    var files: UInt64 = 0
    var streams: UInt64 = 0
    var blocks: UInt64 = 0
    var compressed: UInt64 = 0
    var uncompressed: UInt64 = 0
    var padding: UInt64 = 0
    var checks: UInt16 = 0
    var details = HeaderTotals()

    mutating func add(_ info: XZFileInfo) {
        files += 1
        streams &+= UInt64(info.streams.count)
        blocks &+= info.blockCount
        compressed &+= info.fileSize
        uncompressed &+= info.uncompressedSize
        padding &+= info.streamPadding
        checks |= info.checkMask
    }
}

/// What `-lvv` gathers from the block headers of a file (or of all files).
private struct HeaderTotals {
    /// The most memory any block needs (`UInt64.max` for an undecodable chain).
    var memoryNeeded: UInt64 = 0
    /// Every block header has both size fields.
    var allHaveSizes = true
    /// The oldest xz that decodes it, as xz's `LZMA_VERSION` number (5.0.0).
    var minimumVersion: UInt32 = 50_000_002

    /// Reads block `b`'s header and check (`-lvv`) and adds them in.
    mutating func readHeader(_ b: XZBlockInfo, checkID: UInt8, _ read: ListReader) throws -> XZBlockHeaderInfo {
        let h = try XZFileInfo.readBlockHeader(b, checkID: checkID, read: read)
        add(h, uncompressedSize: b.uncompressedSize)
        return h
    }

    mutating func add(_ h: XZBlockHeaderInfo, uncompressedSize: UInt64) {
        memoryNeeded = max(memoryNeeded, h.memoryUsage ?? .max)
        allHaveSizes = allHaveSizes && h.compressedSizeInHeader != nil && h.uncompressedSizeInHeader != nil
        // xz's rules: ARM64 arrived in 5.4.0, RISC-V in 5.6.0; an empty
        // block with LZMA2 last needs the decoder fix of 5.0.2.
        if h.chain.contains(where: { if case .filter(.arm64) = $0 { return true } else { return false } }) {
            minimumVersion = max(minimumVersion, 50_040_002)
        }
        if h.chain.contains(where: { if case .filter(.riscv) = $0 { return true } else { return false } }) {
            minimumVersion = max(minimumVersion, 50_060_002)
        }
        if case .lzma2? = h.chain.last, uncompressedSize == 0 {
            minimumVersion = max(minimumVersion, 50_000_022)
        }
    }

    mutating func add(_ other: HeaderTotals) {
        memoryNeeded = max(memoryNeeded, other.memoryNeeded)
        allHaveSizes = allHaveSizes && other.allHaveSizes
        minimumVersion = max(minimumVersion, other.minimumVersion)
    }

    /// The same as `--robot` fields: memory in bytes, yes/no, version number.
    var robotFields: String { "\(memoryNeeded)\t\(allHaveSizes ? "yes" : "no")\t\(minimumVersion)" }

    /// The three lines that end a `-lvv` listing.
    var lines: String {
        let v = minimumVersion
        let version = "\(v / 10_000_000).\(v / 10_000 % 1000).\(v / 10 % 1000)"
        return "  " + leftAligned("Memory needed:", 18) + " " + groupedNumber(mebibytesRoundedUp(memoryNeeded)) + " MiB\n"
            + "  " + leftAligned("Sizes in headers:", 18) + " " + (allHaveSizes ? "Yes" : "No") + "\n"
            + "  Minimum XZ Utils version: " + version + "\n"
    }
}

/// Reads `count` bytes at `offset` of a listed file.
private typealias ListReader = (_ offset: UInt64, _ count: Int) throws(LZMAError) -> [UInt8]

/// Reports a failure to list `path` in xz's words.
private func reportListError(_ error: Error, path: String, reporter: Reporter) {
    switch error {
    case let e as FileError:
        reporter.error(e.file, e.message)
    case LZMAError.readFailed(let why):
        reporter.error(path, "Read error: \(why)")
    case LZMAError.invalidHeader:
        // xz's words for a file that is not .xz at all; details otherwise.
        reporter.error(path, "File format not recognized")
    case let e as LZMAError:
        reporter.error(path, describe(e))
    default:
        reporter.error(path, "\(error)")
    }
}

/// Opens `path` and reads its structure; reports problems itself (nil).
/// The reader it returns keeps the file open for `-lvv`.
private func readInfo(_ path: String, reporter: Reporter) -> (XZFileInfo, ListReader)? {
    if path == "-" {
        reporter.error(nil, "--list does not support reading from standard input")
        return nil
    }
    // As xz: regular files only, symbolic links followed.
    guard let input = InputFile.open(path, regularFilesOnly: true, force: true, willRemove: false,
                                     reporter: reporter) else { return nil }
    let size = UInt64(max(0, input.status.st_size))
    if size == 0 {
        reporter.error(path, "File is empty")
        return nil
    }
    if size < 24 {
        reporter.error(path, "Too small to be a valid .xz file")
        return nil
    }
    let bytes = FileBytes(input, size: size)
    let read: ListReader = { (offset, count) throws(LZMAError) in try bytes.read(at: offset, count: count) }
    do {
        // The blocks are visited later, one at a time (XZBlockWalker).
        return (try XZFileInfo(fileSize: size, includeBlocks: false, read: read), read)
    } catch {
        reportListError(error, path: path, reporter: reporter)
    }
    return nil
}

/// One `-l` line up to the file name: "%5s %7s  %11s  %11s  %5s  %-7s ".
private func basicRow(streams: UInt64, blocks: UInt64, compressed: UInt64, uncompressed: UInt64,
                      checks: UInt16) -> String {
    rightAligned(groupedNumber(streams), 5) + " " + rightAligned(groupedNumber(blocks), 7) + "  "
        + rightAligned(sizeText(compressed), 11) + "  " + rightAligned(sizeText(uncompressed), 11) + "  "
        + rightAligned(ratioText(compressed, uncompressed), 5) + "  "
        + leftAligned(checkNames(checks, separator: ","), 7) + " "
}

/// The `-lv` block of one file: summary, streams table, blocks table; with
/// `details` (`-lvv`) each block's header and check too, gathered into
/// `totals`. Writes to `out` as it goes; on a block that cannot be read it
/// throws, leaving what came before.
private func advancedListing(_ info: XZFileInfo, reader: ListReader, details: Bool,
                             totals: inout HeaderTotals, into out: inout ListOutput) throws {
    var text = summary(streams: UInt64(info.streams.count), blocks: info.blockCount, compressed: info.fileSize,
                       uncompressed: info.uncompressedSize, checks: info.checkMask, padding: info.streamPadding)
    text += "  Streams:\n    " + rightAligned("Stream", 6) + " " + rightAligned("Blocks", 9)
    for heading in ["CompOffset", "UncompOffset", "CompSize", "UncompSize"] { text += " " + rightAligned(heading, 15) }
    text += "  " + rightAligned("Ratio", 5) + "  " + leftAligned("Check", 10) + " " + rightAligned("Padding", 7) + "\n"
    out.append(text)
    for s in info.streams {
        out.append("    ")
        out.grouped(UInt64(s.number), width: 6)
        out.space()
        out.grouped(s.blockCount, width: 9)
        for v in [s.compressedOffset, s.uncompressedOffset, s.compressedSize, s.uncompressedSize] {
            out.space()
            out.grouped(v, width: 15)
        }
        out.append("  ")
        out.ratio(s.compressedSize, s.uncompressedSize, width: 5)
        out.append("  " + leftAligned(XZFileInfo.checkName(id: s.checkID), 10) + " ")
        out.grouped(s.padding, width: 7)
        out.newline()
    }
    guard info.blockCount > 0 else {
        if details { out.append(totals.lines) }
        return
    }
    // CheckVal is as wide as the file's largest check in hex, at least 8.
    let checkWidth = max(8, (0..<16).filter { info.checkMask & (1 << $0) != 0 }
        .map { 2 * XZCheck.fieldSize(id: UInt8($0)) }.max() ?? 0)
    text = "  Blocks:\n    " + rightAligned("Stream", 6) + " " + rightAligned("Block", 9)
    for heading in ["CompOffset", "UncompOffset", "TotalSize", "UncompSize"] { text += " " + rightAligned(heading, 15) }
    text += "  " + rightAligned("Ratio", 5) + "  Check"
    if details {
        text += "      " + leftAligned("CheckVal", checkWidth) + " " + rightAligned("Header", 7)
            + "  Flags" + rightAligned("CompSize", 16) + rightAligned("MemUsage", 12) + "  Filters"
    }
    out.append(text + "\n")
    let checks = info.streams.map { XZFileInfo.checkName(id: $0.checkID) }
    let paddedChecks = checks.map { leftAligned($0, 10) + " " }
    var chains = ChainCache()
    var walker = XZBlockWalker(info)
    while let b = try walker.next(read: reader) {
        let s = info.streams[walker.streamIndex]
        // Read first: a row is never left half-written.
        let h = details ? try totals.readHeader(b, checkID: s.checkID, reader) : nil
        out.append("    ")
        out.grouped(UInt64(s.number), width: 6)
        out.space()
        out.grouped(b.numberInStream, width: 9)
        out.space()
        out.grouped(b.compressedOffset, width: 15)
        out.space()
        out.grouped(b.uncompressedOffset, width: 15)
        out.space()
        out.grouped(b.totalSize, width: 15)
        out.space()
        out.grouped(b.uncompressedSize, width: 15)
        out.append("  ")
        out.ratio(b.totalSize, b.uncompressedSize, width: 5)
        out.append("  ")
        if let h {
            out.append(paddedChecks[walker.streamIndex])
            out.checkValue(h.checkValue, width: checkWidth)
            out.space()
            out.grouped(UInt64(h.headerSize), width: 7)
            out.append("  ")
            out.flags(h)
            out.grouped(h.compressedDataSize, width: 19)
            out.space()
            out.grouped(mebibytesRoundedUp(h.memoryUsage ?? .max), width: 7)
            out.append(" MiB  ")
            out.append(chains.description(h))
        } else {
            out.append(checks[walker.streamIndex])
        }
        out.newline()
    }
    if details { out.append(totals.lines) }
}

/// `--robot` output for one file: `name`, `file`, with -v `stream` and
/// `block` lines, with -vv the block headers' fields and a `summary` line.
/// Writes to `out` as it goes; on a block that cannot be read it throws,
/// leaving what came before.
private func robotListing(_ path: String, _ info: XZFileInfo, verbose: Bool, reader: ListReader, details: Bool,
                          totals: inout HeaderTotals, into out: inout ListOutput) throws {
    out.append("name\t\(path)\n")
    out.append("file\t\(info.streams.count)\t\(info.blockCount)\t\(info.fileSize)\t\(info.uncompressedSize)\t"
        + ratioText(info.fileSize, info.uncompressedSize) + "\t" + checkNames(info.checkMask, separator: ",")
        + "\t\(info.streamPadding)\n")
    guard verbose else { return }
    for s in info.streams {
        out.append("stream\t\(s.number)\t\(s.blockCount)\t\(s.compressedOffset)\t\(s.uncompressedOffset)\t"
            + "\(s.compressedSize)\t\(s.uncompressedSize)\t" + ratioText(s.compressedSize, s.uncompressedSize) + "\t"
            + XZFileInfo.checkName(id: s.checkID) + "\t\(s.padding)\n")
    }
    let checks = info.streams.map { "\t" + XZFileInfo.checkName(id: $0.checkID) }
    var chains = ChainCache()
    var walker = XZBlockWalker(info)
    while let b = try walker.next(read: reader) {
        let s = info.streams[walker.streamIndex]
        let h = details ? try totals.readHeader(b, checkID: s.checkID, reader) : nil
        out.append("block\t")
        out.plain(UInt64(s.number))
        out.tab()
        out.plain(b.numberInStream)
        out.tab()
        out.plain(b.numberInFile)
        out.tab()
        out.plain(b.compressedOffset)
        out.tab()
        out.plain(b.uncompressedOffset)
        out.tab()
        out.plain(b.totalSize)
        out.tab()
        out.plain(b.uncompressedSize)
        out.tab()
        out.ratio(b.totalSize, b.uncompressedSize, width: 0)
        out.append(checks[walker.streamIndex])
        if let h {
            out.tab()
            out.checkValue(h.checkValue, width: 0)
            out.tab()
            out.plain(UInt64(h.headerSize))
            out.tab()
            out.flags(h)
            out.tab()
            out.plain(h.compressedDataSize)
            out.tab()
            out.plain(h.memoryUsage ?? .max)
            out.tab()
            out.append(chains.description(h))
        }
        out.newline()
    }
    if details { out.append("summary\t" + totals.robotFields + "\n") }
}

/// The last chain's description, as consecutive blocks mostly share one.
private struct ChainCache {
    private var chain: [XZBlockHeaderInfo.ChainFilter] = []
    private var text = ""

    mutating func description(_ h: XZBlockHeaderInfo) -> String {
        if h.chain != chain || text.isEmpty {
            chain = h.chain
            text = h.chainDescription
        }
        return text
    }
}

/// The listing being written: bytes gathered and written to stdout 64 KiB at
/// a time, with xz's number formats done without building strings. A
/// noncopyable struct passed `inout`, so that the per-block appends need no
/// runtime exclusivity checks.
private struct ListOutput: ~Copyable {
    private let buffer: UnsafeMutablePointer<UInt8>
    private var count = 0
    private static let capacity = 1 << 16
    /// The locale groups digits ("%'llu" is not plain digits): use `cFormat`.
    private let grouping: Bool
    /// The locale's decimal point, for the ratio ("%.3f").
    private let decimalPoint: UInt8
    private let decimalPointText: String

    init() {
        buffer = .allocate(capacity: ListOutput.capacity)
        let conv = localeconv().pointee
        let separator = conv.thousands_sep.map { String(cString: $0) } ?? ""
        let groups = conv.grouping.map { $0.pointee } ?? 0
        grouping = !separator.isEmpty && groups > 0 && groups < CChar.max
        decimalPointText = conv.decimal_point.map { String(cString: $0) } ?? "."
        decimalPoint = decimalPointText.utf8.count == 1 ? decimalPointText.utf8.first! : 0
    }

    deinit { buffer.deallocate() }

    /// Writes what was gathered (a failure is reported at exit).
    mutating func flush() {
        guard count > 0 else { return }
        writeStdout(bytes: UnsafeRawBufferPointer(start: buffer, count: count))
        count = 0
    }

    /// Makes room for `n` more bytes (n <= 64 KiB).
    @inline(__always)
    private mutating func room(_ n: Int) {
        if count &+ n > ListOutput.capacity { flush() }
    }

    mutating func append(_ text: String) {
        var text = text
        text.withUTF8 { p in
            var rest = p
            while !rest.isEmpty {
                room(min(rest.count, ListOutput.capacity))
                let n = min(rest.count, ListOutput.capacity - count)
                (buffer + count).update(from: rest.baseAddress!, count: n)
                count &+= n
                rest = UnsafeBufferPointer(rebasing: rest[n...])
            }
        }
    }

    mutating func tab() { room(1); byte(UInt8(ascii: "\t")) }
    mutating func space() { room(1); byte(UInt8(ascii: " ")) }
    mutating func newline() { room(1); byte(UInt8(ascii: "\n")) }

    /// "c" when the header has a Compressed Size, "u" for an Uncompressed Size, else "-".
    mutating func flags(_ h: XZBlockHeaderInfo) {
        room(2)
        byte(h.compressedSizeInHeader != nil ? UInt8(ascii: "c") : UInt8(ascii: "-"))
        byte(h.uncompressedSizeInHeader != nil ? UInt8(ascii: "u") : UInt8(ascii: "-"))
    }

    @inline(__always)
    private mutating func byte(_ b: UInt8) {
        buffer[count] = b
        count &+= 1
    }

    private mutating func spaces(_ n: Int) {
        guard n > 0 else { return }
        room(n)
        (buffer + count).update(repeating: UInt8(ascii: " "), count: n)
        count &+= n
    }

    /// `v` in decimal, right-aligned in `width` (at most 64).
    mutating func plain(_ v: UInt64, width: Int = 0) {
        var length = 1
        var t = v
        while t >= 10 { t /= 10; length &+= 1 }
        spaces(width &- length)
        room(length)
        var n = v
        var i = count &+ length
        repeat {
            i &-= 1
            buffer[i] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: n % 10)
            n /= 10
        } while n > 0
        count &+= length
    }

    /// `v` as "%'llu" (the locale's grouping), right-aligned in `width`.
    mutating func grouped(_ v: UInt64, width: Int) {
        if grouping {
            append(rightAligned(groupedNumber(v), width))
        } else {
            plain(v, width: width)
        }
    }

    /// xz's ratio (`"%.3f"` of compressed / uncompressed, "---" above 9.999
    /// or for nothing uncompressed), right-aligned in `width`.
    mutating func ratio(_ compressed: UInt64, _ uncompressed: UInt64, width: Int) {
        let r = uncompressed == 0 ? .infinity : Double(compressed) / Double(uncompressed)
        guard r <= 9.999 else {
            spaces(width &- 3)
            append("---")
            return
        }
        guard decimalPoint != 0 else {
            append(rightAligned(ratioText(compressed, uncompressed), width))
            return
        }
        let thousandths = roundedThousandths(r)
        spaces(width &- 5)
        room(5)
        byte(UInt8(ascii: "0") &+ UInt8(thousandths / 1000))
        byte(decimalPoint)
        let f = thousandths % 1000
        byte(UInt8(ascii: "0") &+ UInt8(f / 100))
        byte(UInt8(ascii: "0") &+ UInt8(f / 10 % 10))
        byte(UInt8(ascii: "0") &+ UInt8(f % 10))
    }

    /// A Check field as xz shows it: CRC32 and CRC64 are little-endian
    /// numbers, printed as such; longer checks byte by byte; none "---";
    /// left-aligned in `width`.
    mutating func checkValue(_ value: [UInt8], width: Int) {
        if value.isEmpty {
            append("---")
            spaces(width &- 3)
            return
        }
        let hex: StaticString = "0123456789abcdef"
        let digits = hex.utf8Start
        let reversed = value.count == 4 || value.count == 8
        room(2 &* value.count)
        for i in 0..<value.count {
            let b = value[reversed ? value.count &- 1 &- i : i]
            byte(digits[Int(b >> 4)])
            byte(digits[Int(b & 15)])
        }
        spaces(width &- 2 &* value.count)
    }
}

/// `r` × 1000 rounded to the nearest integer, ties to even, from the exact
/// binary value of `r` (0 <= r < 16): what printf("%.3f") prints.
func roundedThousandths(_ r: Double) -> UInt64 {
    guard r > 0 else { return 0 }
    // r = m × 2^-shift exactly, m < 2^53; m × 1000 < 2^63.
    let m = r.significandBitPattern | (r.isNormal ? 1 << 52 : 0)
    let shift = 52 - Int(r.exponent)
    let scaled = m * 1000
    guard shift > 0 else { return scaled << UInt64(-shift) }
    guard shift < 64 else { return 0 }
    var q = scaled >> UInt64(shift)
    let rest = scaled & ((1 << UInt64(shift)) - 1)
    let half: UInt64 = 1 << UInt64(shift - 1)
    if rest > half || (rest == half && q & 1 == 1) { q += 1 }
    return q
}

/// The summary lines of `-lv` (per file and for the totals).
private func summary(streams: UInt64, blocks: UInt64, compressed: UInt64, uncompressed: UInt64,
                     checks: UInt16, padding: UInt64) -> String {
    let lines: [(String, String)] = [
        ("Streams:", groupedNumber(streams)),
        ("Blocks:", groupedNumber(blocks)),
        ("Compressed size:", sizeText(compressed, alsoBytes: true)),
        ("Uncompressed size:", sizeText(uncompressed, alsoBytes: true)),
        ("Ratio:", ratioText(compressed, uncompressed)),
        ("Check:", checkNames(checks, separator: ", ")),
        ("Stream Padding:", sizeText(padding, alsoBytes: true)),
    ]
    return lines.map { "  " + leftAligned($0.0, 18) + " " + $0.1 + "\n" }.joined()
}

/// The names of the checks whose bits are set, in Check ID order.
private func checkNames(_ mask: UInt16, separator: String) -> String {
    (0..<16).filter { mask & (1 << $0) != 0 }.map { XZFileInfo.checkName(id: UInt8($0)) }.joined(separator: separator)
}

/// xz's `get_ratio`: compressed / uncompressed with 3 decimals, or "---" when
/// there is nothing uncompressed or the ratio is above 9.999.
private func ratioText(_ compressed: UInt64, _ uncompressed: UInt64) -> String {
    guard uncompressed != 0 else { return "---" }
    let ratio = Double(compressed) / Double(uncompressed)
    guard ratio <= 9.999 else { return "---" }
    return cFormat("%.3f", ratio)
}

/// xz's `uint64_to_nicestr`: bytes below 10000, otherwise KiB/MiB/GiB/TiB with
/// one decimal and at most five significant digits; with `alsoBytes` the
/// exact byte count follows in parentheses.
private func sizeText(_ value: UInt64, alsoBytes: Bool = false) -> String {
    guard value >= 10000 else { return groupedNumber(value) + " B" }
    let units = ["B", "KiB", "MiB", "GiB", "TiB"]
    var d = Double(value)
    var unit = 0
    repeat {
        d /= 1024
        unit += 1
    } while d > 9999.9 && unit < 4
    var text = cFormat("%'.1f", d) + " " + units[unit]
    if alsoBytes { text += " (\(groupedNumber(value)) B)" }
    return text
}

/// A number with the locale's thousands grouping ("%'llu").
private func groupedNumber(_ value: UInt64) -> String { cFormat("%'llu", value) }

private func rightAligned(_ s: String, _ width: Int) -> String {
    s.count >= width ? s : String(repeating: " ", count: width - s.count) + s
}

private func leftAligned(_ s: String, _ width: Int) -> String {
    s.count >= width ? s : s + String(repeating: " ", count: width - s.count)
}

/// C's snprintf, for xz's exact (locale-dependent) number formats (also
/// the progress lines').
func cFormat(_ format: String, _ arguments: CVarArg...) -> String {
    var buffer = [CChar](repeating: 0, count: 128)
    _ = withVaList(arguments) { list in
        buffer.withUnsafeMutableBufferPointer { vsnprintf($0.baseAddress!, $0.count, format, list) }
    }
    return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
}
