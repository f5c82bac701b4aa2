// Compression of files (-z): output naming as xz, the streaming loop (1 MiB
// reads, output written as produced) and the per-file steps (temporary file,
// attributes, rename, input removed only after success).

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LZMA

/// One call of an encoder, in the style of `LZMADecompressor.decode`: consume
/// from the input, write at most the output's size, and with `finish` (no more
/// input will come) go on until `.streamEnd`.
typealias EncodeStep = (_ input: UnsafeBufferPointer<UInt8>, _ output: UnsafeMutableBufferPointer<UInt8>,
                        _ finish: Bool) throws -> (consumed: Int, produced: Int, status: CodingStatus)

/// The encoder for the selected format and options.
/// - Throws: `UsageError` for options the encoder rejects (with xz's wording
///   where xz has one).
/// With a `tracer` (`--trace`), the encoder is the single-threaded one, traced.
func makeEncoder(_ options: Options, tracer: LZMATracer? = nil) throws(UsageError) -> EncodeStep? {
    let full = options.fullChains[0]?.chain
    if options.format == .xz || options.format == .auto {
        if case .lzma1 = options.chain.last { throw UsageError("LZMA1 cannot be used with the .xz format") }
        if full?.coder == .lzma1 { throw UsageError("LZMA1 cannot be used with the .xz format") }
    }
    // As xz, before the chain's own order is looked at.
    if options.format == .lzma && !options.chain.isEmpty {
        guard options.chain.count == 1, case .lzma1 = options.chain[0] else {
            throw UsageError("The .lzma format supports only the LZMA1 filter")
        }
    }
    if options.format == .lzma, let full, full.coder != .lzma1 || !full.filters.isEmpty {
        throw UsageError("The .lzma format supports only the LZMA1 filter")
    }
    let chain = try resolveChain(options)
    func libraryError(_ error: Error) -> UsageError {
        UsageError(describe(error as? LZMAError ?? .invalidOptions("\(error)")))
    }
    switch options.format {
    case .auto, .xz, .raw:
        if options.format != .raw && chain.isLZMA1 { throw UsageError("LZMA1 cannot be used with the .xz format") }
        let lzma = try swiftlzmaEncoderOptions(options, settings: chain.lzma)
        if chain.isLZMA1 {
            // Raw LZMA1: the library's LZMA1 encoder has no filter stage.
            guard chain.filters.isEmpty else {
                throw UsageError("Filters before --lzma1 in raw mode are not supported; use --lzma2")
            }
            _ = try compressionPlan(options, chain: LZMAFilterChain(coder: .lzma1, lzma: lzma), xz: false, raw: true)
            do {
                if tracer == nil && finderThreads(options, lzma: lzma) >= 2 {
                    let step = FinderEncodeStep(try ParallelLZMACompressor(format: .rawLZMA1, options: CompressionOptions(lzma: lzma),
                                                                           threads: 2, allocator: .system))
                    return { input, output, finish in try step.step(input, output, finish) }
                }
                let encoder = try LZMACompressor(format: .rawLZMA1, options: CompressionOptions(lzma: lzma), allocator: .system)
                return { input, output, finish in try encoder.encode(input: input, output: output, finish: finish) }
            } catch {
                throw libraryError(error)
            }
        }
        // As xz 5.8: -T0 (the default), -T2... and -T+1 mean its
        // multithreaded .xz format, whose output does not depend on the
        // number of threads (blocks of max(3 x dictionary, 1 MiB) unless
        // --block-size says otherwise, each header holding the block's
        // sizes), compressed in parallel; -T1 single-threaded xz's format.
        let plan = try compressionPlan(options, chain: LZMAFilterChain(filters: chain.filters, coder: .lzma2, lzma: lzma),
                                       xz: options.format != .raw, raw: options.format == .raw)
        var xzOptions = CompressionOptions(lzma: plan.lzma, check: options.check, filters: chain.filters,
                                           blockSize: options.format == .raw ? nil : options.blockSize)
        if options.format != .raw {
            xzOptions.blockList = try libraryBlockList(options)
        }
        if plan.threads != nil && !xzOptions.blockList.isEmpty {
            // The library's parallel compressor has no block list: write the
            // multithreaded format (what xz -T2 writes, which does not depend
            // on the thread count) with one encoder.
            xzOptions.sizesInBlockHeaders = true
            if xzOptions.blockSize == nil { xzOptions.blockSize = ParallelXZCompressor.defaultBlockSize(plan.lzma) }
        } else if let threads = plan.threads, tracer == nil {
            do {
                let parallel = ParallelEncodeStep(try ParallelXZCompressor(options: xzOptions, threads: threads, allocator: .system))
                return { input, output, finish in try parallel.step(input, output, finish) }
            } catch {
                throw libraryError(error)
            }
        }
        do {
            if options.format == .raw && tracer == nil && finderThreads(options, lzma: plan.lzma) >= 2 {
                let step = FinderEncodeStep(try ParallelLZMACompressor(format: .rawLZMA2, options: xzOptions,
                                                                       threads: 2, allocator: .system))
                return { input, output, finish in try step.step(input, output, finish) }
            }
            let encoder = try LZMACompressor(format: options.format == .raw ? .rawLZMA2 : .xz, options: xzOptions,
                                             allocator: .system)
            encoder.tracer = tracer
            return { input, output, finish in try encoder.encode(input: input, output: output, finish: finish) }
        } catch {
            throw libraryError(error)
        }
    case .lzma:
        guard chain.lzma == nil || (chain.isLZMA1 && chain.filters.isEmpty) else {
            throw UsageError("The .lzma format supports only the LZMA1 filter")
        }
        let lzma = try compressionPlan(options, chain: LZMAFilterChain(coder: .lzma1,
                                                                       lzma: try swiftlzmaEncoderOptions(options, settings: chain.lzma)),
                                       xz: false, raw: false).lzma
        do {
            if tracer == nil && finderThreads(options, lzma: lzma) >= 2 {
                let step = FinderEncodeStep(try ParallelLZMACompressor(format: .lzma, options: CompressionOptions(lzma: lzma),
                                                                       threads: 2, allocator: .system))
                return { input, output, finish in try step.step(input, output, finish) }
            }
            let encoder = try LZMACompressor(format: .lzma, options: CompressionOptions(lzma: lzma), allocator: .system)
            encoder.tracer = tracer
            return { input, output, finish in try encoder.encode(input: input, output: output, finish: finish) }
        } catch {
            throw libraryError(error)
        }
    case .lzip:
        throw UsageError("lzip compression is not supported")
    }
}

/// The LZMA settings: the custom chain's when given, else the preset
/// (`-0`...`-9`, `-e`).
func swiftlzmaEncoderOptions(_ options: Options, settings: LZMASettings?) throws(UsageError) -> LZMASettings {
    do throws(LZMAError) {
        if let settings { return settings }
        guard let preset = LZMAPreset(level: options.preset, extreme: options.extreme) else {
            throw LZMAError.invalidOptions("preset \(options.preset) is not 0-9")
        }
        return LZMASettings(preset: preset)
    } catch {
        throw UsageError(describe(error))
    }
}

/// The suffixes of compressed files (a file that has one is not compressed again).
private let compressedSuffixes = [".xz", ".txz", ".lzma", ".tlz", ".lz"]

/// The output name for compressing `path` (as xz: add `.lzma`, `.xz`, or the
/// `-S` suffix; raw needs `-S`), or nil when no suffix applies.
func compressedName(_ path: String, format: FileFormat, customSuffix: String?) -> String? {
    if let customSuffix { return path + customSuffix }
    switch format {
    case .lzma: return path + ".lzma"
    case .xz, .auto: return path + ".xz"
    case .raw, .lzip: return nil
    }
}

/// Compresses one file; reports problems itself. `index` of `count` files
/// (nil: the names come from --files) is for the progress header.
func compressFile(_ path: String, index: Int, count: Int?, context: RunContext) {
    let options = context.options
    let reporter = context.reporter
    let name = displayName(path)
    let toStdout = options.toStdout || path == "-"
    if toStdout && isatty(1) != 0 && !options.force {
        reporter.error(nil, "Compressed data cannot be written to a terminal")
        return
    }
    // As xz: the header line comes before anything about the file.
    let progress = options.verbosity >= 3
        ? Progress(name: name, path: path, fileIndex: index, fileCount: count, compressing: true) : nil
    var target: String?
    if !toStdout {
        for suffix in compressedSuffixes + (options.suffix.map { [$0] } ?? [])
        where path.hasSuffix(suffix) && path.count > suffix.count {
            reporter.warning(path, "File already has `\(suffix)' suffix, skipping")
            return
        }
        target = compressedName(path, format: options.format, customSuffix: options.suffix)
        if target == nil {
            reporter.error(path, "With --format=raw, --suffix=.SUF is required unless writing to stdout")
            return
        }
    }
    guard let input = InputFile.open(path, regularFilesOnly: !toStdout, force: options.force,
                                     willRemove: !toStdout && !options.keep, reporter: reporter) else { return }
    let step: EncodeStep
    do {
        guard let made = try makeEncoder(options) else {
            reporter.error(nil, "compression is not available yet")
            return
        }
        step = made
    } catch {
        reporter.error(nil, error.message)
        return
    }
    var totals = StreamTotals()
    var output: OutputFile?
    do {
        if let target { output = try OutputFile.create(finalPath: target, force: options.force) }
        progress?.start(inputSize: input.size)
        let flushTimeout = options.flushTimeout
        func emit(_ buffer: UnsafeRawBufferPointer) throws {
            if let output {
                try output.write(buffer)
            } else {
                let code = writeAll(fd: 1, buffer)
                if code != 0 { throw FileError(file: "(stdout)", message: "Write error: \(errnoText(code))") }
            }
        }
        if let flushTimeout {
            try encodeStreamFlushing(input: input, options: options, timeout: flushTimeout, buffers: context.buffers,
                                     progress: progress, totals: &totals, emit: emit)
        } else {
            try encodeStream(input: input, step: step, buffers: context.buffers, progress: progress, totals: &totals,
                             emit: emit)
        }
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
    } catch {
        output?.abort()
        // The message ends the progress line first; xz then shows it again.
        progress?.record(compressed: totals.compressed, uncompressed: totals.uncompressed)
        switch error {
        case let e as DecodeFailure: reporter.error(name, e.message)
        case let e as FileError: reporter.error(e.file, e.message)
        default: reporter.error(name, "\(error)")
        }
        progress?.finish(success: false)
    }
}

/// Encodes the whole of `input`: 1 MiB reads, output written as produced.
/// - Throws: `DecodeFailure` with the encoder's error, `FileError` from I/O.
func encodeStream(input: InputFile, step: EncodeStep, buffers: Buffers, progress: Progress?,
                  totals: inout StreamTotals, emit: (UnsafeRawBufferPointer) throws -> Void) throws {
    let inBuf = buffers.input, outBuf = buffers.output
    let size = Buffers.size
    var inPos = 0, inLen = 0
    var eof = false
    while true {
        if inPos == inLen && !eof {
            inLen = try input.read(into: inBuf, capacity: size)
            inPos = 0
            if inLen == 0 { eof = true }
        }
        let result: (consumed: Int, produced: Int, status: CodingStatus)
        do {
            result = try step(UnsafeBufferPointer(start: inBuf + inPos, count: inLen - inPos),
                              UnsafeMutableBufferPointer(start: outBuf, count: size), eof)
        } catch let error as LZMAError {
            throw DecodeFailure(message: describe(error))
        }
        inPos += result.consumed
        totals.uncompressed &+= UInt64(result.consumed)
        totals.compressed &+= UInt64(result.produced)
        if result.produced > 0 {
            try emit(UnsafeRawBufferPointer(start: outBuf, count: result.produced))
        }
        progress?.update(compressed: totals.compressed, uncompressed: totals.uncompressed)
        if result.status == .streamEnd { return }
    }
}


extension LZMAAllocator {
    /// The C library's `calloc` for the hash table: zeroed pages straight
    /// from the system, so the parts of a big table a small input never
    /// touches cost no memory (as with xz). The window and the son table,
    /// filled front to back, are (from 4 MiB up) 2 MiB aligned and on Linux
    /// advised to be backed by transparent huge pages (`MADV_HUGEPAGE`; the
    /// kernel's default "madvise" policy gives them only on request): the
    /// binary trees' random reads then miss the TLB far less often, which
    /// makes -6 about a tenth faster, for at most 2 MiB more resident memory
    /// per table.
    static let system = LZMAAllocator(
        allocateZeroed: { byteCount in
            guard let p = calloc(byteCount, 1) else { outOfMemory() }
            return p
        },
        allocateUninitialized: { byteCount in
            let hugePage = 2 << 20
            guard byteCount >= 2 * hugePage else {
                guard let p = malloc(max(byteCount, 1)) else { outOfMemory() }
                return p
            }
            var p: UnsafeMutableRawPointer?
            guard posix_memalign(&p, hugePage, byteCount) == 0, let p else { outOfMemory() }
            #if os(Linux)
            // Advice only: without transparent huge pages it fails and changes nothing.
            _ = madvise(p, byteCount & ~(hugePage - 1), MADV_HUGEPAGE)
            #endif
            return p
        },
        deallocate: { free($0) })

    private static func outOfMemory() -> Never {
        writeStderr("swiftlzma: Cannot allocate memory\n")
        exit(1)
    }
}
