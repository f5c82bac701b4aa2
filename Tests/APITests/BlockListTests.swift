// CompressionOptions.blockList (xz's --block-list): byte-identical to xz 5.4
// (`xz -T1 --block-list=...`, sizes only), and the chain-per-block semantics
// of xz 5.6 checked by listing and decoding.
import Foundation
import LZMA
import XCTest

final class BlockListTests: XCTestCase {
    static let input: [UInt8] = (0..<300_000).map { UInt8(truncatingIfNeeded: ($0 % 1000 < 500 ? $0 * 7 : $0 / 3) ^ ($0 >> 11)) }

    private func xz(_ args: [String]) throws -> [UInt8] {
        try ToolSupport.run("xz", args + ["-c"], onFileWith: Self.input)
    }

    func testSizesAsXZ() throws {
        let cases: [(list: [UInt64], blockSize: UInt64?, args: String)] = [
            ([50_000, 100_000], nil, "--block-list=50000,100000"),
            ([10_000, 0], nil, "--block-list=10000,0"),
            ([120_000, 30_000], 50_000, "--block-size=50000 --block-list=120000,30000"),
            ([1], nil, "--block-list=1,1,1,299997"),
        ]
        for c in cases {
            var o = CompressionOptions(lzma: .preset(1), blockSize: c.blockSize)
            if c.args.hasSuffix("1,1,1,299997") {
                o.blockList = [1, 1, 1, 299_997].map { XZBlockListItem(size: $0) }
            } else {
                o.blockList = c.list.map { XZBlockListItem(size: $0) }
            }
            let ours = try LZMACompressor.compress(Self.input, options: o)
            XCTAssertEqual(ours, try xz(["-T1", "-1"] + c.args.split(separator: " ").map(String.init)), c.args)
            XCTAssertEqual(try LZMADecompressor.decompress(ours), Self.input)
        }
    }

    func testChainsPerBlock() throws {
        let x86 = try LZMAFilterChain(parsing: "x86 lzma2:preset=0")
        let delta = try LZMAFilterChain(parsing: "delta:dist=2 lzma2:preset=1,dict=64KiB")
        var o = CompressionOptions(lzma: .preset(1))
        o.blockList = [XZBlockListItem(size: 40_000, chain: x86), XZBlockListItem(size: 60_000, chain: delta),
                       XZBlockListItem(size: 100_000)]
        let file = try LZMACompressor.compress(Self.input, options: o)
        XCTAssertEqual(try LZMADecompressor.decompress(file), Self.input)
        let info = try XCTUnwrap(LZMAFileInfo(file, includeBlocks: true).xz)
        let blocks = info.streams[0].blocks
        XCTAssertEqual(blocks.map(\.uncompressedSize), [40_000, 60_000, 100_000, 100_000])
        let headers = try blocks.map { b throws(LZMAError) in
            try XZFileInfo.readBlockHeader(b, checkID: info.streams[0].checkID) { (o, n) throws(LZMAError) in
                try file.read(at: o, count: n)
            }
        }
        XCTAssertEqual(headers.map(\.chainDescription), ["--x86 --lzma2=dict=256KiB", "--delta=dist=2 --lzma2=dict=64KiB",
                                                         "--lzma2=dict=1MiB", "--lzma2=dict=1MiB"])
    }
}
