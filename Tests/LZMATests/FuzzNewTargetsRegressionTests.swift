import Foundation
import XCTest
import LZMA

/// Findings of the fuzz targets added for issue 15 (Scripts/fuzz/targets/:
/// semantics, parallel), each pinned with its exact outcome.
final class FuzzNewTargetsRegressionTests: XCTestCase {
    private static let regressions = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("TestVectors/regressions")

    private func regression(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: Self.regressions.appendingPathComponent(name)))
    }

    /// `decode(input:output:)` in `inChunk`-byte pieces into `outChunk`-byte
    /// buffers: every byte produced (those before an error included) and the
    /// error, if any (nil also when the input just ran out).
    private func decodeAll(_ data: [UInt8], format: LZMAFormat, options: DecompressionOptions = DecompressionOptions(),
                           inChunk: Int = 1 << 20, outChunk: Int = 1 << 16) -> (out: [UInt8], error: LZMAError?) {
        let d = LZMADecompressor(format: format, options: options)
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: outChunk)
        var pos = 0
        while true {
            let end = min(data.count, pos + inChunk)
            let before = d.totalOut
            var r = (consumed: 0, produced: 0, status: CodingStatus.needsInput)
            var thrown: LZMAError?
            data[pos..<end].withUnsafeBufferPointer { i in
                buf.withUnsafeMutableBufferPointer { o in
                    do throws(LZMAError) { r = try d.decode(input: i, output: o) } catch { thrown = error }
                }
            }
            if let thrown {
                out += buf[0..<Int(d.totalOut - before)]
                return (out, thrown)
            }
            out += buf[0..<r.produced]
            pos += r.consumed
            if r.status == .streamEnd || (r.consumed == 0 && r.produced == 0 && pos == data.count) { return (out, nil) }
        }
    }

    // MARK: - semantics: finishWholeInput after decompress(_:)

    /// Found by the `semantics` target: after `decompress(_:)` had kept bytes
    /// after the end of the data, `finishWholeInput()` put the trailing-data
    /// error at `totalIn - unusedData.count`, counting the kept bytes that
    /// were never fed to the decoder (raw LZMA2 + 5 bytes: offset 0 instead
    /// of 5). It must be where one-shot decoding puts it: the first byte after
    /// the data, whatever the pieces.
    func testFinishWholeInputAfterDecompressPointsAtTheFirstTrailingByte() throws {
        let sample = Array("semantics semantics semantics, and then some more text".utf8)
        let tail = Array("after".utf8)
        let props = try LZMAProperties(dictionarySize: 1 << 16)
        let cases: [(LZMAFormat, [UInt8], DecompressionOptions)] = [
            (.lzma, try LZMACompressor.compress(sample, format: .lzma), DecompressionOptions()),
            (.xz, try LZMACompressor.compress(sample, format: .xz), DecompressionOptions()),
            (.rawLZMA2, try LZMACompressor.compress(sample, format: .rawLZMA2,
                                                    options: CompressionOptions(lzma: LZMASettings(dictionarySize: 1 << 16))),
             DecompressionOptions(properties: props)),
            (.rawLZMA2, [0x00], DecompressionOptions(properties: props)),   // the end marker alone
        ]
        for (format, packed, options) in cases {
            let input = packed + tail
            var want: LZMAError?
            do { _ = try LZMADecompressor.decompress(input, format: format, options: options) } catch { want = error }
            guard case .corruptData(_, let offset)? = want else { XCTFail("\(format): one-shot gave \(String(describing: want))"); continue }
            XCTAssertEqual(offset, UInt64(packed.count), "\(format)")
            for piece in [1, 3, input.count] {
                let d = LZMADecompressor(format: format, options: options)
                var out: [UInt8] = []
                var pos = 0
                while pos < input.count {
                    let n = min(piece, input.count - pos)
                    out += try d.decompress(input[pos..<(pos + n)])
                    pos += n
                }
                XCTAssertEqual(out, format == .rawLZMA2 && packed.count == 1 ? [] : sample, "\(format) pieces of \(piece)")
                XCTAssertEqual(d.unusedData, tail, "\(format) pieces of \(piece)")
                XCTAssertThrowsError(try d.finishWholeInput()) { error in
                    XCTAssertEqual(error as? LZMAError, want, "\(format) pieces of \(piece)")
                }
            }
        }
    }

    // MARK: - parallel: an LZMA2 error inside a block with filters

    /// The `parallel` target's input (TestVectors/regressions/
    /// xz-arm-block-corrupt-lzma2.xz): one block, ARM BCJ + LZMA2, whose
    /// LZMA2 data fails after 2,179 good bytes. The error thrown out of the
    /// filter chain dropped every byte the filters had finished in the same
    /// call: LZMADecompressor delivered 0 bytes in one call, more with small
    /// buffers (ParallelXZDecompressor: 1,920), so the bytes before the error
    /// depended on the buffer sizes. They must be what the filter makes of
    /// LZMA2's good bytes (all but the tail it cannot finish yet), for every
    /// chunking and buffer size, the parallel decoder and raw decoding with
    /// the same filter included.
    func testLZMA2ErrorInAFilteredBlockDeliversTheFilteredBytesFirst() async throws {
        let file = try regression("xz-arm-block-corrupt-lzma2.xz")
        // The block: a 12-byte header (ARM, then LZMA2 with an 8 MiB dictionary) at 12.
        XCTAssertEqual(Array(file[12..<19]), [0x02, 0x01, 0x07, 0x00, 0x21, 0x01, 0x16])
        let body = Array(file[24...])
        let props = try LZMAProperties(dictionarySize: 8 << 20)
        let lzma2 = decodeAll(body, format: .rawLZMA2, options: DecompressionOptions(properties: props))
        guard case .corruptData(let message, let rawOffset)? = lzma2.error else {
            return XCTFail("raw LZMA2: \(String(describing: lzma2.error))")
        }
        XCTAssertEqual(lzma2.out.count, 2179)
        // What the ARM filter finishes of those bytes (it keeps an unfinished tail).
        let arm = try XZFilterPipeline(filters: [.arm(start: 0)], encoding: false)
        var filtered = [UInt8](repeating: 0, count: lzma2.out.count)
        let made = lzma2.out.withUnsafeBufferPointer { i in
            filtered.withUnsafeMutableBufferPointer { arm.process(input: i, output: $0, isLast: false).produced }
        }
        filtered.removeLast(filtered.count - made)
        XCTAssertGreaterThanOrEqual(made, lzma2.out.count - 3)
        let want = LZMAError.corruptData(message, offset: rawOffset + 24)

        for (inChunk, outChunk) in [(1 << 20, 1 << 16), (1 << 20, 1), (7, 100), (100, 3), (1, 4096)] {
            let got = decodeAll(file, format: .xz, inChunk: inChunk, outChunk: outChunk)
            XCTAssertEqual(got.error, want, "chunks \(inChunk), buffer \(outChunk)")
            XCTAssertTrue(TestSupport.same(got.out, filtered), "chunks \(inChunk), buffer \(outChunk): \(got.out.count) bytes")
            let raw = decodeAll(body, format: .rawLZMA2, options: DecompressionOptions(properties: props, filters: [.arm(start: 0)]),
                                inChunk: inChunk, outChunk: outChunk)
            XCTAssertEqual(raw.error, lzma2.error, "raw, chunks \(inChunk), buffer \(outChunk)")
            XCTAssertTrue(TestSupport.same(raw.out, filtered), "raw, chunks \(inChunk), buffer \(outChunk): \(raw.out.count) bytes")
        }
        for (threads, chunks, budget) in [(2, [1 << 20], ParallelXZDecompressor.defaultThreadingMemoryLimit), (4, [100], 1 << 16), (3, [1], 0)] {
            let got = await ParallelTests.parallel(file, threads: threads, chunks: chunks, maxLength: 777,
                                                   threadingMemoryLimit: UInt64(budget))
            XCTAssertEqual(got.error, want, "\(threads) threads")
            XCTAssertTrue(TestSupport.same(got.out, filtered), "\(threads) threads: \(got.out.count) bytes")
        }
    }
}

extension FuzzNewTargetsRegressionTests {
    /// Found by the `semantics` target: `finish()` on a decompressor that
    /// was never given a byte used the generic "ends before the end of the
    /// stream" message, while a one-shot decode of no input (which starts the
    /// format's decoder) gives the format's own: the same error either way.
    func testFinishWithoutInputGivesTheOneShotError() throws {
        let props = try LZMAProperties(dictionarySize: 1 << 16)
        for (format, options) in [(LZMAFormat.xz, DecompressionOptions()), (.lzip, DecompressionOptions()),
                                  (.lzma, DecompressionOptions()), (.auto, DecompressionOptions()),
                                  (.rawLZMA2, DecompressionOptions(properties: props))] {
            var want: LZMAError?
            do { _ = try LZMADecompressor.decompress([UInt8](), format: format, options: options) } catch { want = error }
            guard case .truncatedInput? = want else { XCTFail("\(format): one-shot gave \(String(describing: want))"); continue }
            let d = LZMADecompressor(format: format, options: options)
            XCTAssertThrowsError(try d.finish()) { XCTAssertEqual($0 as? LZMAError, want, "\(format)") }
            let e = LZMADecompressor(format: format, options: options)
            XCTAssertThrowsError(try e.finishWholeInput()) { XCTAssertEqual($0 as? LZMAError, want, "\(format)") }
        }
    }
}

extension FuzzNewTargetsRegressionTests {
    /// Found by the `parallel` target (TestVectors/regressions/
    /// xz-block-declares-3-bytes-decodes-more.xz): a block whose header
    /// declares 3 uncompressed bytes and whose LZMA2 data holds more. The
    /// error's input offset depended on the output buffer: a whole-stream
    /// decoder with a 64 KiB buffer said byte 34, ParallelXZDecompressor
    /// (which gives a block its declared size + 1 of room) byte 76. Now every
    /// decoder stops LZMA2 one byte past the declared size: the same error,
    /// at the same offset, after the same 3 bytes (as xz -dc writes), for
    /// every buffer size and chunking.
    func testBlockLargerThanDeclaredFailsAtTheSameOffsetForEveryBuffer() async throws {
        let file = try regression("xz-block-declares-3-bytes-decodes-more.xz")
        let first = decodeAll(file, format: .xz)
        guard case .corruptData(let message, _)? = first.error else {
            return XCTFail("got \(String(describing: first.error))")
        }
        XCTAssertTrue(message.contains("more than the 3 bytes its header declares"), message)
        XCTAssertEqual(first.out.count, 3)
        for (inChunk, outChunk) in [(1 << 20, 1), (1 << 20, 4), (1 << 20, 3), (5, 2), (1, 1 << 16), (64, 7)] {
            let got = decodeAll(file, format: .xz, inChunk: inChunk, outChunk: outChunk)
            XCTAssertEqual(got.error, first.error, "chunks \(inChunk), buffer \(outChunk)")
            XCTAssertEqual(got.out, first.out, "chunks \(inChunk), buffer \(outChunk)")
        }
        for threads in [2, 4] {
            let got = await ParallelTests.parallel(file, threads: threads, chunks: [7, 300, 1], maxLength: 51)
            XCTAssertEqual(got.error, first.error, "\(threads) threads")
            XCTAssertEqual(got.out, first.out, "\(threads) threads")
        }
    }
}

extension FuzzNewTargetsRegressionTests {
    /// Found by the `parallel` target (TestVectors/regressions/
    /// xz-bad-block-then-bad-block-header.xz): block 1 (sizes in its header)
    /// fails in its LZMA2 data at input byte 86 after 51 bytes; the next block
    /// header has a bad CRC32. When block 1's 51 bytes filled a call's
    /// maxLength exactly, ParallelXZDecompressor read on, met the bad header
    /// and threw it at once, ahead of block 1's own error, which it still
    /// held. The first error in input order comes first, as single-threaded.
    func testAnErrorOfTheFrontBlockComesBeforeALaterHeaderError() async throws {
        let file = try regression("xz-bad-block-then-bad-block-header.xz")
        let want = decodeAll(file, format: .xz)
        guard case .corruptData(_, let offset)? = want.error else { return XCTFail("got \(String(describing: want.error))") }
        XCTAssertEqual(offset, 86)
        XCTAssertEqual(want.out.count, 51)
        for (threads, maxLength, budget) in [(4, 51, UInt64(1 << 20)), (2, 51, ParallelXZDecompressor.defaultThreadingMemoryLimit),
                                             (3, 10, UInt64(1 << 20)), (2, Int.max, UInt64(1 << 20))] {
            let got = await ParallelTests.parallel(file, threads: threads, chunks: [7, 300, 1], maxLength: maxLength,
                                                   threadingMemoryLimit: budget)
            XCTAssertEqual(got.error, want.error, "\(threads) threads, maxLength \(maxLength)")
            XCTAssertEqual(got.out, want.out, "\(threads) threads, maxLength \(maxLength)")
        }
    }
}
