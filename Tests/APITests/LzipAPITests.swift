// .lz through the public API: auto-detection, concatenated members and the
// size up front from LZMAFileInfo, with files made by the real lzip.
import Foundation
import LZMA
import LZMAFoundation
import XCTest

final class LzipAPITests: XCTestCase {
    private func lzip(_ input: [UInt8], _ args: [String]) throws -> [UInt8] {
        try ToolSupport.run("lzip", args + ["-c"], onFileWith: input)
    }

    func testAutoDetectedMembersAndSizeUpFront() throws {
        // Barely compressible, so that lzip's 100 kB member limit makes several members.
        var state: UInt32 = 1
        let input: [UInt8] = (0..<250_000).map { _ in
            state = state &* 1_103_515_245 &+ 12_345
            return UInt8(truncatingIfNeeded: state >> 16) & 0x7F
        }
        let file = try lzip(input, ["-6", "-b", "100000"])
        XCTAssertGreaterThan(file.count, 200_000, "several members")
        XCTAssertEqual(try LZMADecompressor.decompress(file), input)
        let info = try LZMAFileInfo(file)
        XCTAssertEqual(info.format, .lzip)
        XCTAssertEqual(info.uncompressedSize, UInt64(input.count))
        // Python-style: one member at a time with concatenated: false.
        let d = LZMADecompressor(options: DecompressionOptions(concatenated: false))
        let first = try d.decompress(file)
        XCTAssertTrue(d.isFinished)
        XCTAssertEqual(first, Array(input.prefix(first.count)))
        XCTAssertFalse(d.unusedData.isEmpty)
        XCTAssertEqual(d.detectedFormat, .lzip)
        // Trailing bytes after the last member are ignored, as xz -d ignores them.
        XCTAssertEqual(try LZMADecompressor.decompress(file + Array("trailing".utf8)), input)
        XCTAssertEqual([UInt8](try Data(file + Array("trailing".utf8)).lzmaDecompressed()), input, "Data follows the same rule")
    }
}
