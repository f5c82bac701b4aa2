import Foundation
import XCTest
@testable import LZMA

/// Decodes every vector in TestVectors/manifest.tsv (made by xz 5.4.1) and
/// checks the output against the manifest's SHA-1 and size, one-shot and
/// with every kind of chunking the streaming APIs allow.
final class DecoderVectorTests: XCTestCase {
    typealias V = TestSupport.Vector

    /// Verified one-shot outputs, shared by the streaming tests so each
    /// vector is SHA-1'd only once (debug builds make that costly).
    private nonisolated(unsafe) static var references: [String: [UInt8]] = [:]
    private static let lock = NSLock()

    private func vectors(file: StaticString = #filePath, line: UInt = #line) throws -> [V] {
        let m = TestSupport.manifest
        guard !m.isEmpty else {
            XCTFail("TestVectors/manifest.tsv missing or empty at \(TestSupport.vectorsDirectory.path)",
                    file: file, line: line)
            return []
        }
        return m
    }

    /// The one-shot output of `v`, checked against the manifest; nil (with a
    /// failure recorded) when it does not decode correctly.
    private func reference(_ v: V) -> [UInt8]? {
        DecoderVectorTests.lock.lock()
        let cached = DecoderVectorTests.references[v.file]
        DecoderVectorTests.lock.unlock()
        if let cached { return cached }
        do {
            let input = try TestSupport.readBytes(v.url)
            let out = try LZMADecompressor.decompress(input, format: v.format, options: v.options())
            guard out.count == v.size else {
                XCTFail("\(v.file): one-shot size \(out.count), manifest \(v.size)")
                return nil
            }
            let h = TestSupport.sha1Hex(out)
            guard h == v.sha1 else {
                XCTFail("\(v.file): one-shot SHA-1 \(h), manifest \(v.sha1)")
                return nil
            }
            DecoderVectorTests.lock.lock()
            DecoderVectorTests.references[v.file] = out
            DecoderVectorTests.lock.unlock()
            return out
        } catch {
            XCTFail("\(v.file): one-shot decode threw \(error)")
            return nil
        }
    }

    /// The vectors with distinct file contents (several presets give
    /// byte-identical files); streaming the same bytes twice tests nothing new.
    private func distinctVectors() throws -> [V] {
        var seen = Set<String>()
        var out = [V]()
        for v in try vectors() {
            let h = TestSupport.sha1Hex(try TestSupport.readBytes(v.url))
            if seen.insert(h).inserted { out.append(v) }
        }
        XCTAssertGreaterThan(out.count, 250)
        return out
    }

    private func compressedSize(_ v: V) -> Int {
        (try? FileManager.default.attributesOfItem(atPath: v.url.path)[.size] as? Int) ?? Int.max
    }

    /// Checks `got` equals the verified reference of `v`.
    private func assertMatches(_ got: [UInt8], _ v: V, _ how: String,
                               file: StaticString = #filePath, line: UInt = #line) {
        guard let ref = reference(v) else { return }
        if !TestSupport.same(got, ref) {
            let at = TestSupport.firstDifference(got, ref).map(String.init) ?? "?"
            XCTFail("\(v.file) [\(how)]: output differs (got \(got.count) bytes, want \(ref.count); first difference at \(at))",
                    file: file, line: line)
        }
    }

    // MARK: - One-shot

    func testManifestIsComplete() throws {
        let m = try vectors()
        XCTAssertGreaterThan(m.count, 300, "manifest should list all vectors")
        XCTAssert(m.contains { $0.isRaw }, "manifest should have raw vectors")
        XCTAssert(m.contains { $0.knownSize == "yes-noeopm" }, "manifest should have vectors without end marker")
        for v in m {
            XCTAssert(FileManager.default.fileExists(atPath: v.url.path), "missing \(v.file)")
        }
    }

    func testEveryVectorOneShot() throws {
        var checked = 0
        for v in try vectors() {
            if reference(v) != nil { checked += 1 }
        }
        XCTAssertEqual(checked, TestSupport.manifest.count)
    }

    /// Raw vectors decode with a known size too (they end with an end marker,
    /// which is accepted after the last byte).
    func testRawVectorsWithKnownSize() throws {
        for v in try vectors() where v.isRaw && v.size <= 70_000 {
            let input = try TestSupport.readBytes(v.url)
            let out = try LZMADecompressor.decompress(input, format: v.format,
                                                     options: v.options(uncompressedSize: UInt64(v.size)))
            assertMatches(out, v, "raw with size")
        }
    }

    // MARK: - Streaming, Python-style API with chunked input

    /// Chunks of 1 byte for vectors under 20 KB compressed, and of 2 bytes
    /// for those under 2.5 KB (in debug builds each small call costs
    /// microseconds, so this is where the test time goes).
    func testStreamingTinyChunks() throws {
        var n = 0
        for v in try distinctVectors() where compressedSize(v) < 20_000 {
            let input = try TestSupport.readBytes(v.url)
            assertMatches(try TestSupport.decodeChunked(input, format: v.format, options: v.options(), chunk: 1), v, "chunk 1")
            if input.count < 2_500 {
                assertMatches(try TestSupport.decodeChunked(input, format: v.format, options: v.options(), chunk: 2), v, "chunk 2")
            }
            n += 1
        }
        XCTAssertGreaterThan(n, 200)
    }

    /// Chunks of 7 bytes (for big vectors only over the first 16 KB, then
    /// 4096-byte chunks, to bound the time), and chunks of 4096 bytes.
    func testStreamingChunks7And4096() throws {
        for v in try distinctVectors() {
            let input = try TestSupport.readBytes(v.url)
            var fed = 0
            let out7 = try TestSupport.decodeChunked(input, format: v.format, options: v.options()) {
                let n = fed < 16_384 ? 7 : 4096
                fed += n
                return n
            }
            assertMatches(out7, v, "chunk 7")
            assertMatches(try TestSupport.decodeChunked(input, format: v.format, options: v.options(), chunk: 4096), v, "chunk 4096")
        }
    }

    func testStreamingRandomChunks() throws {
        var rng = TestSupport.PRNG(seed: 0x5EED_0001)
        for v in try distinctVectors() {
            let input = try TestSupport.readBytes(v.url)
            // Mix tiny and large chunks so boundaries land everywhere.
            let out = try TestSupport.decodeChunked(input, format: v.format, options: v.options()) {
                switch rng.next() % 4 {
                case 0: return rng.int(1...3)
                case 1: return rng.int(1...64)
                default: return rng.int(1...5000)
                }
            }
            assertMatches(out, v, "random chunks")
        }
    }

    // MARK: - Python-style API with maxLength

    func testMaxLength1() throws {
        var n = 0
        for v in try vectors() where v.size <= 4097 {
            let input = try TestSupport.readBytes(v.url)
            assertMatches(try TestSupport.decodeWithMaxLength(input, format: v.format, options: v.options(), maxLength: 1, chunk: 5),
                          v, "maxLength 1")
            n += 1
        }
        XCTAssertGreaterThan(n, 20)
    }

    func testMaxLength13() throws {
        var n = 0
        for v in try vectors() where v.size <= 16_384 {
            let input = try TestSupport.readBytes(v.url)
            assertMatches(try TestSupport.decodeWithMaxLength(input, format: v.format, options: v.options(),
                                                              maxLength: 13, chunk: 100),
                          v, "maxLength 13")
            n += 1
        }
        XCTAssertGreaterThan(n, 100)
    }

    func testMaxLength4096() throws {
        for v in try vectors() {
            let input = try TestSupport.readBytes(v.url)
            assertMatches(try TestSupport.decodeWithMaxLength(input, format: v.format, options: v.options(),
                                                              maxLength: 4096, chunk: 3000),
                          v, "maxLength 4096")
        }
    }

    /// When a call returns exactly maxLength bytes with more to come, an
    /// empty call continues the output without new input.
    func testEmptyCallContinuesAfterMaxLength() throws {
        let v = try TestSupport.vector("text16k.p6.lzma")
        let input = try TestSupport.readBytes(v.url)
        let d = LZMADecompressor(format: .lzma)
        var out = try d.decompress(input, maxLength: 1000)
        XCTAssertEqual(out.count, 1000)
        XCTAssertFalse(d.needsInput, "output is pending, so needsInput must be false")
        XCTAssertFalse(d.isFinished)
        while !d.isFinished {
            let before = out.count
            out += try d.decompress([UInt8](), maxLength: 1000)
            XCTAssertGreaterThan(out.count, before, "an empty call must make progress while output is pending")
            if out.count == before { break }
        }
        try d.finish()
        assertMatches(out, v, "maxLength 1000 with empty calls")
        XCTAssertEqual(d.totalIn, UInt64(input.count))
        XCTAssertEqual(d.totalOut, UInt64(v.size))
        XCTAssertTrue(d.unusedData.isEmpty)
    }

    // MARK: - Buffer API

    func testBufferAPITinyOutput() throws {
        var n = 0
        for v in try vectors() where v.size <= 4097 {
            let input = try TestSupport.readBytes(v.url)
            assertMatches(try TestSupport.decodeBuffered(input, format: v.format, options: v.options(), outputSize: 1), v, "out 1")
            assertMatches(try TestSupport.decodeBuffered(input, format: v.format, options: v.options(),
                                                         outputSize: 17, inputChunk: 3),
                          v, "out 17, in 3")
            n += 1
        }
        XCTAssertGreaterThan(n, 20)
    }

    func testBufferAPI17ByteOutput() throws {
        for v in try vectors() where v.size > 4097 && v.size <= 65_537 && compressedSize(v) < 20_000 {
            let input = try TestSupport.readBytes(v.url)
            assertMatches(try TestSupport.decodeBuffered(input, format: v.format, options: v.options(), outputSize: 17), v, "out 17")
        }
    }

    func testBufferAPIReportsStreamEndAndKeepsTrailingInput() throws {
        let v = try TestSupport.vector("mixed4097.p6.lzma")
        let input = try TestSupport.readBytes(v.url)
        let junk: [UInt8] = [0x00, 0xFF, 0x5D, 0x42]
        let d = LZMADecompressor(format: .lzma)
        let buf = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: 1 << 16)
        defer { buf.deallocate() }
        let r = try (input + junk).withUnsafeBufferPointer { try d.decode(input: $0, output: buf) }
        XCTAssertEqual(r.status, .streamEnd)
        XCTAssertEqual(r.consumed, input.count, "bytes after the end must not be consumed")
        XCTAssertEqual(r.produced, v.size)
        assertMatches(Array(buf[0..<r.produced]), v, "buffer one call")
        XCTAssertTrue(d.isFinished)
        // After the end, further calls produce nothing.
        let r2 = try junk.withUnsafeBufferPointer { try d.decode(input: $0, output: buf) }
        XCTAssertEqual(r2.consumed, 0)
        XCTAssertEqual(r2.produced, 0)
        XCTAssertEqual(r2.status, .streamEnd)
        XCTAssertNoThrow(try d.finish())
    }

    /// Empty input and empty output buffers (nil base addresses) are valid
    /// calls: they make no progress they cannot report, and do not disturb
    /// the stream.
    func testBufferAPIWithEmptyBuffers() throws {
        for name in ["mixed4097.p6.lzma", "mixed4095.known-noeopm-p6.lzma", "mixed4095.lc3lp0pb2-d8MiB.raw"] {
            let v = try TestSupport.vector(name)
            let input = try TestSupport.readBytes(v.url)
            let d = LZMADecompressor(format: v.format, options: try v.options())
            let buf = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: 100)
            defer { buf.deallocate() }
            let noInput = UnsafeBufferPointer<UInt8>(start: nil, count: 0)
            let noOutput = UnsafeMutableBufferPointer<UInt8>(start: nil, count: 0)
            var out = [UInt8]()
            var pos = 0
            var steps = 0
            while !d.isFinished && steps < 100_000 {
                steps += 1
                // Nothing in, nothing out.
                let e = try d.decode(input: noInput, output: noOutput)
                XCTAssertEqual(e.consumed, 0, name)
                XCTAssertEqual(e.produced, 0, name)
                // Input but no room: may consume (and buffer) input, never produces.
                try input.withUnsafeBufferPointer { all in
                    let w = UnsafeBufferPointer(rebasing: all[pos..<min(all.count, pos + 50)])
                    let r = try d.decode(input: w, output: noOutput)
                    XCTAssertEqual(r.produced, 0, name)
                    pos += r.consumed
                }
                // Room but no input: hands out what is decoded.
                let r = try d.decode(input: noInput, output: buf)
                XCTAssertEqual(r.consumed, 0, name)
                out += buf[0..<r.produced]
                if r.produced == 0 && pos < input.count {
                    try input.withUnsafeBufferPointer { all in
                        let w = UnsafeBufferPointer(rebasing: all[pos..<min(all.count, pos + 50)])
                        let r = try d.decode(input: w, output: buf)
                        pos += r.consumed
                        out += buf[0..<r.produced]
                    }
                } else if r.produced == 0 && pos == input.count && !d.isFinished {
                    XCTFail("\(name): stuck at input end")
                    break
                }
            }
            XCTAssertTrue(d.isFinished, name)
            XCTAssertEqual(pos, input.count, name)
            assertMatches(out, v, "empty buffers")
            XCTAssertNoThrow(try d.finish())
        }
    }

    // MARK: - Trailing data

    func testUnusedDataAfterStream() throws {
        for name in ["abab1k.p6.lzma", "mixed4097.known-eopm-p6.lzma", "mixed4097.known-noeopm-p6.lzma",
                     "random2k.p0.lzma"] {
            let v = try TestSupport.vector(name)
            let input = try TestSupport.readBytes(v.url)
            let junk: [UInt8] = Array("trailing junk \u{1}\u{2}\u{3}".utf8) + [0xFF, 0x00, 0x5D]

            // Whole buffer at once.
            let d = LZMADecompressor(format: .lzma)
            let out = try d.decompress(input + junk)
            assertMatches(out, v, "with junk")
            XCTAssertTrue(d.isFinished, name)
            XCTAssertFalse(d.needsInput, name)
            XCTAssertEqual(d.unusedData, junk, name)
            XCTAssertEqual(d.totalIn, UInt64(input.count), name)
            XCTAssertNoThrow(try d.finish(), name)
            // More data after the end also goes to unusedData.
            XCTAssertEqual(try d.decompress([0x42, 0x43]), [], name)
            XCTAssertEqual(d.unusedData, junk + [0x42, 0x43], name)

            // Byte by byte: the junk arrives in separate calls.
            let d2 = LZMADecompressor(format: .lzma)
            var out2 = [UInt8]()
            for b in input + junk { out2 += try d2.decompress([b]) }
            assertMatches(out2, v, "with junk, 1-byte chunks")
            XCTAssertTrue(d2.isFinished, name)
            XCTAssertEqual(d2.unusedData, junk, name)

            // The one-shot API treats trailing data as corruption, like xz -d.
            XCTAssertThrowsError(try LZMADecompressor.decompress(input + junk, format: .lzma), name) { e in
                guard case LZMAError.corruptData = e else {
                    return XCTFail("\(name): expected corruptData for trailing junk, got \(e)")
                }
            }
            XCTAssertThrowsError(try LZMADecompressor.decompress(input + [0], format: .lzma), name) { e in
                guard case LZMAError.corruptData = e else {
                    return XCTFail("\(name): expected corruptData for one trailing byte, got \(e)")
                }
            }
        }
    }
}
