// Decompression and testing of files: the streaming loop (32 KiB reads, a 32 KiB
// output buffer, output written as produced), output naming, and the per-file
// steps in xz's order: open the input, detect the format, open the output,
// decode, copy attributes, rename, remove the input.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LZMA

/// The I/O buffers, allocated once per run.
final class Buffers {
    /// 32 KiB: as fast as 128 KiB (one system call per 32 KiB costs next to
    /// nothing against coding it), and at -0 the 192 KiB less of the two
    /// buffers is a tenth of the encoder's working memory.
    static let size = 1 << 15
    let input = UnsafeMutablePointer<UInt8>.allocate(capacity: Buffers.size)
    let output = UnsafeMutablePointer<UInt8>.allocate(capacity: Buffers.size)
    /// For raw-mode filters: their output (allocated on first use).
    var filtered: UnsafeMutablePointer<UInt8> {
        if let p = filteredStorage { return p }
        let p = UnsafeMutablePointer<UInt8>.allocate(capacity: Buffers.size)
        filteredStorage = p
        return p
    }
    private var filteredStorage: UnsafeMutablePointer<UInt8>?
    deinit {
        filteredStorage?.deallocate()
        input.deallocate()
        output.deallocate()
    }
}

/// What one run needs for every file.
final class RunContext {
    let options: Options
    let reporter: Reporter
    let buffers = Buffers()

    init(options: Options, reporter: Reporter) {
        self.options = options
        self.reporter = reporter
    }
}

/// A decoding failure with the message to show after the file name.
struct DecodeFailure: Error {
    var message: String
}

/// Sizes of one decoded stream.
struct StreamTotals {
    var compressed: UInt64 = 0
    var uncompressed: UInt64 = 0
}

/// Makes a decompressor for the selected format. `inputSize`: the compressed
/// size when known (nil: a pipe).
///
/// The dictionary comes from huge pages (`LZMAAllocator.system`) unless the
/// input is under 256 KiB. A dictionary on huge pages costs a 2 MiB page at
/// its first byte (about 0.25 ms to zero), on small pages a fault per 4 KiB
/// written (about 1.5 us each): huge pages win from about 700 KB of output,
/// and the output is rarely smaller than the input. (A 152 KB file decoded
/// 7% slower on huge pages; xml, 5 MB from 453 KB, 13% faster.)
/// - Throws: `UsageError` for options that cannot decode anything (checked
///   once per run, before any file is touched).
func makeDecompressor(_ options: Options, inputSize: UInt64? = nil) throws(UsageError) -> LZMADecompressor {
    let allocator: LZMAAllocator = (inputSize ?? .max) >= 256 << 10 ? .system : .standard
    var settings = DecompressionOptions(memoryLimit: options.memoryLimit, concatenated: !options.singleStream,
                                        ignoreCheck: options.ignoreCheck)
    switch options.format {
    case .auto:
        return LZMADecompressor(format: .auto, options: settings, allocator: allocator)
    case .xz:
        return LZMADecompressor(format: .xz, options: settings, allocator: allocator)
    case .lzma:
        return LZMADecompressor(format: .lzma, options: settings, allocator: allocator)
    case .raw:
        let chain = try resolveChain(options)
        let format: LZMAFormat
        switch (chain.coder, chain.lzma) {
        case (.lzma1?, let lzma?):
            format = .rawLZMA1
            do throws(LZMAError) {
                settings.properties = try LZMAProperties(lc: lzma.lc, lp: lzma.lp, pb: lzma.pb,
                                                         dictionarySize: lzma.dictionarySize)
            } catch {
                throw UsageError(describe(error))
            }
        default:
            // As xz: no chain means LZMA2 with the preset's settings.
            format = .rawLZMA2
            settings.properties.dictionarySize = try swiftlzmaEncoderOptions(options, settings: chain.lzma).dictionarySize
        }
        do {
            _ = try XZFilterPipeline(filters: chain.filters, encoding: false)
        } catch {
            throw UsageError(describe(error))
        }
        settings.filters = chain.filters
        return LZMADecompressor(format: format, options: settings, allocator: allocator)
    case .lzip:
        return LZMADecompressor(format: .lzip, options: settings, allocator: allocator)
    }
}

/// The output name for decompressing `path`, or nil when its suffix is not
/// one the format uses (as xz: `.lzma` → ``, `.tlz` → `.tar`, and for .xz
/// `.xz` → ``, `.txz` → `.tar`; a `-S` suffix is tried first).
func decompressedName(_ path: String, format: FileFormat, customSuffix: String?) -> String? {
    var rules: [(String, String)] = []
    if let customSuffix { rules.append((customSuffix, "")) }
    if format == .auto || format == .xz { rules += [(".xz", ""), (".txz", ".tar")] }
    if format == .auto || format == .lzma { rules += [(".lzma", ""), (".tlz", ".tar")] }
    if format == .lzip { rules += [(".lz", ""), (".tlz", ".tar")] }
    if format == .auto { rules += [(".lz", "")] }
    for (suffix, replacement) in rules where path.hasSuffix(suffix) {
        let stem = path.dropLast(suffix.count)
        // Something must remain of the file name itself.
        if stem.isEmpty || stem.hasSuffix("/") { continue }
        return stem + replacement
    }
    return nil
}

/// Decodes the whole of `input` with `decoder`.
///
/// - Parameters:
///   - passthrough: as `xz -dcf`: input that is not in a recognized format
///     (the one `-F` names, or .xz/.lzma) is copied to the output unchanged.
///   - ready: runs once, before the first output and after the header was
///     accepted, so a file that is not .lzma at all is reported before an
///     output file is created.
///   - emit: receives the output as it is produced.
/// - Throws: `DecodeFailure` for bad data (truncated, corrupt, trailing
///   data, memory limit), `FileError` from reading or from `ready`/`emit`.
func decodeStream(input: InputFile, decoder: LZMADecompressor, buffers: Buffers, singleStream: Bool,
                  passthrough: Bool, progress: Progress?, totals: inout StreamTotals,
                  parallelOptions: Options? = nil,
                  warning: (String) -> Void = { _ in },
                  ready: () throws -> Void,
                  emit: (UnsafeRawBufferPointer) throws -> Void) throws {
    let inBuf = buffers.input, outBuf = buffers.output
    let size = Buffers.size
    var isRaw = false
    switch decoder.format {
    case .rawLZMA1, .rawLZMA2: isRaw = true
    default: break
    }
    var checkWarned = false
    // A .lzma header is 13 bytes; xz looks at that much before deciding
    // whether the input is in a known format at all.
    let headerSize = isRaw ? 0 : 13
    var inLen = 0
    while inLen < headerSize {
        let n = try input.read(into: inBuf + inLen, capacity: size - inLen)
        if n == 0 { break }
        inLen += n
    }
    var inPos = 0
    var eof = inLen < headerSize
    var isReady = false
    var bytesRead = UInt64(inLen)

    func unrecognized() throws {
        guard passthrough else { throw DecodeFailure(message: "File format not recognized") }
        try ready()
        var n = inLen
        while n > 0 {
            try emit(UnsafeRawBufferPointer(start: inBuf, count: n))
            totals.compressed &+= UInt64(n)
            totals.uncompressed &+= UInt64(n)
            progress?.update(compressed: totals.compressed, uncompressed: totals.uncompressed)
            n = try input.read(into: inBuf, capacity: size)
        }
    }
    if !isRaw {
        // xz's recognition, for -F auto, xz, lzip and lzma alike: .xz by its
        // six magic bytes, .lz by its four, .lzma by LZMAAlone's rules on a
        // complete 13-byte header.
        let head = UnsafeBufferPointer(start: inBuf, count: inLen)
        let isXZ = inLen >= 6 && head.prefix(6).elementsEqual([0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00])
        let isLzip = inLen >= 4 && head.prefix(4).elementsEqual(Array("LZIP".utf8))
        let isLZMA = LZMAAlone.recognizes(header: head)
        let recognized: Bool
        switch decoder.format {
        case .xz: recognized = isXZ
        case .lzip: recognized = isLzip
        case .lzma: recognized = isLZMA
        default: recognized = isXZ || isLzip || isLZMA
        }
        if !recognized { return try unrecognized() }
    }
    // The first block header's flags (after the 12-byte stream header): a
    // block without its compressed size (xz -T1 writes those) cannot be
    // handed to a worker, and the threaded decoder would only decode it on
    // one thread with extra copies (about a fifth slower on dickens), so such
    // a file takes the streaming decoder, as xz 5.8 decodes it on one thread.
    let firstBlockHasSize = inLen >= 14 && inBuf[12] != 0 && inBuf[13] & 0x40 != 0
    if let options = parallelOptions, (decoder.format == .auto || decoder.format == .xz), firstBlockHasSize,
       inLen >= 6, (0..<6).allSatisfy({ inBuf[$0] == [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00][$0] }) {
        // .xz with more than one thread: blocks with sizes decode in parallel.
        return try decodeStreamParallel(input: input, options: options, threads: decodeThreads(options), buffers: buffers,
                                        inLen: inLen, progress: progress, totals: &totals, warning: warning,
                                        ready: ready, emit: emit)
    }

    while true {
        if inPos == inLen && !eof {
            inLen = try input.read(into: inBuf, capacity: size)
            inPos = 0
            bytesRead &+= UInt64(inLen)
            if inLen == 0 { eof = true }
        }
        let result: (consumed: Int, produced: Int, status: CodingStatus)
        let outBefore = decoder.totalOut
        do {
            result = try decoder.decode(input: UnsafeBufferPointer(start: inBuf + inPos, count: inLen - inPos),
                                        output: UnsafeMutableBufferPointer(start: outBuf, count: size))
        } catch {
            // Bytes decoded before the error are good: write them first, as xz does.
            let good = Int(decoder.totalOut - outBefore)
            if good > 0 { try emit(UnsafeRawBufferPointer(start: outBuf, count: good)) }
            if case .unknownFormat = error, decoder.totalIn == 0, bytesRead == UInt64(inLen), passthrough {
                return try unrecognized()
            }
            if case .invalidHeader = error, decoder.totalIn == 0, bytesRead == UInt64(inLen), passthrough {
                return try unrecognized()
            }
            if case .invalidProperties = error, decoder.format == .lzma, decoder.totalIn < 13 {
                // liblzma's .lzma decoder calls a bad header byte an unknown format.
                throw DecodeFailure(message: "File format not recognized")
            }
            throw DecodeFailure(message: describe(error))
        }
        if result.consumed == 0 && result.produced == 0 && result.status == .needsInput && inPos < inLen {
            // The decoder's contract rules this out; never spin on it.
            throw DecodeFailure(message: "Internal error: the decoder made no progress")
        }
        inPos += result.consumed
        if !checkWarned && decoder.unsupportedCheck != nil {
            // As xz: decode anyway, but say the data cannot be verified.
            checkWarned = true
            warning("Unsupported type of integrity check; not verifying file integrity")
        }
        if !isReady && (decoder.totalIn >= UInt64(headerSize) || result.produced > 0 || result.status == .streamEnd) {
            try ready()
            isReady = true
        }
        if result.produced > 0 {
            try emit(UnsafeRawBufferPointer(start: outBuf, count: result.produced))
        }
        totals.compressed = decoder.totalIn
        totals.uncompressed = decoder.totalOut
        progress?.update(compressed: totals.compressed, uncompressed: totals.uncompressed)
        switch result.status {
        case .streamEnd:
            // As xz (lzip's rule): what follows the last .lz member is ignored.
            if singleStream || decoder.detectedFormat == .lzip { return }
            // Like xz, anything after the .lzma stream makes the file corrupt.
            var trailing = inLen - inPos
            if trailing == 0 && !eof { trailing = try input.read(into: inBuf, capacity: size) }
            if trailing > 0 {
                throw DecodeFailure(message: LZMAError.corruptData("data after the end of the stream",
                                                                   offset: decoder.totalIn).description)
            }
            return
        case .needsInput:
            if eof && inPos == inLen {
                do {
                    try decoder.finish()
                } catch {
                    throw DecodeFailure(message: describe(error))
                }
                return  // not reached: finish() throws unless the stream ended
            }
        case .outputFull:
            continue
        }
    }
}

/// Decompresses (or with -t, tests) one file; reports problems itself.
/// `index` of `count` files (nil: the names come from --files) is for the
/// progress header.
/// - Parameter hashOnly: with `-t --sha1`: hash the decompressed content
///   instead of writing it, and print the digest line on success.
func decompressFile(_ path: String, index: Int, count: Int?, context: RunContext, hashOnly: Bool = false) {
    let options = context.options
    let reporter = context.reporter
    let name = displayName(path)
    if path == "-" && isatty(0) != 0 {
        reporter.error(nil, "Compressed data cannot be read from a terminal")
        return
    }
    // As xz: the header line comes before anything about the file.
    let progress = options.verbosity >= 3
        ? Progress(name: name, path: path, fileIndex: index, fileCount: count, compressing: false) : nil
    let toStdout = options.toStdout || path == "-"
    let writesFile = !toStdout && !hashOnly && options.operation == .decompress
    if writesFile && options.format == .raw && options.suffix == nil {
        reporter.error(path, "With --format=raw, --suffix=.SUF is required unless writing to stdout")
        return
    }
    guard let input = InputFile.open(path, regularFilesOnly: writesFile, force: options.force,
                                     willRemove: writesFile && !options.keep, reporter: reporter) else { return }
    let decoder: LZMADecompressor
    do {
        decoder = try makeDecompressor(options, inputSize: input.size)
    } catch {
        reporter.error(nil, error.message)
        return
    }
    var totals = StreamTotals()
    var output: OutputFile?
    var sha1 = SHA1()
    func sink(_ buffer: UnsafeRawBufferPointer) throws {
        if hashOnly {
            sha1.update(buffer)
        } else if let output {
            try output.write(buffer)
        } else if options.operation == .decompress {
            let code = writeAll(fd: 1, buffer)
            if code != 0 { throw FileError(file: "(stdout)", message: "Write error: \(errnoText(code))") }
        }
    }
    do {
        progress?.start(inputSize: input.size)
        try decodeStream(
            input: input, decoder: decoder, buffers: context.buffers, singleStream: options.singleStream,
            passthrough: options.format != .raw && options.toStdout && options.force
                && options.operation == .decompress && !hashOnly,
            progress: progress, totals: &totals,
            parallelOptions: decodeThreads(options) > 1 ? options : nil,
            warning: { reporter.warning(name, $0) },
            ready: {
                guard writesFile else { return }
                guard let target = decompressedName(path, format: options.format, customSuffix: options.suffix) else {
                    throw SkipFile(message: "Filename has an unknown suffix, skipping")
                }
                output = try OutputFile.create(finalPath: target, force: options.force)
                output?.sparse = !options.noSparse
            },
            emit: { buffer in try sink(buffer) })
        // As xz: the final line before the output file is closed.
        progress?.record(compressed: totals.compressed, uncompressed: totals.uncompressed)
        progress?.finish(success: true)
        if let output {
            output.copyAttributes(from: input.status)
            output.syncOnCommit = !options.keep && !options.noSync
            try output.commit(force: options.force)
            if !options.keep && unlink(path) != 0 {
                reporter.warning(path, "Cannot remove: \(errnoText(errno))")
            }
        }
        if hashOnly {
            let digest = hexString(sha1.finalize())
            _ = writeStdout(sha1sumLine(digest, path))
        }
    } catch {
        output?.abort()
        // The message ends the progress line first; xz then shows it again.
        progress?.record(compressed: totals.compressed, uncompressed: totals.uncompressed)
        switch error {
        case let e as DecodeFailure: reporter.error(name, e.message)
        case let e as FileError: reporter.error(e.file, e.message)
        case let e as SkipFile: reporter.warning(name, e.message)
        default: reporter.error(name, "\(error)")
        }
        progress?.finish(success: false)
    }
}

/// A reason to skip a file that xz reports as a warning (exit status 2).
struct SkipFile: Error {
    var message: String
}

/// The message for a library error: its `description`, except that an
/// exceeded memory limit is worded as xz does, on two lines ("Memory usage
/// limit reached", then the figures, which `Reporter` prints without the file
/// name), a limit below 1 MiB in bytes so that `-M 100` instead of
/// `-M 100MiB` is easy to spot. (xz 5.4.1 gets the required figure wrong for
/// .xz files, "1 MiB"; ours is the block's real need.)
func describe(_ error: LZMAError) -> String {
    if case .unknownFormat = error { return "File format not recognized" }
    guard case .memoryLimitExceeded(let required, let limit) = error else { return error.description }
    let mib = { (v: UInt64) in v / (1 << 20) + (v % (1 << 20) == 0 ? 0 : 1) }
    let limitText = limit < 1 << 20 ? "\(limit) B" : "\(mib(limit)) MiB"
    return "Memory usage limit reached\n\(mib(required)) MiB of memory is required. The limit is \(limitText)."
}
