// `--trace[=text|json]`: the decoder's (or with -z the encoder's) symbols,
// one line each, with the container structure as `#` comment lines and a
// summary at the end. See README "Command line" and LZMATracer.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LZMA

/// Buffered standard output for the trace: one write per 64 KiB, checked.
final class TraceOutput {
    private var buffer: [UInt8] = []
    private(set) var failed = false

    init() { buffer.reserveCapacity(1 << 16 + 4096) }

    func line(_ text: String) {
        guard !failed else { return }
        buffer.append(contentsOf: text.utf8)
        buffer.append(0x0A)
        if buffer.count >= 1 << 16 { flush() }
    }

    func flush() {
        guard !failed, !buffer.isEmpty else { return }
        if !buffer.withUnsafeBytes({ writeStdout(bytes: $0) }) { failed = true }
        buffer.removeAll(keepingCapacity: true)
    }
}

/// `v` with two decimals ("8.00"), as the trace prints costs.
func twoDecimals(_ v: Double) -> String {
    let q = UInt64((v * 100).rounded())
    let frac = q % 100
    return "\(q / 100)." + (frac < 10 ? "0" : "") + "\(frac)"
}

/// What the summary counts, per kind.
struct TraceSummary {
    static let kinds = LZMATraceSymbol.Kind.allCases.map(\.name) + ["STORED"]
    var symbols = [UInt64](repeating: 0, count: kinds.count)
    var bytes = [UInt64](repeating: 0, count: kinds.count)
    var bits = [Double](repeating: 0, count: kinds.count)
    var copyLength: UInt64 = 0
    var copyDistance: Double = 0
    var copies: UInt64 = 0

    mutating func add(_ e: LZMATraceEvent) {
        switch e {
        case .structure: break
        case .symbol(let s):
            let i = LZMATraceSymbol.Kind.allCases.firstIndex(of: s.kind)!
            symbols[i] += 1
            bytes[i] += UInt64(s.length)
            bits[i] += s.bits
            if s.length >= 2 {
                copies += 1
                copyLength += UInt64(s.length)
                copyDistance += Double(s.distance)
            }
        case .stored(_, let b):
            let i = TraceSummary.kinds.count - 1
            symbols[i] += 1
            bytes[i] += UInt64(b.count)
            bits[i] += Double(b.count * 8)
        }
    }

    func lines() -> [String] {
        let totalBytes = bytes.reduce(0, +)
        let totalBits = bits.reduce(0, +)
        let percent = totalBytes == 0 ? 0 : totalBits / Double(totalBytes * 8) * 100
        var out = ["# summary: \(symbols.reduce(0, +)) symbols, \(totalBytes) bytes, \(twoDecimals(totalBits)) bits "
                   + "(\(twoDecimals(percent))% of 8 bits per byte)"]
        for (i, name) in TraceSummary.kinds.enumerated() where symbols[i] > 0 {
            out.append("# \(name)\tsymbols \(symbols[i])\tbytes \(bytes[i])\tbits \(twoDecimals(bits[i]))")
        }
        if copies > 0 {
            out.append("# average match length \(twoDecimals(Double(copyLength) / Double(copies))), "
                       + "average distance \(twoDecimals(copyDistance / Double(copies))) (over \(copies) matches and reps)")
        }
        return out
    }
}

/// One event as a text line (without the newline).
func traceText(_ e: LZMATraceEvent) -> String {
    switch e {
    case .structure(let pos, let offset, let text):
        return "# @\(pos)" + (offset.map { " (input offset \($0))" } ?? "") + ": " + text
    case .symbol(let s):
        var line = "\(s.position)\t\(s.kind.name)\t\(s.length)\t\(s.distance)\t\(twoDecimals(s.bits))"
        if s.kind == .literal { line += "\t" + hexString(CollectionOfOne(s.byte)) }
        return line
    case .stored(let pos, let bytes):
        return "\(pos)\tSTORED\t\(bytes.count)\t0\t\(twoDecimals(Double(bytes.count * 8)))\t" + hexString(bytes)
    }
}

/// A JSON string literal.
func jsonString(_ s: String) -> String {
    var out = "\""
    for u in s.unicodeScalars {
        switch u {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\t": out += "\\t"
        default:
            if u.value < 0x20 {
                out += "\\u00" + hexString(CollectionOfOne(UInt8(u.value)))
            } else {
                out.unicodeScalars.append(u)
            }
        }
    }
    return out + "\""
}

/// One event as a JSON object on one line.
func traceJSON(_ e: LZMATraceEvent) -> String {
    switch e {
    case .structure(let pos, let offset, let text):
        return "{\"pos\":\(pos)," + (offset.map { "\"offset\":\($0)," } ?? "") + "\"comment\":\(jsonString(text))}"
    case .symbol(let s):
        var line = "{\"pos\":\(s.position),\"kind\":\"\(s.kind.name)\",\"len\":\(s.length),\"dist\":\(s.distance),\"bits\":\(twoDecimals(s.bits))"
        if s.kind == .literal { line += ",\"byte\":\"" + hexString(CollectionOfOne(s.byte)) + "\"" }
        return line + "}"
    case .stored(let pos, let bytes):
        return "{\"pos\":\(pos),\"kind\":\"STORED\",\"len\":\(bytes.count),\"dist\":0,\"bits\":\(twoDecimals(Double(bytes.count * 8))),\"byte\":\"\(hexString(bytes))\"}"
    }
}

/// Reads `path` to the end in chunks, handing each to `body`.
/// - Throws: `FileError` for a read error.
func readChunks(_ input: InputFile, buffers: Buffers, _ body: (UnsafeBufferPointer<UInt8>) throws -> Void) throws {
    while true {
        let n = read(input.fd, buffers.input, Buffers.size)
        if n < 0 {
            if errno == EINTR { continue }
            throw FileError(file: displayName(input.path), message: "Read error: \(errnoText(errno))")
        }
        if n == 0 { return }
        try body(UnsafeBufferPointer(start: buffers.input, count: n))
    }
}

/// Decodes (or with -z encodes) one file with a tracer attached, passing
/// every event to `handle`; the coded data itself is discarded.
/// - Returns: false after an error (already reported).
/// `opened` runs once the input is open (nothing is traced otherwise).
func traceFile(_ path: String, context: RunContext, opened: () -> Void,
               handle: @escaping (LZMATraceEvent) -> Void) -> Bool {
    let options = context.options
    let reporter = context.reporter
    let name = displayName(path)
    guard let input = InputFile.open(path, regularFilesOnly: false, force: options.force,
                                     willRemove: false, reporter: reporter) else { return false }
    opened()
    let tracer = LZMATracer(handle)
    if options.operation == .compress {
        do {
            guard let step = try makeEncoder(options, tracer: tracer) else { return true }
            let out = UnsafeMutableBufferPointer(start: context.buffers.output, count: Buffers.size)
            try readChunks(input, buffers: context.buffers) { chunk in
                var at = 0
                while at < chunk.count {
                    at += try step(UnsafeBufferPointer(rebasing: chunk[at...]), out, false).consumed
                }
            }
            while try step(UnsafeBufferPointer(start: nil, count: 0), out, true).status != .streamEnd {}
        } catch let e as UsageError {
            reporter.error(nil, e.message)
            return false
        } catch let e as LZMAError {
            reporter.error(name, describe(e))
            return false
        } catch let e as FileError {
            reporter.error(e.file, e.message)
            return false
        } catch {
            reporter.error(name, "\(error)")
            return false
        }
        return true
    }
    let decoder: LZMADecompressor
    do {
        decoder = try makeDecompressor(options)
    } catch {
        reporter.error(nil, error.message)
        return false
    }
    decoder.tracer = tracer
    var totals = StreamTotals()
    do {
        try decodeStream(input: input, decoder: decoder, buffers: context.buffers, singleStream: options.singleStream,
                         passthrough: false, progress: nil, totals: &totals,
                         warning: { reporter.warning(name, $0) }, ready: {}, emit: { _ in })
    } catch {
        switch error {
        case let e as DecodeFailure: reporter.error(name, e.message)
        case let e as FileError: reporter.error(e.file, e.message)
        default: reporter.error(name, "\(error)")
        }
        return false
    }
    return true
}

/// `--trace`: every file's trace on standard output.
func runTrace(_ context: RunContext) {
    let out = TraceOutput()
    let json = context.options.trace == "json"
    for path in context.options.files {
        var summary = TraceSummary()
        let what = context.options.operation == .compress ? "encoder (single-threaded)" : "decoder"
        var opened = false
        _ = traceFile(path, context: context, opened: {
            opened = true
            out.line(json ? "{\"comment\":\(jsonString("\(what) trace of \(displayName(path))"))}"
                          : "# \(what) trace of \(displayName(path)); columns: POS KIND LEN DIST BITS [BYTE]")
        }) { e in
            summary.add(e)
            out.line(json ? traceJSON(e) : traceText(e))
        }
        guard opened else { continue }
        for l in summary.lines() {
            out.line(json ? "{\"comment\":\(jsonString(String(l.dropFirst(2))))}" : l)
        }
        out.flush()
        if out.failed { break }
    }
    out.flush()
}
