// --range=START:LENGTH: write only those uncompressed bytes of each file.
// A multi-block .xz file that can be read at any offset (a regular file
// named on the command line) goes through LZMASeekableReader, which decodes
// only the blocks that hold the range; anything else (standard input, a
// pipe, a single-block .xz, .lzma, .lz, raw, --single-stream) is decoded
// from the start, skipping START bytes and stopping after LENGTH. With -v
// each file says which blocks were read, or why it was decoded sequentially.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LZMA

/// What `--range=START:LENGTH` selects (uncompressed offsets).
struct ByteRange: Equatable {
    var start: UInt64
    var length: UInt64
    /// One past the last byte, saturating.
    var end: UInt64 { let (e, o) = start.addingReportingOverflow(length); return o ? .max : e }
}

/// Parses `START:LENGTH`, each a size as xz's options take them (`parseSize`:
/// a number with an optional KiB/MiB/GiB suffix).
func parseRange(_ text: String) throws(UsageError) -> ByteRange {
    let parts = text.split(separator: ":", omittingEmptySubsequences: false)
    guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
        throw UsageError("\(text): Invalid range; the syntax is --range=START:LENGTH")
    }
    return ByteRange(start: try parseSize(String(parts[0]), name: "range", min: 0, max: .max),
                     length: try parseSize(String(parts[1]), name: "range", min: 0, max: .max))
}

/// `--range` writes to standard output and does nothing but decompress.
func checkRangeOptions(_ options: Options) throws(UsageError) {
    guard options.range != nil else { return }
    guard options.operation == .decompress, options.toStdout, !options.sha1, !options.roundtrip else {
        throw UsageError("--range is only supported with --decompress --stdout")
    }
}

/// An open file read at any offset (`pread`), without moving its position.
struct FileBytes: RandomAccessByteSource {
    let input: InputFile
    let byteCount: UInt64

    init(_ input: InputFile, size: UInt64) {
        self.input = input
        byteCount = size
    }

    func read(at offset: UInt64, count: Int) throws(LZMAError) -> [UInt8] {
        guard offset < byteCount, count > 0 else { return [] }
        let count = Int(min(UInt64(count), byteCount - offset))
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
}

/// Thrown by the output sink once the range is complete: decoding stops there.
private struct RangeWritten: Error {}

/// Writes `range` of the decompressed `path` to standard output; reports
/// problems itself, as `decompressFile` does.
func decompressRange(_ path: String, range: ByteRange, context: RunContext) {
    let options = context.options
    let reporter = context.reporter
    let name = displayName(path)
    if path == "-" && isatty(0) != 0 {
        reporter.error(nil, "Compressed data cannot be read from a terminal")
        return
    }
    guard let input = InputFile.open(path, regularFilesOnly: false, force: options.force, willRemove: false,
                                     reporter: reporter) else { return }
    func verbose(_ text: String) {
        if options.verbosity >= 3 { writeStderr("swiftlzma: \(name): \(text)\n") }
    }
    do {
        if let reason = try readRangeByBlocks(input, range: range, options: options, verbose: verbose) {
            verbose("decoding sequentially (\(reason)): skipping \(range.start) bytes, then writing up to \(range.length)")
            try readRangeSequentially(input, range: range, context: context)
        }
    } catch {
        switch error {
        case let e as LZMAError: reporter.error(name, describe(e))
        case let e as DecodeFailure: reporter.error(name, e.message)
        case let e as FileError: reporter.error(e.file, e.message)
        case let e as SkipFile: reporter.warning(name, e.message)
        default: reporter.error(name, "\(error)")
        }
    }
}

private func writeOut(_ buffer: UnsafeRawBufferPointer) throws {
    let code = writeAll(fd: 1, buffer)
    if code != 0 { throw FileError(file: "(stdout)", message: "Write error: \(errnoText(code))") }
}

/// The range through the index, when the file allows it.
/// - Returns: nil when done; else why the file must be decoded from the start.
private func readRangeByBlocks(_ input: InputFile, range: ByteRange, options: Options,
                               verbose: (String) -> Void) throws -> String? {
    if input.isStdin { return "standard input is not seekable" }
    guard let size = input.size, lseek(input.fd, 0, SEEK_CUR) >= 0 else { return "not a seekable file" }
    if options.singleStream { return "--single-stream" }
    let source = FileBytes(input, size: size)
    let magic: [UInt8] = [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00]
    guard options.format == .auto || options.format == .xz, try source.read(at: 0, count: 6) == magic else {
        return "not an .xz file: no index"
    }
    let reader = try LZMASeekableReader(source, options: DecompressionOptions(memoryLimit: options.memoryLimit,
                                                                              ignoreCheck: options.ignoreCheck))
    if reader.isSequential { return "an .xz file of a single block" }
    let total = reader.uncompressedSize ?? 0
    let end = min(range.end, total)
    guard range.start < end else {
        verbose(range.length == 0 ? "a length of 0: no blocks read"
                                  : "bytes \(range.start)-: past the end (\(total) bytes): no blocks read")
        return nil
    }
    let first = reader.blockIndex(holding: range.start)!, last = reader.blockIndex(holding: end - 1)!
    verbose("bytes \(range.start)-\(end - 1) of \(total): reading "
            + (first == last ? "block \(first + 1)" : "blocks \(first + 1)-\(last + 1)") + " of \(reader.blockCount)")
    var at = range.start
    while at < end {
        let bytes = try reader.read(at: at, count: Int(min(end - at, 1 << 20)))
        guard !bytes.isEmpty else { break }
        try bytes.withUnsafeBytes { try writeOut($0) }
        at += UInt64(bytes.count)
    }
    return nil
}

/// The range by decoding from the start: what precedes it is dropped, and
/// decoding stops once it is written (or the data ends).
private func readRangeSequentially(_ input: InputFile, range: ByteRange, context: RunContext) throws {
    let options = context.options
    let decoder = try makeDecompressor(options)
    var skip = range.start
    var left = range.length
    if left == 0 { return }
    var totals = StreamTotals()
    do {
        try decodeStream(
            input: input, decoder: decoder, buffers: context.buffers, singleStream: options.singleStream,
            passthrough: options.format != .raw && options.force, progress: nil, totals: &totals,
            parallelOptions: decodeThreads(options) > 1 ? options : nil,
            warning: { context.reporter.warning(displayName(input.path), $0) },
            ready: {},
            emit: { buffer in
                var b = buffer
                if skip > 0 {
                    let n = Int(min(skip, UInt64(b.count)))
                    b = UnsafeRawBufferPointer(rebasing: b[n...])
                    skip -= UInt64(n)
                }
                guard !b.isEmpty else { return }
                let n = Int(min(left, UInt64(b.count)))
                try writeOut(UnsafeRawBufferPointer(rebasing: b[..<n]))
                left -= UInt64(n)
                if left == 0 { throw RangeWritten() }
            })
    } catch is RangeWritten {
        return
    }
}
