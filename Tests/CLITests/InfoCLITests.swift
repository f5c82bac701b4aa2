import Foundation
import XCTest

/// `--robot --version`, `--info-memory` (human and `--robot`), `-h` vs `-H`.
final class InfoCLITests: CLITestCase {
    func testRobotVersionLines() throws {
        let r = try swiftlzma(["--robot", "--version"])
        XCTAssertEqual(r.status, 0)
        let lines = String(decoding: r.stdout, as: UTF8.self).split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.map { String($0.prefix { $0 != "=" }) }, ["XZ_VERSION", "LIBLZMA_VERSION", "SWIFTLZMA_VERSION"])
        for line in lines {
            let value = line.drop { $0 != "=" }.dropFirst()
            // XYYYZZZS: eight digits, S = 2 (stable).
            XCTAssertEqual(value.count, 8, line)
            XCTAssertTrue(value.allSatisfy(\.isNumber) && value.hasSuffix("2"), line)
        }
        // The command line followed is xz 5.8's (--filters, --block-list chains...).
        XCTAssertGreaterThanOrEqual(Int(lines[0].dropFirst("XZ_VERSION=".count))!, 5_008_0002)
        // Without --robot first, the human version text; --version acts at once, as xz.
        let human = try swiftlzma(["--version", "--robot"])
        XCTAssertTrue(String(decoding: human.stdout, as: UTF8.self).hasPrefix("swiftlzma "))
    }

    func testInfoMemoryIsXzs() throws {
        let xz = try xz()
        for args in [[], ["-M", "100MiB", "--memlimit-compress=50%"], ["-M", "100KiB"], ["-M", "1"],
                     ["-T3", "--memlimit-mt-decompress=2G", "-M1G"], ["--memlimit-mt-decompress=100KiB"],
                     ["--memlimit-decompress=300MiB", "--memlimit-mt-decompress=1GiB"]] {
            for robot in [[], ["--robot"]] {
                let a = robot + args + ["--info-memory"]
                let ours = try swiftlzma(a, environment: ["LC_ALL": "C"])
                let theirs = try run(xz, a, environment: ["LC_ALL": "C"])
                XCTAssertEqual(ours.status, 0, ours.stderr)
                XCTAssertEqual(String(decoding: ours.stdout, as: UTF8.self), String(decoding: theirs.stdout, as: UTF8.self), "\(a)")
            }
        }
        // As xz, --info-memory acts when it is read: later options do not count.
        let early = try swiftlzma(["--info-memory", "--robot", "-M", "5MiB"])
        XCTAssertTrue(String(decoding: early.stdout, as: UTF8.self).hasPrefix("Hardware information:"))
        let total = try swiftlzma(["--robot", "--info-memory"])
        let ram = UInt64(String(decoding: total.stdout, as: UTF8.self).split(separator: "\t")[0])!
        XCTAssertEqual(ram, UInt64(sysconf(Int32(_SC_PHYS_PAGES))) * UInt64(sysconf(Int32(_SC_PAGESIZE))))
    }

    func testShortAndLongHelpAsXz() throws {
        let xz = try xz()
        func text(_ r: RunResult) -> String { String(decoding: r.stdout, as: UTF8.self) }
        let short = text(try swiftlzma(["-h"]))
        let long = text(try swiftlzma(["-H"]))
        XCTAssertTrue(short.hasPrefix("Usage: swiftlzma") && long.hasPrefix("Usage: swiftlzma"))
        // Short lists -H but not the advanced options; long lists them.
        XCTAssertTrue(short.contains("-H, --long-help"), short)
        for advanced in ["--block-list", "--filters=", "--memlimit-compress", "--format", "--info-memory"] {
            XCTAssertFalse(short.contains(advanced), advanced)
            XCTAssertTrue(long.contains(advanced), advanced)
        }
        XCTAssertLessThan(short.split(separator: "\n").count, long.split(separator: "\n").count)
        // The first of -h/-H wins, as in xz.
        XCTAssertEqual(text(try run(xz, ["-h", "-H"])), text(try run(xz, ["-h"])))
        XCTAssertEqual(text(try run(xz, ["-H", "-h"])), text(try run(xz, ["-H"])))
        XCTAssertEqual(text(try swiftlzma(["-h", "-H"])), short)
        XCTAssertEqual(text(try swiftlzma(["--long-help", "--help"])), long)
    }
}
