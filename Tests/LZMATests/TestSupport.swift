import Foundation
import XCTest
@testable import LZMA
#if canImport(Glibc)
import Glibc
#endif

/// Shared helpers for the decoder tests: where files are, the vector
/// manifest, SHA-1 hex, a deterministic PRNG, running a tool, and small
/// decode drivers.
enum TestSupport {
    // MARK: - Files

    /// The package root, found from this file's path (Tests/LZMATests/TestSupport.swift).
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // LZMATests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()

    static var vectorsDirectory: URL { packageRoot.appendingPathComponent("TestVectors") }

    /// The xz-utils test files shared next to the repository (may be absent).
    static var xzTestFilesDirectory: URL {
        packageRoot.deletingLastPathComponent().appendingPathComponent("shared/xz-test-files")
    }

    static func readBytes(_ url: URL) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: url))
    }

    // MARK: - Manifest

    /// One row of TestVectors/manifest.tsv.
    struct Vector {
        var file: String
        var isRaw: Bool
        var sha1: String
        var size: Int
        var lc = 0, lp = 0, pb = 0
        var dict: UInt32 = 0
        var knownSize: String
        var note: String

        var url: URL { TestSupport.vectorsDirectory.appendingPathComponent(file) }

        /// The format to hand to the decoder.
        var format: LZMAFormat { isRaw ? .rawLZMA1 : .lzma }

        /// The options to hand to the decoder: for raw vectors the manifest's
        /// properties (raw vectors have no size: xz writes an end marker).
        func options(uncompressedSize: UInt64? = nil) throws -> DecompressionOptions {
            guard isRaw else { return DecompressionOptions() }
            let p = try LZMAProperties(lc: lc, lp: lp, pb: pb, dictionarySize: dict)
            return DecompressionOptions(properties: p, uncompressedSize: uncompressedSize)
        }
    }

    /// The parsed manifest, read once.
    static let manifest: [Vector] = {
        let url = vectorsDirectory.appendingPathComponent("manifest.tsv")
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return [] }
        var rows = [Vector]()
        for (i, line) in text.split(separator: "\n").enumerated() where i > 0 {
            let c = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard c.count >= 10 else { continue }
            var v = Vector(file: c[0], isRaw: c[1] == "raw-lzma1", sha1: c[2], size: Int(c[3]) ?? -1,
                           knownSize: c[8], note: c[9])
            if v.isRaw {
                v.lc = Int(c[4]) ?? -1
                v.lp = Int(c[5]) ?? -1
                v.pb = Int(c[6]) ?? -1
                v.dict = UInt32(c[7]) ?? 0
            }
            rows.append(v)
        }
        return rows
    }()

    static func vector(_ name: String) throws -> Vector {
        guard let v = manifest.first(where: { $0.file == name }) else {
            throw XCTSkip("vector \(name) not in TestVectors/manifest.tsv")
        }
        return v
    }

    // MARK: - Hashing and comparing

    static func sha1Hex<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        hexString(SHA1.hash(bytes))
    }

    /// Byte equality through memcmp (Array == is slow in debug builds).
    static func same(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        return a.withUnsafeBytes { x in
            b.withUnsafeBytes { y in
                a.isEmpty || memcmp(x.baseAddress!, y.baseAddress!, a.count) == 0
            }
        }
    }

    /// Index of the first differing byte, for failure messages.
    static func firstDifference(_ a: [UInt8], _ b: [UInt8]) -> Int? {
        for i in 0..<min(a.count, b.count) where a[i] != b[i] { return i }
        return a.count == b.count ? nil : min(a.count, b.count)
    }

    // MARK: - PRNG

    /// Deterministic xorshift64* generator, so failures reproduce.
    struct PRNG: RandomNumberGenerator {
        private var x: UInt64
        init(seed: UInt64) { x = seed == 0 ? 0x9E37_79B9_7F4A_7C15 : seed }
        mutating func next() -> UInt64 {
            x ^= x >> 12; x ^= x << 25; x ^= x >> 27
            return x &* 0x2545_F491_4F6C_DD1D
        }
        /// Uniform in range (small modulo bias is irrelevant for tests).
        mutating func int(_ range: ClosedRange<Int>) -> Int {
            range.lowerBound + Int(next() % UInt64(range.count))
        }
    }

    // MARK: - Processes

    /// Path of an executable on PATH, or nil.
    static func findTool(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":") {
            let candidate = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Runs `tool args`, returns (exit status, stdout). Stderr is discarded.
    static func run(_ tool: String, _ args: [String]) throws -> (status: Int32, stdout: [UInt8]) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = args
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        p.standardInput = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, [UInt8](data))
    }

    // MARK: - Memory

    /// Resident set size of this process in bytes (Linux), or nil.
    static func residentBytes() -> Int? { statm(field: 1) }

    /// Virtual size of this process in bytes (Linux), or nil. Catches big
    /// allocations the kernel has not backed with pages yet.
    static func virtualBytes() -> Int? { statm(field: 0) }

    private static func statm(field: Int) -> Int? {
        guard let s = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return nil }
        let f = s.split(separator: " ")
        guard f.count > field, let pages = Int(f[field]) else { return nil }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    // MARK: - Decode drivers

    /// Python-style API: feeds `input` in chunks whose sizes come from
    /// `nextChunk`, then checks the end with `finish()`.
    static func decodeChunked(_ input: [UInt8], format: LZMAFormat,
                              options: DecompressionOptions = DecompressionOptions(),
                              nextChunk: () -> Int) throws -> [UInt8] {
        let d = LZMADecompressor(format: format, options: options)
        var out = [UInt8]()
        out.reserveCapacity(input.count * 4)
        var i = 0
        while i < input.count {
            let n = min(max(1, nextChunk()), input.count - i)
            out.append(contentsOf: try d.decompress(input[i..<(i + n)]))
            i += n
        }
        try d.finish()
        return out
    }

    static func decodeChunked(_ input: [UInt8], format: LZMAFormat,
                              options: DecompressionOptions = DecompressionOptions(), chunk: Int) throws -> [UInt8] {
        try decodeChunked(input, format: format, options: options, nextChunk: { chunk })
    }

    /// Python-style API with a `maxLength` on every call; checks that no call
    /// returns more than `maxLength` and that a call that returned less than
    /// `maxLength` without finishing left `needsInput` true.
    /// Input is fed `chunk` bytes at a time, and only when `needsInput` says so.
    static func decodeWithMaxLength(_ input: [UInt8], format: LZMAFormat,
                                    options: DecompressionOptions = DecompressionOptions(), maxLength: Int,
                                    chunk: Int = 4096, outputCap: Int = 1 << 26,
                                    file: StaticString = #filePath, line: UInt = #line) throws -> [UInt8] {
        let d = LZMADecompressor(format: format, options: options)
        var out = [UInt8]()
        var i = 0
        var calls = 0
        while !d.isFinished {
            var data = ArraySlice<UInt8>()
            if d.needsInput {
                if i == input.count { break }
                let n = min(chunk, input.count - i)
                data = input[i..<(i + n)]
                i += n
            }
            let got = try d.decompress(data, maxLength: maxLength)
            calls += 1
            if got.count > maxLength {
                XCTFail("call \(calls) returned \(got.count) bytes > maxLength \(maxLength)", file: file, line: line)
                break
            }
            if got.count < maxLength && !d.isFinished && !d.needsInput {
                XCTFail("call \(calls) returned \(got.count) < maxLength \(maxLength) but needsInput is false",
                        file: file, line: line)
                break
            }
            out.append(contentsOf: got)
            if out.count > outputCap { break }
        }
        try d.finish()
        return out
    }

    /// Buffer API: `decode(input:output:)` with an output buffer of
    /// `outputSize` bytes and input windows of `inputChunk` bytes. Checks
    /// the reported counts stay within the buffers.
    static func decodeBuffered(_ input: [UInt8], format: LZMAFormat,
                               options: DecompressionOptions = DecompressionOptions(), outputSize: Int,
                               inputChunk: Int = .max,
                               file: StaticString = #filePath, line: UInt = #line) throws -> [UInt8] {
        let d = LZMADecompressor(format: format, options: options)
        let buf = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: outputSize)
        defer { buf.deallocate() }
        var out = [UInt8]()
        var pos = 0
        try input.withUnsafeBufferPointer { all in
            var stalls = 0
            while true {
                let end = min(all.count, pos + min(inputChunk, all.count - pos))
                let window = UnsafeBufferPointer(rebasing: all[pos..<end])
                let r = try d.decode(input: window, output: buf)
                XCTAssert(r.consumed >= 0 && r.consumed <= window.count, "consumed \(r.consumed)", file: file, line: line)
                XCTAssert(r.produced >= 0 && r.produced <= outputSize, "produced \(r.produced)", file: file, line: line)
                out.append(contentsOf: UnsafeBufferPointer(rebasing: buf[0..<r.produced]))
                pos += r.consumed
                if r.status == .streamEnd { break }
                if r.consumed == 0 && r.produced == 0 {
                    if pos == all.count { break }  // input exhausted; finish() judges
                    stalls += 1
                    if stalls > 2 {
                        XCTFail("no progress with input left at \(pos)", file: file, line: line)
                        break
                    }
                } else {
                    stalls = 0
                }
            }
        }
        try d.finish()
        return out
    }
}

extension DecompressionOptions {
    /// Options for raw LZMA2 data with a dictionary of `dictionarySize` bytes
    /// (lc, lp and pb do not apply: LZMA2 chunks carry their own).
    static func rawLZMA2(dictionarySize: UInt32, memoryLimit: UInt64? = nil) -> DecompressionOptions {
        DecompressionOptions(memoryLimit: memoryLimit, properties: LZMAProperties(unchecked: 3, 0, 2, dictionarySize))
    }
}

extension LZMAError {
    /// The error case's name, without its message or offset, for comparing
    /// outcomes ("corruptData", "truncatedInput", ...).
    var caseName: String {
        switch self {
        case .unknownFormat: return "unknownFormat"
        case .invalidHeader: return "invalidHeader"
        case .invalidProperties: return "invalidProperties"
        case .corruptData: return "corruptData"
        case .truncatedInput: return "truncatedInput"
        case .sizeMismatch: return "sizeMismatch"
        case .memoryLimitExceeded: return "memoryLimitExceeded"
        case .unsupported: return "unsupported"
        case .checkMismatch: return "checkMismatch"
        case .invalidOptions: return "invalidOptions"
        case .readFailed: return "readFailed"
        case .programmingError: return "programmingError"
        }
    }
}
