// LZMASeekableReader on a file of several MiB: four streams (checks None,
// CRC32, CRC64, SHA-256) of many blocks with stream padding between them;
// random ranges from 1 byte to several MiB (across blocks, streams and the
// padding, and past the end) against the original; single bytes around
// every block boundary; forward-only reads that begin each block once; the
// index's cost against the memory limit.
import LZMA
import XCTest

final class SeekableReaderRangeTests: XCTestCase {
    struct Rng { var s: UInt64; mutating func next() -> UInt64 { s = s &* 6364136223846793005 &+ 1442695040888963407; return s >> 11 } }

    /// Text-like bytes with repeats: cheap to compress in a debug build.
    static func sample(_ n: Int, seed: UInt64) -> [UInt8] {
        var r = Rng(s: seed)
        var out: [UInt8] = []
        out.reserveCapacity(n)
        while out.count < n {
            if r.next() % 4 == 0, out.count > 300 {
                let back = Int(r.next() % 300) + 1
                for _ in 0..<Int(r.next() % 60 + 4) where out.count < n { out.append(out[out.count - back]) }
            } else {
                out.append(UInt8(truncatingIfNeeded: r.next() % 40 + 65))
            }
        }
        return out
    }

    struct Fixture {
        var file: [UInt8]
        var plain: [UInt8]
        /// Uncompressed offsets where a stream starts (after the first).
        var streamStarts: [Int]
        var blocks: Int
    }

    static let blockSize = 96 * 1024

    /// 3.25 MiB in four streams, one per check, 96 KiB blocks, 4/8/12 bytes
    /// of stream padding after the first three.
    static let fixture: Fixture = {
        let sizes = [700_000, 1_100_000, 900_000, 708_000]
        let checks: [XZCheck] = [.none, .crc32, .crc64, .sha256]
        var lz = LZMASettings.preset(0)
        lz.dictionarySize = 1 << 18
        var f = Fixture(file: [], plain: [], streamStarts: [], blocks: 0)
        for (i, size) in sizes.enumerated() {
            let part = sample(size, seed: UInt64(i + 1))
            if i > 0 { f.streamStarts.append(f.plain.count) }
            f.plain += part
            f.file += try! LZMACompressor.compress(part, options: CompressionOptions(
                lzma: lz, check: checks[i], blockSize: UInt64(blockSize), sizesInBlockHeaders: i % 2 == 1))
            if i < 3 { f.file += [UInt8](repeating: 0, count: 4 * (i + 1)) }
            f.blocks += (size + blockSize - 1) / blockSize
        }
        return f
    }()

    func expected(_ start: UInt64, _ count: Int) -> [UInt8] {
        let plain = Self.fixture.plain
        guard start < UInt64(plain.count) else { return [] }
        return Array(plain[Int(start)..<min(plain.count, Int(start) + count)])
    }

    func testTheFixtureHasWhatTheTestsNeed() throws {
        let f = Self.fixture
        let info = try XCTUnwrap(try LZMAFileInfo(f.file).xz)
        XCTAssertEqual(info.streams.map(\.check), [XZCheck.none, .crc32, .crc64, .sha256])
        XCTAssertEqual(info.streams.map(\.padding), [4, 8, 12, 0])
        XCTAssertEqual(info.blockCount, UInt64(f.blocks))
        let reader = try LZMASeekableReader(f.file)
        XCTAssertFalse(reader.isSequential)
        XCTAssertEqual(reader.blockCount, f.blocks)
        XCTAssertEqual(reader.streamCount, 4)
        XCTAssertEqual(reader.uncompressedSize, UInt64(f.plain.count))
    }

    func testRandomRangesFromOneByteToSeveralMiB() throws {
        let f = Self.fixture
        let reader = try LZMASeekableReader(f.file)
        let size = UInt64(f.plain.count)
        var r = Rng(s: 7)
        var total = 0
        for i in 0..<60 {
            // Lengths log-uniform over 1 B ... 4 MiB; starts anywhere, past the end too.
            let count = Int(1 << (r.next() % 22)) + Int(r.next() % 3)
            let start = i % 10 == 9 ? size - UInt64(r.next() % 100) : r.next() % (size + 4096)
            let got = try reader.read(at: start, count: count)
            XCTAssertEqual(got, expected(start, count), "range \(start)+\(count)")
            total += got.count
        }
        XCTAssertGreaterThan(total, 4 << 20, "some ranges were several MiB")
        // The whole file in one read, and reads at and past the end.
        XCTAssertEqual(try reader.read(at: 0, count: .max), f.plain)
        XCTAssertEqual(try reader.read(at: size, count: 1), [])
        XCTAssertEqual(try reader.read(at: size + 12_345, count: 100), [])
        XCTAssertEqual(try reader.read(at: size - 3, count: 1 << 20), expected(size - 3, 3))
    }

    func testRangesAcrossStreamsAndTheirPadding() throws {
        let f = Self.fixture
        let reader = try LZMASeekableReader(f.file)
        for s in f.streamStarts {
            for (before, after) in [(1, 1), (1, 0), (0, 1), (5_000, 200_000), (150_000, 3)] {
                let start = UInt64(s - before)
                XCTAssertEqual(try reader.read(at: start, count: before + after), expected(start, before + after),
                               "\(before) bytes before the stream at \(s), \(after) after")
            }
        }
        // From inside the first stream to inside the last: every stream and padding.
        XCTAssertEqual(try reader.read(at: 123, count: f.plain.count - 500), expected(123, f.plain.count - 500))
    }

    func testSingleBytesAroundEveryBlockBoundary() throws {
        let f = Self.fixture
        let reader = try LZMASeekableReader(f.file)
        let info = try XCTUnwrap(try LZMAFileInfo(f.file, includeBlocks: true).xz)
        var index = 0
        for s in info.streams {
            for b in s.blocks {
                let first = b.uncompressedOffset, last = b.uncompressedOffset + b.uncompressedSize - 1
                XCTAssertEqual(reader.blockIndex(holding: first), index)
                XCTAssertEqual(reader.blockIndex(holding: last), index)
                for o in [first, last] + (first > 0 ? [first - 1] : []) {
                    XCTAssertEqual(try reader.read(at: o, count: 1), [f.plain[Int(o)]], "offset \(o)")
                }
                index += 1
            }
        }
        XCTAssertEqual(index, f.blocks)
        XCTAssertNil(reader.blockIndex(holding: UInt64(f.plain.count)))
        // The reader's own table says what the file's metadata says.
        let all = info.streams.flatMap { s in s.blocks.map { ($0, s.check) } }
        for (i, (block, check)) in all.enumerated() {
            let mine = reader.blockInfo(i)
            XCTAssertEqual(mine.block, block, "block \(i)")
            XCTAssertEqual(mine.check, check, "block \(i)")
        }
    }

    func testForwardReadsBeginEachBlockOnce() throws {
        let f = Self.fixture
        for step in [4_099, Self.blockSize + 1, 1 << 20] {
            let reader = try LZMASeekableReader(f.file)
            var all: [UInt8] = []
            while true {
                let part = try reader.read(count: step)
                if part.isEmpty { break }
                all += part
            }
            XCTAssertEqual(all, f.plain, "reads of \(step)")
            XCTAssertEqual(reader.blocksStarted, f.blocks, "reads of \(step): each block begun once")
            XCTAssertEqual(reader.verifiedBlocks, f.blocks, "reads of \(step): each block's check verified")
        }
        // Forward seeks that skip blocks begin only the blocks read.
        let reader = try LZMASeekableReader(f.file)
        var touched = Set<Int>()
        var at: UInt64 = 10
        var r = Rng(s: 3)
        while at < UInt64(f.plain.count) {
            let count = Int(r.next() % 5_000) + 1
            XCTAssertEqual(try reader.read(at: at, count: count), expected(at, count))
            let end = min(at + UInt64(count), UInt64(f.plain.count)) - 1
            for b in reader.blockIndex(holding: at)!...reader.blockIndex(holding: end)! { touched.insert(b) }
            at += UInt64(count) + r.next() % 150_000
        }
        XCTAssertEqual(reader.blocksStarted, touched.count)
        XCTAssertLessThan(touched.count, f.blocks)
    }

    func testABackwardSeekBeginsTheBlockAgain() throws {
        let f = Self.fixture
        let reader = try LZMASeekableReader(f.file)
        XCTAssertEqual(try reader.read(at: 50_000, count: 10), expected(50_000, 10))
        XCTAssertEqual(try reader.read(at: 50_010, count: 10), expected(50_010, 10))
        XCTAssertEqual(reader.blocksStarted, 1, "a read where the last one ended continues the block")
        XCTAssertEqual(try reader.read(at: 40_000, count: 10), expected(40_000, 10))
        XCTAssertEqual(reader.blocksStarted, 2, "going back begins the block again")
    }

    func testTheIndexCountsAgainstTheMemoryLimit() throws {
        let f = Self.fixture
        let indexCost = UInt64(16 * f.blocks)
        XCTAssertThrowsError(try LZMASeekableReader(f.file, options: DecompressionOptions(memoryLimit: indexCost - 1))) {
            guard case .memoryLimitExceeded(let required, let limit) = $0 as! LZMAError else { return XCTFail("\($0)") }
            XCTAssertEqual(required, indexCost)
            XCTAssertEqual(limit, indexCost - 1)
        }
        // The index fits, but what it leaves is too little for a block decoder.
        let tight = try LZMASeekableReader(f.file, options: DecompressionOptions(memoryLimit: indexCost + 1000))
        XCTAssertThrowsError(try tight.read(at: 0, count: 1)) {
            guard case .memoryLimitExceeded(let required, let limit) = $0 as! LZMAError else { return XCTFail("\($0)") }
            XCTAssertEqual(limit, indexCost + 1000, "the limit as given")
            XCTAssertGreaterThan(required, indexCost + (256 << 10), "a block decoder (256 KiB dictionary) and the index")
        }
        let enough = try LZMASeekableReader(f.file, options: DecompressionOptions(memoryLimit: indexCost + (8 << 20)))
        XCTAssertEqual(try enough.read(at: 1_000_000, count: 100), expected(1_000_000, 100))
    }
}
