import Foundation
import XCTest

/// `--block-list=ITEMS`: the size-only syntax byte for byte as xz 5.4 (-T1
/// and -T2, with and without --block-size), the messages as xz's, and xz
/// 5.6's `chain:size` items against liblzma 5.8.1's encoding of each block.
final class BlockListCLITests: CLITestCase {
    func testSizesAreXzsBytesSingleAndMultiThreaded() throws {
        let xz = try xz()
        try write(mixedSample().prefix(150_000), "in.bin")
        for list in ["40000", "10000,30000,0", "5000,,20000", "0", ",5", "5,0,5", "5,x"] {
            for threads in ["-T1", "-T2"] {
                for blockSize in [[], ["--block-size=25000"]] {
                    let args = [threads, "-c", "--block-list=\(list)"] + blockSize + ["in.bin"]
                    let ours = try swiftlzma(args)
                    let theirs = try run(xz, args)
                    XCTAssertEqual(ours.status, theirs.status, "\(args): \(ours.stderr)")
                    XCTAssertTrue(ours.stdout == theirs.stdout, "\(args): output differs from xz's")
                    XCTAssertEqual(asXz(ours.stderr), theirs.stderr.replacingOccurrences(of: "\(xz.path): ", with: "xz: "),
                                   "\(args)")
                }
            }
        }
    }

    /// The blocks of one xz listing line each: (compressed offset, total size,
    /// uncompressed size, filter chain as xz shows it).
    private func blocks(_ file: String) throws -> [(offset: Int, size: Int, uncompressed: Int, filters: String)] {
        let r = try run(try xz(), ["-lvv", "--robot", file])
        XCTAssertEqual(r.status, 0, r.stderr)
        return String(decoding: r.stdout, as: UTF8.self).split(separator: "\n").filter { $0.hasPrefix("block\t") }.map {
            let c = $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            return (Int(c[4])!, Int(c[6])!, Int(c[7])!, c[15])
        }
    }

    func testChainItemsUseFiltersNAsLiblzma58Encodes() throws {
        let xz58 = try xz58Tool()
        let input = mixedSample().prefix(120_000)
        XCTAssertGreaterThan(input.count, 100_000)
        try write(input, "in.bin")
        let chains = ["1": "x86 lzma2:preset=1", "2": "delta:dist=2 lzma2:dict=64KiB"]
        for threads in ["-T1", "-T2"] {
            let r = try swiftlzma([threads, "-c", "--filters1=\(chains["1"]!)", "--filters2=\(chains["2"]!)",
                                   "--block-list=1:30000,0:20000,,2:25000,1:0", "in.bin"])
            XCTAssertEqual(r.status, 0, r.stderr)
            try write(r.stdout, "out.xz")
            let back = try run(try xz(), ["-dc", "out.xz"])
            XCTAssertTrue(back.stdout == input, threads)
            let listed = try blocks("out.xz")
            let expected: [(Int, String?)] = [(30000, "1"), (20000, nil), (20000, nil), (25000, "2"), (input.count - 95000, "1")]
            XCTAssertEqual(listed.map(\.uncompressed), expected.map(\.0), threads)
            XCTAssertEqual(listed.map(\.filters), ["--x86 --lzma2=dict=1MiB", "--lzma2=dict=8MiB", "--lzma2=dict=8MiB",
                                                   "--delta=dist=2 --lzma2=dict=64KiB", "--x86 --lzma2=dict=1MiB"], threads)
            // Each block is the one block liblzma 5.8.1 writes for its slice
            // with its chain (the filters start afresh in every block); -T2's
            // blocks carry their sizes, as liblzma's multithreaded encoder's,
            // in headers sized for the default block size (3 x 8 MiB here).
            var start = 0
            for (block, (size, chain)) in zip(listed, expected) {
                let slice = input[input.startIndex + start ..< input.startIndex + start + size]
                start += size
                try write(Data(slice), "slice.bin")
                let filters = chain.map { chains[$0]! } ?? "lzma2:preset=6"
                let ref = try run(xz58, ["-z", threads, "--filters=\(filters)"] + (threads == "-T2" ? ["--block-size=\(3 * 8 << 20)"] : [])
                                  + [path("slice.bin")])
                XCTAssertEqual(ref.status, 0, ref.stderr)
                let refBlock = ref.stdout.subdata(in: 12 ..< 12 + block.size)
                XCTAssertTrue(r.stdout.subdata(in: block.offset ..< block.offset + block.size) == refBlock,
                              "\(threads) block of \(size) bytes with chain \(chain ?? "0") differs from liblzma 5.8.1's")
            }
        }
        let missing = try swiftlzma(["-c", "--block-list=3:5", "in.bin"])
        XCTAssertEqual(missing.status, 1)
        XCTAssertEqual(missing.stderr, "swiftlzma: filter chain 3 used by --block-list but not specified with --filters3=\n")
        let bad = try swiftlzma(["-c", "--block-list=12:5", "in.bin"])
        XCTAssertEqual(bad.status, 1)
        XCTAssertEqual(bad.stderr, "swiftlzma: 12:5: Invalid argument to --block-list\n")
    }
}
