import Foundation
import XCTest

/// `-T` as xz 5.8 reads it: parallel compression writes xz's multithreaded
/// format byte for byte, parallel decoding gives the single-threaded result
/// (errors included), and `--memlimit-compress` adjusts as xz does.
final class ParallelCLITests: CLITestCase {
    /// Text and noise in several 64 KiB blocks.
    func sample() -> Data {
        var d = sampleText(6000)
        d.append(noise(100_000))
        d.append(sampleText(2000))
        return d
    }

    func testParallelCompressionWritesWhatXzWrites() throws {
        let xz = try xz()
        try write(sample(), "in.bin")
        for args in [["-T2", "-0", "--block-size=65536"], ["-T3", "-1", "--block-size=100000", "-C", "sha256"],
                     ["-T4", "-0", "--block-size=30000", "--delta=dist=2", "--lzma2=preset=0"], ["-T2", "-1"]] {
            let theirs = try run(xz, ["-c"] + args + ["in.bin"])
            let ours = try swiftlzma(["-c"] + args + ["in.bin"])
            XCTAssertEqual(ours.status, 0, ours.stderr)
            XCTAssertTrue(ours.stdout == theirs.stdout, "\(args): \(ours.stdout.count) vs \(theirs.stdout.count) bytes")
        }
        // Through a pipe too, and the result decodes with both.
        let ours = try swiftlzma(["-zc", "-T2", "-0", "--block-size=20000"], stdin: try read("in.bin"))
        XCTAssertEqual(ours.stdout, try run(xz, ["-zc", "-T2", "-0", "--block-size=20000"], stdin: try read("in.bin")).stdout)
        XCTAssertEqual(try swiftlzma(["-dc", "-T2"], stdin: ours.stdout).stdout, try read("in.bin"))
        XCTAssertEqual(try run(xz, ["-dc"], stdin: ours.stdout).stdout, try read("in.bin"))
    }

    /// One stream (.lzma, raw, a .xz of one block): the match finder's
    /// thread changes nothing in the bytes; -T2 gives -T1's (and xz's) output.
    func testFinderThreadGivesTheOneThreadBytes() throws {
        let xz = try xz()
        try write(sample(), "in.bin")
        for args in [["-F", "lzma", "-6"], ["-F", "lzma", "-1"], ["-F", "lzma", "--lzma1=preset=3,mf=bt2,nice=20"],
                     ["-F", "raw", "--lzma1=preset=2"], ["-F", "raw", "--lzma2=preset=6,dict=64KiB"]] {
            let one = try swiftlzma(["-c", "-T1"] + args + ["in.bin"])
            let two = try swiftlzma(["-c", "-T2"] + args + ["in.bin"])
            XCTAssertEqual(two.status, 0, two.stderr)
            XCTAssertTrue(two.stdout == one.stdout, "\(args): -T2 differs from -T1")
            XCTAssertTrue(two.stdout == (try run(xz, ["-c", "-T1"] + args + ["in.bin"])).stdout, "\(args): differs from xz")
        }
        // The .xz default (-T0) of an input smaller than a block: xz -T2's bytes.
        let ours = try swiftlzma(["-c", "-T2", "-6", "in.bin"])
        XCTAssertTrue(ours.stdout == (try run(xz, ["-c", "-T2", "-6", "in.bin"])).stdout)
        let rt = try swiftlzma(["--roundtrip", "-T2", "in.bin"])
        XCTAssertEqual(rt.status, 0, rt.stderr)
        XCTAssertTrue(String(decoding: rt.stdout, as: UTF8.self).hasSuffix("OK\n"))
    }

    func testParallelDecodingAndTesting() throws {
        let xz = try xz()
        let original = sample()
        let mt = try run(xz, ["-zc", "-T2", "-0", "--block-size=40000"], stdin: original).stdout
        let st = try run(xz, ["-zc", "-T1", "-0", "--block-size=40000"], stdin: original).stdout
        try write(mt + Data(count: 8) + st, "both.xz")
        for threads in ["-T1", "-T2", "-T3", "-T0"] {
            let r = try swiftlzma(["-dc", threads, "both.xz"])
            XCTAssertEqual(r.status, 0, "\(threads): \(r.stderr)")
            XCTAssertEqual(r.stdout, original + original, threads)
            XCTAssertEqual(try swiftlzma(["-t", threads, "both.xz"]).status, 0, threads)
        }
        // --single-stream, and a one-block file.
        XCTAssertEqual(try swiftlzma(["-dc", "-T2", "--single-stream", "both.xz"]).stdout, original)
        let one = try run(xz, ["-zc", "-T2", "-0"], stdin: original).stdout
        XCTAssertEqual(try swiftlzma(["-dc", "-T2"], stdin: one).stdout, original)
        // A tight --memlimit-mt-decompress only costs threads.
        try write(mt, "mt.xz")
        let tight = try swiftlzma(["-dc", "-T2", "--memlimit-mt-decompress=1MiB", "mt.xz"])
        XCTAssertEqual(tight.status, 0, tight.stderr)
        XCTAssertEqual(tight.stdout, original)
    }

    /// A damaged block: the parallel decoder writes what the single-threaded
    /// one writes, and the same message.
    func testDamagedBlockAsSingleThreaded() throws {
        let xz = try xz()
        let original = sample()
        var bad = try run(xz, ["-zc", "-T2", "-0", "--block-size=40000"], stdin: original).stdout
        bad[bad.count / 2] ^= 0x20
        try write(bad, "bad.xz")
        let one = try swiftlzma(["-dc", "-T1", "bad.xz"])
        XCTAssertEqual(one.status, 1)
        for threads in ["-T2", "-T4"] {
            let many = try swiftlzma(["-dc", threads, "bad.xz"])
            XCTAssertEqual(many.status, 1)
            XCTAssertEqual(many.stderr, one.stderr, threads)
            XCTAssertEqual(many.stdout, one.stdout, "\(threads): \(many.stdout.count) vs \(one.stdout.count) bytes")
        }
        // The blocks before the damage are all there.
        XCTAssertGreaterThanOrEqual(one.stdout.count, 40000 * 2)
        XCTAssertEqual(one.stdout.prefix(40000 * 2), original.prefix(40000 * 2))
        let d = try swiftlzma(["-d", "-T2", "bad.xz"])
        XCTAssertEqual(d.status, 1)
        XCTAssertFalse(exists("bad"), "no partial output file")
    }

    /// --memlimit-compress: fewer threads (same output), then single-threaded
    /// mode, then a smaller dictionary, with xz's messages; --no-adjust fails
    /// instead of changing the output.
    func testMemoryLimitAdjustsAsXz() throws {
        let xz = try xz()
        try write(sampleText(3000), "m.txt")
        for args in [["-T4", "-6", "--memlimit-compress=300MiB"], ["-T2", "-6", "--memlimit-compress=100MiB"],
                     ["-T2", "-6", "--memlimit-compress=100MiB", "--no-adjust"], ["-T1", "-9", "--memlimit-compress=200MiB"],
                     ["-T2", "-9", "-M", "300MiB"], ["-F", "lzma", "-9", "-M", "150MiB"], ["-T1", "-1", "--memlimit-compress=10000"]] {
            let theirs = try run(xz, ["-c"] + args + ["m.txt"], argv0: "xz")
            let ours = try swiftlzma(["-c"] + args + ["m.txt"])
            XCTAssertEqual(ours.status, theirs.status, "\(args): \(ours.stderr)")
            XCTAssertTrue(ours.stdout == theirs.stdout, "\(args): \(ours.stdout.count) vs \(theirs.stdout.count) bytes")
            // xz 5.4 announces fewer threads; 5.8 (and we) only at -vv.
            func messages(_ text: String) -> [String] {
                text.split(separator: "\n").filter { !$0.contains("Reduced the number of threads") }
                    .map { line in line.range(of: ": ").map { String(line[$0.upperBound...]) } ?? String(line) }
            }
            XCTAssertTrue(ours.stderr.isEmpty || ours.stderr.hasPrefix("swiftlzma: "), ours.stderr)
            XCTAssertEqual(messages(ours.stderr), messages(theirs.stderr), "\(args)")
        }
    }
}
