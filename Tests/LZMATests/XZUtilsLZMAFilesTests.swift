import Foundation
import XCTest
@testable import LZMA

/// The `.lzma` files of xz-utils' test suite (../shared/xz-test-files):
/// good-* must decode to what `xz -dc` gives, bad-* must be rejected with
/// the kind of error their README describes.
final class XZUtilsLZMAFilesTests: XCTestCase {
    /// Error kinds the README implies for each bad file.
    private static let expectedErrors: [String: String] = [
        "bad-unknown_size-without_eopm.lzma": "truncatedInput",       // looks truncated
        "bad-too_big_size-with_eopm.lzma": "sizeMismatch",            // marker before the declared size
        "bad-too_small_size-without_eopm-1.lzma": "corruptData",      // a literal after the declared size
        "bad-too_small_size-without_eopm-2.lzma": "corruptData",      // a short rep after it
        "bad-too_small_size-without_eopm-3.lzma": "corruptData",      // the size ends inside a match
    ]

    private func lzmaFiles() throws -> [URL] {
        let dir = TestSupport.xzTestFilesDirectory
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir.path) else {
            throw XCTSkip("xz test files not found at \(dir.path)")
        }
        let files = names.filter { $0.hasSuffix(".lzma") }.sorted().map { dir.appendingPathComponent($0) }
        if files.isEmpty { throw XCTSkip("no .lzma files in \(dir.path)") }
        return files
    }

    /// Decodes in one shot (chunk nil) or `chunk` bytes at a time.
    private func decode(_ input: [UInt8], format: LZMAFormat, chunk: Int?) throws -> [UInt8] {
        if let chunk { return try TestSupport.decodeChunked(input, format: format, chunk: chunk) }
        return try LZMADecompressor.decompress(input, format: format)
    }

    func testGoodFiles() throws {
        let xz = TestSupport.findTool("xz")
        var count = 0
        for url in try lzmaFiles() where url.lastPathComponent.hasPrefix("good-") {
            let name = url.lastPathComponent
            let input = try TestSupport.readBytes(url)
            var reference: String?
            if let xz {
                let r = try TestSupport.run(xz, ["-dc", url.path])
                XCTAssertEqual(r.status, 0, "xz -dc \(name) failed")
                reference = TestSupport.sha1Hex(r.stdout)
            }
            for format in [LZMAFormat.lzma, .auto] {
                for chunk in [nil, 1] as [Int?] {
                    do {
                        let out = try decode(input, format: format, chunk: chunk)
                        if let reference {
                            XCTAssertEqual(TestSupport.sha1Hex(out), reference,
                                           "\(name) (\(format), chunk \(chunk.map(String.init) ?? "all")): SHA-1 differs from xz -dc")
                        }
                        XCTAssertFalse(out.isEmpty, name)
                    } catch {
                        XCTFail("\(name) (\(format), chunk \(chunk.map(String.init) ?? "all")): threw \(error)")
                    }
                }
            }
            count += 1
        }
        XCTAssertGreaterThanOrEqual(count, 3)
    }

    func testBadFiles() throws {
        let xz = TestSupport.findTool("xz")
        var count = 0
        for url in try lzmaFiles() where url.lastPathComponent.hasPrefix("bad-") {
            let name = url.lastPathComponent
            let input = try TestSupport.readBytes(url)
            if let xz {
                // Sanity: xz rejects it too.
                XCTAssertNotEqual(try TestSupport.run(xz, ["-dc", url.path]).status, 0, "xz accepts \(name)?")
            }
            for format in [LZMAFormat.lzma, .auto] {
                for chunk in [nil, 1] as [Int?] {
                    let how = "\(name) (\(format), chunk \(chunk.map(String.init) ?? "all"))"
                    XCTAssertThrowsError(try decode(input, format: format, chunk: chunk), how) { error in
                        guard let e = error as? LZMAError else { return XCTFail("\(how): not an LZMAError: \(error)") }
                        let k = e.caseName
                        XCTAssertNotEqual(k, "unsupported", how)
                        XCTAssertNotEqual(k, "programmingError", how)
                        if let want = XZUtilsLZMAFilesTests.expectedErrors[name] {
                            XCTAssertEqual(k, want, "\(how): \(e)")
                        }
                    }
                }
            }
            count += 1
        }
        XCTAssertGreaterThanOrEqual(count, 5)
    }
}
