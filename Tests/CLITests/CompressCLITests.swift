import Foundation
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// `swiftlzma -z` and `--roundtrip`.
final class CompressCLITests: CLITestCase {
    func testCompressThenDecompressRestoresFile() throws {
        let original = sampleText(3000)
        try write(original, "a.txt")
        var r = try swiftlzma(["-z", "-1", "a.txt"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(try listing(), ["a.txt.xz"], "input removed after success, output named .xz")
        XCTAssertLessThan(try read("a.txt.xz").count, original.count / 3)
        XCTAssertEqual(try read("a.txt.xz").prefix(6), Data([0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00]))
        r = try swiftlzma(["-d", "a.txt.xz"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(try read("a.txt"), original)
    }

    func testXzDecodesOurOutput() throws {
        let xz = try xz()
        let original = sampleText(1500) + noise(3000) + sampleText(500, seed: 3)
        try write(original, "mixed")
        for preset in ["-0", "-3", "-6", "-9e"] {
            let r = try swiftlzma(["-zkc", "-F", "lzma", preset, "mixed"])
            XCTAssertEqual(r.status, 0, r.stderr)
            let d = try run(xz, ["--format=lzma", "-dc"], stdin: r.stdout)
            XCTAssertEqual(d.status, 0, "\(preset): \(d.stderr)")
            XCTAssertEqual(d.stdout, original, preset)
        }
    }

    func testKeepAndRefuseToOverwrite() throws {
        let original = sampleText(200)
        try write(original, "k.txt")
        try write(Data("old".utf8), "k.txt.xz")
        var r = try swiftlzma(["-zk", "k.txt"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("File exists"), r.stderr)
        XCTAssertEqual(try read("k.txt.xz"), Data("old".utf8), "existing output untouched")
        XCTAssertEqual(try read("k.txt"), original)
        r = try swiftlzma(["-zkf", "k.txt"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(try read("k.txt"), original, "-k keeps the input")
        r = try swiftlzma(["-dc", "k.txt.xz"])
        XCTAssertEqual(r.stdout, original)
    }

    func testInputKeptWhenTargetIsUnwritable() throws {
        guard getuid() != 0 else {
            // root writes anywhere; use a target path whose folder cannot exist instead.
            let original = sampleText(100)
            try write(original, "u.txt")
            let r = try swiftlzma(["-z", "-S", "/nonexistent-dir/x", "u.txt"])
            XCTAssertEqual(r.status, 1)
            XCTAssertEqual(try read("u.txt"), original)
            XCTAssertEqual(try listing(), ["u.txt"])
            return
        }
        let sub = dir.appendingPathComponent("ro")
        try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: false)
        let original = sampleText(100)
        try original.write(to: sub.appendingPathComponent("u.txt"))
        chmod(sub.path, 0o555)
        defer { chmod(sub.path, 0o755) }
        let r = try swiftlzma(["-z", "ro/u.txt"])
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(try Data(contentsOf: sub.appendingPathComponent("u.txt")), original)
    }

    func testAlreadyCompressedSuffixIsSkipped() throws {
        try write(Data("x".utf8), "f.lzma")
        let r = try swiftlzma(["-z", "f.lzma"])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.contains("already has `.lzma' suffix"), r.stderr)
        XCTAssertEqual(try listing(), ["f.lzma"])
    }

    func testCustomLzma1OptionsAndRawFormat() throws {
        let original = sampleText(800)
        try write(original, "r.txt")
        var r = try swiftlzma(["-zkc", "-F", "lzma", "--lzma1=preset=2,lc=1,lp=2,pb=0,dict=64KiB,mf=bt2,mode=normal,nice=100", "r.txt"])
        XCTAssertEqual(r.status, 0, r.stderr)
        r = try swiftlzma(["-dc"], stdin: r.stdout)
        XCTAssertEqual(r.stdout, original)
        r = try swiftlzma(["-zkc", "-F", "raw", "--lzma1=lc=2,lp=1,pb=1,dict=1MiB", "r.txt"])
        XCTAssertEqual(r.status, 0, r.stderr)
        r = try swiftlzma(["-dc", "-F", "raw", "--lzma1=lc=2,lp=1,pb=1,dict=1MiB"], stdin: r.stdout)
        XCTAssertEqual(r.stdout, original)
    }

    func testInvalidOptionsAreRefused() throws {
        try write(Data("x".utf8), "o.txt")
        let r = try swiftlzma(["-zk", "-F", "lzma", "--lzma1=lc=4,lp=1", "o.txt"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.hasPrefix("swiftlzma: "), r.stderr)
        XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
        XCTAssertEqual(try listing(), ["o.txt"])
    }

    func testStdinToStdout() throws {
        let original = noise(5000) + sampleText(100)
        var r = try swiftlzma(["-z", "-2"], stdin: original)
        XCTAssertEqual(r.status, 0, r.stderr)
        r = try swiftlzma(["-d"], stdin: r.stdout)
        XCTAssertEqual(r.stdout, original)
    }

    func testRoundtripOfAFilePrintsMatchingSHA1AndOK() throws {
        let original = sampleText(2000) + noise(2000)
        try write(original, "rt.bin")
        let r = try swiftlzma(["--roundtrip", "-1", "rt.bin"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let text = String(decoding: r.stdout, as: UTF8.self)
        let digests = text.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init).filter { $0.count == 40 && $0.allSatisfy(\.isHexDigit) }
        XCTAssertEqual(digests.count, 2, text)
        XCTAssertEqual(digests.first, digests.last, text)
        let sha = try run(URL(fileURLWithPath: "/usr/bin/sha1sum"), ["rt.bin"])
        XCTAssertTrue(sha.stdout.starts(with: Data(digests[0].utf8)), "input SHA-1 equals sha1sum's")
        XCTAssertTrue(text.hasSuffix("OK\n"), text)
        XCTAssertEqual(try read("rt.bin"), original, "the input is not touched")
    }

    func testRoundtripOfTheBuiltInSample() throws {
        // The built-in sample is 4 MiB; preset 0 keeps this fast in a debug build.
        let r = try swiftlzma(["--roundtrip", "-0"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let text = String(decoding: r.stdout, as: UTF8.self)
        XCTAssertTrue(text.contains("built-in sample"), text)
        let digests = text.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init).filter { $0.count == 40 && $0.allSatisfy(\.isHexDigit) }
        XCTAssertEqual(digests.count, 2, text)
        XCTAssertEqual(digests.first, digests.last, text)
        XCTAssertTrue(text.hasSuffix("OK\n"), text)
    }
}
