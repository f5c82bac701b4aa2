// `--flush-timeout=MS`: when compressing input that arrives slowly (a pipe,
// a socket), make what has been read so far decodable at the receiving end
// once MS milliseconds have passed since the last flush and reading more
// would block (xz 5.8 manual).
//
// xz flushes inside its LZMA2 stream (LZMA_SYNC_FLUSH: a chunk boundary);
// the library's encoder has no such flush, so here each flush ends the .xz
// stream being written and the next input starts a new one. `xz -d` (and
// swiftlzma -d) decode the concatenation to the same bytes; the file is not
// xz's byte for byte (README, "Deliberate differences").

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LZMA

/// Parses `--flush-timeout=MS` as xz: 0 ... 2^64-1 ms; 0 turns it off.
func parseFlushTimeout(_ text: String) throws(UsageError) -> UInt64? {
    let ms = try parseSize(text, name: "flush-timeout", min: 0, max: .max)
    return ms == 0 ? nil : ms
}

/// What `--flush-timeout` changes before compression starts, as xz: the
/// multithreaded mode is left (with xz's notice), `.lzma` cannot flush.
/// - Throws: `UsageError` for the formats that cannot be flushed here.
func applyFlushTimeout(_ options: inout Options) throws(UsageError) {
    guard options.flushTimeout != nil, options.operation == .compress else { return }
    if options.format == .lzma { throw UsageError("The filter chain is incompatible with --flush-timeout") }
    if options.format == .raw { throw UsageError("--flush-timeout is not supported with --format=raw") }
    if options.threads != 1 || options.threadsForceMT {
        // Said by compressionPlan, after the -vv chain line as xz says it.
        options.flushTimeoutLeftThreads = true
        options.threads = 1
        options.threadsForceMT = false
    }
}

/// Milliseconds on a monotonic clock.
private func nowMS() -> UInt64 {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return UInt64(t.tv_sec) * 1000 + UInt64(t.tv_nsec) / 1_000_000
}

/// `encodeStream` with flushes: before each read, when input has been
/// taken since the last flush, waits for more input only until `timeout` ms
/// after that flush; if none comes, the current stream is finished and
/// emitted (and a new encoder made for what follows).
/// - Throws: `DecodeFailure` with the encoder's error, `FileError` from I/O.
func encodeStreamFlushing(input: InputFile, options: Options, timeout: UInt64, buffers: Buffers, progress: Progress?,
                          totals: inout StreamTotals, emit: (UnsafeRawBufferPointer) throws -> Void) throws {
    let inBuf = buffers.input, outBuf = buffers.output
    let size = Buffers.size
    func newStep() throws -> EncodeStep {
        guard let step = try makeEncoder(options) else { throw DecodeFailure(message: "compression is not available") }
        return step
    }
    var step = try newStep()
    /// Input given to the current encoder that has not been flushed out.
    var pending = false
    /// Whether a stream has been finished and emitted yet.
    var anyStream = false
    var lastFlush = nowMS()

    /// Runs the encoder over `count` bytes (finishing when `finish`), emitting everything.
    func feed(_ start: UnsafeMutablePointer<UInt8>, _ count: Int, finish: Bool) throws {
        var pos = 0
        while true {
            let result: (consumed: Int, produced: Int, status: CodingStatus)
            do {
                result = try step(UnsafeBufferPointer(start: start + pos, count: count - pos),
                                  UnsafeMutableBufferPointer(start: outBuf, count: size), finish)
            } catch let error as LZMAError {
                throw DecodeFailure(message: describe(error))
            }
            pos += result.consumed
            totals.uncompressed &+= UInt64(result.consumed)
            totals.compressed &+= UInt64(result.produced)
            if result.produced > 0 { try emit(UnsafeRawBufferPointer(start: outBuf, count: result.produced)) }
            progress?.update(compressed: totals.compressed, uncompressed: totals.uncompressed)
            if result.status == .streamEnd { return }
            if !finish && pos == count && result.status == .needsInput { return }
        }
    }
    func flush() throws {
        try feed(inBuf, 0, finish: true)
        anyStream = true
        pending = false
        lastFlush = nowMS()
        step = try newStep()
    }

    while true {
        if pending {
            let elapsed = nowMS() &- lastFlush
            let wait = elapsed >= timeout ? 0 : timeout - elapsed
            var pfd = pollfd(fd: input.fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&pfd, 1, Int32(clamping: wait))
            if ready == 0 {
                try flush()
                continue
            }
            if ready < 0 && errno != EINTR {
                throw FileError(file: displayName(input.path), message: "Read error: \(errnoText(errno))")
            }
        }
        let n = try input.read(into: inBuf, capacity: size)
        if n == 0 {
            // The end: finish the open stream, unless it is empty and an
            // earlier one already carries everything.
            if pending || !anyStream { try feed(inBuf, 0, finish: true) }
            return
        }
        try feed(inBuf, n, finish: false)
        pending = true
    }
}
