import Foundation
import XCTest

/// `--riscv[=start=N]` on the command line: the file is what liblzma 5.8.1
/// (`../shared/tools/xz58`) writes with the same chain, and `-lvv` names the
/// filter as xz 5.8 does.
final class RISCVCLITests: CLITestCase {
    /// xz58, when it runs here.
    func xz58() throws -> URL {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()  // CLITests
            .deletingLastPathComponent().deletingLastPathComponent()            // package root
            .deletingLastPathComponent().appendingPathComponent("shared/tools/xz58")
        guard FileManager.default.isExecutableFile(atPath: url.path),
              let r = try? run(url, ["--version"]), r.status == 0 else {
            throw XCTSkip("xz58 (liblzma 5.8.1) cannot run here")
        }
        return url
    }

    func testRISCVFileIsLiblzmasAndListsAsXz58() throws {
        let xz58 = try xz58()
        // Real riscv64 code when the cross libc is installed, else text and noise.
        let libc = FileManager.default.contents(atPath: "/usr/riscv64-linux-gnu/lib/libc.so.6").map { Data($0.prefix(200_000)) }
        try write(libc ?? sampleText(3000) + noise(20_000), "code.bin")
        for start in ["0", "4096"] {
            let ours = try swiftlzma(["-T1", "-zkc", "--riscv=start=\(start)", "--lzma2=preset=6", "code.bin"])
            XCTAssertEqual(ours.status, 0, ours.stderr)
            let theirs = try run(xz58, ["-z", "--filters=riscv:start=\(start) lzma2:preset=6", path("code.bin")])
            XCTAssertEqual(theirs.status, 0, theirs.stderr)
            XCTAssertTrue(ours.stdout == theirs.stdout, "start=\(start): .xz differs from liblzma 5.8.1's")
            let back = try swiftlzma(["-dc"], stdin: theirs.stdout)
            XCTAssertTrue(back.stdout == (try Data(contentsOf: dir.appendingPathComponent("code.bin"))), "start=\(start)")
            try write(ours.stdout, "code-\(start).xz")
            let list = String(decoding: try swiftlzma(["-lvv", "code-\(start).xz"]).stdout, as: UTF8.self)
            XCTAssertTrue(list.contains(start == "0" ? "  --riscv --lzma2=dict=8MiB" : "  --riscv=start=4KiB --lzma2=dict=8MiB"), list)
            XCTAssertTrue(list.contains("Minimum XZ Utils version: 5.6.0"), list)
        }
        let bad = try swiftlzma(["-zkc", "--riscv=start=1", "code.bin"])
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.stderr.contains("not a multiple of 2"), bad.stderr)
    }
}
