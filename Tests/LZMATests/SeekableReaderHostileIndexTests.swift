// LZMASeekableReader against hostile indexes: huge record counts, sizes that
// overflow, records that disagree with the blocks, a bad CRC32, a wrong
// backward size — each a specific typed error, at open or at the read that
// meets the bad block, without a large allocation; and every bit flip in the
// index and footer of the corruption matrix's multi-block sample.
import Foundation
import XCTest
@testable import LZMA

final class SeekableReaderHostileIndexTests: XCTestCase {
    /// One stream, five blocks of 3,000 bytes, CRC64.
    static let original: [UInt8] = CorruptionMatrixTests.content(15_000, seed: 31)
    static let file: [UInt8] = try! LZMACompressor.compress(original, options: CompressionOptions(
        lzma: LZMASettings(dictionarySize: 1 << 16), check: .crc64, blockSize: 3_000))
    static let records: [(unpadded: UInt64, uncompressed: UInt64)] = {
        let info = try! LZMAFileInfo(file, includeBlocks: true)
        return info.xz!.streams[0].blocks.map { ($0.unpaddedSize, $0.uncompressedSize) }
    }()

    /// `file` with its Index replaced by `index`, and the footer's backward
    /// size (`backwardSize`, or the one that fits `index`) and CRC32 made to match.
    static func replacingIndex(with index: [UInt8], backwardSize: UInt32? = nil) -> [UInt8] {
        let file = Self.file
        let footer = file.count - 12
        let oldSize = (Int(readLittleEndian(file, at: footer + 4, count: 4)) + 1) * 4
        var out = Array(file[..<(footer - oldSize)]) + index + Array(file[footer...])
        let f = out.count - 12
        let stored = backwardSize ?? UInt32(index.count / 4 - 1)
        for i in 0..<4 { out[f + 4 + i] = UInt8(truncatingIfNeeded: stored >> (8 * UInt32(i))) }
        XZTestSupport.fixCRC32(&out, of: (f + 4)..<(f + 10), at: f)
        return out
    }

    /// An Index with these records and this count, padded, with a right CRC32.
    static func index(count: UInt64, _ records: [(unpadded: UInt64, uncompressed: UInt64)]) -> [UInt8] {
        var out: [UInt8] = [0] + VLI.encode(count)
        for r in records { out += VLI.encode(r.unpadded) + VLI.encode(r.uncompressed) }
        while out.count % 4 != 0 { out.append(0) }
        return out + littleEndianBytes(UInt64(CRC32.checksum(out)), count: 4)
    }

    /// Opens `file` and reads all of it; returns the error (failing if there is none).
    func failure(_ file: [UInt8], _ what: String, line: UInt = #line) -> LZMAError? {
        do {
            let reader = try LZMASeekableReader(file)
            let all = try reader.read(at: 0, count: .max)
            XCTFail("\(what): no error (\(all.count) bytes read)", line: line)
        } catch {
            return error
        }
        return nil
    }

    func assertCorrupt(_ file: [UInt8], _ what: String, mentioning words: [String], line: UInt = #line) {
        let before = CorruptionMatrixTests.residentBytes()
        guard let e = failure(file, what, line: line) else { return }
        guard case .corruptData(let message, _) = e else { return XCTFail("\(what): \(e)", line: line) }
        XCTAssertTrue(words.contains { message.contains($0) }, "\(what): \(message)", line: line)
        XCTAssertLessThan(CorruptionMatrixTests.residentBytes() - before, 16 << 20, "\(what): memory grew", line: line)
    }

    func testTheFixtureReadsBack() throws {
        XCTAssertEqual(Self.records.count, 5)
        // The helper rebuilds the same index: the file is unchanged.
        XCTAssertEqual(Self.replacingIndex(with: Self.index(count: 5, Self.records)), Self.file)
        let reader = try LZMASeekableReader(Self.file)
        XCTAssertEqual(try reader.read(at: 0, count: .max), Self.original)
    }

    func testHugeRecordCounts() {
        for count: UInt64 in [6, 1 << 32, 1 << 62, VLI.max] {
            assertCorrupt(Self.replacingIndex(with: Self.index(count: count, Self.records)),
                          "count \(count)", mentioning: ["index: invalid unpadded size"])
        }
        // Many records that do fit in the index, but not blocks in the file.
        let many = [(unpadded: UInt64, uncompressed: UInt64)](repeating: (8, 1 << 40), count: 4_000)
        assertCorrupt(Self.replacingIndex(with: Self.index(count: 4_000, many)), "4,000 records",
                      mentioning: ["larger than the file"])
    }

    func testSizesThatOverflow() {
        var r = Self.records
        r[1].uncompressed = VLI.max
        r[2].uncompressed = VLI.max
        assertCorrupt(Self.replacingIndex(with: Self.index(count: 5, r)), "uncompressed sizes", mentioning: ["2^63"])
        r = Self.records
        r[0].unpadded = XZBlockHeader.maxUnpaddedSize
        r[1].unpadded = XZBlockHeader.maxUnpaddedSize
        assertCorrupt(Self.replacingIndex(with: Self.index(count: 5, r)), "unpadded sizes", mentioning: ["2^63"])
        r = Self.records
        r[3].unpadded = XZBlockHeader.maxUnpaddedSize + 1
        assertCorrupt(Self.replacingIndex(with: Self.index(count: 5, r)), "an unpadded size out of range",
                      mentioning: ["invalid unpadded size"])
        r = Self.records
        r[4].unpadded = 1 << 40
        assertCorrupt(Self.replacingIndex(with: Self.index(count: 5, r)), "a block larger than the file",
                      mentioning: ["larger than the file"])
    }

    func testRecordsThatDisagreeWithTheBlocks() {
        var r = Self.records
        // Uncompressed sizes moved between blocks 2 and 3 (the total is right).
        r[1].uncompressed += 1
        r[2].uncompressed -= 1
        assertCorrupt(Self.replacingIndex(with: Self.index(count: 5, r)), "uncompressed +1/-1",
                      mentioning: ["block 2 ends before"])
        r = Self.records
        r[1].uncompressed -= 1
        r[2].uncompressed += 1
        assertCorrupt(Self.replacingIndex(with: Self.index(count: 5, r)), "uncompressed -1/+1",
                      mentioning: ["block 2 holds more data"])
        // Unpadded sizes moved by 4: block 3 no longer starts where it does.
        r = Self.records
        r[1].unpadded += 4
        r[2].unpadded -= 4
        assertCorrupt(Self.replacingIndex(with: Self.index(count: 5, r)), "unpadded +4/-4",
                      mentioning: ["block 2 differs from its index record"])
        r = Self.records
        r[1].unpadded -= 4
        r[2].unpadded += 4
        assertCorrupt(Self.replacingIndex(with: Self.index(count: 5, r)), "unpadded -4/+4",
                      mentioning: ["block 2 goes on past the end its index records"])
        // An Unpadded Size off by one that the block padding hides.
        r = Self.records
        let k = r.firstIndex { $0.unpadded % 4 != 0 }!
        if r[k].unpadded % 4 == 3 { r[k].unpadded -= 1 } else { r[k].unpadded += 1 }
        assertCorrupt(Self.replacingIndex(with: Self.index(count: 5, r)), "unpadded off by one",
                      mentioning: ["block \(k + 1) differs from its index record"])
        // Blocks 2 and 3 as one record.
        r = Self.records
        r[1] = ((r[1].unpadded + 3) / 4 * 4 + r[2].unpadded, r[1].uncompressed + r[2].uncompressed)
        r.remove(at: 2)
        assertCorrupt(Self.replacingIndex(with: Self.index(count: 4, r)), "two blocks as one record",
                      mentioning: ["block 2 ends before"])
    }

    func testAFailedBlockFailsAgainAndTheOthersStillRead() throws {
        var bad = Self.file
        let info = try XCTUnwrap(try LZMAFileInfo(bad, includeBlocks: true).xz)
        let second = info.streams[0].blocks[1]
        bad[Int(second.compressedOffset) + 40] ^= 0x20
        let reader = try LZMASeekableReader(bad)
        var errors: [String] = []
        for _ in 0..<2 {
            XCTAssertThrowsError(try reader.read(at: 3_000, count: 3_000)) { errors.append("\($0)") }
            XCTAssertEqual(try reader.read(at: 9_000, count: 10), Array(Self.original[9_000..<9_010]))
        }
        XCTAssertEqual(errors.count, 2)
        XCTAssertEqual(errors.first, errors.last, "the same error each time")
    }

    func testABadCRC32() {
        var bad = Self.index(count: 5, Self.records)
        bad[bad.count - 2] ^= 0x10
        assertCorrupt(Self.replacingIndex(with: bad), "index CRC32", mentioning: ["index CRC32 mismatch"])
    }

    func testAWrongBackwardSize() {
        let index = Self.index(count: 5, Self.records)
        let right = UInt32(index.count / 4 - 1)
        for (stored, words) in [(right + 1, ["index indicator"]), (right - 1, ["index indicator"]), (UInt32.max, ["backward size"])] {
            assertCorrupt(Self.replacingIndex(with: index, backwardSize: stored), "backward size \(stored)", mentioning: words)
        }
    }

    /// Every bit of the index and footer of the corruption matrix's
    /// multi-block sample, flipped in turn: a typed error, at open or while
    /// reading everything.
    func testEveryBitFlipInTheMatrixSamplesIndex() throws {
        let sample = try XCTUnwrap(CorruptionMatrixTests.samples.first { $0.name == "xz-blocks" })
        let reader = try LZMASeekableReader(sample.file)
        XCTAssertFalse(reader.isSequential)
        XCTAssertEqual(try reader.read(at: 0, count: .max), sample.original)
        let footer = sample.file.count - 12
        let indexSize = (Int(readLittleEndian(sample.file, at: footer + 4, count: 4)) + 1) * 4
        var kinds: [String: Int] = [:]
        for i in (footer - indexSize)..<sample.file.count {
            for bit in 0..<8 {
                var bad = sample.file
                bad[i] ^= 1 << bit
                guard let e = failure(bad, "bit \(bit) of byte \(i)") else { continue }
                switch e {
                case .corruptData, .unsupported, .truncatedInput: kinds["\(e)".prefix(24).description, default: 0] += 1
                default: XCTFail("bit \(bit) of byte \(i): \(e)")
                }
            }
        }
        print("index/footer bit flips: \(kinds.sorted { $0.key < $1.key })")
    }
}
