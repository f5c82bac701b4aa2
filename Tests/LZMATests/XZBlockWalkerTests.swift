import XCTest
@testable import LZMA

/// `XZBlockWalker`: the blocks of `XZFileInfo` one at a time, without keeping them.
final class XZBlockWalkerTests: XCTestCase {
    private func reader(_ file: [UInt8]) -> (UInt64, Int) throws(LZMAError) -> [UInt8] {
        { offset, count in Array(file[Int(offset)..<min(file.count, Int(offset) + count)]) }
    }

    /// Streams of 1, 0, 700 and 3 blocks (700 records: more than one 4 KiB
    /// read of the Index), with stream padding between them.
    private func file() throws -> [UInt8] {
        var file: [UInt8] = []
        for (size, blockSize) in [(5_000, 10_000), (0, 10_000), (70_000, 100), (3_000, 1_000)] {
            let data = XZTestSupport.mixedData(size, seed: UInt64(size))
            let options = CompressionOptions(lzma: .preset(0), check: .crc64, blockSize: UInt64(blockSize))
            file += try LZMACompressor.compress(data, format: .xz, options: options) + [0, 0, 0, 0]
        }
        return file
    }

    func testWalksTheBlocksThatIncludeBlocksKeeps() throws {
        let file = try file()
        let read = reader(file)
        let full = try XZFileInfo(fileSize: UInt64(file.count), includeBlocks: true, read: read)
        let bare = try XZFileInfo(fileSize: UInt64(file.count), includeBlocks: false, read: read)
        XCTAssertEqual(bare.streams.map(\.blocks.count), [0, 0, 0, 0])
        XCTAssertEqual(full.streams.map(\.blocks.count), [1, 0, 700, 3])
        var walker = XZBlockWalker(bare)
        var seen: [(Int, XZBlockInfo)] = []
        while let b = try walker.next(read: read) { seen.append((walker.streamIndex, b)) }
        let expected = full.streams.enumerated().flatMap { (i, s) in s.blocks.map { (i, $0) } }
        XCTAssertEqual(seen.count, expected.count)
        XCTAssertEqual(seen.map(\.0), expected.map(\.0))
        XCTAssertEqual(seen.map(\.1), expected.map(\.1))
        // Ended for good.
        XCTAssertNil(try walker.next(read: read))
        XCTAssertNil(try walker.next(read: read))
    }

    func testAnIndexThatChangedIsCorrupt() throws {
        let file = try file()
        let info = try XZFileInfo(fileSize: UInt64(file.count), includeBlocks: false, read: reader(file))
        // The same file with its last stream's Index made to list no blocks.
        let last = info.streams[3]
        var changed = file
        let indexStart = Int(last.compressedOffset + last.compressedSize) - 12 - Int(last.indexSize)
        var walker = XZBlockWalker(info)
        changed[indexStart + 1] = 0  // the record count
        XCTAssertThrowsError(try { while try walker.next(read: reader(changed)) != nil {} }()) { error in
            XCTAssertEqual((error as? LZMAError)?.caseName, "corruptData", "\(error)")
        }
    }
}
