import Foundation
import XCTest

/// `--sha1` against coreutils' sha1sum.
final class SHA1CLITests: CLITestCase {
    func sha1sum(_ arguments: [String], stdin: Data? = nil) throws -> RunResult {
        guard let tool = findProgram("sha1sum") else { throw XCTSkip("sha1sum is not installed") }
        return try run(tool, arguments, stdin: stdin)
    }

    func testSHA1MatchesSha1sumByteForByte() throws {
        try write(Data(), "empty")
        try write(Data("abc".utf8), "abc")
        try write(noise(200_000), "noise.bin")
        try write(sampleText(100), "with space.txt")
        try write(Data("x".utf8), "back\\slash")
        let names = ["empty", "abc", "noise.bin", "with space.txt", "back\\slash"]
        let mine = try swiftlzma(["--sha1"] + names)
        let theirs = try sha1sum(names)
        XCTAssertEqual(mine.status, 0, mine.stderr)
        XCTAssertEqual(mine.stdout, theirs.stdout)
        XCTAssertEqual(String(decoding: mine.stdout, as: UTF8.self).split(separator: "\n").first,
                       "da39a3ee5e6b4b0d3255bfef95601890afd80709  empty")
        // Standard input is named "-".
        let stdinMine = try swiftlzma(["--sha1"], stdin: Data("abc".utf8))
        let stdinTheirs = try sha1sum([], stdin: Data("abc".utf8))
        XCTAssertEqual(stdinMine.stdout, stdinTheirs.stdout)
        XCTAssertEqual(stdinMine.stdout, Data("a9993e364706816aba3e25717850c26c9cd0d89d  -\n".utf8))
    }

    func testSHA1OfMissingFileIsAnErrorButOthersArePrinted() throws {
        try write(Data("abc".utf8), "abc")
        let r = try swiftlzma(["--sha1", "missing", "abc"])
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(r.stderr, "swiftlzma: missing: No such file or directory\n")
        XCTAssertEqual(r.stdout, Data("a9993e364706816aba3e25717850c26c9cd0d89d  abc\n".utf8))
    }

    func testTestSHA1HashesDecompressedContent() throws {
        let a = sampleText(700), b = noise(10_000), empty = Data()
        try write(a, "a")
        try write(b, "b")
        try write(empty, "e")
        try makeLZMA(a, name: "a.lzma")
        try makeLZMA(b, name: "b.lzma")
        try makeLZMA(empty, name: "e.lzma")
        let mine = try swiftlzma(["-t", "--sha1", "a.lzma", "b.lzma", "e.lzma"])
        XCTAssertEqual(mine.status, 0, mine.stderr)
        let theirs = try sha1sum(["a", "b", "e"])
        // Same digests; the names are those of the compressed files.
        let expected = String(decoding: theirs.stdout, as: UTF8.self)
            .replacingOccurrences(of: "  a\n", with: "  a.lzma\n")
            .replacingOccurrences(of: "  b\n", with: "  b.lzma\n")
            .replacingOccurrences(of: "  e\n", with: "  e.lzma\n")
        XCTAssertEqual(String(decoding: mine.stdout, as: UTF8.self), expected)
        XCTAssertEqual(try listing(), ["a", "a.lzma", "b", "b.lzma", "e", "e.lzma"])
    }

    func testTestSHA1OfCorruptFilePrintsNoDigest() throws {
        var compressed = try makeLZMA(noise(4000), name: "ok.lzma")
        compressed[30] ^= 0x20
        try write(compressed, "bad.lzma")
        let r = try swiftlzma(["-t", "--sha1", "bad.lzma", "ok.lzma"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.hasPrefix("swiftlzma: bad.lzma: "), r.stderr)
        let lines = String(decoding: r.stdout, as: UTF8.self).split(separator: "\n")
        XCTAssertEqual(lines.count, 1)
        XCTAssertTrue(lines.first?.hasSuffix("  ok.lzma") ?? false)
    }
}

/// Argument parsing as xz does it.
final class OptionsCLITests: CLITestCase {
    func testBundledAbbreviatedAndSeparatedOptions() throws {
        let original = sampleText(40)
        try makeLZMA(original, name: "o.lzma")
        for args in [["-dkc", "o.lzma"], ["--decomp", "--stdout", "o.lzma"], ["o.lzma", "-c", "-d"],
                     ["-dc", "-M", "100MiB", "o.lzma"], ["-dcM100M", "o.lzma"], ["--to-stdout", "-d", "--memlimit", "1G", "o.lzma"],
                     ["-qdc", "--", "o.lzma"], ["-d", "-c", "--format", "lzma", "o.lzma"]] {
            let r = try swiftlzma(args)
            XCTAssertEqual(r.status, 0, "\(args): \(r.stderr)")
            XCTAssertEqual(r.stdout, original, "\(args)")
        }
        XCTAssertEqual(try listing(), ["o.lzma"])
    }

    func testDoubleDashMakesDashNamesFiles() throws {
        let original = sampleText(5)
        try makeLZMA(original, name: "-k.lzma")
        let r = try swiftlzma(["-d", "--", "-k.lzma"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(try listing(), ["-k"])
    }

    func testUnknownOptionsFail() throws {
        let r = try swiftlzma(["--no-such-option"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("unrecognized option '--no-such-option'"), r.stderr)
        let s = try swiftlzma(["-dY"])
        XCTAssertEqual(s.status, 1)
        XCTAssertTrue(s.stderr.contains("invalid option -- 'Y'"), s.stderr)
        let bad = try swiftlzma(["-dc", "--lzma1=lc=5", "-F", "raw"])
        XCTAssertEqual(bad.status, 1)
    }

    func testProgramNameLzcatDecompressesToStdout() throws {
        let original = sampleText(30)
        try makeLZMA(original, name: "n.lzma")
        let r = try swiftlzma(["n.lzma"], argv0: "lzcat")
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stdout, original)
        let u = try swiftlzma(["n.lzma"], argv0: "unlzma")
        XCTAssertEqual(u.status, 0, u.stderr)
        XCTAssertEqual(try read("n"), original)
    }

    func testVerboseSummaryWhenNotATerminal() throws {
        try makeLZMA(Data(repeating: 65, count: 50_000), name: "v.lzma")
        let r = try swiftlzma(["-tv", "v.lzma"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stderr.hasPrefix("v.lzma: "), r.stderr)
        XCTAssertTrue(r.stderr.contains(" / 48.8 KiB = 0.0"), r.stderr)
    }

    func testOptionsFromXZOPT() throws {
        let original = sampleText(30)
        try makeLZMA(original, name: "e.lzma")
        let r = try swiftlzma(["-d", "e.lzma"], environment: ["XZ_OPT": "-k -M 100MiB"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(try listing(), ["e", "e.lzma"])
        let files = try swiftlzma(["-t", "e.lzma"], environment: ["XZ_OPT": "e.lzma"])
        XCTAssertEqual(files.status, 1)
        XCTAssertEqual(files.stderr, "swiftlzma: XZ_OPT: Non-option arguments are not allowed\n")
    }

    func testHelpAndVersion() throws {
        let h = try swiftlzma(["--help"])
        XCTAssertEqual(h.status, 0)
        XCTAssertTrue(String(decoding: h.stdout, as: UTF8.self).hasPrefix("Usage: swiftlzma"))
        let v = try swiftlzma(["-V"])
        XCTAssertEqual(v.status, 0)
        XCTAssertTrue(String(decoding: v.stdout, as: UTF8.self).hasPrefix("swiftlzma "))
    }
}
