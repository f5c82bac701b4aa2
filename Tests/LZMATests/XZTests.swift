import Foundation
import XCTest
@testable import LZMA

/// Shared helpers for the .xz and LZMA2 tests: running xz, decoding in
/// chunks, deterministic data.
enum XZTestSupport {
    /// The package root, derived from this file's path.
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    /// xz-utils' test files (../shared/xz-test-files from the package root).
    static let testFilesDir = packageRoot.deletingLastPathComponent()
        .appendingPathComponent("shared").appendingPathComponent("xz-test-files")

    static func findXZ() -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":") {
            let p = "\(dir)/xz"
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return nil
    }

    static func requireXZ() throws -> String {
        guard let xz = findXZ() else { throw XCTSkip("xz is not installed") }
        return xz
    }

    /// Runs xz with `args`, feeding `input`; returns stdout, the exit status
    /// and stderr.
    static func run(_ args: [String], _ input: [UInt8] = []) throws -> (out: [UInt8], status: Int32, err: String) {
        let xz = try requireXZ()
        let p = Process()
        p.executableURL = URL(fileURLWithPath: xz)
        p.arguments = args
        let inPipe = Pipe(), outPipe = Pipe(), errPipe = Pipe()
        p.standardInput = inPipe
        p.standardOutput = outPipe
        p.standardError = errPipe
        try p.run()
        // Write from another thread so a large output cannot deadlock us.
        let writer = Thread {
            inPipe.fileHandleForWriting.write(Data(input))
            try? inPipe.fileHandleForWriting.close()
        }
        writer.start()
        let out = outPipe.fileHandleForReading.readDataToEndOfFile()
        let err = errPipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return ([UInt8](out), p.terminationStatus, String(decoding: err, as: UTF8.self))
    }

    /// xz's output for `args`, failing the test if xz fails.
    static func xz(_ args: [String], _ input: [UInt8] = []) throws -> [UInt8] {
        let r = try run(args, input)
        guard r.status == 0 else { throw XCTSkip("xz \(args) failed with status \(r.status)") }
        return r.out
    }

    /// Deterministic bytes: a mix of text-like runs, repeats and noise.
    static func mixedData(_ n: Int, seed: UInt64, noise: Int = 30) -> [UInt8] {
        var rng = FilterTests.RNG(seed: seed)
        var out = [UInt8]()
        out.reserveCapacity(n)
        let words: [[UInt8]] = ["lorem ", "ipsum ", "dolor ", "sit ", "amet, ", "xz ", "LZMA2 ", "\n"].map { Array($0.utf8) }
        while out.count < n {
            let r = rng.below(100)
            if r < noise {
                out += rng.bytes(1 + rng.below(64))
            } else if r < 70 || out.count < 300 {
                out += words[rng.below(words.count)]
            } else {
                let dist = 1 + rng.below(min(out.count, 5000))
                let len = 3 + rng.below(120)
                for _ in 0..<len { out.append(out[out.count - dist]) }
            }
        }
        return Array(out.prefix(n))
    }

    /// Decodes `data` feeding `inChunk` bytes and offering `outChunk` bytes of
    /// output per call, through `decode(input:output:)`, then `finish()`.
    /// Like `xz -d` and the one-shot API, data after the end is an error
    /// (`corruptData`) unless `options.concatenated` is false (one stream,
    /// the rest is unused data) or the data is `.lz` (whose trailing data
    /// xz ignores).
    static func decodeChunked(_ data: [UInt8], format: LZMAFormat = .auto,
                              options: DecompressionOptions = DecompressionOptions(),
                              inChunk: Int, outChunk: Int) throws -> [UInt8] {
        let d = LZMADecompressor(format: format, options: options)
        var out = [UInt8]()
        var pos = 0
        var buf = [UInt8](repeating: 0, count: outChunk)
        var idle = 0
        while true {
            let end = min(pos + inChunk, data.count)
            let r = try data[pos..<end].withUnsafeBufferPointer { i in
                try buf.withUnsafeMutableBufferPointer { o in try d.decode(input: i, output: o) }
            }
            pos += r.consumed
            out += buf[0..<r.produced]
            if r.status == .streamEnd {
                let trailing = d.unusedData.count + (data.count - pos)
                if options.concatenated && trailing > 0 && d.detectedFormat != .lzip {
                    throw LZMAError.corruptData("\(trailing) bytes of data after the end of the stream",
                                                offset: d.totalIn - UInt64(d.unusedData.count))
                }
                break
            }
            if r.consumed == 0 && r.produced == 0 {
                if pos == data.count { break }
                idle += 1
                if idle > 3 { throw LZMAError.programmingError("decoder makes no progress at \(pos)") }
            } else {
                idle = 0
            }
        }
        try d.finish()
        return out
    }

    /// Sets the CRC32 of `b[range]` at `b[at..<at+4]`.
    static func fixCRC32(_ b: inout [UInt8], of range: Range<Int>, at: Int) {
        let c = CRC32.checksum(b[range])
        for i in 0..<4 { b[at + i] = UInt8(truncatingIfNeeded: c >> (8 * UInt32(i))) }
    }

    static func assertThrows(_ what: String, file: StaticString = #filePath, line: UInt = #line,
                             _ body: () throws -> Void, _ check: (LZMAError) -> Bool) {
        do {
            try body()
            XCTFail("\(what): no error", file: file, line: line)
        } catch let e as LZMAError {
            XCTAssertTrue(check(e), "\(what): unexpected error \(e)", file: file, line: line)
        } catch {
            XCTFail("\(what): non-LZMAError \(error)", file: file, line: line)
        }
    }

    static func isUnsupported(_ e: LZMAError) -> Bool {
        if case .unsupported = e { return true }
        return false
    }
}

final class XZTests: XCTestCase {
    typealias S = XZTestSupport

    // MARK: - xz-utils test files

    func testXZUtilsTestFiles() throws {
        let dir = S.testFilesDir
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir.path) else {
            throw XCTSkip("no test files at \(dir.path)")
        }
        _ = try S.requireXZ()
        var counts = (good: 0, bad: 0, unsupported: 0)
        for name in names.sorted() where name.hasSuffix(".xz") {
            let url = dir.appendingPathComponent(name)
            let data = [UInt8](try Data(contentsOf: url))
            if name.hasPrefix("good-") {
                counts.good += 1
                let expected = try S.xz(["-dc", url.path])
                XCTAssertEqual(try LZMADecompressor.decompress(data), expected, name)
                XCTAssertEqual(try LZMADecompressor.decompress(data, format: .xz), expected, name)
                // 1-byte output calls for the big image would dominate the debug-build run time.
                let outChunk = expected.count > 100_000 ? 4093 : 1
                XCTAssertEqual(try S.decodeChunked(data, inChunk: 1, outChunk: outChunk), expected, "\(name), 1-byte chunks")
                XCTAssertEqual(try S.decodeChunked(data, inChunk: 7, outChunk: 5000), expected, "\(name), 7-byte chunks")
            } else if name.hasPrefix("bad-") {
                counts.bad += 1
                // The same message as xz ("Compressed data is corrupt", ...).
                let xzMessage = try S.run(["-dc", url.path]).err
                    .split(separator: ":").last.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) } ?? "?"
                do {
                    _ = try LZMADecompressor.decompress(data)
                } catch {
                    XCTAssertTrue("\(error)".hasPrefix(xzMessage), "\(name): xz says \(xzMessage), we say \(error)")
                }
                S.assertThrows(name, { _ = try LZMADecompressor.decompress(data) }) { !S.isUnsupported($0) }
                S.assertThrows("\(name), 1-byte chunks", { _ = try S.decodeChunked(data, inChunk: 1, outChunk: 1) }) {
                    !S.isUnsupported($0)
                }
            } else if name == "unsupported-check.xz" {
                // xz decodes it with a warning: the check type is unknown, not the data.
                counts.unsupported += 1
                let r = try S.run(["-dc", url.path])
                XCTAssertEqual(r.status, 2, "xz warns about \(name)")
                let d = LZMADecompressor()
                XCTAssertEqual(try d.decompress(data), r.out, name)
                try d.finish()
                XCTAssertEqual(d.unsupportedCheck, 0x02)
                XCTAssertNil(d.check)
            } else if name.hasPrefix("unsupported-") {
                counts.unsupported += 1
                S.assertThrows(name, { _ = try LZMADecompressor.decompress(data) }, S.isUnsupported)
                S.assertThrows("\(name), 1-byte chunks", { _ = try S.decodeChunked(data, inChunk: 1, outChunk: 1) },
                               S.isUnsupported)
            }
        }
        XCTAssertGreaterThan(counts.good, 20)
        XCTAssertGreaterThan(counts.bad, 40)
        XCTAssertEqual(counts.unsupported, 5)
    }

    /// The error kinds xz reports for some of the files, matched.
    func testXZUtilsErrorKinds() throws {
        let dir = S.testFilesDir
        // Skip before any assertion: an XCTSkip thrown inside assertThrows' closure
        // would be reported as a wrong error instead of a skip.
        guard FileManager.default.fileExists(atPath: dir.appendingPathComponent("bad-0-header_magic.xz").path) else {
            throw XCTSkip("no test files at \(dir.path)")
        }
        func load(_ name: String) throws -> [UInt8] {
            let url = dir.appendingPathComponent(name)
            guard let d = try? Data(contentsOf: url) else { throw XCTSkip("no \(name)") }
            return [UInt8](d)
        }
        S.assertThrows("header magic", { _ = try LZMADecompressor.decompress(try load("bad-0-header_magic.xz"), format: .xz) }) {
            if case .invalidHeader = $0 { return true } else { return false }
        }
        S.assertThrows("truncated", { _ = try LZMADecompressor.decompress(try load("bad-0-empty-truncated.xz")) }) {
            if case .truncatedInput = $0 { return true } else { return false }
        }
        for name in ["bad-1-check-crc32.xz", "bad-1-check-crc32-2.xz", "bad-1-check-crc64.xz", "bad-1-check-sha256.xz"] {
            S.assertThrows(name, { _ = try LZMADecompressor.decompress(try load(name)) }) {
                if case .checkMismatch = $0 { return true } else { return false }
            }
            // ...and with ignoreCheck it decodes.
            let d = LZMADecompressor(options: DecompressionOptions(ignoreCheck: true))
            XCTAssertNoThrow(try d.decompress(try load(name)), name)
            XCTAssertNoThrow(try d.finish(), name)
        }
        for name in ["bad-0cat-header_magic.xz", "bad-2-index-1.xz", "bad-2-index-2.xz", "bad-1-vli-1.xz",
                     "bad-1-block_header-4.xz", "bad-1-lzma2-1.xz", "bad-0pad-empty.xz"] {
            S.assertThrows(name, { _ = try LZMADecompressor.decompress(try load(name)) }) {
                if case .corruptData = $0 { return true } else { return false }
            }
        }
    }

    // MARK: - Files made by xz

    func testCheckTypes() throws {
        let data = S.mixedData(20_000, seed: 1)
        for (flag, check) in [("none", XZCheck.none), ("crc32", .crc32), ("crc64", .crc64), ("sha256", .sha256)] {
            let file = try S.xz(["-C", flag, "-c"], data)
            XCTAssertEqual(file[7], check.rawValue)
            let d = LZMADecompressor(format: .xz)
            XCTAssertEqual(try d.decompress(file), data, flag)
            try d.finish()
            XCTAssertEqual(d.check, check)
            XCTAssertNil(d.unsupportedCheck)
            guard check != .none else { continue }
            // Flip a bit of the stored check (it sits just before the index).
            var bad = file
            let checkEnd = file.count - 12 - indexSize(file)
            bad[checkEnd - 1] ^= 0x10
            S.assertThrows("corrupt \(flag)", { _ = try LZMADecompressor.decompress(bad) }) {
                if case .checkMismatch(let m, _) = $0 { return m.contains(check.description) } else { return false }
            }
            let ignoring = LZMADecompressor(options: DecompressionOptions(ignoreCheck: true))
            XCTAssertEqual(try ignoring.decompress(bad), data)
            XCTAssertNoThrow(try ignoring.finish())
        }
    }

    /// The index size from the stream footer of the last stream in `file`.
    func indexSize(_ file: [UInt8]) -> Int {
        let f = file.count - 12
        let b = Int(file[f + 4]) | Int(file[f + 5]) << 8 | Int(file[f + 6]) << 16 | Int(file[f + 7]) << 24
        return (b + 1) * 4
    }

    func testMultiBlockWithSizesInHeaders() throws {
        let data = S.mixedData(60_000, seed: 2)
        // -T2 makes xz write both sizes into each block header.
        for args in [["--block-size=7000", "-T1"], ["--block-size=7000", "-T2"]] {
            let file = try S.xz(args + ["-c", "-6"], data)
            XCTAssertEqual(try LZMADecompressor.decompress(file), data, "\(args)")
            XCTAssertEqual(try S.decodeChunked(file, inChunk: 3, outChunk: 999), data, "\(args)")
            // 9 blocks listed in the index.
            let idx = file.count - 12 - indexSize(file)
            XCTAssertEqual(file[idx], 0)
            XCTAssertEqual(file[idx + 1], 9)
        }
    }

    func testFilterChains() throws {
        let data = S.mixedData(30_000, seed: 3)
        for filters in [["--delta=dist=4"], ["--x86"], ["--arm64"], ["--delta=dist=2", "--sparc", "--powerpc=start=16"]] {
            let file = try S.xz(filters + ["--lzma2=preset=1", "-c"], data)
            XCTAssertEqual(try LZMADecompressor.decompress(file), data, "\(filters)")
            XCTAssertEqual(try S.decodeChunked(file, inChunk: 5, outChunk: 3), data, "\(filters)")
        }
    }

    func testConcatenatedAndPaddedStreams() throws {
        let a = S.mixedData(5000, seed: 4), b = S.mixedData(3000, seed: 5)
        let fa = try S.xz(["-c", "-C", "crc32"], a), fb = try S.xz(["-c", "-C", "sha256"], b)
        let empty = try S.xz(["-c"], [])
        let pad4 = [UInt8](repeating: 0, count: 4), pad8 = [UInt8](repeating: 0, count: 8)
        let file = fa + pad4 + fb + pad8 + empty + fa + pad4
        let expected = a + b + a
        XCTAssertEqual(try LZMADecompressor.decompress(file), expected)
        XCTAssertEqual(try S.decodeChunked(file, inChunk: 1, outChunk: 100), expected)
        XCTAssertEqual(try S.decodeChunked(file, inChunk: 4096, outChunk: 1 << 16), expected)
        // What xz says about the same file.
        XCTAssertEqual(try S.xz(["-dc"], file), expected)

        // Single stream: stops after the first, the rest is unused data.
        let d = LZMADecompressor(format: .xz, options: DecompressionOptions(concatenated: false))
        XCTAssertEqual(try d.decompress(file), a)
        XCTAssertTrue(d.isFinished)
        XCTAssertEqual(d.unusedData, Array(file[fa.count...]))
        XCTAssertNoThrow(try d.finish())
        XCTAssertEqual(try S.decodeChunked(file, options: DecompressionOptions(concatenated: false), inChunk: 1, outChunk: 1), a)

        // Padding not a multiple of 4: in the middle and at the end.
        for bad in [fa + [0, 0, 0, 0, 0] + fb, fa + [0, 0], fa + pad4 + [0]] {
            S.assertThrows("bad padding", { _ = try LZMADecompressor.decompress(bad) }) {
                if case .corruptData(let m, _) = $0 { return m.contains("padding") } else { return false }
            }
        }
        // Garbage after a stream: bytes that cannot start a stream end the
        // data, and the one-shot API calls data after the end corrupt, a
        // full "header" of it (as xz) and a shorter tail alike (xz 5.4 calls
        // the shorter one a truncated header).
        S.assertThrows("garbage", { _ = try LZMADecompressor.decompress(fa + pad4 + Array(1...12)) }) {
            if case .corruptData = $0 { return true } else { return false }
        }
        S.assertThrows("short garbage", { _ = try LZMADecompressor.decompress(fa + pad4 + [1, 2, 3, 4]) }) {
            if case .corruptData = $0 { return true } else { return false }
        }
        // The streaming decompressor ends before the garbage and leaves it unused.
        let g = LZMADecompressor(format: .xz)
        XCTAssertEqual(try g.decompress(fa + pad4 + [1, 2, 3, 4]), a)
        XCTAssertTrue(g.isFinished)
        XCTAssertEqual(g.unusedData, [1, 2, 3, 4])
        XCTAssertNoThrow(try g.finish())
        // A tail that can still be the start of a stream header is a truncated header.
        S.assertThrows("truncated header", { _ = try LZMADecompressor.decompress(fa + pad4 + [0xFD, 0x37, 0x7A, 0x58]) }) {
            if case .truncatedInput = $0 { return true } else { return false }
        }
    }

    func testTruncationAtEveryOffsetThrows() throws {
        let data = S.mixedData(3000, seed: 6)
        let file = try S.xz(["-c", "--block-size=1000", "-C", "crc64"], data)
        XCTAssertEqual(try LZMADecompressor.decompress(file), data)
        for n in 0..<file.count {
            S.assertThrows("truncated to \(n)", { _ = try LZMADecompressor.decompress(file[0..<n]) }) { _ in true }
        }
        // Truncated inside the last stream of a concatenation: truncatedInput.
        S.assertThrows("truncated cat", { _ = try LZMADecompressor.decompress(file + file.dropLast(3)) }) {
            if case .truncatedInput = $0 { return true } else { return false }
        }
    }

    func testIndexMismatchThrows() throws {
        let data = S.mixedData(4000, seed: 7)
        let file = try S.xz(["-c", "--block-size=2000", "-C", "crc32"], data)
        let idx = file.count - 12 - indexSize(file)
        // Index: 00, count 2, then (unpadded, uncompressed) records.
        XCTAssertEqual(Array(file[idx..<idx + 2]), [0, 2])
        var p = idx + 2
        func skipVLI() { while file[p] & 0x80 != 0 { p += 1 }; p += 1 }
        skipVLI()  // unpadded 1
        let uncompressed1 = p
        XCTAssertEqual(file[p] & 0x80, 0x80)  // 2000 takes 2 bytes
        var bad = file
        // 2000 -> 2001 in the first record, CRC32 fixed so only the record is wrong.
        bad[uncompressed1] += 1
        let crcAt = file.count - 12 - 4
        S.fixCRC32(&bad, of: idx..<crcAt, at: crcAt)
        S.assertThrows("index record", { _ = try LZMADecompressor.decompress(bad) }) {
            if case .corruptData(let m, _) = $0 { return m.contains("index") } else { return false }
        }
        // Swapping the two blocks' uncompressed sizes keeps the sums equal.
        // Build a file with different-size blocks to try that.
        let file2 = try S.xz(["-c", "--block-size=2500", "-C", "crc32"], data)
        let idx2 = file2.count - 12 - indexSize(file2)
        var q = idx2 + 2
        var fields: [(Int, Int)] = []
        for _ in 0..<4 {
            let s = q
            while file2[q] & 0x80 != 0 { q += 1 }
            q += 1
            fields.append((s, q))
        }
        var swapped = file2
        let u1 = Array(file2[fields[1].0..<fields[1].1]), u2 = Array(file2[fields[3].0..<fields[3].1])
        XCTAssertEqual(u1.count, u2.count)
        swapped.replaceSubrange(fields[1].0..<fields[1].1, with: u2)
        swapped.replaceSubrange(fields[3].0..<fields[3].1, with: u1)
        let crc2 = file2.count - 16
        S.fixCRC32(&swapped, of: idx2..<crc2, at: crc2)
        S.assertThrows("swapped records", { _ = try LZMADecompressor.decompress(swapped) }) {
            if case .corruptData(let m, _) = $0 { return m.contains("index") } else { return false }
        }
    }

    func testMemoryLimit() throws {
        let data = S.mixedData(1000, seed: 8)
        let file = try S.xz(["-c", "--lzma2=dict=8MiB"], data)
        S.assertThrows("limit", { _ = try LZMADecompressor.decompress(file, options: DecompressionOptions(memoryLimit: 4 << 20)) }) {
            if case .memoryLimitExceeded(let need, let limit) = $0 { return need > 8 << 20 && limit == 4 << 20 }
            return false
        }
        XCTAssertEqual(try LZMADecompressor.decompress(file, options: DecompressionOptions(memoryLimit: 9 << 20)), data)
    }

    func testHeaderFieldErrors() throws {
        let file = try S.xz(["-c", "-C", "crc32"], Array("hello hello hello".utf8))
        // Reserved stream flag bit with a correct CRC32: unsupported.
        var f = file
        f[7] |= 0x20
        S.fixCRC32(&f, of: 6..<8, at: 8)
        S.assertThrows("stream flags", { _ = try LZMADecompressor.decompress(f) }, S.isUnsupported)
        // Reserved block flag bit with a correct CRC32: unsupported.
        f = file
        let hsize = (Int(file[12]) + 1) * 4
        f[13] |= 0x04
        S.fixCRC32(&f, of: 12..<(12 + hsize - 4), at: 12 + hsize - 4)
        S.assertThrows("block flags", { _ = try LZMADecompressor.decompress(f) }, S.isUnsupported)
        // LZMA2 dictionary code above 40: unsupported.
        f = file
        XCTAssertEqual(Array(file[14..<16]), [0x21, 0x01])
        f[16] = 41
        S.fixCRC32(&f, of: 12..<(12 + hsize - 4), at: 12 + hsize - 4)
        S.assertThrows("lzma2 props", { _ = try LZMADecompressor.decompress(f) }, S.isUnsupported)
        // A flipped bit in the compressed data.
        f = file
        f[12 + hsize + 8] ^= 1
        S.assertThrows("data", { _ = try LZMADecompressor.decompress(f) }) { !S.isUnsupported($0) }
    }

    func testStreamingBoundsOutputPerCall() throws {
        let data = S.mixedData(50_000, seed: 9)
        let file = try S.xz(["-c", "--delta=dist=1", "--lzma2=preset=2"], data)
        let d = LZMADecompressor()
        var out = [UInt8]()
        var first = true
        while true {
            let chunk = try d.decompress(first ? file : [], maxLength: 777)
            first = false
            XCTAssertLessThanOrEqual(chunk.count, 777)
            out += chunk
            // needsInput is false once the stream is complete (isFinished).
            if chunk.count < 777 && (d.needsInput || d.isFinished) { break }
        }
        try d.finish()
        XCTAssertEqual(out, data)
    }

    func testAutoDetectsLZMAAndXZ() throws {
        let data = S.mixedData(2000, seed: 10)
        XCTAssertEqual(try LZMADecompressor.decompress(try S.xz(["-c", "--format=lzma"], data)), data)
        XCTAssertEqual(try LZMADecompressor.decompress(try S.xz(["-c"], data)), data)
        S.assertThrows("xz as .lzma", { _ = try LZMADecompressor.decompress(try S.xz(["-c"], data), format: .lzma) }) { _ in true }
    }
}

/// The .xz / LZMA2 encoder: xz decodes what it writes, and with the fast
/// presets the bytes are xz's own.
final class XZEncoderTests: XCTestCase {
    typealias S = XZTestSupport

    /// Compressible text with a random stretch in the middle (stored chunks)
    /// and enough of everything for several LZMA2 chunks.
    static let sample: [UInt8] = {
        var rng = FilterTests.RNG(seed: 40)
        return S.mixedData(150_000, seed: 41, noise: 25) + rng.bytes(90_000) + S.mixedData(60_000, seed: 42)
    }()

    func options(_ preset: Int, check: XZCheck = .crc64, filters: [XZFilter] = [], blockSize: UInt64? = nil,
                 sizes: Bool = false) -> CompressionOptions {
        CompressionOptions(lzma: LZMASettings(preset: LZMAPreset(level: preset)!), check: check, filters: filters,
                           blockSize: blockSize, sizesInBlockHeaders: sizes)
    }

    func testFastPresetsMatchXZByteForByte() throws {
        let data = Self.sample
        for level in [0, 1] {
            let ours = try LZMACompressor.compress(data, format: .xz, options: options(level))
            let theirs = try S.xz(["-c", "-T1", "-\(level)"], data)
            XCTAssertEqual(ours.count, theirs.count, "preset \(level)")
            XCTAssertTrue(ours == theirs, "preset \(level) differs from xz")
            XCTAssertEqual(try LZMADecompressor.decompress(ours), data)
        }
    }

    /// An LZMA2 chunk also ends when its compressed size (output plus what
    /// the range coder still holds) nears 64 KiB. That size must be taken
    /// from the coder's state as liblzma keeps it, or now and then a chunk
    /// ends one symbol later than xz's: valid, but not the same bytes (seen
    /// first with `--x86=start=16` on ooffice; this input shows it at -0).
    func testChunksEndOnTheCompressedLimitWhereXZEndsThem() throws {
        let data = S.mixedData(800_000, seed: 6, noise: 25)
        let ours = try LZMACompressor.compress(data, format: .xz, options: options(0))
        let theirs = try S.xz(["-c", "-T1", "-0"], data)
        let firstDifference = (0..<min(ours.count, theirs.count)).first { ours[$0] != theirs[$0] } ?? min(ours.count, theirs.count)
        XCTAssertTrue(ours == theirs, "\(ours.count) vs \(theirs.count) bytes, first difference at \(firstDifference)")
        XCTAssertEqual(try LZMADecompressor.decompress(ours), data)
    }

    func testChecksFiltersAndBlocksMatchXZ() throws {
        let data = Array(Self.sample.prefix(120_000))
        let cases: [(CompressionOptions, [String])] = [
            (options(0, check: .none), ["-C", "none", "-0"]),
            (options(0, check: .crc32), ["-C", "crc32", "-0"]),
            (options(0, check: .sha256), ["-C", "sha256", "-0"]),
            (options(1, filters: [.delta(distance: 4)]), ["--delta=dist=4", "--lzma2=preset=1"]),
            (options(0, filters: [.x86(start: 0), .delta(distance: 2)]), ["--x86", "--delta=dist=2", "--lzma2=preset=0"]),
            // Single-threaded xz: blocks without sizes in their headers.
            (options(0, blockSize: 40_000), ["--block-size=40000", "-0"]),
            // Multithreaded xz: sizes in the headers, whose room is reserved
            // for a full block (3 MiB for -1: the header is padded to it).
            (options(0, blockSize: 50_000, sizes: true), ["-T2", "--block-size=50000", "-0"]),
            (options(0, blockSize: 40_000, sizes: true), ["-T2", "--block-size=40000", "-0"]),
            (options(1, blockSize: 3 << 20, sizes: true), ["-T2", "-1"]),
        ]
        for (opts, args) in cases {
            let ours = try LZMACompressor.compress(data, format: .xz, options: opts)
            let theirs = try S.xz(["-c", "-T1"] + args, data)
            XCTAssertTrue(ours == theirs, "\(args): \(ours.count) vs \(theirs.count) bytes")
            XCTAssertEqual(try S.xz(["-dc"], ours), data, "\(args)")
        }
    }

    func testRawLZMA2MatchesXZ() throws {
        let data = Self.sample
        let ours = try LZMACompressor.compress(data, format: .rawLZMA2, options: options(0))
        let theirs = try S.xz(["-c", "--format=raw", "--lzma2=preset=0"], data)
        XCTAssertTrue(ours == theirs, "\(ours.count) vs \(theirs.count) bytes")
        XCTAssertEqual(try LZMADecompressor.decompress(ours, format: .rawLZMA2, options: .rawLZMA2(dictionarySize: 1 << 18)), data)
        XCTAssertEqual(try LZMACompressor.compress([], format: .rawLZMA2, options: options(0)), [0x00])
    }

    func testNormalModeDecodesWithXZ() throws {
        let data = Array(Self.sample.prefix(100_000))
        for opts in [options(6), options(6, check: .sha256, blockSize: 30_000)] {
            let ours = try LZMACompressor.compress(data, format: .xz, options: opts)
            XCTAssertEqual(try S.xz(["-dc"], ours), data)
            XCTAssertEqual(try LZMADecompressor.decompress(ours), data)
            XCTAssertLessThan(ours.count, data.count)
        }
    }

    func testEmptyAndTinyInputs() throws {
        for input: [UInt8] in [[], [0x42], Array("abc".utf8)] {
            let ours = try LZMACompressor.compress(input, format: .xz, options: options(0))
            XCTAssertEqual(ours, try S.xz(["-c", "-T1", "-0"], input), "\(input.count) bytes")
            XCTAssertEqual(try LZMADecompressor.decompress(ours), input)
        }
        XCTAssertEqual(try LZMACompressor.compress([], format: .xz, options: options(0)).count, 32)
    }

    func testSmallDictionaryWithStoredChunks() throws {
        // dict 4 KiB: the match finder keeps less history than a stored
        // chunk needs, so the encoder keeps its own copy.
        var rng = FilterTests.RNG(seed: 43)
        let data = S.mixedData(20_000, seed: 44) + rng.bytes(150_000) + S.mixedData(20_000, seed: 45)
        var lz = LZMASettings.preset(0)
        lz.dictionarySize = 4096
        let ours = try LZMACompressor.compress(data, format: .xz, options: CompressionOptions(lzma: lz))
        XCTAssertEqual(try S.xz(["-dc"], ours), data)
        let theirs = try S.xz(["-c", "-T1", "--lzma2=preset=0,dict=4KiB"], data)
        XCTAssertTrue(ours == theirs, "\(ours.count) vs \(theirs.count) bytes")
    }

    func testChunkedInputGivesTheSameBytes() throws {
        let data = Array(Self.sample.prefix(60_000))
        for sizes in [false, true] {
            let opts = options(1, filters: [.delta(distance: 1)], blockSize: 25_000, sizes: sizes)
            let reference = try LZMACompressor.compress(data, format: .xz, options: opts)
            let c = try LZMACompressor(format: .xz, options: opts)
            var out: [UInt8] = []
            var pos = 0
            var step = 1
            while pos < data.count {
                let n = min(step, data.count - pos)
                out += try c.compress(data[pos..<pos + n])
                pos += n
                step = step * 3 % 5000 + 1
            }
            out += try c.finish()
            XCTAssertEqual(out, reference)
            // Tiny output buffers.
            let c2 = try LZMACompressor(format: .xz, options: opts)
            var out2: [UInt8] = []
            var buf = [UInt8](repeating: 0, count: 7)
            var inPos = 0
            while true {
                let r = try data[inPos...].withUnsafeBufferPointer { i in
                    try buf.withUnsafeMutableBufferPointer { o in try c2.encode(input: i, output: o, finish: true) }
                }
                inPos += r.consumed
                out2 += buf[0..<r.produced]
                if r.status == .streamEnd { break }
            }
            XCTAssertEqual(out2, reference)
        }
    }

    func testInvalidOptionsThrow() throws {
        var lz = LZMASettings.preset(0)
        lz.lc = 4; lz.lp = 1
        XCTAssertThrowsError(try LZMACompressor(format: .xz, options: CompressionOptions(lzma: lz)))
        XCTAssertThrowsError(try LZMACompressor(format: .xz, options: CompressionOptions(blockSize: 0)))
        XCTAssertThrowsError(try LZMACompressor(format: .xz, options: CompressionOptions(filters: [.delta(distance: 1), .x86(start: 0),
                                                                                       .arm(start: 0), .sparc(start: 0)])))
    }

    func testDictionarySizeCode() {
        XCTAssertEqual(LZMA2Encoder.dictionarySizeCode(1), 0)
        XCTAssertEqual(LZMA2Encoder.dictionarySizeCode(4096), 0)
        XCTAssertEqual(LZMA2Encoder.dictionarySizeCode(4097), 1)
        XCTAssertEqual(LZMA2Encoder.dictionarySizeCode(1 << 23), 22)
        XCTAssertEqual(LZMA2Encoder.dictionarySizeCode(3 << 22), 23)
        XCTAssertEqual(LZMA2Encoder.dictionarySizeCode(UInt32.max), 40)
        for code: UInt8 in 0...40 {
            XCTAssertEqual(LZMA2Encoder.dictionarySizeCode(try! LZMA2Decoder.dictionarySize(propertiesByte: code)), code)
        }
    }
}
