import XCTest
@testable import LZMA

/// The .lzma format allows lc up to 8 and lc + lp above 4, which xz cannot
/// write; our encoder can (in raw mode), so both directions are checked here.
final class WideContextTests: XCTestCase {
    private func sample(_ n: Int) -> [UInt8] {
        var x: UInt32 = 12345
        var out = [UInt8]()
        out.reserveCapacity(n)
        let words = ["alpha ", "beta ", "gamma ", "delta\n", "epsilon ", "zeta, "]
        while out.count < n {
            x = x &* 1_103_515_245 &+ 12345
            if x >> 28 == 0 { out.append(UInt8(truncatingIfNeeded: x >> 8)) } else {
                out += Array(words[Int(x >> 16) % words.count].utf8)
            }
        }
        return Array(out.prefix(n))
    }

    func testRawRoundTripWithLargeLcAndLp() throws {
        let input = sample(30_000)
        for (lc, lp, pb) in [(8, 4, 4), (8, 0, 0), (5, 3, 1), (0, 4, 2), (6, 2, 3)] {
            var options = LZMASettings.preset(1)
            options.lc = lc; options.lp = lp; options.pb = pb
            options.dictionarySize = 1 << 16
            let raw = try LZMACompressor.compress(input, format: .rawLZMA1, options: CompressionOptions(lzma: options))
            let props = try LZMAProperties(lc: lc, lp: lp, pb: pb, dictionarySize: 1 << 16)
            let out = try LZMADecompressor.decompress(raw, format: .rawLZMA1, options: DecompressionOptions(properties: props))
            XCTAssertEqual(out, input, "lc=\(lc) lp=\(lp) pb=\(pb)")

            // The same payload behind a hand-made .lzma header (unknown size).
            var file = [props.propertiesByte, 0, 0, 1, 0]
            file += [UInt8](repeating: 0xFF, count: 8)
            file += raw
            XCTAssertEqual(try LZMADecompressor.decompress(file, format: .lzma), input, "lc=\(lc) lp=\(lp) pb=\(pb) .lzma")

            // Byte-at-a-time streaming gives the same bytes.
            let d = LZMADecompressor(format: .lzma)
            var streamed = [UInt8]()
            for b in file.prefix(4000) { streamed += try d.decompress(CollectionOfOne(b)) }
            streamed += try d.decompress(file.dropFirst(4000))
            try d.finish()
            XCTAssertEqual(streamed, input)
        }
    }

    func testLZMAAloneEncoderRefusesLcPlusLpAbove4() {
        var options = LZMASettings.preset(1)
        options.lc = 4; options.lp = 1
        XCTAssertThrowsError(try LZMACompressor(format: .lzma, options: CompressionOptions(lzma: options))) { error in
            guard case LZMAError.invalidOptions = error else { return XCTFail("\(error)") }
        }
    }
}
