import Foundation
import XCTest

/// `swiftlzma -dc --range=START:LENGTH`: exactly those uncompressed bytes,
/// from the blocks that hold them in a multi-block .xz file, sequentially
/// from anything else.
final class RangeCLITests: CLITestCase {
    /// `data` compressed by swiftlzma itself in blocks of `blockSize`.
    func makeBlocks(_ name: String, _ data: Data, blockSize: String = "16KiB", check: String = "crc64") throws {
        let r = try swiftlzma(["-zc", "-T1", "-1", "--block-size=\(blockSize)", "--check=\(check)"], stdin: data)
        XCTAssertEqual(r.status, 0, r.stderr)
        try write(r.stdout, name)
    }

    func slice(_ data: Data, _ start: Int, _ length: Int) -> Data {
        start >= data.count ? Data() : data.subdata(in: start..<min(data.count, start + length))
    }

    func testRangesOfAMultiBlockFile() throws {
        let data = sampleText(3000)
        XCTAssertGreaterThan(data.count, 100_000)
        try makeBlocks("a.xz", data)
        let cases: [(String, Int, Int)] = [
            ("0:1", 0, 1), ("16383:2", 16383, 2), ("1KiB:2KiB", 1024, 2048), ("20000:100000", 20000, 100_000),
            ("\(data.count - 5):1MiB", data.count - 5, 1 << 20), ("\(data.count):10", data.count, 10),
            ("1G:1", 1 << 30, 1), ("5:0", 5, 0), ("0:1GiB", 0, 1 << 30),
        ]
        for (arg, start, length) in cases {
            let r = try swiftlzma(["-dc", "--range=\(arg)", "a.xz"])
            XCTAssertEqual(r.status, 0, "\(arg): \(r.stderr)")
            XCTAssertEqual(r.stderr, "", arg)
            XCTAssertEqual(r.stdout, slice(data, start, length), arg)
        }
        // The value may also be the next argument, and the input stays.
        let r = try swiftlzma(["-d", "--range", "100:50", "-c", "a.xz"])
        XCTAssertEqual(r.stdout, slice(data, 100, 50))
        XCTAssertEqual(try listing(), ["a.xz"])
    }

    func testOnlyTheBlocksOfTheRangeAreRead() throws {
        let data = sampleText(3000)
        try makeBlocks("a.xz", data)
        // Damage the first block: reading it fails, reading elsewhere does not.
        var bad = try read("a.xz")
        bad[200] ^= 0x55
        try write(bad, "bad.xz")
        XCTAssertEqual(try swiftlzma(["-dc", "bad.xz"]).status, 1)
        // (The whole block, so that its check is verified.)
        XCTAssertEqual(try swiftlzma(["-dc", "--range=0:16384", "bad.xz"]).status, 1)
        let start = 3 * 16384 - 10
        let r = try swiftlzma(["-dcv", "--range=\(start):30000", "bad.xz"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stdout, slice(data, start, 30000))
        let blocks = (data.count + 16383) / 16384
        XCTAssertEqual(r.stderr, "swiftlzma: bad.xz: bytes \(start)-\(start + 29999) of \(data.count): reading blocks 3-5 of \(blocks)\n")
        let past = try swiftlzma(["-dcv", "--range=1GiB:10", "bad.xz"])
        XCTAssertEqual(past.status, 0, past.stderr)
        XCTAssertEqual(past.stdout, Data())
        XCTAssertEqual(past.stderr, "swiftlzma: bad.xz: bytes 1073741824-: past the end (\(data.count) bytes): no blocks read\n")
    }

    func testAcrossStreamsAndPaddingWithEveryCheck() throws {
        var file = Data()
        var data = Data()
        for (i, check) in ["none", "crc32", "crc64", "sha256"].enumerated() {
            let part = sampleText(600, seed: i + 2)
            try makeBlocks("p\(i).xz", part, blockSize: "8KiB", check: check)
            file += try read("p\(i).xz") + Data(count: 4 * i)
            data += part
        }
        try write(file, "multi.xz")
        for (start, length) in [(30_000, 60_000), (0, data.count), (data.count - 1, 5), (12_345, 1)] {
            let r = try swiftlzma(["-dc", "--range=\(start):\(length)", "multi.xz"])
            XCTAssertEqual(r.status, 0, r.stderr)
            XCTAssertEqual(r.stdout, slice(data, start, length), "\(start):\(length)")
        }
    }

    func testSeveralFilesEachInTurn() throws {
        let one = sampleText(1000, seed: 3), two = sampleText(1500, seed: 5)
        try makeBlocks("one.xz", one)
        try makeBlocks("two.xz", two)
        let r = try swiftlzma(["-dc", "--range=20000:5000", "one.xz", "two.xz", "one.xz"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stdout, slice(one, 20000, 5000) + slice(two, 20000, 5000) + slice(one, 20000, 5000))
    }

    func testSequentialFallbacksSaySo() throws {
        let data = sampleText(2000)
        try makeBlocks("m.xz", data)
        let single = try swiftlzma(["-zc", "-T1", "-1"], stdin: data)
        try write(single.stdout, "s.xz")
        let lzma = try swiftlzma(["-zc", "--format=lzma", "-1"], stdin: data)
        try write(lzma.stdout, "l.lzma")
        let want = slice(data, 70_000, 3000)
        let runs: [(args: [String], stdin: Data?, reason: String)] = [
            (["-dcv", "--range=70000:3000"], try read("m.xz"), "(stdin): decoding sequentially (standard input is not seekable)"),
            (["-dcv", "--range=70000:3000", "s.xz"], nil, "s.xz: decoding sequentially (an .xz file of a single block)"),
            (["-dcv", "--range=70000:3000", "l.lzma"], nil, "l.lzma: decoding sequentially (not an .xz file: no index)"),
            (["-dcv", "--single-stream", "--range=70000:3000", "m.xz"], nil, "m.xz: decoding sequentially (--single-stream)"),
        ]
        for run in runs {
            let r = try swiftlzma(run.args, stdin: run.stdin)
            XCTAssertEqual(r.status, 0, r.stderr)
            XCTAssertEqual(r.stdout, want, run.reason)
            XCTAssertTrue(r.stderr.hasPrefix("swiftlzma: " + run.reason), r.stderr)
            // Without -v, nothing on stderr.
            let quiet = try swiftlzma(run.args.map { $0 == "-dcv" ? "-dc" : $0 }, stdin: run.stdin)
            XCTAssertEqual(quiet.stdout, want)
            XCTAssertEqual(quiet.stderr, "")
        }
        // Sequential decoding stops after the range: damage beyond it is not reached.
        var bad = lzma.stdout
        bad[bad.count - 100] ^= 0x55
        try write(bad, "bad.lzma")
        XCTAssertEqual(try swiftlzma(["-dc", "bad.lzma"]).status, 1)
        let r = try swiftlzma(["-dc", "--range=10:1000", "bad.lzma"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stdout, slice(data, 10, 1000))
    }

    func testErrorsAreOneLineAndStatusOne() throws {
        let data = sampleText(1000)
        try makeBlocks("a.xz", data)
        var badIndex = try read("a.xz")
        badIndex[badIndex.count - 14] ^= 0x01
        try write(badIndex, "idx.xz")
        let runs: [([String], String)] = [
            (["-dc", "--range=5", "a.xz"], "swiftlzma: 5: Invalid range; the syntax is --range=START:LENGTH\n"),
            (["-dc", "--range=1:2:3", "a.xz"], "swiftlzma: 1:2:3: Invalid range; the syntax is --range=START:LENGTH\n"),
            (["-dc", "--range=-1:5", "a.xz"], "swiftlzma: -1: Value is not a non-negative decimal integer\n"),
            (["-d", "--range=1:5", "a.xz"], "swiftlzma: --range is only supported with --decompress --stdout\n"),
            (["-tc", "--range=1:5", "a.xz"], "swiftlzma: --range is only supported with --decompress --stdout\n"),
            (["-dc", "--range=1:5", "missing.xz"], "swiftlzma: missing.xz: No such file or directory\n"),
        ]
        for (args, message) in runs {
            let r = try swiftlzma(args)
            XCTAssertEqual(r.status, 1, "\(args)")
            XCTAssertEqual(r.stderr, message, "\(args)")
            XCTAssertEqual(r.stdout, Data())
        }
        let r = try swiftlzma(["-dc", "--range=1:5", "idx.xz"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.hasPrefix("swiftlzma: idx.xz: Compressed data is corrupt: "), r.stderr)
        XCTAssertEqual(r.stderr.filter { $0 == "\n" }.count, 1, r.stderr)
        XCTAssertEqual(try listing(), ["a.xz", "idx.xz"])
    }
}
