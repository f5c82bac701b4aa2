// `--list`: the streams and blocks of .xz files, in xz 5.4's layout, read
// from the end of each file (footer, index, header) without decoding data.
// `-l` prints one line per file and a totals line for several files; `-lv`
// adds each file's summary and its stream and block tables. Numbers use the
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
    var totals = ListTotals()
    var headingShown = false
    var filenamePrinted = false
    let count = options.files.count
    for (i, path) in options.files.enumerated() {
        let name = displayName(path)
        if verbose && (count != 1 || path != "-") {
            // As xz: the file's name and position, an empty line between files.
            _ = writeStdout((filenamePrinted ? "\n" : "") + "\(name) (\(i + 1)/\(count))\n")
            filenamePrinted = true
        }
        guard let info = readInfo(path, verbose: verbose, reporter: reporter) else { continue }
        if verbose {
            _ = writeStdout(advancedListing(info))
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
    }
    guard totals.files > 1 else { return }
    if verbose {
        var text = "\nTotals:\n"
        text += "  " + leftAligned("Number of files:", 18) + " " + groupedNumber(totals.files) + "\n"
        text += summary(streams: totals.streams, blocks: totals.blocks, compressed: totals.compressed,
                        uncompressed: totals.uncompressed, checks: totals.checks, padding: totals.padding)
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

/// Opens `path` and reads its structure; reports problems itself (nil).
private func readInfo(_ path: String, verbose: Bool, reporter: Reporter) -> XZFileInfo? {
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
    do {
        return try XZFileInfo(fileSize: size, includeBlocks: verbose) { offset, count in
            var bytes = [UInt8](repeating: 0, count: count)
            var done = 0
            while done < count {
                let n = bytes.withUnsafeMutableBytes {
                    pread(input.fd, $0.baseAddress! + done, count - done, off_t(offset) + off_t(done))
                }
                if n < 0 {
                    if errno == EINTR { continue }
                    throw FileError(file: path, message: "Read error: \(errnoText(errno))")
                }
                if n == 0 { break }
                done += n
            }
            return done == count ? bytes : Array(bytes[..<done])
        }
    } catch let e as FileError {
        reporter.error(e.file, e.message)
    } catch let e as LZMAError {
        // xz's words for a file that is not .xz at all; details otherwise.
        if case .invalidHeader = e {
            reporter.error(path, "File format not recognized")
        } else {
            reporter.error(path, describe(e))
        }
    } catch {
        reporter.error(path, "\(error)")
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

/// The `-lv` block of one file: summary, streams table, blocks table.
private func advancedListing(_ info: XZFileInfo) -> String {
    var text = summary(streams: UInt64(info.streams.count), blocks: info.blockCount, compressed: info.fileSize,
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
    guard info.blockCount > 0 else { return text }
    text += "  Blocks:\n    " + rightAligned("Stream", 6) + " " + rightAligned("Block", 9)
    for heading in ["CompOffset", "UncompOffset", "TotalSize", "UncompSize"] { text += " " + rightAligned(heading, 15) }
    text += "  " + rightAligned("Ratio", 5) + "  Check\n"
    for s in info.streams {
        let check = XZFileInfo.checkName(id: s.checkID)
        for b in s.blocks {
            text += "    " + rightAligned(groupedNumber(UInt64(s.number)), 6) + " "
                + rightAligned(groupedNumber(b.numberInStream), 9)
            for v in [b.compressedOffset, b.uncompressedOffset, b.totalSize, b.uncompressedSize] {
                text += " " + rightAligned(groupedNumber(v), 15)
            }
            text += "  " + rightAligned(ratioText(b.totalSize, b.uncompressedSize), 5) + "  " + check + "\n"
        }
    }
    return text
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
