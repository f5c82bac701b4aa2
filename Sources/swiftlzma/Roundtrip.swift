// `--roundtrip [FILE]`: the project's original job in one command. Compress
// FILE (or a built-in sample) as a stream into a temporary file, decompress
// that file as a stream, and prove with SHA-1 that the bytes came back.
// Memory stays bounded: nothing is held whole, every step works on 1 MiB chunks.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LZMA

/// A deterministic sample of mixed content, produced in chunks: English-like
/// text, structured binary records, a run of incompressible bytes and long
/// repeats, so that literals, matches, reps and the range coder all get work.
struct SampleSource {
    static let totalSize = 4 << 20
    private(set) var produced = 0
    private var rng: UInt64 = 0x9E37_79B9_7F4A_7C15
    private var history: [UInt8] = []

    private mutating func next() -> UInt64 {
        // xorshift64*: small, fast and the same on every machine.
        rng ^= rng >> 12
        rng ^= rng << 25
        rng ^= rng >> 27
        return rng &* 0x2545_F491_4F6C_DD1D
    }

    private static let words: [String] = [
        "the", "range", "coder", "narrows", "an", "interval", "for", "every", "bit", "and", "a", "match",
        "copies", "bytes", "from", "window", "literal", "state", "probability", "dictionary", "stream",
        "length", "distance", "slot", "encoder", "decoder", "of", "to", "in", "is", "that", "with",
        "compression", "Swift", "LZMA", "xz", "file", "data", "checksum", "SHA-1", "proves", "came", "back",
    ]

    /// Fills `buffer` with up to `capacity` bytes; 0 at the end.
    mutating func read(into buffer: UnsafeMutablePointer<UInt8>, capacity: Int) -> Int {
        let n = min(capacity, SampleSource.totalSize - produced)
        var i = 0
        while i < n {
            let section = ((produced + i) >> 16) % 8
            let chunkEnd = min(n, (((produced + i) >> 16) << 16) + (1 << 16) - produced)
            while i < chunkEnd {
                let byte: UInt8
                switch section {
                case 0, 1, 2, 5:
                    // Text: words, punctuation, line breaks.
                    if history.isEmpty {
                        let w = SampleSource.words[Int(next() % UInt64(SampleSource.words.count))]
                        let r = next() % 16
                        history = Array(w.utf8) + [r == 0 ? 10 : (r == 1 ? 46 : 32)]
                        history.reverse()
                    }
                    byte = history.removeLast()
                case 3, 6:
                    // Binary records: a counter, small integers, a fixed tag.
                    let k = produced + i
                    let field = k % 16
                    let record = UInt64(k / 16)
                    if field < 4 { byte = UInt8(truncatingIfNeeded: record >> (8 * UInt64(field))) }
                    else if field < 8 { byte = [0x52, 0x45, 0x43, 0x00][field - 4] }
                    else { byte = UInt8(truncatingIfNeeded: next() % 7) }
                case 4:
                    // Incompressible.
                    byte = UInt8(truncatingIfNeeded: next() >> 32)
                default:
                    // A long repeat of a short phrase.
                    byte = Array("LZMA2 LZMA1 ".utf8)[(produced + i) % 12]
                }
                buffer[i] = byte
                i += 1
            }
        }
        produced += n
        return n
    }
}

private func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

private func mibPerSecond(_ bytes: UInt64, _ seconds: Double) -> String {
    let v = Double(bytes) / 1_048_576 / max(seconds, 1e-6)
    return v >= 100 ? String(Int(v)) : String(Double(Int(v * 10)) / 10)
}

private func fixed(_ v: Double, _ digits: Int) -> String {
    var p = 1.0
    for _ in 0..<digits { p *= 10 }
    let r = (v * p).rounded() / p
    var s = String(r)
    if let dot = s.firstIndex(of: ".") {
        let decimals = s.distance(from: dot, to: s.endIndex) - 1
        if decimals < digits { s += String(repeating: "0", count: digits - decimals) }
    }
    return s
}

/// Runs `--roundtrip`; sets the exit status through the reporter.
func runRoundtrip(_ context: RunContext) {
    let options = context.options
    let reporter = context.reporter
    let files = options.files.filter { $0 != "-" }
    if files.count > 1 {
        reporter.error(nil, "--roundtrip takes at most one file")
        return
    }
    guard options.format == .auto || options.format == .xz || options.format == .lzma else {
        reporter.error(nil, "--roundtrip supports --format=xz and --format=lzma")
        return
    }
    let encoder: EncodeStep
    do {
        guard let made = try makeEncoder(options) else { return }
        encoder = made
    } catch {
        reporter.error(nil, error.message)
        return
    }

    // The source: a file or the built-in sample.
    var input: InputFile?
    var sample = SampleSource()
    let label: String
    if let path = files.first {
        guard let f = InputFile.open(path, regularFilesOnly: false, force: true, willRemove: false,
                                     reporter: reporter) else { return }
        input = f
        label = path
    } else {
        label = "built-in sample (\(SampleSource.totalSize) bytes of text, binary records, random bytes and repeats)"
    }

    // The compressed stream goes to a temporary file, so memory stays bounded.
    let tmpDir = String(cString: getenv("TMPDIR") ?? strdup("/tmp"))
    var template = Array((tmpDir + "/swiftlzma-roundtrip-XXXXXX").utf8CString)
    let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
    guard fd >= 0 else {
        reporter.error(nil, "cannot create a temporary file in \(tmpDir): \(errnoText(errno))")
        return
    }
    let tmpPath = String(cString: template.withUnsafeBufferPointer { $0.baseAddress! })
    defer {
        close(fd)
        unlink(tmpPath)
    }

    let inBuf = context.buffers.input, outBuf = context.buffers.output
    let size = Buffers.size
    var inputHash = SHA1()
    var outputHash = SHA1()
    var inputBytes: UInt64 = 0
    var compressedBytes: UInt64 = 0
    var outputBytes: UInt64 = 0

    // 1. Compress as a stream.
    let t0 = now()
    do {
        var inPos = 0, inLen = 0, eof = false
        while true {
            if inPos == inLen && !eof {
                inLen = try input.map { try $0.read(into: inBuf, capacity: size) }
                    ?? sample.read(into: inBuf, capacity: size)
                inPos = 0
                if inLen == 0 { eof = true }
                inputHash.update(UnsafeRawBufferPointer(start: inBuf, count: inLen))
                inputBytes += UInt64(inLen)
            }
            let r = try encoder(UnsafeBufferPointer(start: inBuf + inPos, count: inLen - inPos),
                                UnsafeMutableBufferPointer(start: outBuf, count: size), eof)
            inPos += r.consumed
            if r.produced > 0 {
                let code = writeAll(fd: fd, UnsafeRawBufferPointer(start: outBuf, count: r.produced))
                if code != 0 { throw FileError(file: tmpPath, message: "Write error: \(errnoText(code))") }
                compressedBytes += UInt64(r.produced)
            }
            if r.status == .streamEnd { break }
        }
    } catch {
        reporter.error(label, "compression failed: \(message(for: error))")
        return
    }
    let t1 = now()

    // 2. Decompress the temporary file as a stream.
    do {
        guard lseek(fd, 0, SEEK_SET) == 0 else {
            throw FileError(file: tmpPath, message: "cannot seek: \(errnoText(errno))")
        }
        let decoder = LZMADecompressor(format: .auto, options: DecompressionOptions(memoryLimit: options.memoryLimit))
        var inPos = 0, inLen = 0
        while true {
            if inPos == inLen {
                inLen = read(fd, inBuf, size)
                if inLen < 0 { throw FileError(file: tmpPath, message: "Read error: \(errnoText(errno))") }
                inPos = 0
                if inLen == 0 { try decoder.finish() }
            }
            let r = try decoder.decode(input: UnsafeBufferPointer(start: inBuf + inPos, count: inLen - inPos),
                                       output: UnsafeMutableBufferPointer(start: outBuf, count: size))
            inPos += r.consumed
            outputHash.update(UnsafeRawBufferPointer(start: outBuf, count: r.produced))
            outputBytes += UInt64(r.produced)
            if r.status == .streamEnd { break }
        }
    } catch {
        reporter.error(label, "decompression failed: \(message(for: error))")
        return
    }
    let t2 = now()

    let inDigest = hexString(inputHash.finalize())
    let outDigest = hexString(outputHash.finalize())
    let ratio = inputBytes == 0 ? 0 : Double(compressedBytes) / Double(inputBytes)
    let settings = chainDescription(options)
    var lines = "swiftlzma --roundtrip: \(label)\n"
    lines += "  input         \(inputBytes) bytes  SHA-1 \(inDigest)\n"
    lines += "  compressed    \(compressedBytes) bytes  ratio \(fixed(ratio, 3))  \(options.format == .lzma ? ".lzma" : ".xz") \(settings)  "
    lines += "\(fixed(t1 - t0, 2)) s  \(mibPerSecond(inputBytes, t1 - t0)) MiB/s\n"
    lines += "  decompressed  \(outputBytes) bytes  SHA-1 \(outDigest)  "
    lines += "\(fixed(t2 - t1, 2)) s  \(mibPerSecond(outputBytes, t2 - t1)) MiB/s\n"
    let ok = inDigest == outDigest && inputBytes == outputBytes
    lines += ok ? "OK\n" : "MISMATCH: the decompressed bytes differ from the input\n"
    _ = writeStdout(lines)
    if !ok { reporter.error(label, "round trip failed: SHA-1 mismatch") }
}

private func message(for error: Error) -> String {
    switch error {
    case let e as LZMAError: return describe(e)
    case let e as FileError: return e.message
    default: return "\(error)"
    }
}

/// The filter settings as options (`--delta=dist=4 --lzma2=preset=1`), or the preset.
func chainDescription(_ options: Options) -> String {
    if let full = options.fullChains[0] { return "--filters=\(full.text)" }
    guard !options.chain.isEmpty else { return "preset \(options.preset)\(options.extreme ? "e" : "")" }
    return options.chain.map { item -> String in
        switch item {
        case .lzma1(_, let t): return "--lzma1=\(t)"
        case .lzma2(_, let t): return "--lzma2=\(t)"
        case .filter(let f):
            if case .delta(let d) = f { return "--delta=dist=\(d)" }
            return "--\(f.name)" + (f.startOffset.map { $0 == 0 ? "" : "=start=\($0)" } ?? "")
        }
    }.joined(separator: " ")
}
