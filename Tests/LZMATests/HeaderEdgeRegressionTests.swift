import Foundation
import XCTest
@testable import LZMA

/// The crafted files of issue 15, items 3-5 (TestVectors/regressions/, made by
/// Scripts/make-regression-vectors.py), against what xz 5.4.1 does with them
/// (TestVectors/regressions/xz-outcomes.tsv): sizes that lie in block headers
/// and LZMA2 chunk headers, `.lzma` headers at the edge of xz's rules, and an
/// `.xz` stream header with nothing after it.
final class HeaderEdgeRegressionTests: XCTestCase {
    private static let directory = TestSupport.vectorsDirectory.appendingPathComponent("regressions")

    /// What `xz -dc` did with one file.
    struct Outcome {
        var file: String
        var bytes: Int
        var sha1: String
        var status: Int
        var message: String
    }

    private static func outcomes() throws -> [Outcome] {
        let text = try String(contentsOf: directory.appendingPathComponent("xz-outcomes.tsv"), encoding: .utf8)
        return text.split(separator: "\n").dropFirst().map { line in
            let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            return Outcome(file: f[0], bytes: Int(f[1])!, sha1: f[2], status: Int(f[3])!, message: f.count > 4 ? f[4] : "")
        }
    }

    private func bytes(_ name: String) throws -> [UInt8] {
        try TestSupport.readBytes(Self.directory.appendingPathComponent(name))
    }

    /// Decodes `data` feeding `inChunk` bytes per call into an `outChunk`-byte
    /// buffer; returns everything produced and the error that ended it (nil
    /// when `finish()` accepted the end).
    private func decode(_ data: [UInt8], format: LZMAFormat, inChunk: Int, outChunk: Int)
        -> (output: [UInt8], error: LZMAError?) {
        let d = LZMADecompressor(format: format)
        var out = [UInt8]()
        var buf = [UInt8](repeating: 0, count: outChunk)
        var pos = 0
        do throws(LZMAError) {
            while true {
                let end = min(data.count, pos + inChunk)
                var r = (consumed: 0, produced: 0, status: CodingStatus.needsInput)
                var thrown: LZMAError?
                let before = d.totalOut
                data[pos..<end].withUnsafeBufferPointer { i in
                    buf.withUnsafeMutableBufferPointer { o in
                        do throws(LZMAError) { r = try d.decode(input: i, output: o) } catch { thrown = error }
                    }
                }
                if let thrown {
                    // decode() throws at once; the bytes it wrote first are good.
                    out += buf[0..<Int(d.totalOut - before)]
                    throw thrown
                }
                out += buf[0..<r.produced]
                pos += r.consumed
                if r.status == .streamEnd { return (out, nil) }
                if r.status == .needsInput && pos == data.count {
                    try d.finish()
                    return (out, nil)
                }
            }
        } catch {
            return (out, error)
        }
    }

    // MARK: - Item 3: sizes that lie

    /// Every byte xz writes before it notices a wrong size, and no other, in
    /// any chunking of the input and any output buffer size; then an error.
    func testSizeLiesDeliverWhatXZDelivers() throws {
        let cases = try Self.outcomes().filter { $0.file.hasPrefix("size-lie-") }
        XCTAssertEqual(cases.count, 11)
        for c in cases {
            let data = try bytes(c.file)
            XCTAssertEqual(c.status, 1, c.file)
            for (inChunk, outChunk) in [(data.count, 1 << 16), (1, 4096), (4096, 1), (7, 13), (1000, 333)] {
                for format in inChunk == data.count ? [LZMAFormat.xz, .auto] : [.xz] {
                    let r = decode(data, format: format, inChunk: inChunk, outChunk: outChunk)
                    let label = "\(c.file) in \(inChunk) out \(outChunk) \(format)"
                    XCTAssertEqual(r.output.count, c.bytes, label)
                    XCTAssertEqual(TestSupport.sha1Hex(r.output), c.sha1, label)
                    XCTAssertEqual(r.error?.caseName, "corruptData", "\(label): \(String(describing: r.error))")
                }
            }
        }
    }

    /// The bytes before a lying block are the file's real content: the lie
    /// comes from a valid file, of which xz's output is a prefix.
    func testSizeLieOutputIsAPrefixOfTheRealContent() throws {
        let all = try Self.outcomes()
        let full = decode(try bytes("size-lie-block-cs-minus40.xz"), format: .xz, inChunk: 1 << 20, outChunk: 1 << 16)
        let longer = decode(try bytes("size-lie-block-us-plus1.xz"), format: .xz, inChunk: 1 << 20, outChunk: 1 << 16)
        XCTAssertEqual(longer.output.count, 30000)
        XCTAssertEqual(Array(longer.output.prefix(full.output.count)), full.output)
        XCTAssertEqual(all.first { $0.file == "size-lie-block-us-minus1.xz" }?.bytes, 29999)
    }

    // MARK: - Item 4: .lzma headers

    /// `.auto` recognises `.lzma` exactly when xz does; `LZMAAlone.recognizes`
    /// says the same.
    func testAutoRecognisesLZMAAsXZDoes() throws {
        let cases = try Self.outcomes().filter { $0.file.hasPrefix("lzma-header-") }
        XCTAssertEqual(cases.count, 8)
        for c in cases {
            let data = try bytes(c.file)
            let xzRecognises = c.message != "File format not recognized"
            XCTAssertEqual(LZMAAlone.recognizes(header: data.prefix(13)), xzRecognises, c.file)
            let r = decode(data, format: .auto, inChunk: 5, outChunk: 4096)
            if xzRecognises {
                XCTAssertEqual(r.output.count, c.bytes, c.file)
                XCTAssertEqual(TestSupport.sha1Hex(r.output), c.sha1, c.file)
                XCTAssertEqual(r.error == nil, c.status == 0, "\(c.file): \(String(describing: r.error))")
            } else {
                XCTAssertEqual(r.output, [], c.file)
                XCTAssertEqual(r.error?.caseName, "unknownFormat", "\(c.file): \(String(describing: r.error))")
            }
        }
        XCTAssertFalse(LZMAAlone.recognizes(header: try bytes("lzma-header-dict3MiB.lzma").prefix(12)))
    }

    /// `.lzma` is lenient: every header the format allows is decoded.
    func testLZMAFormatTakesWhatTheFormatAllows() throws {
        let good = decode(try bytes("lzma-header-dict3MiB.lzma"), format: .lzma, inChunk: 1 << 20, outChunk: 1 << 16)
        XCTAssertNil(good.error)
        XCTAssertEqual(good.output.count, 3000)
        for name in ["lzma-header-dict0.lzma", "lzma-header-dict3MiB-plus1.lzma"] {
            let r = decode(try bytes(name), format: .lzma, inChunk: 1 << 20, outChunk: 1 << 16)
            XCTAssertNil(r.error, name)
            XCTAssertEqual(r.output, good.output, name)
        }
        for name in ["lzma-header-size-2pow38-plus1.lzma", "lzma-header-size-2pow40.lzma", "lzma-header-size-2pow64-minus2.lzma"] {
            // The payload ends with an end marker long before the declared size.
            let r = decode(try bytes(name), format: .lzma, inChunk: 1 << 20, outChunk: 1 << 16)
            XCTAssertEqual(r.output, good.output, name)
            XCTAssertNotNil(r.error, name)
            XCTAssertNotEqual(r.error?.caseName, "invalidHeader", name)
        }
        // lc = 4, lp = 1 is read as such (the payload was made with lc = 3, so it fails later).
        let wide = decode(try bytes("lzma-header-lc4lp1.lzma"), format: .lzma, inChunk: 1 << 20, outChunk: 1 << 16)
        XCTAssertEqual(wide.error?.caseName, "corruptData", String(describing: wide.error))
    }

    // MARK: - Item 5: a stream header and nothing else

    func testStreamHeaderAloneIsTruncated() throws {
        for (name, check) in [("stream-header-only.xz", nil), ("stream-header-only-check3.xz", UInt8(3))] {
            let data = try bytes(name)
            XCTAssertEqual(data.count, 12)
            for format in [LZMAFormat.auto, .xz] {
                let d = LZMADecompressor(format: format)
                let out = try d.decompress(data)
                XCTAssertEqual(out, [])
                XCTAssertEqual(d.unsupportedCheck, check, name)
                XCTAssertThrowsError(try d.finish(), name) { error in
                    XCTAssertEqual((error as? LZMAError)?.caseName, "truncatedInput", "\(name): \(error)")
                }
            }
        }
    }
}
