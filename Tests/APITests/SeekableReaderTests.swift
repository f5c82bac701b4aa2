// LZMASeekableReader: random ranges against the original bytes on
// multi-block, multi-stream, padded .xz files with every check; block
// boundaries; forward reads decode each block once; damaged indexes fail typed.
import LZMA
import XCTest

final class SeekableReaderTests: XCTestCase {
    struct Rng { var s: UInt64; mutating func next() -> UInt64 { s = s &* 6364136223846793005 &+ 1442695040888963407; return s >> 11 } }

    static func sample(_ n: Int, seed: UInt64) -> [UInt8] {
        var r = Rng(s: seed)
        var out: [UInt8] = []
        out.reserveCapacity(n)
        while out.count < n {
            if r.next() % 3 == 0, out.count > 64 {
                let back = Int(r.next() % 64) + 1
                for _ in 0..<Int(r.next() % 40) where out.count < n { out.append(out[out.count - back]) }
            } else {
                out.append(UInt8(truncatingIfNeeded: r.next() % 26 + 97))
            }
        }
        return out
    }

    /// Three streams (CRC32 / SHA-256 / CRC32), blocks of 7,000 bytes, padding between.
    func makeFile() throws -> (file: [UInt8], plain: [UInt8], blocks: Int) {
        let a = Self.sample(50_000, seed: 1), b = Self.sample(33_333, seed: 2), c = Self.sample(7_000, seed: 3)
        var file: [UInt8] = []
        file += try LZMACompressor.compress(a, options: CompressionOptions(lzma: .preset(1), check: .crc32, blockSize: 7_000))
        file += [0, 0, 0, 0]
        file += try LZMACompressor.compress(b, options: CompressionOptions(lzma: .preset(0), check: .sha256, blockSize: 7_000,
                                                                          sizesInBlockHeaders: true))
        file += [0, 0, 0, 0, 0, 0, 0, 0]
        file += try LZMACompressor.compress(c, options: CompressionOptions(lzma: .preset(0), check: .crc32, blockSize: 7_000))
        let blocks = (50_000 + 6_999) / 7_000 + (33_333 + 6_999) / 7_000 + 1
        return (file, a + b + c, blocks)
    }

    func testRandomRangesMatchTheOriginal() throws {
        let (file, plain, _) = try makeFile()
        let reader = try LZMASeekableReader(file)
        XCTAssertFalse(reader.isSequential)
        XCTAssertEqual(reader.uncompressedSize, UInt64(plain.count))
        var r = Rng(s: 42)
        for _ in 0..<200 {
            let start = Int(r.next() % UInt64(plain.count + 100))
            let count = Int(r.next() % 20_000) + 1
            let got = try reader.read(at: UInt64(start), count: count)
            let expected = start >= plain.count ? [] : Array(plain[start..<min(plain.count, start + count)])
            XCTAssertEqual(got, expected, "range \(start)+\(count)")
        }
        // The whole file in one read, and past the end.
        XCTAssertEqual(try reader.read(at: 0, count: plain.count + 10), plain)
        XCTAssertEqual(try reader.read(at: UInt64(plain.count), count: 5), [])
    }

    func testSingleBytesAtEveryBlockBoundary() throws {
        let (file, plain, _) = try makeFile()
        let reader = try LZMASeekableReader(file)
        let info = try LZMAFileInfo(file, includeBlocks: true)
        for s in info.xz!.streams {
            for b in s.blocks {
                for o in [b.uncompressedOffset, b.uncompressedOffset + b.uncompressedSize - 1] where o < UInt64(plain.count) {
                    XCTAssertEqual(try reader.read(at: o, count: 1), [plain[Int(o)]], "offset \(o)")
                }
            }
        }
    }

    func testForwardReadsDecodeEachBlockOnce() throws {
        let (file, plain, blocks) = try makeFile()
        let reader = try LZMASeekableReader(file)
        var all: [UInt8] = []
        while true {
            let part = try reader.read(count: 1_234)
            if part.isEmpty { break }
            all += part
        }
        XCTAssertEqual(all, plain)
        XCTAssertEqual(reader.blocksStarted, blocks)
        XCTAssertEqual(reader.verifiedBlocks, blocks, "every block's check was verified")
        // A forward seek inside the current block does not restart it.
        reader.seek(to: 100)
        _ = try reader.read(count: 10)
        let started = reader.blocksStarted
        reader.seek(to: 3_000)
        XCTAssertEqual(try reader.read(count: 10), Array(plain[3_000..<3_010]))
        XCTAssertEqual(reader.blocksStarted, started)
    }

    func testAReadAtTheEndCostsOneBlock() throws {
        let (file, plain, _) = try makeFile()
        let reader = try LZMASeekableReader(file)
        XCTAssertEqual(try reader.read(at: UInt64(plain.count - 100), count: 100), Array(plain.suffix(100)))
        XCTAssertEqual(reader.blocksStarted, 1)
    }

    func testSequentialFormatsStillWork() throws {
        let plain = Self.sample(30_000, seed: 9)
        for file in [try LZMACompressor.compress(plain, format: .lzma), try LZMACompressor.compress(plain)] {
            let reader = try LZMASeekableReader(file)
            XCTAssertTrue(reader.isSequential)
            XCTAssertEqual(try reader.read(at: 20_000, count: 50), Array(plain[20_000..<20_050]))
            XCTAssertEqual(try reader.read(at: 10, count: 5), Array(plain[10..<15]), "a backward seek starts over")
            XCTAssertEqual(try reader.read(at: 29_990, count: 50), Array(plain[29_990...]))
        }
    }

    func testDamagedIndexesAndBlocksFailTyped() throws {
        let (file, _, _) = try makeFile()
        // Every byte of the last 200 (the last block's end and check, the
        // index, the footer) damaged in turn: opening or reading everything
        // throws (all of them are covered by a CRC32 or the format's rules).
        for i in (file.count - 200)..<file.count {
            var bad = file
            bad[i] ^= 0x41
            var failed = false
            do {
                let reader = try LZMASeekableReader(bad)
                _ = try reader.read(at: 0, count: 100_000)
            } catch {
                failed = true
            }
            XCTAssertTrue(failed, "damage at byte \(i) of \(file.count) went unnoticed")
        }
        // A damaged block is found when it is read, with its check.
        var bad = file
        bad[200] ^= 0x01
        let reader = try LZMASeekableReader(bad)
        XCTAssertThrowsError(try reader.read(at: 0, count: 7_000))
        // A memory limit below the index's cost is refused before anything else.
        XCTAssertThrowsError(try LZMASeekableReader(file, options: DecompressionOptions(memoryLimit: 64))) {
            guard case .memoryLimitExceeded = $0 as! LZMAError else { return XCTFail("\($0)") }
        }
    }
}
