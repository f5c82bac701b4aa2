// `--list`: the streams and blocks of .xz files, in xz 5.4's layout, read
// from the end of each file (footer, index, header) without decoding data.
// `-l` prints one line per file and a totals line for several files; `-lv`
// adds each file's summary and its stream and block tables; `-lvv` also reads
// every block's header and check (CheckVal, header size, flags, filters,
// memory) and adds the memory needed, whether all sizes are in the headers
// and the oldest xz that can decode the file. `--robot` gives the same facts
// as xz's tab-separated lines (name, file, stream, block, summary, totals). Numbers use the
// locale's digit grouping as xz does ("%'llu"), which in the C locale is none.

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
    for (i, path) in options.files.enumerated() {
        let name = displayName(path)
        if verbose && !options.robot && (count != 1 || path != "-") {
            // As xz: the file's name and position, an empty line between files.
            _ = writeStdout((filenamePrinted ? "\n" : "") + "\(name) (\(i + 1)/\(count))\n")
            filenamePrinted = true
        }
        guard let (info, read) = readInfo(path, verbose: verbose, reporter: reporter) else { continue }
        var details = HeaderTotals()
        if options.robot || verbose {
            // As xz: what was listed before a bad block header stays printed.
            var text = ""
            var failure: Error?
            do {
                if options.robot {
                    try robotListing(path, info, verbose: verbose, details: debug ? read : nil, totals: &details, into: &text)
                } else {
                    try advancedListing(info, details: debug ? read : nil, totals: &details, into: &text)
                }
            } catch {
                failure = error
            }
            _ = writeStdout(text)
            if let failure {
                reportListError(failure, path: path, reporter: reporter)
                continue
            }
        } else {
            if !headingShown {
                _ = writeStdout("Strms  Blocks   Compressed Uncompressed  Ratio  Check   Filename\n")
                headingShown = true
            }
            _ = writeStdout(basicRow(streams: UInt64(info.streams.count), blocks: info.blockCount,
                                     compressed: info.fileSize, uncompressed: info.uncompressedSize,
                                     checks: info.checkMask) + "\(path)\n")
        }
        totals.add(info)
        totals.details.add(details)
    }
    if options.robot {
        // Always, even for one file or none.
        var line = "totals\t\(totals.streams)\t\(totals.blocks)\t\(totals.compressed)\t\(totals.uncompressed)\t"
            + ratioText(totals.compressed, totals.uncompressed) + "\t"
            + (totals.checks == 0 ? "None" : checkNames(totals.checks, separator: ",")) + "\t\(totals.padding)\t\(totals.files)"
        if debug { line += "\t" + totals.details.robotFields }
        _ = writeStdout(line + "\n")
        return
    }
    guard totals.files > 1 else { return }
    if verbose {
        var text = "\nTotals:\n"
        text += "  " + leftAligned("Number of files:", 18) + " " + groupedNumber(totals.files) + "\n"
        text += summary(streams: totals.streams, blocks: totals.blocks, compressed: totals.compressed,
                        uncompressed: totals.uncompressed, checks: totals.checks, padding: totals.padding)
        if debug { text += totals.details.lines }
        _ = writeStdout(text)
    } else {
        var text = String(repeating: "-", count: 79) + "\n"
        text += basicRow(streams: totals.streams, blocks: totals.blocks, compressed: totals.compressed,
                         uncompressed: totals.uncompressed, checks: totals.checks)
        text += "\(groupedNumber(totals.files)) files\n"
        _ = writeStdout(text)
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

/// Bytes to MiB, rounded up (xz's `round_up_to_mib`).
private func mebibytesRoundedUp(_ n: UInt64) -> UInt64 { (n >> 20) + (n & 0xF_FFFF != 0 ? 1 : 0) }

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
private func readInfo(_ path: String, verbose: Bool, reporter: Reporter) -> (XZFileInfo, ListReader)? {
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
    let read: ListReader = { (offset, count) throws(LZMAError) in
            var bytes = [UInt8](repeating: 0, count: count)
            var done = 0
            while done < count {
                let n = bytes.withUnsafeMutableBytes {
                    pread(input.fd, $0.baseAddress! + done, count - done, off_t(offset) + off_t(done))
                }
                if n < 0 {
                    if errno == EINTR { continue }
                    throw LZMAError.readFailed(errnoText(errno))
                }
                if n == 0 { break }
                done += n
            }
            return done == count ? bytes : Array(bytes[..<done])
    }
    do {
        return (try XZFileInfo(fileSize: size, includeBlocks: verbose, read: read), read)
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
/// `totals`. Appends to `text`; on a block that cannot be read it throws,
/// leaving what came before.
private func advancedListing(_ info: XZFileInfo, details read: ListReader?,
                             totals: inout HeaderTotals, into text: inout String) throws {
    text += summary(streams: UInt64(info.streams.count), blocks: info.blockCount, compressed: info.fileSize,
                       uncompressed: info.uncompressedSize, checks: info.checkMask, padding: info.streamPadding)
    text += "  Streams:\n    " + rightAligned("Stream", 6) + " " + rightAligned("Blocks", 9)
    for heading in ["CompOffset", "UncompOffset", "CompSize", "UncompSize"] { text += " " + rightAligned(heading, 15) }
    text += "  " + rightAligned("Ratio", 5) + "  " + leftAligned("Check", 10) + " " + rightAligned("Padding", 7) + "\n"
    for s in info.streams {
        text += "    " + rightAligned(groupedNumber(UInt64(s.number)), 6) + " " + rightAligned(groupedNumber(s.blockCount), 9)
        for v in [s.compressedOffset, s.uncompressedOffset, s.compressedSize, s.uncompressedSize] {
            text += " " + rightAligned(groupedNumber(v), 15)
        }
        text += "  " + rightAligned(ratioText(s.compressedSize, s.uncompressedSize), 5) + "  "
            + leftAligned(XZFileInfo.checkName(id: s.checkID), 10) + " " + rightAligned(groupedNumber(s.padding), 7) + "\n"
    }
    guard info.blockCount > 0 else {
        if read != nil { text += totals.lines }
        return
    }
    // CheckVal is as wide as the file's largest check in hex, at least 8.
    let checkWidth = max(8, (0..<16).filter { info.checkMask & (1 << $0) != 0 }
        .map { 2 * XZCheck.fieldSize(id: UInt8($0)) }.max() ?? 0)
    text += "  Blocks:\n    " + rightAligned("Stream", 6) + " " + rightAligned("Block", 9)
    for heading in ["CompOffset", "UncompOffset", "TotalSize", "UncompSize"] { text += " " + rightAligned(heading, 15) }
    text += "  " + rightAligned("Ratio", 5) + "  Check"
    if read != nil {
        text += "      " + leftAligned("CheckVal", checkWidth) + " " + rightAligned("Header", 7)
            + "  Flags" + rightAligned("CompSize", 16) + rightAligned("MemUsage", 12) + "  Filters"
    }
    text += "\n"
    for s in info.streams {
        let check = XZFileInfo.checkName(id: s.checkID)
        for b in s.blocks {
            var row = "    " + rightAligned(groupedNumber(UInt64(s.number)), 6) + " "
                + rightAligned(groupedNumber(b.numberInStream), 9)
            for v in [b.compressedOffset, b.uncompressedOffset, b.totalSize, b.uncompressedSize] {
                row += " " + rightAligned(groupedNumber(v), 15)
            }
            row += "  " + rightAligned(ratioText(b.totalSize, b.uncompressedSize), 5) + "  "
            if let read {
                let h = try totals.readHeader(b, checkID: s.checkID, read)
                row += leftAligned(check, 10) + " " + leftAligned(checkValueText(h), checkWidth) + " "
                    + rightAligned(groupedNumber(UInt64(h.headerSize)), 7) + "  " + flagsText(h)
                    + rightAligned(groupedNumber(h.compressedDataSize), 19) + " "
                    + rightAligned(groupedNumber(mebibytesRoundedUp(h.memoryUsage ?? .max)), 7) + " MiB  "
                    + h.chainDescription
            } else {
                row += check
            }
            text += row + "\n"
        }
    }
    if read != nil { text += totals.lines }
}

/// `--robot` output for one file: `name`, `file`, with -v `stream` and
/// `block` lines, with -vv the block headers' fields and a `summary` line.
/// Appends to `text`; on a block that cannot be read it throws, leaving what
/// came before.
private func robotListing(_ path: String, _ info: XZFileInfo, verbose: Bool, details read: ListReader?,
                          totals: inout HeaderTotals, into text: inout String) throws {
    text += "name\t\(path)\n"
    text += "file\t\(info.streams.count)\t\(info.blockCount)\t\(info.fileSize)\t\(info.uncompressedSize)\t"
        + ratioText(info.fileSize, info.uncompressedSize) + "\t" + checkNames(info.checkMask, separator: ",")
        + "\t\(info.streamPadding)\n"
    guard verbose else { return }
    for s in info.streams {
        text += "stream\t\(s.number)\t\(s.blockCount)\t\(s.compressedOffset)\t\(s.uncompressedOffset)\t"
            + "\(s.compressedSize)\t\(s.uncompressedSize)\t" + ratioText(s.compressedSize, s.uncompressedSize) + "\t"
            + XZFileInfo.checkName(id: s.checkID) + "\t\(s.padding)\n"
    }
    for s in info.streams {
        for b in s.blocks {
            var line = "block\t\(s.number)\t\(b.numberInStream)\t\(b.numberInFile)\t\(b.compressedOffset)\t"
                + "\(b.uncompressedOffset)\t\(b.totalSize)\t\(b.uncompressedSize)\t"
                + ratioText(b.totalSize, b.uncompressedSize) + "\t" + XZFileInfo.checkName(id: s.checkID)
            if let read {
                let h = try totals.readHeader(b, checkID: s.checkID, read)
                line += "\t" + checkValueText(h) + "\t\(h.headerSize)\t" + flagsText(h) + "\t\(h.compressedDataSize)\t"
                    + "\(h.memoryUsage ?? .max)\t" + h.chainDescription
            }
            text += line + "\n"
        }
    }
    if read != nil { text += "summary\t" + totals.robotFields + "\n" }
}

/// The Check field as xz shows it: 4- and 8-byte checks (CRC32, CRC64) are
/// little-endian numbers, printed as such; longer ones byte by byte; none "---".
private func checkValueText(_ h: XZBlockHeaderInfo) -> String {
    let bytes = h.checkValue.count == 4 || h.checkValue.count == 8 ? h.checkValue.reversed() : h.checkValue
    return bytes.isEmpty ? "---" : hexString(bytes)
}

/// "c" when the header has a Compressed Size, "u" for an Uncompressed Size, else "-".
private func flagsText(_ h: XZBlockHeaderInfo) -> String {
    (h.compressedSizeInHeader != nil ? "c" : "-") + (h.uncompressedSizeInHeader != nil ? "u" : "-")
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

/// C's snprintf, for xz's exact (locale-dependent) number formats.
private func cFormat(_ format: String, _ arguments: CVarArg...) -> String {
    var buffer = [CChar](repeating: 0, count: 128)
    _ = withVaList(arguments) { list in
        buffer.withUnsafeMutableBufferPointer { vsnprintf($0.baseAddress!, $0.count, format, list) }
    }
    return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
}
