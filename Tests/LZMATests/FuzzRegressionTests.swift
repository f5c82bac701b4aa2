import Foundation
import XCTest
import LZMA

/// Inputs found by fuzzing (TestVectors/regressions/) and hand-made hostile
/// headers of the kinds the fuzz targets start from (Scripts/fuzz/), each with
/// the exact outcome it must have.
final class FuzzRegressionTests: XCTestCase {
    private static let regressions = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("TestVectors/regressions")

    private func regression(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: Self.regressions.appendingPathComponent(name)))
    }

    /// "hello hello hello" as xz -0 --format=lzma writes it (unknown size, end marker).
    private static let helloStream: [UInt8] = [
        0x5D, 0x00, 0x00, 0x04, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0x00, 0x34, 0x19, 0x49, 0xDB, 0x85, 0x5C, 0x67, 0x72, 0x3C, 0xF9, 0x5F, 0xFF, 0xFF, 0xF7, 0x42, 0x00, 0x00,
    ]
    private static let hello = Array("hello hello hello".utf8)

    /// The hello stream with header fields replaced.
    private func hostile(props: UInt8 = 0x5D, dict: UInt32 = 1 << 16, size: UInt64 = .max,
                         payload: ArraySlice<UInt8>? = nil) -> [UInt8] {
        var h: [UInt8] = [props]
        for i in 0..<4 { h.append(UInt8(truncatingIfNeeded: dict >> (8 * UInt32(i)))) }
        for i in 0..<8 { h.append(UInt8(truncatingIfNeeded: size >> (8 * UInt64(i)))) }
        return h + (payload ?? Self.helloStream[13...])
    }

    /// Decodes feeding `chunk` bytes per call to `decode(input:output:)`;
    /// returns the output or the error.
    private func decodeChunked(_ data: [UInt8], format: LZMAFormat, chunk: Int,
                               options: DecompressionOptions = DecompressionOptions()) -> Result<[UInt8], LZMAError> {
        let d = LZMADecompressor(format: format, options: options)
        var out = [UInt8]()
        var buf = [UInt8](repeating: 0, count: 4096)
        var pos = 0
        do {
            while true {
                let end = min(data.count, pos + chunk)
                let r = try data[pos..<end].withUnsafeBufferPointer { i in
                    try buf.withUnsafeMutableBufferPointer { try d.decode(input: i, output: $0) }
                }
                out += buf[0..<r.produced]
                pos += r.consumed
                if r.status == .streamEnd { return .success(out) }
                if r.consumed == 0 && r.produced == 0 && pos == data.count {
                    try d.finish()
                    XCTFail("finish() accepted an unfinished stream")
                    return .success(out)
                }
            }
        } catch let e as LZMAError {
            return .failure(e)
        } catch {
            XCTFail("unexpected \(error)")
            return .failure(.programmingError("\(error)"))
        }
    }

    private func oneShot(_ data: [UInt8], format: LZMAFormat = .lzma,
                         options: DecompressionOptions = DecompressionOptions()) -> Result<[UInt8], LZMAError> {
        do {
            return .success(try LZMADecompressor.decompress(data, format: format, options: options))
        } catch {
            // Typed throws: every error is an LZMAError.
            return .failure(error)
        }
    }

    func testHelloStreamDecodes() {
        // The base of the hostile inputs below must itself be valid.
        XCTAssertEqual(try oneShot(Self.helloStream).get(), Self.hello)
    }

    // MARK: - Found by fuzzing

    /// Found by the `stream` target: a corrupt match distance was reported at
    /// input byte 24 when decoded in one call, but at 27 when fed one byte at a
    /// time. The careful (carry-buffer) path of LZMADecoder.decode counts the
    /// bytes already in the carry buffer twice when it computes the offset.
    func testCorruptDataOffsetDoesNotDependOnChunking() throws {
        let data = try regression("corrupt-offset-depends-on-chunking.lzma")
        let expected = LZMAError.corruptData("match distance 276281 is beyond the 3 bytes decoded so far", offset: 24)
        XCTAssertEqual(oneShot(data), .failure(expected))
        for chunk in [1, 2, 3, 5, 7, 16] {
            XCTAssertEqual(decodeChunked(data, format: .lzma, chunk: chunk), .failure(expected), "chunk \(chunk)")
        }
    }

    /// Decodes with `decode(input:output:)` and `size`-byte output buffers until
    /// it throws; returns the bytes handed out before that and the error. The
    /// call that throws has written as many good bytes as `totalOut` grew.
    private func deliveredBeforeError(_ data: [UInt8], format: LZMAFormat, options: DecompressionOptions,
                                      bufferSize size: Int) -> ([UInt8], LZMAError?) {
        let d = LZMADecompressor(format: format, options: options)
        var delivered = [UInt8]()
        var buf = [UInt8](repeating: 0, count: size)
        var pos = 0
        while true {
            let before = d.totalOut
            do {
                let r = try data[pos...].withUnsafeBufferPointer { i in
                    try buf.withUnsafeMutableBufferPointer { try d.decode(input: i, output: $0) }
                }
                delivered += buf[0..<r.produced]
                pos += r.consumed
                if r.status == .streamEnd || (r.produced == 0 && r.consumed == 0) { return (delivered, nil) }
            } catch let e as LZMAError {
                delivered += buf[0..<Int(d.totalOut - before)]
                return (delivered, e)
            } catch {
                return (delivered, .programmingError("\(error)"))
            }
        }
    }

    /// Found by the `stream` target (raw LZMA1) and the `auto` target (.lzma):
    /// data that decodes to many bytes and then has a corrupt match distance.
    /// Our decoder used to decode up to a whole window ahead of the caller's
    /// buffer and lose the good bytes of the call that met the error. Now a
    /// call decodes no further than its buffer takes, and the call that meets
    /// the error throws after writing the good bytes before it (as many as
    /// `totalOut` grew), so every byte before the bad symbol is delivered,
    /// whatever the buffer size: as many as `xz -dc` writes before its error
    /// (counts and CRC32s checked against xz).
    func testErrorComesOnlyAfterEveryByteBeforeIt() throws {
        let raw = try regression("raw-lzma1-error-after-105239-bytes.lc3lp0pb2-d64KiB.raw")
        let rawOptions = DecompressionOptions(properties: try LZMAProperties(lc: 3, lp: 0, pb: 2, dictionarySize: 1 << 16))
        let alone = try regression("lzma-error-after-200268-bytes.lzma")
        var cases: [(String, [UInt8], LZMAFormat, DecompressionOptions, Int, Int, UInt32)] = []
        for size in [1, 1000, 4096, 65536, 1 << 20] {
            cases.append(("raw", raw, .rawLZMA1, rawOptions, size, 105239, 0xD4C4_0DDF))
            cases.append((".lzma", alone, .lzma, DecompressionOptions(), size, 200268, 0xA4C7_08A6))
        }
        for (name, data, format, options, size, count, crc) in cases {
            let (delivered, error) = deliveredBeforeError(data, format: format, options: options, bufferSize: size)
            guard case .corruptData = error else { XCTFail("\(name), buffer \(size): \(String(describing: error))"); continue }
            XCTAssertEqual(delivered.count, count, "\(name), buffer \(size)")
            XCTAssertEqual(CRC32.checksum(delivered), crc, "\(name), buffer \(size)")
        }
    }

    /// Found by the `stream` target once offsets were compared exactly again:
    /// a .lzma file declaring 5 bytes whose data goes on after them. Fed one
    /// byte at a time, the error's offset counted the bytes already in the
    /// carry buffer twice (23 instead of 22), in the checks made before the
    /// buffered symbol is decoded.
    func testDataAfterDeclaredSizeOffsetDoesNotDependOnChunking() throws {
        let data = try regression("known-size-data-continues-offset.lzma")
        let expected = LZMAError.corruptData("data continues after the declared uncompressed size", offset: 22)
        XCTAssertEqual(oneShot(data), .failure(expected))
        for chunk in [1, 2, 3, 7] {
            XCTAssertEqual(decodeChunked(data, format: .lzma, chunk: chunk), .failure(expected), "chunk \(chunk)")
        }
    }

    // MARK: - Hostile headers

    func testFourGiBDictionaryIsRefusedByTheMemoryLimit() {
        let data = hostile(dict: .max)
        let limited = DecompressionOptions(memoryLimit: 64 << 20)
        guard case .failure(.memoryLimitExceeded(let required, let limit)) = oneShot(data, options: limited) else {
            return XCTFail("expected memoryLimitExceeded, got \(oneShot(data, options: limited))")
        }
        XCTAssertEqual(limit, 64 << 20)
        XCTAssertGreaterThanOrEqual(required, UInt64(UInt32.max))
    }

    func testFourGiBDictionaryWithoutLimitGrowsOnlyWithTheOutput() {
        // The dictionary is allocated as output appears, so a 4 GiB header on a
        // 17-byte stream decodes at once.
        XCTAssertEqual(try oneShot(hostile(dict: .max)).get(), Self.hello)
    }

    func testPropertiesByteAbove224IsInvalid() {
        for props: UInt8 in [225, 0xFF] {
            guard case .failure(.invalidProperties) = oneShot(hostile(props: props)) else {
                return XCTFail("props \(props): \(oneShot(hostile(props: props)))")
            }
        }
    }

    func testAutoRefusesImplausibleDictionary() {
        // `.auto` accepts only 2^n or 2^n + 2^(n-1) dictionaries (or 4 GiB - 1), like xz.
        // Such a header is no known format.
        guard case .failure(.unknownFormat) = oneShot(hostile(dict: 0x1234_5678), format: .auto) else {
            return XCTFail("\(oneShot(hostile(dict: 0x1234_5678), format: .auto))")
        }
        // The same header is fine for `.lzma`.
        XCTAssertEqual(try oneShot(hostile(dict: 0x1234_5678)).get(), Self.hello)
    }

    func testTruncatedAfterHeader() {
        for keep in [0, 1, 4, 5, 9] {
            let data = hostile(payload: Self.helloStream[13..<(13 + keep)])
            guard case .failure(.truncatedInput) = oneShot(data) else {
                return XCTFail("\(keep) payload bytes: \(oneShot(data))")
            }
            guard case .failure(.truncatedInput) = decodeChunked(data, format: .lzma, chunk: 1) else {
                return XCTFail("\(keep) payload bytes, chunked: \(decodeChunked(data, format: .lzma, chunk: 1))")
            }
        }
        guard case .failure(.truncatedInput) = oneShot(Array(Self.helloStream[0..<7])) else {
            return XCTFail("7-byte header: \(oneShot(Array(Self.helloStream[0..<7])))")
        }
    }

    func testHugeKnownSizeWithTinyPayload() {
        // 1 TiB declared, 17 bytes and an end marker present: the marker comes
        // before the declared size.
        let data = hostile(size: 1 << 40)
        switch oneShot(data) {
        case .failure(.corruptData), .failure(.sizeMismatch), .failure(.truncatedInput): break
        case let other: XCTFail("expected an error, got \(other)")
        }
        // Without the end marker (payload cut short) it can only be truncated.
        let cut = hostile(size: 1 << 40, payload: Self.helloStream[13..<25])
        guard case .failure(.truncatedInput) = oneShot(cut) else { return XCTFail("\(oneShot(cut))") }
    }

    func testKnownSizeShorterThanTheData() {
        // 5 bytes declared; the stream goes on: an error, never "hello" with the rest dropped silently.
        guard case .failure(.corruptData) = oneShot(hostile(size: 5)) else {
            return XCTFail("\(oneShot(hostile(size: 5)))")
        }
    }

    func testFirstRangeCoderByteMustBeZero() {
        var payload = Array(Self.helloStream[13...])
        payload[0] = 1
        XCTAssertEqual(oneShot(hostile(payload: payload[...])),
                       .failure(.corruptData("first byte of the range coder is not zero", offset: 13)))
    }

    func testRawLZMA1ChecksKnownSize() throws {
        let props = try LZMAProperties(lc: 3, lp: 0, pb: 2, dictionarySize: 1 << 16)
        let raw = Array(Self.helloStream[13...])
        func sized(_ n: UInt64?) -> DecompressionOptions { DecompressionOptions(properties: props, uncompressedSize: n) }
        XCTAssertEqual(try oneShot(raw, format: .rawLZMA1, options: sized(nil)).get(), Self.hello)
        XCTAssertEqual(try oneShot(raw, format: .rawLZMA1, options: sized(17)).get(), Self.hello)
        guard case .failure = oneShot(raw, format: .rawLZMA1, options: sized(16)) else {
            return XCTFail("a size one short of the data was accepted")
        }
    }

    func testBombIsBoundedByMaxLength() throws {
        // 4 MiB of zeros compress to a few hundred bytes; decompress(_:maxLength:)
        // must hand out at most maxLength bytes per call.
        let bomb = try LZMACompressor.compress([UInt8](repeating: 0, count: 4 << 20), format: .lzma, options: .preset(0))
        XCTAssertLessThan(bomb.count, 4096)
        let d = LZMADecompressor(format: .lzma)
        let first = try d.decompress(bomb, maxLength: 1000)
        XCTAssertEqual(first.count, 1000)
        XCTAssertFalse(d.needsInput)
        XCTAssertFalse(d.isFinished)
        var total = first.count
        while !d.isFinished {
            let more = try d.decompress([UInt8](), maxLength: 1 << 20)
            XCTAssertLessThanOrEqual(more.count, 1 << 20)
            XCTAssertTrue(more.allSatisfy { $0 == 0 })
            total += more.count
        }
        XCTAssertEqual(total, 4 << 20)
        XCTAssertNoThrow(try d.finish())
    }

    // MARK: - .xz (the `xz` and `auto` targets' first finding was a harness
    // assumption: concatenated .xz does not report streamEnd at the end of
    // the input by itself (only when bytes that are not a stream follow);
    // finish() ends it)

    /// An .xz stream with no blocks (CRC64), as `lzma.compress(b"", format=FORMAT_XZ)` writes it.
    private static let emptyXZ: [UInt8] = [
        0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00, 0x00, 0x04, 0xE6, 0xD6, 0xB4, 0x46, 0x00, 0x00, 0x00, 0x00,
        0x1C, 0xDF, 0x44, 0x21, 0x1F, 0xB6, 0xF3, 0x7D, 0x01, 0x00, 0x00, 0x00, 0x00, 0x04, 0x59, 0x5A,
    ]
    /// "hello hello hello" in .xz (preset 0, CRC32).
    private static let helloXZ: [UInt8] = [
        0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00, 0x00, 0x01, 0x69, 0x22, 0xDE, 0x36, 0x02, 0x00, 0x21, 0x01,
        0x0C, 0x00, 0x00, 0x00, 0x8F, 0x98, 0x41, 0x9C, 0xE0, 0x00, 0x10, 0x00, 0x0C, 0x5D, 0x00, 0x34,
        0x19, 0x49, 0xDB, 0x85, 0x5C, 0x67, 0x72, 0x2A, 0x61, 0x00, 0x00, 0x00, 0x80, 0x88, 0xF9, 0xE5,
        0x00, 0x01, 0x24, 0x11, 0x7F, 0x74, 0xDE, 0xBB, 0x90, 0x42, 0x99, 0x0D, 0x01, 0x00, 0x00, 0x00,
        0x00, 0x01, 0x59, 0x5A,
    ]

    /// Streams `data` through `decode(input:output:)` in `chunk`-byte pieces,
    /// then calls `finish()`, which ends an .xz stream.
    private func decodeXZChunked(_ data: [UInt8], chunk: Int, format: LZMAFormat = .xz) throws -> [UInt8] {
        let d = LZMADecompressor(format: format)
        var out = [UInt8]()
        var buf = [UInt8](repeating: 0, count: 7)
        var pos = 0
        while true {
            let end = min(data.count, pos + chunk)
            let r = try data[pos..<end].withUnsafeBufferPointer { i in
                try buf.withUnsafeMutableBufferPointer { try d.decode(input: i, output: $0) }
            }
            out += buf[0..<r.produced]
            pos += r.consumed
            if r.status == .streamEnd { break }
            if r.consumed == 0 && r.produced == 0 && pos == data.count { break }
        }
        try d.finish()
        XCTAssertTrue(d.isFinished)
        return out
    }

    func testEmptyXZStreamDecodesToNothing() throws {
        XCTAssertEqual(try oneShot(Self.emptyXZ, format: .xz).get(), [])
        XCTAssertEqual(try oneShot(Self.emptyXZ, format: .auto).get(), [])
        for chunk in [1, 5, 32] {
            XCTAssertEqual(try decodeXZChunked(Self.emptyXZ, chunk: chunk), [], "chunk \(chunk)")
        }
    }

    func testXZHelloInAnyChunking() throws {
        XCTAssertEqual(try oneShot(Self.helloXZ, format: .xz).get(), Self.hello)
        for chunk in [1, 2, 3, 13, 68] {
            XCTAssertEqual(try decodeXZChunked(Self.helloXZ, chunk: chunk), Self.hello, "chunk \(chunk)")
            XCTAssertEqual(try decodeXZChunked(Self.helloXZ, chunk: chunk, format: .auto), Self.hello, "auto, chunk \(chunk)")
        }
    }

    func testEveryTruncatedXZIsTruncatedInput() {
        // Like xz ("Unexpected end of input"): a cut anywhere in a single stream.
        for n in 1..<Self.helloXZ.count {
            let r = oneShot(Array(Self.helloXZ[0..<n]), format: .xz)
            guard case .failure(.truncatedInput) = r else { return XCTFail("cut at \(n): \(r)") }
        }
        for n in 1..<Self.emptyXZ.count {
            let r = oneShot(Array(Self.emptyXZ[0..<n]), format: .xz)
            guard case .failure(.truncatedInput) = r else { return XCTFail("empty stream cut at \(n): \(r)") }
        }
    }

    func testXZStreamPadding() {
        XCTAssertEqual(try oneShot(Self.helloXZ + [0, 0, 0, 0], format: .xz).get(), Self.hello)
        XCTAssertEqual(try oneShot(Self.helloXZ + [0, 0, 0, 0] + Self.emptyXZ, format: .xz).get(), Self.hello)
        for pad in [1, 2, 3, 5] {
            let r = oneShot(Self.helloXZ + [UInt8](repeating: 0, count: pad), format: .xz)
            guard case .failure(.corruptData) = r else { return XCTFail("\(pad) bytes of padding: \(r)") }
        }
    }

    func testXZWrongCRC32IsCheckMismatch() {
        // The block's CRC32 is bytes 44-47, right after the LZMA2 end byte.
        var bad = Self.helloXZ
        bad[45] ^= 0x01
        let r = oneShot(bad, format: .xz)
        guard case .failure(.checkMismatch) = r else { return XCTFail("\(r)") }
    }
}
