import Foundation
import XCTest

/// Input and output files as xz 5.8 handles them: `-k` through a symbolic
/// link, `--single-stream` implying `--keep`, sparse output (`--no-sparse`),
/// and the fsync before the input is removed (`--no-sync`).
final class FileSafetyCLITests: CLITestCase {
    func testKeepCompressesThroughSymbolicLinkAsXz() throws {
        let xz = try xz()
        for (args, file) in [(["-k"], "link"), ([], "link"), (["-dk"], "zlink"), (["-d"], "zlink"), (["-kc"], "link")] {
            var seen: [(Int32, Data, [String: Data])] = []
            for program in [CLI.binary, xz] {
                for f in try listing() { try FileManager.default.removeItem(atPath: path(f)) }
                try write(sampleText(200), "t")
                try write(try run(xz, ["-c"], stdin: sampleText(100)).stdout, "t.xz")
                try FileManager.default.createSymbolicLink(atPath: path("link"), withDestinationPath: "t")
                try FileManager.default.createSymbolicLink(atPath: path("zlink.xz"), withDestinationPath: "t.xz")
                let r = try run(program, ["-T1"] + args + [file == "zlink" ? "zlink.xz" : file])
                var files: [String: Data] = [:]
                for f in try listing() {
                    let isLink = (try? FileManager.default.destinationOfSymbolicLink(atPath: path(f))) != nil
                    files[f] = isLink ? Data("-> link".utf8) : try read(f)
                }
                seen.append((r.status, r.stdout, files))
            }
            XCTAssertEqual(seen[0].0, seen[1].0, "\(args) \(file)")
            XCTAssertTrue(seen[0].1 == seen[1].1, "\(args) \(file): stdout differs")
            XCTAssertEqual(seen[0].2, seen[1].2, "\(args) \(file): files left differ")
        }
    }

    func testSingleStreamImpliesKeep() throws {
        let xz = try xz()
        try write(try run(xz, ["-c"], stdin: sampleText(100)).stdout, "a.xz")
        let r = try swiftlzma(["-d", "--single-stream", "a.xz"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(try listing(), ["a", "a.xz"])
        XCTAssertTrue(try read("a") == sampleText(100))
    }

    /// Allocated bytes of a file.
    private func allocated(_ name: String) -> Int {
        var st = stat()
        return stat(path(name), &st) == 0 ? Int(st.st_blocks) * 512 : -1
    }

    func testDecompressionMakesSparseFilesUnlessNoSparse() throws {
        let xz = try xz()
        // Holes must exist here: a 1 MiB file made by ftruncate takes no blocks.
        let probe = open(path("probe"), O_CREAT | O_WRONLY, 0o600)
        XCTAssertGreaterThanOrEqual(probe, 0)
        XCTAssertEqual(ftruncate(probe, 1 << 20), 0)
        close(probe)
        guard allocated("probe") < 1 << 19 else { throw XCTSkip("this file system has no holes") }
        try FileManager.default.removeItem(atPath: path("probe"))
        let zeros = Data(count: 3 << 20)
        for (name, content) in [("tail", zeros + Data("middle".utf8) + zeros),       // ends in a hole
                                ("head", Data("start".utf8) + zeros + Data("end".utf8))] {
            try write(try run(xz, ["-c"], stdin: content).stdout, "\(name).xz")
            let sparse = try swiftlzma(["-dk", "\(name).xz"])
            XCTAssertEqual(sparse.status, 0, sparse.stderr)
            XCTAssertTrue(try read(name) == content, name)
            XCTAssertLessThan(allocated(name), 1 << 20, "\(name): not sparse")
            try FileManager.default.removeItem(atPath: path(name))
            let dense = try swiftlzma(["-dk", "--no-sparse", "\(name).xz"])
            XCTAssertEqual(dense.status, 0, dense.stderr)
            XCTAssertTrue(try read(name) == content, name)
            XCTAssertGreaterThanOrEqual(allocated(name), content.count, "\(name): --no-sparse left holes")
            try FileManager.default.removeItem(atPath: path(name))
        }
    }

    /// Under strace: the output and its folder are fsync'ed before the input
    /// is unlinked; not with --no-sync, nor when the input is kept.
    func testOutputIsSynchronizedBeforeTheInputIsRemoved() throws {
        guard let strace = findProgram("strace"),
              let probe = try? run(strace, ["-f", "-e", "trace=fsync", "/bin/true"]), probe.status == 0 else {
            throw XCTSkip("strace cannot run here")
        }
        for (args, expectSync) in [([String](), true), (["--no-sync"], false), (["-k"], false)] {
            for mode in [["-z"], ["-d"]] {
                try? FileManager.default.removeItem(atPath: path("f"))
                try? FileManager.default.removeItem(atPath: path("f.xz"))
                if mode == ["-z"] { try write(sampleText(50), "f") } else {
                    try write(try swiftlzma(["-c"], stdin: sampleText(50)).stdout, "f.xz")
                }
                let input = mode == ["-z"] ? "f" : "f.xz"
                let r = try run(strace, ["-f", "-e", "trace=fsync,unlink", CLI.binary.path, "-T1"] + mode + args + [input])
                XCTAssertEqual(r.status, 0, r.stderr)
                let calls = r.stderr.split(separator: "\n").map(String.init)
                let syncs = calls.indices.filter { calls[$0].contains("fsync(") && calls[$0].contains("= 0") }
                let removal = calls.firstIndex { $0.contains("unlink(\"\(input)\")") }
                if expectSync {
                    XCTAssertEqual(syncs.count, 2, "\(mode) \(args): \(calls)")  // the file, then its folder
                    XCTAssertNotNil(removal)
                    XCTAssertLessThan(syncs.last ?? .max, removal ?? -1, "\(mode) \(args): fsync after unlink")
                } else {
                    XCTAssertTrue(syncs.isEmpty, "\(mode) \(args): \(calls)")
                }
            }
        }
    }
}
