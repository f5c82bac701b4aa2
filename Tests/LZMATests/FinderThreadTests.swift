import XCTest
@testable import LZMA

/// The match finder on a thread of its own (`ParallelLZMACompressor`): the
/// output is the one-thread `LZMACompressor`'s, byte for byte, for every
/// format, mode, match finder and chunking, including window moves on both
/// sides and the ends of the input.
final class FinderThreadTests: XCTestCase {
    typealias S = XZTestSupport

    /// Text-like runs, repeats and noise, then random bytes, then more text.
    static let sample: [UInt8] = {
        var rng = FilterTests.RNG(seed: 5)
        return S.mixedData(90_000, seed: 6, noise: 15) + rng.bytes(12_000) + S.mixedData(60_000, seed: 7)
    }()

    func settings(_ preset: Int, extreme: Bool = false, dict: UInt32 = 1 << 16) -> LZMASettings {
        var s = LZMASettings(preset: LZMAPreset(level: preset, extreme: extreme)!)
        s.dictionarySize = dict
        return s
    }

    /// Feeds `data` in chunks of the given sizes (cycled), then finishes.
    func threaded(_ data: [UInt8], format: LZMAFormat, options: CompressionOptions,
                  chunks: [Int] = [1 << 20], threads: Int = 2) async throws -> [UInt8] {
        // Also where the finder thread costs more than it saves (hash
        // chains in fast mode): the bytes must be the same there too.
        let c = try ParallelLZMACompressor(format: format, options: options, threads: threads, allocator: .standard,
                                           evenWithoutGain: true)
        XCTAssertEqual(c.usesFinderThread, threads >= 2, "finder thread for \(format)")
        var out = [UInt8]()
        var pos = 0, i = 0
        while pos < data.count {
            let n = min(chunks[i % chunks.count], data.count - pos)
            out += try await c.compress(data[pos..<pos + n])
            pos += n
            i += 1
        }
        out += try await c.finish()
        XCTAssertTrue(c.isFinished)
        XCTAssertEqual(c.totalIn, UInt64(data.count))
        XCTAssertEqual(c.totalOut, UInt64(out.count))
        return out
    }

    func testEveryPresetAndFormatGivesTheOneThreadBytes() async throws {
        let data = Self.sample
        for preset in [0, 1, 2, 3, 4, 5, 6, 9] {
            for format in [LZMAFormat.lzma, .rawLZMA1, .rawLZMA2, .xz] {
                let options = CompressionOptions(lzma: settings(preset))
                let one = try LZMACompressor.compress(data, format: format, options: options)
                let two = try await threaded(data, format: format, options: options)
                XCTAssertEqual(two, one, "preset \(preset) \(format)")
            }
        }
        let extreme = CompressionOptions(lzma: settings(6, extreme: true))
        let one = try LZMACompressor.compress(data, format: .lzma, options: extreme)
        let two = try await threaded(data, format: .lzma, options: extreme)
        XCTAssertEqual(two, one, "preset 6e")
        XCTAssertEqual(try LZMADecompressor.decompress(two), data)
    }

    func testEveryMatchFinderModeAndNiceLength() async throws {
        let data = Self.sample
        for mf in [LZMASettings.MatchFinder.hc3, .hc4, .bt2, .bt3, .bt4] {
            for mode in [LZMASettings.Mode.fast, .normal] {
                for nice in [mf.hashBytes, 16, 273] {
                    var s = LZMASettings(dictionarySize: 1 << 15, mode: mode, matchFinder: mf, niceLength: nice)
                    s.depth = nice == 273 ? 0 : 8
                    let options = CompressionOptions(lzma: s)
                    let one = try LZMACompressor.compress(data, format: .lzma, options: options)
                    let two = try await threaded(data, format: .lzma, options: options)
                    XCTAssertEqual(two, one, "\(mf) \(mode) nice \(nice)")
                }
            }
        }
    }

    /// Any chunking gives the same bytes; a dictionary of 4 KiB on 1 MiB of
    /// input moves both windows many times.
    func testChunkingsAndWindowMoves() async throws {
        var rng = FilterTests.RNG(seed: 8)
        let long = S.mixedData(600_000, seed: 9, noise: 10) + rng.bytes(50_000) + S.mixedData(400_000, seed: 10)
        let options = CompressionOptions(lzma: settings(6, dict: 4096))
        let one = try LZMACompressor.compress(long, format: .xz, options: options)
        let two = try await threaded(long, format: .xz, options: options, chunks: [4096, 70_001, 1, 333_333])
        XCTAssertEqual(two, one)
        let short = Array(Self.sample.prefix(30_000))
        let ref = try LZMACompressor.compress(short, format: .lzma, options: CompressionOptions(lzma: settings(3)))
        for chunks in [[1], [7], [4096], [1, 2, 3, 5000, 11]] {
            let got = try await threaded(short, format: .lzma, options: CompressionOptions(lzma: settings(3)), chunks: chunks)
            XCTAssertEqual(got, ref, "chunks \(chunks)")
        }
    }

    /// Inputs that end inside the last few positions (too short to hash),
    /// and an empty one.
    func testShortInputs() async throws {
        for n in [0, 1, 2, 3, 4, 5, 17, 300, 4370, 4371, 6500] {
            let data = Array(Self.sample.prefix(n))
            for format in [LZMAFormat.lzma, .xz] {
                let options = CompressionOptions(lzma: settings(6))
                let one = try LZMACompressor.compress(data, format: format, options: options)
                let two = try await threaded(data, format: format, options: options)
                XCTAssertEqual(two, one, "\(n) bytes \(format)")
            }
        }
    }

    /// One thread and several blocks run without the finder thread, and
    /// still give the same bytes.
    func testWithoutFinderThread() async throws {
        let data = Self.sample
        var options = CompressionOptions(lzma: settings(1))
        let one = try LZMACompressor.compress(data, format: .xz, options: options)
        let single = try await threaded(data, format: .xz, options: options, threads: 1)
        XCTAssertEqual(single, one)
        options.blockSize = 50_000
        let blocks = try ParallelLZMACompressor(format: .xz, options: options)
        XCTAssertFalse(blocks.usesFinderThread)
        var out = try await blocks.compress(data)
        out += try await blocks.finish()
        XCTAssertEqual(out, try LZMACompressor.compress(data, format: .xz, options: options))
        let fastChains = CompressionOptions(lzma: settings(2))
        XCTAssertFalse(try ParallelLZMACompressor(format: .lzma, options: fastChains).usesFinderThread)
        XCTAssertTrue(try ParallelLZMACompressor(format: .lzma, options: CompressionOptions(lzma: settings(4))).usesFinderThread)
    }

    /// A declared size that the input does not match fails as it does
    /// without the finder thread; a compressor dropped half-way stops its
    /// finder (no hang).
    func testErrorsAndAbandonedCompressor() async throws {
        var options = CompressionOptions(lzma: settings(6))
        options.uncompressedSize = 1000
        let c = try ParallelLZMACompressor(format: .lzma, options: options)
        _ = try await c.compress(Self.sample.prefix(999))
        do {
            _ = try await c.finish()
            XCTFail("a short input was accepted")
        } catch {
            guard case .sizeMismatch = error else { return XCTFail("\(error)") }
        }
        for _ in 0..<20 {
            let dropped = try ParallelLZMACompressor(format: .lzma, options: CompressionOptions(lzma: settings(6)))
            _ = try await dropped.compress(Self.sample)
        }
    }

    func testMemoryUsageCountsTheSecondWindowAndQueues() {
        let options = CompressionOptions(lzma: LZMASettings(preset: 6))
        let one = LZMACompressor.memoryUsage(options)
        let two = ParallelLZMACompressor.memoryUsage(options)
        XCTAssertEqual(ParallelLZMACompressor.memoryUsage(options, threads: 1), one)
        // A second window of about 1.5 x 8 MiB, and the queues.
        XCTAssertGreaterThan(two, one + 12 << 20)
        XCTAssertLessThan(two, one + 20 << 20)
    }
}
