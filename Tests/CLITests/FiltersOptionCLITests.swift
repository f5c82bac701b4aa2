import Foundation
import XCTest

extension CLITestCase {
    /// `../shared/tools/xz58` (liblzma 5.8.1), or skips the test.
    func xz58Tool() throws -> URL {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()  // CLITests
            .deletingLastPathComponent().deletingLastPathComponent()            // package root
            .deletingLastPathComponent().appendingPathComponent("shared/tools/xz58")
        guard FileManager.default.isExecutableFile(atPath: url.path),
              let r = try? run(url, ["--version"]), r.status == 0 else {
            throw XCTSkip("xz58 (liblzma 5.8.1) cannot run here")
        }
        return url
    }

    /// Mixed input: text, x86-like call bytes, noise.
    func mixedSample() -> Data {
        var calls = Data()
        for i in 0..<6000 { calls += [0xE8, UInt8(i & 0xFF), UInt8(i >> 8), 0, 0, 0x90, 0x90] }
        return sampleText(1500) + calls + noise(15_000)
    }

    /// stderr with our program name as xz's, for comparing messages.
    func asXz(_ stderr: String) -> String { stderr.replacingOccurrences(of: "swiftlzma: ", with: "xz: ") }
}

/// `--filters=`, `--filters1=`...`--filters9=`, `--filters-help`, and the
/// `--lzma1=`/`--lzma2=`/`--x86=`... option strings read by the library's parsers.
final class FiltersOptionCLITests: CLITestCase {
    func testFiltersChainsAreLiblzma58sBytes() throws {
        let xz58 = try xz58Tool()
        try write(mixedSample(), "in.bin")
        for chain in ["riscv lzma2:preset=6", "x86--lzma2:dict=1MiB", "delta:dist=4 lzma2", "lzma2:preset=6e",
                      "arm64:start=4096 lzma2:preset=1,lc=2,lp=2"] {
            for threads in ["-T1", "-T2"] {
                let ours = try swiftlzma([threads, "-c", "--filters=\(chain)", "in.bin"])
                XCTAssertEqual(ours.status, 0, ours.stderr)
                let theirs = try run(xz58, ["-z", threads, "--filters=\(chain)", path("in.bin")])
                XCTAssertEqual(theirs.status, 0, theirs.stderr)
                XCTAssertTrue(ours.stdout == theirs.stdout, "\(threads) --filters=\(chain): output differs from liblzma 5.8.1's")
            }
        }
    }

    /// As xz 5.6+: --filters= forgets the individual filter options and the
    /// preset given before it; an individual filter option or a preset after
    /// it replaces it. Checked against xz 5.4 for the chains it can write.
    func testFiltersReplacesAndIsReplacedAsXz() throws {
        let xz = try xz()
        try write(mixedSample(), "in.bin")
        func ours(_ args: [String]) throws -> Data {
            let r = try swiftlzma(["-T1", "-c"] + args + ["in.bin"])
            XCTAssertEqual(r.status, 0, "\(args): \(r.stderr)")
            return r.stdout
        }
        func xz54(_ args: [String]) throws -> Data {
            let r = try run(xz, ["-T1", "-c"] + args + ["in.bin"])
            XCTAssertEqual(r.status, 0, "\(args): \(r.stderr)")
            return r.stdout
        }
        XCTAssertEqual(try ours(["--x86", "-9", "--filters=delta:dist=2 lzma2:preset=1"]),
                       try xz54(["--delta=dist=2", "--lzma2=preset=1"]))
        XCTAssertEqual(try ours(["--filters=x86 lzma2:preset=1", "--lzma2=preset=2"]), try xz54(["--lzma2=preset=2"]))
        XCTAssertEqual(try ours(["--filters=x86 lzma2:preset=1", "-3"]), try xz54(["-3"]))
        XCTAssertEqual(try ours(["--filters=x86 lzma2:preset=1", "-e"]), try xz54(["-6e"]))
        XCTAssertEqual(try ours(["--filters=-3e"]), try xz54(["-3e"]))
        XCTAssertEqual(try ours(["--filters=2"]), try xz54(["-2"]))
        // --filters1..9 are chains for --block-list only: the default chain stays.
        XCTAssertEqual(try ours(["-1", "--filters5=x86 lzma2"]), try xz54(["-1"]))
    }

    func testFiltersRawDecodesAsXz() throws {
        let xz = try xz()
        let input = mixedSample()
        try write(input, "in.bin")
        let r = try run(xz, ["-c", "--format=raw", "--delta=dist=4", "--lzma2=dict=1MiB", "in.bin"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let ours = try swiftlzma(["-T1", "-c", "--format=raw", "--filters=delta:dist=4 lzma2:dict=1MiB", "in.bin"])
        XCTAssertTrue(ours.stdout == r.stdout, "raw --filters= output differs from xz's")
        let back = try swiftlzma(["-dc", "--format=raw", "--filters=delta:dist=4--lzma2:dict=1MiB"], stdin: r.stdout)
        XCTAssertEqual(back.status, 0, back.stderr)
        XCTAssertTrue(back.stdout == input)
    }

    func testBadFiltersStringsFailWithXz58sFirstLine() throws {
        try write(sampleText(10), "in.txt")
        for (chain, number) in [("x86", ""), ("lzma2 x86", ""), ("bogus lzma2", "3"), ("lzma2:foo=1", ""),
                                ("lzma2:lc=4,lp=1", "9"), ("", "")] {
            let r = try swiftlzma(["-c", "--filters\(number)=\(chain)", "in.txt"])
            XCTAssertEqual(r.status, 1, chain)
            XCTAssertTrue(r.stdout.isEmpty)
            XCTAssertEqual(r.stderr.split(separator: "\n").first.map(String.init),
                           "swiftlzma: Error in --filters\(number)=FILTERS option:", chain)
        }
        // The .xz format and LZMA1, the .lzma format and filters: xz's messages.
        let lzma1 = try swiftlzma(["-c", "--filters=lzma1", "in.txt"])
        XCTAssertEqual(lzma1.stderr, "swiftlzma: LZMA1 cannot be used with the .xz format\n")
        let lzmaFormat = try swiftlzma(["-c", "--format=lzma", "--filters=x86 lzma1", "in.txt"])
        XCTAssertEqual(lzmaFormat.stderr, "swiftlzma: The .lzma format supports only the LZMA1 filter\n")
        // And .lzma with an LZMA1 chain is xz's --lzma1= file.
        let xz = try xz()
        let ours = try swiftlzma(["-c", "--format=lzma", "--filters=lzma1:preset=2,lc=1", "in.txt"])
        let theirs = try run(xz, ["-c", "--format=lzma", "--lzma1=preset=2,lc=1", "in.txt"])
        XCTAssertEqual(ours.status, 0, ours.stderr)
        XCTAssertTrue(ours.stdout == theirs.stdout)
    }

    /// The individual filter options go through the library's parsers now:
    /// every message is still xz's, word for word.
    func testOptionStringMessagesAreXzs() throws {
        let xz = try xz()
        try write(sampleText(10), "in.txt")
        for args in [["--lzma2=foo=1"], ["--lzma2=mf=bt5"], ["--lzma1=mode=slow"], ["--lzma2=preset=10"],
                     ["--lzma2=preset=6,dict="], ["--lzma2=dict"], ["--lzma2=dict=1KB"], ["--lzma2=dict=1x"],
                     ["--lzma2=dict=99999999999999999999"], ["--lzma2=lc=4,lp=1"], ["--lzma2=nice=1"],
                     ["--delta=foo=1", "--lzma2"], ["--x86=start=x", "--lzma2"], ["--x86=start=", "--lzma2"],
                     ["--delta=dist=300", "--lzma2"], ["--block-size=5X"], ["--block-size= 5 "], ["-T", "x"]] {
            let ours = try swiftlzma(["-c"] + args + ["in.txt"])
            let theirs = try run(xz, ["-c"] + args + ["in.txt"])
            XCTAssertEqual(ours.status, theirs.status, "\(args)")
            XCTAssertEqual(asXz(ours.stderr), theirs.stderr.replacingOccurrences(of: "\(xz.path): ", with: "xz: "), "\(args)")
        }
    }

    func testFiltersHelp() throws {
        let human = try swiftlzma(["--filters-help"])
        XCTAssertEqual(human.status, 0)
        let text = String(decoding: human.stdout, as: UTF8.self)
        XCTAssertTrue(text.hasPrefix("Filter chains are set using the --filters=FILTERS or"), text)
        let intro = text.components(separatedBy: "\n\n")[0].split(separator: "\n")
        XCTAssertEqual(intro.count, 4, text)
        XCTAssertTrue(intro.allSatisfy { $0.count <= 76 }, text)
        XCTAssertTrue(text.contains("\nThe supported filters and their options are:\n"), text)
        let robot = try swiftlzma(["--robot", "--filters-help"])
        XCTAssertEqual(robot.status, 0)
        let lines = String(decoding: robot.stdout, as: UTF8.self).split(separator: "\n").map(String.init)
        // Each filter on its own line, `filter:option=<value>,...`, and every
        // one of them parses as a chain element in our --filters=.
        XCTAssertEqual(lines.map { String($0.prefix { $0 != ":" }) },
                       ["lzma1", "lzma2", "x86", "arm", "armthumb", "arm64", "riscv", "powerpc", "ia64", "sparc", "delta"])
        for line in lines {
            let options = line.drop { $0 != ":" }.dropFirst().split(separator: ",")
            XCTAssertFalse(options.isEmpty, line)
            for o in options {
                XCTAssertTrue(o.contains("=<") && o.hasSuffix(">"), line)
            }
        }
    }
}
