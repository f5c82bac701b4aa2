import Foundation
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// `swiftlzma -d`/`-t`/`-c` on files made by the real xz.
final class DecompressCLITests: CLITestCase {
    func testDecompressRestoresFileAndRemovesInput() throws {
        let original = sampleText()
        try makeLZMA(original, name: "a.txt.lzma")
        let r = try swiftlzma(["-d", "a.txt.lzma"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stderr, "")
        XCTAssertEqual(try read("a.txt"), original)
        XCTAssertEqual(try listing(), ["a.txt"])
    }

    func testKeepKeepsInputAndTlzBecomesTar() throws {
        let original = noise(3000)
        let compressed = try makeLZMA(original, name: "b.tlz")
        let r = try swiftlzma(["-dk", "b.tlz"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(try read("b.tar"), original)
        XCTAssertEqual(try read("b.tlz"), compressed)
    }

    func testStdoutWritesDataAndKeepsInput() throws {
        let one = sampleText(300), two = noise(500)
        try makeLZMA(one, name: "one.lzma")
        try makeLZMA(two, name: "two.lzma")
        let r = try swiftlzma(["-dc", "one.lzma", "two.lzma"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stdout, one + two)
        XCTAssertEqual(try listing(), ["one.lzma", "two.lzma"])
    }

    func testStdinToStdout() throws {
        let original = sampleText(500)
        let compressed = try makeLZMA(original, name: "s.lzma")
        let r = try swiftlzma(["-dc"], stdin: compressed)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stdout, original)
        // `-` is stdin as well, and reading stdin always writes stdout.
        let r2 = try swiftlzma(["-d", "-"], stdin: compressed)
        XCTAssertEqual(r2.status, 0, r2.stderr)
        XCTAssertEqual(r2.stdout, original)
        XCTAssertEqual(try listing(), ["s.lzma"])
    }

    func testExistingOutputRefusedWithoutForceAndReplacedWithIt() throws {
        let original = sampleText(100)
        try makeLZMA(original, name: "c.txt.lzma")
        try write(Data("old".utf8), "c.txt")
        let r = try swiftlzma(["-d", "c.txt.lzma"])
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(r.stderr, "swiftlzma: c.txt: File exists\n")
        XCTAssertEqual(try read("c.txt"), Data("old".utf8))
        XCTAssertEqual(try listing(), ["c.txt", "c.txt.lzma"])

        let f = try swiftlzma(["-d", "-f", "c.txt.lzma"])
        XCTAssertEqual(f.status, 0, f.stderr)
        XCTAssertEqual(try read("c.txt"), original)
        XCTAssertEqual(try listing(), ["c.txt"])
    }

    func testCorruptInputFailsWithoutLeavingOutput() throws {
        let original = noise(20000)
        var compressed = try makeLZMA(original, name: "x.lzma")
        compressed[compressed.count / 2] ^= 0x55
        try write(compressed, "bad.lzma")
        let r = try swiftlzma(["-d", "bad.lzma"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.hasPrefix("swiftlzma: bad.lzma: "), r.stderr)
        XCTAssertEqual(r.stderr.filter { $0 == "\n" }.count, 1, r.stderr)
        XCTAssertEqual(try listing(), ["bad.lzma", "x.lzma"])
        XCTAssertEqual(try read("bad.lzma"), compressed)
    }

    func testTruncatedInputFailsWithoutLeavingOutput() throws {
        let compressed = try makeLZMA(sampleText(3000), name: "x.lzma")
        try write(compressed.prefix(compressed.count - 20), "cut.lzma")
        let r = try swiftlzma(["-d", "cut.lzma"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.hasPrefix("swiftlzma: cut.lzma: Unexpected end of input"), r.stderr)
        XCTAssertEqual(try listing(), ["cut.lzma", "x.lzma"])
    }

    func testTrailingDataIsCorrupt() throws {
        let compressed = try makeLZMA(sampleText(50), name: "x.lzma")
        try write(compressed + Data([0]), "t.lzma")
        let r = try swiftlzma(["-dk", "t.lzma"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.hasPrefix("swiftlzma: t.lzma: Compressed data is corrupt"), r.stderr)
        XCTAssertFalse(exists("t"))
        // --single-stream ignores what follows.
        let s = try swiftlzma(["-dc", "--single-stream", "t.lzma"])
        XCTAssertEqual(s.status, 0, s.stderr)
        XCTAssertEqual(s.stdout, sampleText(50))
    }

    func testUnknownSuffixIsAWarning() throws {
        try makeLZMA(sampleText(10), name: "data.bin")
        let r = try swiftlzma(["-d", "data.bin"])
        XCTAssertEqual(r.status, 2)  // as xz: a warning
        XCTAssertEqual(r.stderr, "swiftlzma: data.bin: Filename has an unknown suffix, skipping\n")
        XCTAssertEqual(try listing(), ["data.bin"])
        // -S names the suffix to strip.
        let s = try swiftlzma(["-d", "-S", ".bin", "data.bin"])
        XCTAssertEqual(s.status, 0, s.stderr)
        XCTAssertEqual(try read("data"), sampleText(10))
    }

    func testNotLZMAIsAnError() throws {
        try write(Data("just some text, not compressed\n".utf8), "plain.lzma")
        let r = try swiftlzma(["-d", "plain.lzma"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.hasPrefix("swiftlzma: plain.lzma: File format not recognized"), r.stderr)
        XCTAssertEqual(try listing(), ["plain.lzma"])
        // xz -dcf copies unrecognized input unchanged.
        let c = try swiftlzma(["-dcf", "plain.lzma"])
        XCTAssertEqual(c.status, 0, c.stderr)
        XCTAssertEqual(c.stdout, Data("just some text, not compressed\n".utf8))
    }

    func testTestModeReportsGoodAndBadFiles() throws {
        var compressed = try makeLZMA(noise(5000), name: "good.lzma")
        compressed[20] ^= 0xFF
        try write(compressed, "bad.lzma")
        let good = try swiftlzma(["-t", "good.lzma"])
        XCTAssertEqual(good.status, 0, good.stderr)
        XCTAssertEqual(good.stdout, Data())
        let bad = try swiftlzma(["-t", "bad.lzma"])
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.stderr.hasPrefix("swiftlzma: bad.lzma: "), bad.stderr)
        // All files are processed; the worst status wins.
        let both = try swiftlzma(["-t", "bad.lzma", "good.lzma"])
        XCTAssertEqual(both.status, 1)
        XCTAssertEqual(try listing(), ["bad.lzma", "good.lzma"])
    }

    func testRawDecoding() throws {
        let original = sampleText(400)
        let options = "--lzma1=preset=1,lc=1,lp=2,pb=0,dict=64KiB"
        try makeLZMA(original, name: "r.raw", extra: ["--format=raw", options])
        let r = try swiftlzma(["-dc", "--format=raw", options, "r.raw"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stdout, original)
        // -F is --format (its value may be the next argument; --lzma1's
        // value is optional, so as in xz it can only be attached).
        let r2 = try swiftlzma(["-d", "-F", "raw", "--lzma1=lc=1,lp=2,pb=0,dict=64KiB", "--suffix=.raw", "r.raw"])
        XCTAssertEqual(r2.status, 0, r2.stderr)
        XCTAssertEqual(try read("r"), original)
        // Wrong properties decode to garbage or fail, never to the original.
        try makeLZMA(original, name: "r.raw", extra: ["--format=raw", options])
        let wrong = try swiftlzma(["-dc", "--format=raw", "--lzma1=lc=3,lp=0,pb=2,dict=64KiB", "r.raw"])
        XCTAssertNotEqual(wrong.stdout, original)
        // Raw needs a suffix to name the output, as in xz.
        let noSuffix = try swiftlzma(["-d", "--format=raw", options, "r.raw"])
        XCTAssertEqual(noSuffix.status, 1)
        XCTAssertTrue(noSuffix.stderr.contains("--suffix=.SUF is required"), noSuffix.stderr)
    }

    func testMemoryLimitTooSmall() throws {
        // The default dictionary of preset 6 is 8 MiB.
        try makeLZMA(sampleText(10), name: "m.lzma")
        let r = try swiftlzma(["-d", "-M", "1MiB", "m.lzma"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.hasPrefix("swiftlzma: m.lzma: Memory usage limit reached"), r.stderr)
        XCTAssertEqual(try listing(), ["m.lzma"])
        // A limit below 1 MiB is shown in bytes, as xz does.
        let tiny = try swiftlzma(["-t", "-M", "100", "m.lzma"])
        XCTAssertEqual(tiny.status, 1)
        XCTAssertTrue(tiny.stderr.hasSuffix("of memory is required. The limit is 100 B.\n"), tiny.stderr)
        let ok = try swiftlzma(["-t", "--memlimit=20MiB", "m.lzma"])
        XCTAssertEqual(ok.status, 0, ok.stderr)
        for unlimited in ["0", "max", "50%"] {
            let u = try swiftlzma(["-t", "-M\(unlimited)", "m.lzma"])
            XCTAssertEqual(u.status, 0, "\(unlimited): \(u.stderr)")
        }
        let badValue = try swiftlzma(["-t", "-M", "12XB", "m.lzma"])
        XCTAssertEqual(badValue.status, 1)
        XCTAssertTrue(badValue.stderr.contains("Invalid multiplier suffix"), badValue.stderr)
    }

    func testDirectoryAndSymlinkAreSkipped() throws {
        try FileManager.default.createDirectory(atPath: path("folder.lzma"), withIntermediateDirectories: false)
        let d = try swiftlzma(["-d", "folder.lzma"])
        XCTAssertEqual(d.status, 2)
        XCTAssertEqual(d.stderr, "swiftlzma: folder.lzma: Is a directory, skipping\n")

        let original = sampleText(20)
        try makeLZMA(original, name: "real.lzma")
        try FileManager.default.createSymbolicLink(atPath: path("link.lzma"), withDestinationPath: "real.lzma")
        let l = try swiftlzma(["-d", "link.lzma"])
        XCTAssertEqual(l.status, 2)
        XCTAssertEqual(l.stderr, "swiftlzma: link.lzma: Is a symbolic link, skipping\n")
        // Writing to stdout follows the link.
        let c = try swiftlzma(["-dc", "link.lzma"])
        XCTAssertEqual(c.status, 0, c.stderr)
        XCTAssertEqual(c.stdout, original)
        XCTAssertEqual(try listing(), ["folder.lzma", "link.lzma", "real.lzma"])
    }

    func testHardLinkedInputIsSkippedUnlessKept() throws {
        let original = sampleText(20)
        try makeLZMA(original, name: "h.lzma")
        try FileManager.default.linkItem(atPath: path("h.lzma"), toPath: path("h2.lzma"))
        let r = try swiftlzma(["-d", "h.lzma"])
        XCTAssertEqual(r.status, 2)
        XCTAssertEqual(r.stderr, "swiftlzma: h.lzma: Input file has more than one hard link, skipping\n")
        // -q hides the warning but keeps the status; -Q keeps the status at 0.
        let q = try swiftlzma(["-dq", "h.lzma"])
        XCTAssertEqual(q.status, 2)
        XCTAssertEqual(q.stderr, "")
        let nowarn = try swiftlzma(["-dQ", "h.lzma"])
        XCTAssertEqual(nowarn.status, 0)
        XCTAssertEqual(try listing(), ["h.lzma", "h2.lzma"])
        // Keeping the input makes the extra link harmless.
        let k = try swiftlzma(["-dk", "h.lzma"])
        XCTAssertEqual(k.status, 0, k.stderr)
        XCTAssertEqual(try read("h"), original)
    }

    func testPermissionsAndTimesAreCopied() throws {
        try makeLZMA(sampleText(30), name: "p.lzma")
        let mtime = Date(timeIntervalSince1970: 1_000_000_000)
        try FileManager.default.setAttributes([.posixPermissions: 0o640, .modificationDate: mtime],
                                              ofItemAtPath: path("p.lzma"))
        let r = try swiftlzma(["-d", "p.lzma"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let attributes = try FileManager.default.attributesOfItem(atPath: path("p"))
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o640)
        XCTAssertEqual((attributes[.modificationDate] as? Date)?.timeIntervalSince1970, 1_000_000_000)
    }

    func testSignalRemovesTemporaryOutput() throws {
        // Big enough that the debug build needs a while to decode it.
        try makeLZMA(noise(1_500_000), name: "slow.lzma")
        var sawTemporary = false
        let r = try swiftlzma(["-d", "slow.lzma"]) { process in
            let deadline = Date().addingTimeInterval(20)
            while process.isRunning && Date() < deadline {
                if (try self.listing()).contains(where: { $0.contains(".swiftlzma-") }) {
                    sawTemporary = true
                    kill(process.processIdentifier, SIGINT)
                    return
                }
                usleep(500)
            }
        }
        guard sawTemporary else { throw XCTSkip("decoding finished before the signal could be sent") }
        XCTAssertTrue(r.signaled, "status \(r.status) \(r.stderr)")
        XCTAssertEqual(r.status, SIGINT)
        XCTAssertEqual(try listing(), ["slow.lzma"])
    }
}
