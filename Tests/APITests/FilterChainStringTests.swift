// xz 5.6's --filters= syntax (LZMAFilterChain): parsed results, errors, and
// byte-identical output against liblzma 5.8.1 (../shared/tools/xz58) when it runs.
import Foundation
import LZMA
import XCTest

final class FilterChainStringTests: XCTestCase {
    func testParsesPresetsAndChains() throws {
        XCTAssertEqual(try LZMAFilterChain(parsing: "6"), LZMAFilterChain())
        XCTAssertEqual(try LZMAFilterChain(parsing: "-9e").lzma, LZMASettings(preset: .extreme(9)))
        let c = try LZMAFilterChain(parsing: "x86:start=16--delta=dist=4  lzma2:preset=1,dict=1MiB,lc=2")
        XCTAssertEqual(c.filters, [.x86(start: 16), .delta(distance: 4)])
        XCTAssertEqual(c.coder, .lzma2)
        var expected = LZMASettings(preset: 1)
        expected.dictionarySize = 1 << 20
        expected.lc = 2
        XCTAssertEqual(c.lzma, expected)
        XCTAssertEqual(try LZMAFilterChain(parsing: "lzma1:lc=4,lp=0,pb=0").coder, .lzma1)
    }

    func testRejectsBadChains() {
        for bad in ["", "x86", "lzma2 x86", "bogus lzma2", "x86 x86 x86 x86 lzma2", "lzma2:foo=1", "6 lzma2", "arm:start=3 lzma2"] {
            XCTAssertThrowsError(try LZMAFilterChain(parsing: bad), bad) { error in
                guard case .invalidOptions = error as! LZMAError else { return XCTFail("\(bad): \(error)") }
            }
        }
    }

    private func xz58(_ args: [String], input: [UInt8]) throws -> [UInt8] {
        try ToolSupport.run(ToolSupport.xz58.path, args, onFileWith: input)
    }

    func testOutputIsLiblzma58s() throws {
        var input: [UInt8] = []
        for i in 0..<120_000 { input.append(UInt8(truncatingIfNeeded: (i % 97 == 0) ? 0xE8 : (i * 13) ^ (i >> 9))) }
        for chain in ["x86 lzma2:preset=1", "delta:dist=4--lzma2:dict=1MiB,lc=2", "arm64 lzma2:preset=6e", "lzma2:preset=0", "sparc:start=4096 lzma2:mode=fast,mf=hc4,nice=64"] {
            let ours = try LZMACompressor.compress(input, format: .xz, options: try LZMAFilterChain(parsing: chain).compressionOptions)
            XCTAssertEqual(ours, try xz58(["-z", "--filters=\(chain)"], input: input), chain)
        }
    }
}
