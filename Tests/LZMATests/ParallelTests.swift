import Foundation
import XCTest
@testable import LZMA

/// Parallel .xz compression and decompression: the bytes are those of the
/// single-threaded multithreaded-format writer and of `xz -T N`, whatever the
/// thread count and the chunking; decoding gives what single-threaded
/// decoding gives, errors and the bytes before them included.
final class ParallelTests: XCTestCase {
    typealias S = XZTestSupport

    static let sample: [UInt8] = {
        var rng = FilterTests.RNG(seed: 90)
        return S.mixedData(70_000, seed: 91, noise: 20) + rng.bytes(20_000) + S.mixedData(50_000, seed: 92)
    }()

    func options(_ preset: Int, blockSize: UInt64?, check: XZCheck = .crc64, filters: [XZFilter] = []) throws -> CompressionOptions {
        CompressionOptions(lzma: LZMASettings(preset: LZMAPreset(level: preset)!), check: check, filters: filters,
                           blockSize: blockSize, sizesInBlockHeaders: true)
    }

    /// Feeds `data` to a streaming parallel compressor in chunks of the given sizes (cycled).
    func compressStreaming(_ data: [UInt8], options: CompressionOptions, threads: Int, chunks: [Int]) async throws -> [UInt8] {
        let c = try ParallelXZCompressor(options: options, threads: threads)
        var out = [UInt8]()
        var pos = 0
        var i = 0
        while pos < data.count {
            let n = min(chunks[i % chunks.count], data.count - pos)
            out += try await c.compress(Array(data[pos..<pos + n]))
            pos += n
            i += 1
        }
        out += try await c.finish()
        return out
    }

    // MARK: - Compression

    func testSameBytesAsTheSingleThreadedWriterForEveryThreadCount() async throws {
        let data = Self.sample
        let cases: [CompressionOptions] = [
            try options(0, blockSize: 16_384),
            try options(1, blockSize: 50_000, check: .sha256),
            try options(0, blockSize: 30_000, check: .none, filters: [.delta(distance: 4)]),
            try options(0, blockSize: 65_536 + 7, check: .crc32, filters: [.x86(start: 0)]),
            try options(0, blockSize: nil),  // one block: max(3 x dict, 1 MiB)
        ]
        for opts in cases {
            let reference = try LZMACompressor.compress(data, options: opts)
            for threads in [1, 2, 3, 4, 7] {
                let ours = try await ParallelXZCompressor.compress(data, options: opts, threads: threads)
                XCTAssertTrue(TestSupport.same(ours, reference), "\(threads) threads, block size \(String(describing: opts.blockSize)): \(ours.count) vs \(reference.count) bytes")
            }
            XCTAssertEqual(try LZMADecompressor.decompress(reference), data)
        }
    }

    func testSameBytesAsXZWithNThreads() async throws {
        _ = try S.requireXZ()
        let data = Self.sample
        for (preset, block) in [(0, 20_000), (1, 33_333), (0, 140_000)] {
            let opts = try options(preset, blockSize: UInt64(block))
            for threads in [2, 3, 4, 7] {
                let ours = try await ParallelXZCompressor.compress(data, options: opts, threads: threads)
                let theirs = try S.xz(["-c", "-T\(threads)", "-\(preset)", "--block-size=\(block)"], data)
                XCTAssertTrue(TestSupport.same(ours, theirs), "-T\(threads) -\(preset) --block-size=\(block): \(ours.count) vs \(theirs.count) bytes")
            }
        }
        // The default block size, and an empty input.
        let ours = try await ParallelXZCompressor.compress(data, options: try options(0, blockSize: nil), threads: 2)
        XCTAssertTrue(TestSupport.same(ours, try S.xz(["-c", "-T2", "-0"], data)))
        let empty = try await ParallelXZCompressor.compress([], options: try options(0, blockSize: nil), threads: 2)
        XCTAssertTrue(TestSupport.same(empty, try S.xz(["-c", "-T2", "-0"], [])))
    }

    func testChunkingDoesNotChangeTheOutput() async throws {
        let data = Array(Self.sample.prefix(60_000))
        let opts = try options(0, blockSize: 8_192)
        let reference = try LZMACompressor.compress(data, options: opts)
        var rng = FilterTests.RNG(seed: 7)
        let randomChunks = (0..<50).map { _ in 1 + rng.below(20_000) }
        for (name, chunks) in [("1", [1]), ("7", [7]), ("4096", [4096]), ("random", randomChunks), ("8192", [8192])] {
            for threads in [2, 3] {
                let ours = try await compressStreaming(name == "1" ? Array(data.prefix(20_000)) : data, options: opts,
                                                       threads: threads, chunks: chunks)
                let want = name == "1" ? try LZMACompressor.compress(Array(data.prefix(20_000)), options: opts) : reference
                XCTAssertTrue(TestSupport.same(ours, want), "chunks \(name), \(threads) threads")
            }
        }
    }

    func testStreamingReturnsBlocksAsTheyAreDone() async throws {
        let data = Array(Self.sample.prefix(100_000))
        let c = try ParallelXZCompressor(options: try options(0, blockSize: 10_000), threads: 2)
        var returned = 0
        for i in 0..<10 {
            returned += try await c.compress(Array(data[i * 10_000..<(i + 1) * 10_000])).count
        }
        // With at most 2 x 2 blocks in flight, most of the output came back
        // before finish().
        XCTAssertGreaterThan(returned, 0)
        let rest = try await c.finish()
        let whole = try LZMACompressor.compress(data, options: try options(0, blockSize: 10_000))
        XCTAssertEqual(returned + rest.count, whole.count)
        do {
            _ = try await c.compress([1])
            XCTFail("input after finish() was taken")
        } catch {
            XCTAssertEqual(error.caseName, "programmingError")
        }
    }

    func testInvalidSettingsThrow() throws {
        XCTAssertThrowsError(try ParallelXZCompressor(options: try options(0, blockSize: nil), threads: 0))
        var listed = try options(0, blockSize: nil)
        listed.blockList = [XZBlockListItem(size: 1000)]
        XCTAssertThrowsError(try ParallelXZCompressor(options: listed, threads: 2))
        XCTAssertThrowsError(try ParallelXZCompressor(options: try options(0, blockSize: 0), threads: 2))
    }

    func testMemoryUsageGrowsWithThreads() throws {
        let opts = try options(6, blockSize: nil)
        let one = ParallelXZCompressor.memoryUsage(options: opts, threads: 1)
        let two = ParallelXZCompressor.memoryUsage(options: opts, threads: 2)
        // -6: per thread a 24 MiB block of input, two of output, and the encoder.
        XCTAssertGreaterThan(one, 3 * (24 << 20) + LZMACompressor.memoryUsage(CompressionOptions(lzma: opts.lzma)) - 1)
        XCTAssertEqual(two - one, one - (1 << 15))
    }

    // MARK: - Decompression

    /// Single-threaded decoding as the reference: the bytes produced before
    /// the first error, and the error.
    static func singleThreaded(_ data: [UInt8], singleStream: Bool = false) -> (out: [UInt8], error: LZMAError?, trailing: Bool) {
        let d = LZMADecompressor(format: .xz, options: DecompressionOptions(concatenated: !singleStream))
        var out = [UInt8]()
        var buf = [UInt8](repeating: 0, count: 1 << 16)
        var pos = 0
        do {
            while true {
                let before = d.totalOut
                var thrown: LZMAError?
                var r = (consumed: 0, produced: 0, status: CodingStatus.needsInput)
                data[pos...].withUnsafeBufferPointer { i in
                    buf.withUnsafeMutableBufferPointer { o in
                        do throws(LZMAError) { r = try d.decode(input: i, output: o) } catch { thrown = error }
                    }
                }
                if let thrown {
                    out += buf[0..<Int(d.totalOut - before)]
                    throw thrown
                }
                pos += r.consumed
                out += buf[0..<r.produced]
                if r.status == .streamEnd { return (out, nil, pos < data.count || !d.unusedData.isEmpty) }
                if r.status == .needsInput && pos == data.count { break }
            }
            try d.finish()
            return (out, nil, false)
        } catch let e as LZMAError {
            return (out, e, false)
        } catch {
            return (out, .programmingError("\(error)"), false)
        }
    }

    /// Parallel decoding in chunks (cycled) with `maxLength` per call: the
    /// bytes before the first error, and the error.
    static func parallel(_ data: [UInt8], threads: Int, chunks: [Int] = [1 << 20], maxLength: Int = .max,
                         threadingMemoryLimit: UInt64 = ParallelXZDecompressor.defaultThreadingMemoryLimit,
                         singleStream: Bool = false) async -> (out: [UInt8], error: LZMAError?) {
        let d = ParallelXZDecompressor(threads: threads, threadingMemoryLimit: threadingMemoryLimit, singleStream: singleStream)
        var out = [UInt8]()
        var pos = 0
        var i = 0
        do throws(LZMAError) {
            while pos < data.count {
                let n = min(chunks[i % chunks.count], data.count - pos)
                i += 1
                out += try await d.decompress(Array(data[pos..<pos + n]), maxLength: maxLength)
                pos += n
                while !d.needsInput && !d.isFinished {
                    out += try await d.decompress([], maxLength: maxLength)
                }
                if d.isFinished { break }
            }
            while !d.isFinished {
                out += try await d.finish(maxLength: maxLength)
            }
            return (out, nil)
        } catch {
            return (out, error)
        }
    }

    /// An .xz file of several blocks with sizes in their headers, as xz -T2 writes.
    static let multiBlock: [UInt8] = {
        let o = CompressionOptions(lzma: .preset(0), blockSize: 12_000, sizesInBlockHeaders: true)
        return try! LZMACompressor.compress(ParallelTests.sample, options: o)
    }()

    func testDecodesWhatSingleThreadedDecodingDoes() async throws {
        let data = Self.sample
        // Blocks with sizes; without (single-threaded writer); one block; empty.
        let files: [(String, [UInt8])] = [
            ("sizes", Self.multiBlock),
            ("no sizes", try LZMACompressor.compress(data, options: CompressionOptions(lzma: .preset(0), blockSize: 25_000))),
            ("one block", try LZMACompressor.compress(data, options: try options(0, blockSize: nil))),
            ("empty", try LZMACompressor.compress([], options: try options(0, blockSize: nil))),
        ]
        for (name, file) in files {
            let want = name == "empty" ? [] : data
            for threads in [1, 2, 3, 7] {
                let r = await Self.parallel(file, threads: threads)
                XCTAssertNil(r.error, "\(name), \(threads) threads")
                XCTAssertTrue(TestSupport.same(r.out, want), "\(name), \(threads) threads")
            }
            let oneShot = try await ParallelXZDecompressor.decompress(file, threads: 2)
            XCTAssertTrue(TestSupport.same(oneShot, want), name)
        }
    }

    func testChunkingAndOutputLimitsDoNotChangeTheOutput() async throws {
        let file = Self.multiBlock
        var rng = FilterTests.RNG(seed: 12)
        let randomChunks = (0..<40).map { _ in 1 + rng.below(9_000) }
        for (name, chunks) in [("1", [1]), ("7", [7]), ("4096", [4096]), ("random", randomChunks)] {
            for maxLength in [Int.max, 1_000, 1] where !(name == "1" && maxLength == 1) {
                let r = await Self.parallel(file, threads: 3, chunks: chunks, maxLength: maxLength)
                XCTAssertNil(r.error, "chunks \(name), maxLength \(maxLength)")
                XCTAssertTrue(TestSupport.same(r.out, Self.sample), "chunks \(name), maxLength \(maxLength)")
            }
        }
    }

    func testMixedStreamsPaddingAndSingleStream() async throws {
        let a = Array(Self.sample.prefix(40_000)), b = Array(Self.sample.suffix(50_000))
        let mt = try LZMACompressor.compress(a, options: try options(0, blockSize: 9_000))
        let st = try LZMACompressor.compress(b, options: CompressionOptions(lzma: .preset(0), check: .sha256, blockSize: 20_000))
        let file = mt + [0, 0, 0, 0] + st + [0, 0, 0, 0, 0, 0, 0, 0] + mt
        for chunks in [[1 << 20], [4096], [3]] {
            let r = await Self.parallel(file, threads: 2, chunks: chunks)
            XCTAssertNil(r.error)
            XCTAssertTrue(TestSupport.same(r.out, a + b + a))
        }
        let single = await Self.parallel(mt + [0, 0, 0, 0] + st, threads: 2, singleStream: true)
        XCTAssertNil(single.error)
        XCTAssertTrue(TestSupport.same(single.out, a))
        let d = ParallelXZDecompressor(threads: 2, singleStream: true)
        _ = try await d.decompress(mt + [9, 9, 9])
        while !d.isFinished { _ = try await d.decompress([]) }
        XCTAssertEqual(d.unusedData, [9, 9, 9])
    }

    /// Without a maxLength, a call returns at most one parallel block's
    /// output, or 1 MiB of a block decoded on the caller's task: a small
    /// input that expands enormously never makes one huge result.
    func testOutputPerCallIsBounded() async throws {
        let zeros = [UInt8](repeating: 0, count: 6 << 20)
        let st = try LZMACompressor.compress(zeros, options: CompressionOptions(lzma: .preset(0)))
        let mt = try LZMACompressor.compress(zeros, options: try options(0, blockSize: 2 << 20))
        for (file, most) in [(st, 1 << 20), (mt, 2 << 20)] {
            let d = ParallelXZDecompressor(threads: 2)
            var total = 0
            var out = try await d.decompress(file)
            while true {
                XCTAssertLessThanOrEqual(out.count, most)
                XCTAssertTrue(out.allSatisfy { $0 == 0 })
                total += out.count
                if d.isFinished { break }
                out = d.needsInput ? try await d.finish() : try await d.decompress([])
            }
            XCTAssertEqual(total, zeros.count)
        }
    }

    func testMemoryBudgetDecodesBigBlocksInline() async throws {
        // A budget smaller than one block: every block is decoded on the
        // caller's task, with the same result.
        for limit: UInt64 in [1, 200_000, 1 << 20] {
            let r = await Self.parallel(Self.multiBlock, threads: 2, chunks: [5_000], threadingMemoryLimit: limit)
            XCTAssertNil(r.error)
            XCTAssertTrue(TestSupport.same(r.out, Self.sample), "budget \(limit)")
        }
        // The hard limit is the single-threaded one.
        let d = ParallelXZDecompressor(threads: 2, memoryLimit: 1000)
        do {
            _ = try await d.decompress(Self.multiBlock)
            _ = try await d.finish()
            XCTFail("no error")
        } catch {
            XCTAssertEqual(error, Self.singleThreadedWithLimit(Self.multiBlock, 1000))
        }
    }

    static func singleThreadedWithLimit(_ data: [UInt8], _ limit: UInt64) -> LZMAError? {
        do {
            _ = try LZMADecompressor.decompress(data, format: .xz, options: DecompressionOptions(memoryLimit: limit))
            return nil
        } catch {
            return error
        }
    }

    /// Offsets of the blocks of an .xz stream (after the 12-byte header), from its index.
    static func blockOffsets(_ file: [UInt8]) throws -> [Int] {
        let info = try XZFileInfo(fileSize: UInt64(file.count)) { (offset, count) throws(LZMAError) in
            Array(file[Int(offset)..<min(file.count, Int(offset) + count)])
        }
        return info.streams[0].blocks.map { Int($0.compressedOffset) }
    }

    func testABadBlockGivesTheSingleThreadedErrorAfterTheSameBytes() async throws {
        let file = Self.multiBlock
        let offsets = try Self.blockOffsets(file)
        XCTAssertGreaterThan(offsets.count, 5)
        var cases: [(String, [UInt8])] = []
        for k in [1, 3, offsets.count - 1] {
            var bad = file
            bad[offsets[k] + 40] ^= 0x55  // LZMA2 data
            cases.append(("data of block \(k + 1)", bad))
            var badCheck = file
            let end = k + 1 < offsets.count ? offsets[k + 1] : file.count - 12 - 40
            badCheck[end - 1] ^= 1  // the last byte of the check (CRC64)
            cases.append(("check of block \(k + 1)", badCheck))
            var badHeader = file
            badHeader[offsets[k] + 2] ^= 0x10  // header CRC32 mismatch
            cases.append(("header of block \(k + 1)", badHeader))
        }
        var badIndex = file
        badIndex[file.count - 14] ^= 1
        cases.append(("footer", badIndex))
        cases.append(("truncated in a block", Array(file.prefix(offsets[4] + 100))))
        cases.append(("truncated after a block", Array(file.prefix(offsets[4]))))
        for (name, bad) in cases {
            let want = Self.singleThreaded(bad)
            XCTAssertNotNil(want.error, name)
            for threads in [2, 4] {
                for chunks in [[1 << 20], [1000]] {
                    let got = await Self.parallel(bad, threads: threads, chunks: chunks)
                    XCTAssertEqual(got.error, want.error, "\(name), \(threads) threads, chunks \(chunks)")
                    XCTAssertTrue(TestSupport.same(got.out, want.out),
                                  "\(name), \(threads) threads: \(got.out.count) bytes before the error, single-threaded \(want.out.count)")
                }
            }
        }
    }

    /// A block header claiming terabytes: the same typed error as
    /// single-threaded decoding, and no allocation of what it claims, with
    /// any threading budget.
    func testHeadersClaimingHugeSizes() async throws {
        let file = try LZMACompressor.compress(Array(Self.sample.prefix(5_000)), options: try options(0, blockSize: nil))
        let headerSize = (Int(file[12]) + 1) * 4
        let dict = try XZBlockHeader(Array(file[12..<12 + headerSize]), checkSize: 8, offset: 12).lzma2Properties
        for (cs, us) in [(UInt64(1) << 40, UInt64(1) << 41), (UInt64(1) << 40, UInt64(10)), (UInt64(50), UInt64(1) << 45)] {
            let claim = XZBlockHeader(compressedSize: cs, uncompressedSize: us, filters: [], lzma2Properties: dict).encode()
            let bad = Array(file[..<12]) + claim + Array(file[(12 + headerSize)...])
            let want = Self.singleThreaded(bad)
            XCTAssertNotNil(want.error)
            for budget: UInt64 in [1 << 30, 1 << 60] {
                let got = await Self.parallel(bad, threads: 2, chunks: [4096], threadingMemoryLimit: budget)
                XCTAssertEqual(got.error, want.error, "cs \(cs) us \(us) budget \(budget)")
                XCTAssertTrue(TestSupport.same(got.out, want.out))
            }
        }
    }

    func testTruncationAtEveryOffsetMatchesSingleThreaded() async throws {
        let data = Array(Self.sample.prefix(9_000))
        let file = try LZMACompressor.compress(data, options: try options(0, blockSize: 3_000))
        for cut in stride(from: 0, to: file.count, by: 7) {
            let bad = Array(file.prefix(cut))
            let want = Self.singleThreaded(bad)
            let got = await Self.parallel(bad, threads: 2, chunks: [cut % 2 == 0 ? 1 << 20 : 100])
            XCTAssertEqual(got.error, want.error, "cut at \(cut)")
            XCTAssertTrue(TestSupport.same(got.out, want.out), "cut at \(cut): \(got.out.count) vs \(want.out.count) bytes")
        }
    }

    func testXZUtilsFilesDecodeAsSingleThreaded() async throws {
        let dir = S.testFilesDir
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir.path) else {
            throw XCTSkip("xz-utils test files not found at \(dir.path)")
        }
        var n = 0
        for name in names.sorted() where name.hasSuffix(".xz") {
            let file = [UInt8](try Data(contentsOf: dir.appendingPathComponent(name)))
            let want = Self.singleThreaded(file)
            let got = await Self.parallel(file, threads: 2, chunks: [333])
            if want.error == nil && want.trailing {
                // Bytes after the streams that start no stream: LZMADecompressor
                // ends there (unusedData, as Python); ParallelXZDecompressor
                // keeps xz -d's rule and fails. Same bytes before it.
                XCTAssertNotNil(got.error, name)
            } else {
                XCTAssertEqual(got.error, want.error, name)
            }
            XCTAssertTrue(TestSupport.same(got.out, want.out), "\(name): \(got.out.count) vs \(want.out.count) bytes")
            n += 1
        }
        XCTAssertGreaterThan(n, 50)
    }

    func testXZMultithreadedFileDecodes() async throws {
        _ = try S.requireXZ()
        let data = S.mixedData(600_000, seed: 3)
        let file = try S.xz(["-c", "-T2", "-1", "--block-size=100000"], data)
        for threads in [2, 3] {
            let r = await Self.parallel(file, threads: threads, chunks: [65_536])
            XCTAssertNil(r.error)
            XCTAssertTrue(TestSupport.same(r.out, data))
        }
        // And xz decodes ours.
        let ours = try await ParallelXZCompressor.compress(data, options: try options(1, blockSize: 100_000), threads: 2)
        XCTAssertTrue(TestSupport.same(try S.xz(["-dc", "-T2"], ours), data))
    }
}

