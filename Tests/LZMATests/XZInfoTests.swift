import XCTest
@testable import LZMA

/// `XZFileInfo` (what `--list` reads) and `readBlockHeader` (what `-lvv` adds),
/// on files from our own encoder; the CLI tests compare the printed text with xz.
final class XZInfoTests: XCTestCase {
    typealias S = XZTestSupport

    private func info(_ file: [UInt8]) throws -> XZFileInfo {
        try XZFileInfo(fileSize: UInt64(file.count)) { offset, count in
            Array(file[Int(offset)..<min(file.count, Int(offset) + count)])
        }
    }

    private func header(_ file: [UInt8], _ block: XZBlockInfo, _ checkID: UInt8) throws -> XZBlockHeaderInfo {
        try XZFileInfo.readBlockHeader(block, checkID: checkID) { offset, count in
            Array(file[Int(offset)..<min(file.count, Int(offset) + count)])
        }
    }

    func testBlocksAndTheirHeaders() throws {
        let data = S.mixedData(50_000, seed: 3)
        var lzma = LZMASettings.preset(0)
        lzma.dictionarySize = 3 << 19  // 1.5 MiB: not a power of two
        let options = CompressionOptions(lzma: lzma, check: .crc32, filters: [.delta(distance: 4), .x86(start: 16)],
                                         blockSize: 20_000, sizesInBlockHeaders: true)
        let file = try LZMACompressor.compress(data, format: .xz, options: options)
        let info = try info(file)
        XCTAssertEqual(info.streams.count, 1)
        let stream = info.streams[0]
        XCTAssertEqual(stream.blocks.map(\.uncompressedSize), [20_000, 20_000, 10_000])
        for block in stream.blocks {
            let h = try header(file, block, stream.checkID)
            XCTAssertEqual(h.chain, [.filter(.delta(distance: 4)), .filter(.x86(start: 16)), .lzma2(dictionarySize: 3 << 19)])
            XCTAssertEqual(h.chainDescription, "--delta=dist=4 --x86=start=16 --lzma2=dict=1536KiB")
            XCTAssertEqual(h.uncompressedSizeInHeader, block.uncompressedSize)
            XCTAssertEqual(h.compressedSizeInHeader, h.compressedDataSize)
            XCTAssertEqual(UInt64(h.headerSize) + h.compressedDataSize + 4, block.unpaddedSize)
            // The Check is the CRC32 of the block's uncompressed bytes.
            let start = Int(block.uncompressedOffset)
            let crc = CRC32.checksum(data[start..<start + Int(block.uncompressedSize)])
            XCTAssertEqual(h.checkValue, (0..<4).map { UInt8(truncatingIfNeeded: crc >> (8 * $0)) })
            // Dictionary + LZMA state + 1 KiB per filter + 32 KiB: just over 1.5 MiB.
            let memory = try XCTUnwrap(h.memoryUsage)
            XCTAssertGreaterThan(memory, UInt64(3 << 19) + (32 << 10))
            XCTAssertLessThan(memory, UInt64(3 << 19) + (128 << 10))
        }
    }

    func testDamagedOrInconsistentHeadersThrow() throws {
        let data = S.mixedData(5_000, seed: 4)
        let file = try LZMACompressor.compress(data, format: .xz, options: CompressionOptions(lzma: .preset(0), blockSize: 10_000,
                                                                                              sizesInBlockHeaders: true))
        let info = try info(file)
        let block = info.streams[0].blocks[0]
        let at = Int(block.compressedOffset)
        let size = (Int(file[at]) + 1) * 4
        func patched(_ change: (inout [UInt8]) -> Void) -> [UInt8] {
            var f = file
            change(&f)
            let crc = CRC32.checksum(f[at..<at + size - 4])
            for i in 0..<4 { f[at + size - 4 + i] = UInt8(truncatingIfNeeded: crc >> (8 * UInt32(i))) }
            return f
        }
        func corrupt(_ f: [UInt8]) -> Bool {
            do { _ = try header(f, block, info.streams[0].checkID) } catch LZMAError.corruptData { return true } catch {}
            return false
        }
        var flipped = file
        flipped[at + 2] ^= 1
        XCTAssertTrue(corrupt(flipped), "CRC32 mismatch")
        // Block flags 0xC0: both sizes follow at byte 2; change the uncompressed one.
        XCTAssertEqual(file[at + 1] & 0xC0, 0xC0)
        XCTAssertTrue(corrupt(patched { f in
            var p = at + 2
            while f[p] & 0x80 != 0 { p += 1 }  // skip the compressed size
            f[p + 1] ^= 1                      // low bits of the uncompressed size
        }), "uncompressed size differs from the index")
        var indicator = file
        indicator[at] = 0
        XCTAssertTrue(corrupt(indicator), "index indicator in place of a block")
        // A filter this library does not know: unsupported, as xz's "Unsupported options".
        let unknown = patched { f in
            var p = at + 2
            for _ in 0..<2 { while f[p] & 0x80 != 0 { p += 1 }; p += 1 }
            f[p] = 0x7F
        }
        XCTAssertThrowsError(try header(unknown, block, info.streams[0].checkID)) {
            guard case LZMAError.unsupported = $0 else { return XCTFail("\($0)") }
        }
    }
}
