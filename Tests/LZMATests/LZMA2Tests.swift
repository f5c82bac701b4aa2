import Foundation
import XCTest
@testable import LZMA

/// LZMA2 chunks: hand-built streams for every control byte and reset level,
/// xz's raw LZMA2 output, and the errors for invalid chunk sequences.
final class LZMA2Tests: XCTestCase {
    typealias S = XZTestSupport

    // MARK: - Building chunks by hand

    /// An LZMA chunk's payload: an LZMA1 stream with lc = lp = pb = 0 and no
    /// end marker. With those properties a literal's coding depends on
    /// neither the previous byte nor the position, so after a state reset the
    /// payload decodes to `data` wherever it is placed in a stream.
    static func lzmaPayload(_ data: [UInt8]) throws -> [UInt8] {
        let options = LZMASettings(lc: 0, lp: 0, pb: 0, dictionarySize: 1 << 16)
        let file = try LZMACompressor.compress(data, format: .lzma,
                                               options: CompressionOptions(lzma: options, uncompressedSize: UInt64(data.count)))
        return Array(file.dropFirst(13))
    }

    /// An LZMA chunk with the given reset level (0...3); props byte 0 when it has one.
    static func lzmaChunk(_ data: [UInt8], reset: UInt8, payload: [UInt8]? = nil, props: UInt8 = 0) throws -> [UInt8] {
        let p = try payload ?? lzmaPayload(data)
        let u = data.count - 1, c = p.count - 1
        var out: [UInt8] = [0x80 | reset << 5 | UInt8(u >> 16), UInt8(u >> 8 & 0xFF), UInt8(u & 0xFF),
                            UInt8(c >> 8), UInt8(c & 0xFF)]
        if reset >= 2 { out.append(props) }
        return out + p
    }

    static func storedChunk(_ data: [UInt8], dictReset: Bool) -> [UInt8] {
        let u = data.count - 1
        return [dictReset ? 1 : 2, UInt8(u >> 8), UInt8(u & 0xFF)] + data
    }

    static func decodeRaw(_ stream: [UInt8], dict: UInt32 = 1 << 16) throws -> [UInt8] {
        try LZMADecompressor.decompress(stream, format: .rawLZMA2, options: .rawLZMA2(dictionarySize: dict))
    }

    /// The control bytes of a raw LZMA2 stream.
    static func controlBytes(_ s: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var i = 0
        while i < s.count {
            let c = s[i]
            out.append(c)
            if c == 0 { break }
            if c < 0x80 {
                i += 3 + (Int(s[i + 1]) << 8 | Int(s[i + 2])) + 1
            } else {
                i += (c >= 0xC0 ? 6 : 5) + (Int(s[i + 3]) << 8 | Int(s[i + 4])) + 1
            }
        }
        return out
    }

    // MARK: - Valid streams

    func testEmptyStream() throws {
        XCTAssertEqual(try Self.decodeRaw([0x00]), [])
        let d = LZMADecompressor(format: .rawLZMA2, options: .rawLZMA2(dictionarySize: 4096))
        XCTAssertEqual(try d.decompress([0x00, 0xAA, 0xBB]), [])
        XCTAssertTrue(d.isFinished)
        XCTAssertEqual(d.unusedData, [0xAA, 0xBB])
    }

    func testUncompressedChunks() throws {
        let a = S.mixedData(1000, seed: 20), b = S.mixedData(65536, seed: 21), c = S.mixedData(7, seed: 22)
        let stream = Self.storedChunk(a, dictReset: true) + Self.storedChunk(b, dictReset: false)
            + Self.storedChunk(c, dictReset: true) + [0]
        XCTAssertEqual(try Self.decodeRaw(stream), a + b + c)
        XCTAssertEqual(try S.decodeChunked(stream, format: .rawLZMA2, options: .rawLZMA2(dictionarySize: 4096),
                                           inChunk: 1, outChunk: 1000), a + b + c)
    }

    func testEveryResetLevel() throws {
        let a = S.mixedData(5000, seed: 23), b = S.mixedData(3000, seed: 24), c = S.mixedData(4000, seed: 25)
        // 0xE0 (everything), stored chunk, 0xC0 (props + state), 0xA0 (state),
        // stored, 0xC0 (after a stored chunk with dictionary reset), 0xE0 again.
        let parts: [[UInt8]] = [
            try Self.lzmaChunk(a, reset: 3),
            Self.storedChunk(b, dictReset: false),
            try Self.lzmaChunk(c, reset: 2),
            try Self.lzmaChunk(a, reset: 1),
            Self.storedChunk(c, dictReset: true),
            try Self.lzmaChunk(b, reset: 2),
            try Self.lzmaChunk(c, reset: 3),
        ]
        let stream = parts.joined() + [0]
        XCTAssertEqual(Self.controlBytes(Array(stream)), [0xE0, 0x02, 0xC0, 0xA0, 0x01, 0xC0, 0xE0, 0x00])
        let expected = a + b + c + a + c + b + c
        XCTAssertEqual(try Self.decodeRaw(Array(stream)), expected)
        XCTAssertEqual(try S.decodeChunked(Array(stream), format: .rawLZMA2, options: .rawLZMA2(dictionarySize: 1 << 16),
                                           inChunk: 1, outChunk: 3), expected)
    }

    func testPropertiesChangeBetweenChunks() throws {
        // A chunk with lc=3, lp=0, pb=2 encoded on its own (reset level 3 at
        // the start, so its context is the fresh dictionary).
        let a = S.mixedData(3000, seed: 26), b = S.mixedData(2000, seed: 27)
        let opts = LZMASettings(lc: 1, lp: 3, pb: 4, dictionarySize: 1 << 16)
        let payload = Array(try LZMACompressor.compress(a, format: .lzma,
                                                        options: CompressionOptions(lzma: opts, uncompressedSize: UInt64(a.count)))
                                .dropFirst(13))
        let props = UInt8((4 * 5 + 3) * 9 + 1)
        let stream = try Self.lzmaChunk(a, reset: 3, payload: payload, props: props) + Self.lzmaChunk(b, reset: 2) + [0]
        XCTAssertEqual(try Self.decodeRaw(stream), a + b)
    }

    /// xz's raw LZMA2 of data with compressible and random parts uses every
    /// chunk type xz writes: 0x01/0xE0 first, 0x80 continuation chunks,
    /// 0x02 stored chunks and 0xA0 state resets after them.
    func testXZRawLZMA2() throws {
        var rng = FilterTests.RNG(seed: 28)
        let data = rng.bytes(70_000) + S.mixedData(200_000, seed: 29, noise: 25) + rng.bytes(150_000) + S.mixedData(100_000, seed: 30)
        let stream = try S.xz(["--format=raw", "--lzma2=preset=0,dict=256KiB", "-c"], data)
        // Chunk kinds: the control byte without the size bits.
        let kinds = Set(Self.controlBytes(stream).map { $0 >= 0x80 ? $0 & 0xE0 : $0 })
        XCTAssertEqual(kinds, [0x01, 0x02, 0x80, 0xA0, 0xC0, 0x00], "\(Self.controlBytes(stream).map { String($0, radix: 16) })")
        XCTAssertEqual(try Self.decodeRaw(stream, dict: 256 << 10), data)
        XCTAssertEqual(try S.decodeChunked(stream, format: .rawLZMA2, options: .rawLZMA2(dictionarySize: 256 << 10),
                                           inChunk: 4093, outChunk: 65521), data)

        let small = S.mixedData(20_000, seed: 31)
        let s2 = try S.xz(["--format=raw", "--lzma2=preset=6,lc=1,lp=2,pb=1", "-c"], small)
        XCTAssertEqual(Self.controlBytes(s2).map { $0 & 0xE0 }, [0xE0, 0x00])
        XCTAssertEqual(try Self.decodeRaw(s2, dict: 8 << 20), small)
        XCTAssertEqual(try S.decodeChunked(s2, format: .rawLZMA2, options: .rawLZMA2(dictionarySize: 8 << 20),
                                           inChunk: 1, outChunk: 1), small)
    }

    /// The decoder finds the next literal's coder from the byte's high bits
    /// alone when lc <= 3, from the whole byte above that: xz's streams for
    /// every lc with lp 0 and for lp up to 4 (where the position bits sit
    /// just above the byte's in the coder index) decode to the input, in one
    /// call and streamed in odd-sized pieces. The input is literal-heavy
    /// text, so consecutive literals pick their coders this way.
    func testLiteralContextsForEveryLcAndLp() throws {
        var rng = FilterTests.RNG(seed: 41)
        let data = S.mixedData(24_000, seed: 42, noise: 60) + rng.bytes(4_000)
        for (lc, lp) in [(0, 0), (1, 0), (2, 0), (3, 0), (4, 0), (0, 4), (1, 3), (2, 2), (3, 1)] {
            let stream = try S.xz(["--format=raw", "--lzma2=preset=6,lc=\(lc),lp=\(lp)", "-c"], data)
            XCTAssertEqual(try Self.decodeRaw(stream, dict: 8 << 20), data, "lc=\(lc) lp=\(lp)")
            XCTAssertEqual(try S.decodeChunked(stream, format: .rawLZMA2, options: .rawLZMA2(dictionarySize: 8 << 20),
                                               inChunk: 7, outChunk: 33), data, "lc=\(lc) lp=\(lp), chunked")
        }
    }

    func testDictionarySizeCodes() throws {
        XCTAssertEqual(try LZMA2Decoder.dictionarySize(propertiesByte: 0), 4096)
        XCTAssertEqual(try LZMA2Decoder.dictionarySize(propertiesByte: 1), 6144)
        XCTAssertEqual(try LZMA2Decoder.dictionarySize(propertiesByte: 18), 2 << 20)
        XCTAssertEqual(try LZMA2Decoder.dictionarySize(propertiesByte: 19), 3 << 20)
        XCTAssertEqual(try LZMA2Decoder.dictionarySize(propertiesByte: 39), 3 << 30)
        XCTAssertEqual(try LZMA2Decoder.dictionarySize(propertiesByte: 40), UInt32.max)
        S.assertThrows("41", { _ = try LZMA2Decoder.dictionarySize(propertiesByte: 41) }, S.isUnsupported)
        S.assertThrows("0x40", { _ = try LZMA2Decoder.dictionarySize(propertiesByte: 0x40) }, S.isUnsupported)
    }

    func testMemoryLimit() {
        let limited = DecompressionOptions.rawLZMA2(dictionarySize: 64 << 20, memoryLimit: 1 << 20)
        S.assertThrows("limit", { _ = try LZMADecompressor.decompress([0], format: .rawLZMA2, options: limited) }) {
            if case .memoryLimitExceeded = $0 { return true } else { return false }
        }
    }

    // MARK: - Invalid streams

    func assertCorrupt(_ stream: [UInt8], _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        S.assertThrows(what, file: file, line: line, { _ = try Self.decodeRaw(stream) }) {
            if case .corruptData = $0 { return true } else { return false }
        }
        S.assertThrows(what + " (1-byte chunks)", file: file, line: line, {
            _ = try S.decodeChunked(stream, format: .rawLZMA2, options: .rawLZMA2(dictionarySize: 1 << 16), inChunk: 1, outChunk: 1)
        }) {
            if case .corruptData = $0 { return true } else { return false }
        }
    }

    func testInvalidChunkSequences() throws {
        let a = S.mixedData(2000, seed: 32)
        let good = try Self.lzmaChunk(a, reset: 3)
        assertCorrupt(Self.storedChunk(a, dictReset: false) + [0], "first chunk without dictionary reset")
        assertCorrupt(try Self.lzmaChunk(a, reset: 2) + [0], "first LZMA chunk without dictionary reset")
        assertCorrupt(Self.storedChunk(a, dictReset: true) + (try Self.lzmaChunk(a, reset: 1)) + [0],
                      "state reset without properties after a dictionary reset")
        assertCorrupt(Self.storedChunk(a, dictReset: true) + (try Self.lzmaChunk(a, reset: 0)) + [0],
                      "no reset without properties after a dictionary reset")
        assertCorrupt([0x03, 0, 0, 0], "control byte 3")
        assertCorrupt([0x7F, 0, 0, 0], "control byte 0x7F")
        var bad = good
        bad[5] = 225
        assertCorrupt(bad + [0], "properties byte 225")
        bad[5] = UInt8((0 * 5 + 2) * 9 + 3)  // lc=3, lp=2
        assertCorrupt(bad + [0], "lc + lp > 4")
    }

    func testWrongSizesInLZMAChunk() throws {
        let a = S.mixedData(2000, seed: 33)
        let good = try Self.lzmaChunk(a, reset: 3)
        let c = Int(good[3]) << 8 | Int(good[4])
        // Compressed size one larger, with a junk byte appended to the payload.
        var bigger = good
        bigger[3] = UInt8((c + 1) >> 8); bigger[4] = UInt8((c + 1) & 0xFF)
        assertCorrupt(bigger + [0x55, 0], "compressed size too large")
        // Compressed size one smaller.
        var smaller = good
        smaller[3] = UInt8((c - 1) >> 8); smaller[4] = UInt8((c - 1) & 0xFF)
        assertCorrupt(Array(smaller.dropLast()) + [0], "compressed size too small")
        // Uncompressed size one larger / smaller.
        let u = a.count - 1
        var more = good
        more[1] = UInt8((u + 1) >> 8); more[2] = UInt8((u + 1) & 0xFF)
        assertCorrupt(more + [0], "uncompressed size too large")
        var less = good
        less[1] = UInt8((u - 1) >> 8); less[2] = UInt8((u - 1) & 0xFF)
        assertCorrupt(less + [0], "uncompressed size too small")
        // Flipped payload bits somewhere in the middle.
        var flipped = good
        flipped[6 + c / 2] ^= 0x40
        assertCorrupt(flipped + [0], "flipped bit")
    }

    func testTruncatedStream() throws {
        let a = S.mixedData(1500, seed: 34)
        let stream = try Self.lzmaChunk(a, reset: 3) + Self.storedChunk(a, dictReset: false) + [0]
        XCTAssertEqual(try Self.decodeRaw(stream), a + a)
        for n in 0..<stream.count {
            S.assertThrows("truncated to \(n)", { _ = try Self.decodeRaw(Array(stream[0..<n])) }) {
                if case .truncatedInput = $0 { return true }
                if case .corruptData = $0 { return true }
                return false
            }
        }
    }
}
