// Every code example of README.md's "Library use" section, verbatim, inside
// a test with the names it uses (bytes, chunks, consume, ...) defined around
// it. testTheseAreTheREADMEsExamples checks that every README example appears
// here line for line (imports aside). Edit both together.
import Foundation
import LZMA
import LZMAFoundation
import XCTest

final class ReadmeExamplesTests: XCTestCase {
    let bytes: [UInt8] = Array((0..<50_000).map { UInt8(truncatingIfNeeded: ($0 * 7) % 251 ^ ($0 >> 5)) })

    func testOneShot() throws {
        let bytes = self.bytes
        // README: one-shot
        let xz = try LZMACompressor.compress(bytes)                       // .xz, preset 6, CRC64 (xz's defaults)
        let lzma = try LZMACompressor.compress(bytes, format: .lzma, options: .preset(9))
        let strong = try LZMACompressor.compress(bytes, options: CompressionOptions(lzma: .preset(.extreme(6)), check: .sha256))
        let restored = try LZMADecompressor.decompress(xz)                // .xz, .lzma or .lz, detected
        print(hexString(SHA1.hash(restored)))
        // end README
        XCTAssertEqual(restored, bytes)
        XCTAssertEqual(try LZMADecompressor.decompress(lzma), bytes)
        XCTAssertEqual(try LZMADecompressor.decompress(strong), bytes)
        XCTAssertEqual(Array(lzma.prefix(1)), [0x5D])
    }

    func testStreaming() throws {
        let xz = try LZMACompressor.compress(bytes)
        let chunks = stride(from: 0, to: xz.count, by: 777).map { Array(xz[$0..<min($0 + 777, xz.count)]) }
        var decoded: [UInt8] = []
        func consume(_ b: [UInt8]) { decoded += b }
        // README: streaming
        let decoder = LZMADecompressor(options: DecompressionOptions(memoryLimit: 256 << 20))
        for chunk in chunks {                                   // any chunk sizes
            var out = try decoder.decompress(chunk, maxLength: 1 << 20)
            consume(out)
            while !decoder.needsInput && !decoder.isFinished {
                out = try decoder.decompress([], maxLength: 1 << 20)
                consume(out)
            }
        }
        try decoder.finish()                    // throws .truncatedInput if the data did not end
        // decoder.unusedData holds bytes that followed the end of the data
        // end README
        XCTAssertEqual(decoded, bytes)
        XCTAssertTrue(decoder.isFinished)

        let input = bytes
        let inChunks = stride(from: 0, to: input.count, by: 1000).map { Array(input[$0..<min($0 + 1000, input.count)]) }
        var compressed: [UInt8] = []
        do {
            let chunks = inChunks
            func consume(_ b: [UInt8]) { compressed += b }
            // README: streaming compressor
            let compressor = try LZMACompressor(format: .xz, options: .preset(6))
            for chunk in chunks { consume(try compressor.compress(chunk)) }
            consume(try compressor.finish())
            // end README
        }
        XCTAssertEqual(compressed, xz)
    }

    func testBuffers() throws {
        let xz = try LZMACompressor.compress(bytes, format: .lzma)
        let decoder = LZMADecompressor()
        let compressor = try LZMACompressor(format: .lzma)
        let atEOF = true
        let outStorage = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: 1 << 20)
        defer { outStorage.deallocate() }
        try xz.withUnsafeBufferPointer { compressedBuf in
            let inBuf = compressedBuf
            let outBuf = outStorage
            // README: lzma_code-style (first line)
            let (consumed, produced, status) = try decoder.decode(input: inBuf, output: outBuf)
            // end README
            XCTAssertEqual(consumed, xz.count)
            XCTAssertEqual(Array(outBuf[..<produced]), bytes)
            XCTAssertEqual(status, .streamEnd)
        }
        try bytes.withUnsafeBufferPointer { plainBuf in
            let inBuf = plainBuf
            let outBuf = outStorage
            // README: lzma_code-style (second line)
            let (used, written, state) = try compressor.encode(input: inBuf, output: outBuf, finish: atEOF)
            // end README
            XCTAssertEqual(used, bytes.count)
            XCTAssertEqual(state, .streamEnd)
            XCTAssertEqual(Array(outBuf[..<written]), xz)
        }
    }

    func testErrors() throws {
        var damaged = try LZMACompressor.compress(bytes)
        damaged[damaged.count / 2] ^= 0x55
        // README: errors
        do {
            _ = try LZMADecompressor.decompress(damaged)
        } catch {
            print(error)                        // error is an LZMAError: "Compressed data is corrupt: ... (at input byte 1234)"
            print(error.offset ?? 0)
        }
        // end README
        var seen: LZMAError?
        do { _ = try LZMADecompressor.decompress(damaged) } catch { seen = error }
        let e = try XCTUnwrap(seen)
        XCTAssertNotNil(e.offset)
        XCTAssertTrue(e.description.hasPrefix("Compressed data is corrupt"), e.description)
    }

    func testProgress() throws {
        let fileBytes = try LZMACompressor.compress(bytes, options: CompressionOptions(blockSize: 10_000))
        // README: progress
        let info = try LZMAFileInfo(fileBytes)         // any RandomAccessByteSource: [UInt8], or FileByteSource(url:)
        print(info.format, info.uncompressedSize ?? 0)
        // end README
        XCTAssertEqual(info.format, .xz)
        XCTAssertEqual(info.uncompressedSize, UInt64(bytes.count))
    }

    func testTarMember() throws {
        // A tar of three files, compressed in 16 KiB blocks.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("readme-tar-\(getpid())")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("docs"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let guide = Array(bytes.prefix(30_000))
        try Data(Array(bytes.suffix(40_000))).write(to: dir.appendingPathComponent("big.bin"))
        try Data(guide).write(to: dir.appendingPathComponent("docs/guide.txt"))
        try Data(Array("last".utf8)).write(to: dir.appendingPathComponent("z.txt"))
        let tar = Process()
        tar.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        tar.arguments = ["tar", "--format=ustar", "-cf", dir.appendingPathComponent("a.tar").path, "-C", dir.path,
                         "big.bin", "docs/guide.txt", "z.txt"]
        do { try tar.run() } catch { throw XCTSkip("tar is not available") }
        tar.waitUntilExit()
        guard tar.terminationStatus == 0 else { throw XCTSkip("tar failed") }
        let tarBytes = [UInt8](try Data(contentsOf: dir.appendingPathComponent("a.tar")))
        let archiveBytes = try LZMACompressor.compress(tarBytes, options: CompressionOptions(lzma: .preset(1), blockSize: 16_384))
        let wanted = "docs/guide.txt"
        // README: tar member
        let reader = try LZMASeekableReader(archiveBytes)           // or FileByteSource(url:) from LZMAFoundation
        var at: UInt64 = 0
        var member: [UInt8]?
        while member == nil {
            let header = try reader.read(at: at, count: 512)
            guard header.count == 512, header[0] != 0 else { break }  // the end of the archive
            let name = String(decoding: header[0..<100].prefix { $0 != 0 }, as: UTF8.self)
            let size = UInt64(String(decoding: header[124..<135], as: UTF8.self), radix: 8) ?? 0
            if name == wanted { member = try reader.read(at: at + 512, count: Int(size)) }
            at += 512 + (size + 511) / 512 * 512
        }
        // end README
        XCTAssertEqual(member, guide)
        XCTAssertLessThan(reader.blocksStarted, (tarBytes.count + 16_383) / 16_384, "blocks of big.bin were skipped")
    }

    func testParallel() async throws {
        let bytes = self.bytes
        let chunks = stride(from: 0, to: bytes.count, by: 5000).map { Array(bytes[$0..<min($0 + 5000, bytes.count)]) }
        var streamed: [UInt8] = []
        func write(_ b: [UInt8]) { streamed += b }
        // README: parallel
        let xz = try await ParallelXZCompressor.compress(bytes, options: .preset(6), threads: 4)
        let back = try await ParallelXZDecompressor.decompress(xz, threads: 4)
        // end README
        XCTAssertEqual(back, bytes)
        // README: parallel streaming
        let c = try ParallelXZCompressor(options: .preset(6), threads: 4)
        for chunk in chunks { write(try await c.compress(chunk)) }   // suspends while all workers are busy
        write(try await c.finish())
        // end README
        XCTAssertEqual(streamed, xz)
        var mt = CompressionOptions.preset(6)
        mt.sizesInBlockHeaders = true
        mt.blockSize = 3 << 23
        XCTAssertEqual(xz, try LZMACompressor.compress(bytes, options: mt), "the same bytes as the one-thread writer")
        // README: finder thread
        let lzma = try await ParallelLZMACompressor.compress(bytes, format: .lzma, options: .preset(6))
        // end README
        XCTAssertEqual(lzma, try LZMACompressor.compress(bytes, format: .lzma, options: .preset(6)))
    }

    func testRaw() throws {
        let settings = LZMASettings(lc: 3, lp: 0, pb: 2, dictionarySize: 1 << 20)
        let raw = try LZMACompressor.compress(bytes, format: .rawLZMA1, options: CompressionOptions(lzma: settings))
        // README: raw
        let props = try LZMAProperties(lc: 3, lp: 0, pb: 2, dictionarySize: 1 << 20)
        let out = try LZMADecompressor.decompress(raw, format: .rawLZMA1, options: DecompressionOptions(properties: props))
        // end README
        XCTAssertEqual(out, bytes)
    }

    func testFoundation() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("readme-example-\(getpid()).bin")
        try Data(bytes).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        // README: Foundation
        let packed = try Data(contentsOf: url).lzmaCompressed(format: .xz, options: .preset(6))
        let unpacked = try packed.lzmaDecompressed()
        // end README
        XCTAssertEqual([UInt8](unpacked), bytes)
        XCTAssertEqual([UInt8](packed), try LZMACompressor.compress(bytes))
        let source = try FileByteSource(url: url)
        XCTAssertEqual(source.byteCount, UInt64(bytes.count))
    }

    /// Each ```swift block of README.md's "Library use" section (each part
    /// between blank lines) must appear in this file as a run of consecutive lines (leading spaces and `import`
    /// lines aside), so the examples above are exactly the README's.
    func testTheseAreTheREADMEsExamples() throws {
        let here = URL(fileURLWithPath: #filePath)
        let root = here.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        let source = try String(contentsOf: here, encoding: .utf8)
        guard let start = readme.range(of: "## Library use"), let end = readme.range(of: "## Command line") else {
            return XCTFail("README.md has no Library use section")
        }
        let section = readme[start.upperBound..<end.lowerBound]
        let blocks = section.components(separatedBy: "```swift\n").dropFirst().map { $0.components(separatedBy: "```")[0] }
        XCTAssertGreaterThanOrEqual(blocks.count, 8)
        let norm = { (l: Substring) in l.trimmingCharacters(in: .whitespaces) }
        let sourceLines = source.split(separator: "\n").map(norm)
        // A blank line may separate parts that the tests exercise apart.
        for block in blocks.flatMap({ $0.components(separatedBy: "\n\n") }) {
            let lines = block.split(separator: "\n").map(norm).filter { !$0.isEmpty && !$0.hasPrefix("import ") }
            guard let first = lines.first else { continue }
            let found = sourceLines.indices.contains { i in
                sourceLines[i] == first && i + lines.count <= sourceLines.count
                    && Array(sourceLines[i..<(i + lines.count)]) == lines
            }
            XCTAssertTrue(found, "README example not in ReadmeExamplesTests.swift verbatim:\n\(block)")
        }
    }
}
