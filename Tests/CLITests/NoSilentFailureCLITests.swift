import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Issue 15, "no silent failure, no surprise": signals inherited as ignored,
/// failed writes to standard output and error, header edges, and xz's
/// messages, each against xz 5.4's behaviour.
final class NoSilentFailureCLITests: CLITestCase {
    /// Runs `script` with /bin/sh in the work folder; `$0` is swiftlzma and
    /// `$1` xz (or `false` when xz is absent).
    @discardableResult
    func shell(_ script: String) throws -> RunResult {
        try run(URL(fileURLWithPath: "/bin/sh"), ["-c", script, CLI.binary.path, findProgram("xz")?.path ?? "false"])
    }

    /// xz's messages as swiftlzma's: each line's program name (xz's argv[0])
    /// replaced by "swiftlzma".
    func asOurs(_ xzText: String) -> String {
        xzText.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            guard let colon = line.range(of: ": ") else { return String(line) }
            return "swiftlzma: " + line[colon.upperBound...]
        }.joined(separator: "\n")
    }

    // MARK: - Item 1: signals inherited as ignored stay ignored

    /// Decodes from a pipe under `sh -c "<prefix> exec swiftlzma -dc"`; after
    /// half the input, when output has appeared, sends SIGHUP and SIGINT, then
    /// the rest of the input.
    private func decodeWhileSignalled(prefix: String, data: Data, compressed: Data) throws
        -> (reason: Process.TerminationReason, status: Int32, output: Data) {
        let outURL = dir.appendingPathComponent("signal-out")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        let outHandle = try FileHandle(forWritingTo: outURL)
        let input = Pipe()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "\(prefix) exec \"$0\" -dc", CLI.binary.path]
        process.standardInput = input
        process.standardOutput = outHandle
        process.standardError = FileHandle.nullDevice
        try process.run()
        let half = compressed.count / 2
        input.fileHandleForWriting.write(compressed.prefix(half))
        // Wait until swiftlzma runs (its handlers, if any, are installed) and decodes.
        let deadline = Date().addingTimeInterval(20)
        while (try? FileManager.default.attributesOfItem(atPath: outURL.path)[.size] as? Int) ?? 0 == 0 {
            guard Date() < deadline else { break }
            usleep(10_000)
        }
        kill(process.processIdentifier, SIGHUP)
        kill(process.processIdentifier, SIGINT)
        usleep(200_000)
        if process.isRunning {
            input.fileHandleForWriting.write(compressed.suffix(from: half))
        }
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
        try outHandle.close()
        return (process.terminationReason, process.terminationStatus, try Data(contentsOf: outURL))
    }

    func testSignalsInheritedAsIgnoredStayIgnored() throws {
        let data = sampleText(10000)
        let compressed = try swiftlzma(["-c", "-1"], stdin: data).stdout
        // As xz: `trap '' HUP INT` (or nohup) keeps the process running to the end.
        let ignored = try decodeWhileSignalled(prefix: "trap '' HUP INT;", data: data, compressed: compressed)
        XCTAssertEqual(ignored.reason, .exit)
        XCTAssertEqual(ignored.status, 0)
        XCTAssertEqual(ignored.output, data)
        // Not ignored: the signal ends it, as it ends xz.
        let caught = try decodeWhileSignalled(prefix: "", data: data, compressed: compressed)
        XCTAssertEqual(caught.reason, .uncaughtSignal)
        XCTAssertTrue([SIGHUP, SIGINT].contains(caught.status), "\(caught.status)")
        XCTAssertLessThan(caught.output.count, data.count)
    }

    // MARK: - Item 2: every write to stdout and stderr is checked

    func testFailedWritesToStandardOutputAreReported() throws {
        let data = sampleText(500)
        try write(data, "f")
        try write(try swiftlzma(["-c"], stdin: data).stdout, "f.xz")
        let full = "swiftlzma: Writing to standard output failed: No space left on device\n"
        let asXZ = ["-l f.xz", "-lv f.xz", "-lvv f.xz", "--robot -l f.xz", "--robot -lvv f.xz", "-l f.xz f.xz",
                    "--help", "-V"]
        for args in asXZ + ["--sha1 f", "-t --sha1 f.xz", "--sha1 f.xz f"] {
            let r = try shell("exec \"$0\" \(args) > /dev/full")
            XCTAssertEqual(r.status, 1, args)
            XCTAssertEqual(r.stderr, full, args)
        }
        // xz says the same for each (after its program name).
        if findProgram("xz") != nil {
            for args in asXZ {
                let r = try shell("exec \"$1\" \(args) > /dev/full")
                XCTAssertEqual(r.status, 1, args)
                XCTAssertEqual(asOurs(r.stderr), full, args)
            }
        }
        // Decompressing to stdout reports it per file, as xz.
        let dc = try shell("exec \"$0\" -dc f.xz > /dev/full")
        XCTAssertEqual(dc.status, 1)
        XCTAssertEqual(dc.stderr, "swiftlzma: (stdout): Write error: No space left on device\n")
    }

    func testFailedWriteToStandardErrorSetsTheStatus() throws {
        try write(try swiftlzma(["-c"], stdin: sampleText(500)).stdout, "f.xz")
        // -v prints a summary line to a stderr that is not a terminal.
        XCTAssertEqual(try shell("exec \"$0\" -t -v f.xz 2>/dev/full").status, 1)
        // Nothing written to stderr: nothing failed.
        XCTAssertEqual(try shell("exec \"$0\" -t f.xz 2>/dev/full").status, 0)
        if findProgram("xz") != nil {
            XCTAssertEqual(try shell("exec \"$1\" -t -v f.xz 2>/dev/full").status, 1)
        }
    }

    /// A closed stdout is not silently lost (and no output file takes its place).
    func testClosedStandardOutput() throws {
        let data = sampleText(500)
        try write(try swiftlzma(["-c"], stdin: data).stdout, "f.xz")
        let r = try shell("exec \"$0\" -l f.xz >&-")
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(r.stderr, "swiftlzma: Writing to standard output failed: Bad file descriptor\n")
        if findProgram("xz") != nil {
            let x = try shell("exec \"$1\" -l f.xz >&-")
            XCTAssertEqual(asOurs(x.stderr), r.stderr)
        }
        // Writing a file with stdout and stderr closed works, and -v's line
        // cannot end up in the output file.
        let k = try shell("exec \"$0\" -dk -v f.xz >&- 2>&-")
        XCTAssertEqual(k.status, 1)  // the -v line could not be written
        XCTAssertEqual(try read("f"), data)
        try FileManager.default.removeItem(atPath: path("f"))
        XCTAssertEqual(try shell("exec \"$0\" -dk f.xz >&- 2>&-").status, 0)
        XCTAssertEqual(try read("f"), data)
    }
}

/// Items 3-5 through the command line: the crafted files of
/// TestVectors/regressions/ give what xz 5.4 gives (bytes, status, message).
final class HeaderEdgeCLITests: CLITestCase {
    private static let regressions = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("TestVectors/regressions")

    /// Copies a crafted file into the work folder.
    private func copy(_ name: String) throws {
        try write(try Data(contentsOf: Self.regressions.appendingPathComponent(name)), name)
    }

    private func crafted(prefix: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: Self.regressions.path)
            .filter { $0.hasPrefix(prefix) }.sorted()
    }

    /// Our message equals xz's, or is xz's followed by ": details".
    private func assertSameMessages(_ ours: String, _ xzText: String, _ label: String,
                                    file: StaticString = #filePath, line: UInt = #line) {
        let a = ours.split(separator: "\n").map(String.init)
        let b = xzText.split(separator: "\n").map { l -> String in
            guard let colon = l.range(of: ": ") else { return String(l) }
            return "swiftlzma: " + l[colon.upperBound...]
        }
        XCTAssertEqual(a.count, b.count, "\(label): \(ours) vs \(xzText)", file: file, line: line)
        for (x, y) in zip(a, b) {
            XCTAssertTrue(x == y || x.hasPrefix(y + ": "), "\(label): [\(x)] vs xz [\(y)]", file: file, line: line)
        }
    }

    /// Runs the same arguments through both tools and compares everything.
    private func compareWithXZ(_ args: [String], _ label: String) throws {
        let xz = try xz()
        let ours = try swiftlzma(args)
        let theirs = try run(xz, args)
        XCTAssertEqual(ours.status, theirs.status, "\(label): \(ours.stderr)")
        XCTAssertEqual(ours.stdout, theirs.stdout, label)
        assertSameMessages(ours.stderr, theirs.stderr, label)
    }

    /// Item 3: `-dc` writes exactly what xz writes, then fails.
    func testSizeLiesWriteWhatXZWrites() throws {
        let names = try crafted(prefix: "size-lie-")
        XCTAssertEqual(names.count, 11)
        for name in names {
            try copy(name)
            try compareWithXZ(["-dc", name], name)
        }
    }

    /// Item 4: `.lzma` is recognised as xz recognises it, auto-detected or with -F lzma.
    func testLZMAHeadersAreRecognisedAsXZDoes() throws {
        let names = try crafted(prefix: "lzma-header-")
        XCTAssertEqual(names.count, 8)
        for name in names {
            try copy(name)
            for args in [["-dc"], ["-F", "lzma", "-dc"], ["-t"], ["-F", "lzma", "-t"],
                         ["-dcf"], ["-F", "lzma", "-dcf"], ["-F", "xz", "-dcf"]] {
                try compareWithXZ(args + [name], "\(args) \(name)")
            }
        }
        // Without xz, the facts of the issue.
        try copy("lzma-header-dict0.lzma")
        try copy("lzma-header-size-2pow38.lzma")
        let d0 = try swiftlzma(["-dc", "lzma-header-dict0.lzma"])
        XCTAssertEqual(d0.stderr, "swiftlzma: lzma-header-dict0.lzma: File format not recognized\n")
        XCTAssertEqual(d0.stdout.count, 0)
        let s38 = try swiftlzma(["-dc", "lzma-header-size-2pow38.lzma"])
        XCTAssertEqual(s38.stdout.count, 3000)
        XCTAssertEqual(s38.status, 1)
    }

    /// Item 5: a stream header and nothing else is "Unexpected end of input".
    func testStreamHeaderAloneIsUnexpectedEndOfInput() throws {
        for name in try crafted(prefix: "stream-header-only") {
            try copy(name)
            let r = try swiftlzma(["-dc", name])
            XCTAssertEqual(r.status, 1)
            XCTAssertTrue(r.stderr.hasSuffix("swiftlzma: \(name): Unexpected end of input: the .xz data ends inside a stream (after 12 bytes)\n"), r.stderr)
            XCTAssertEqual(r.stderr.contains("Unsupported type of integrity check"), name.contains("check3"), r.stderr)
            for args in [["-dc"], ["-t"], ["-dcf"], ["--single-stream", "-dc"], ["-F", "xz", "-dc"], ["-F", "lzma", "-dc"],
                         ["-F", "lzma", "-dcf"], ["-dcq"]] {
                try compareWithXZ(args + [name], "\(args) \(name)")
            }
        }
    }

    /// Short .xz inputs: the magic (6 bytes) decides, as in xz, and -F xz
    /// refuses what lacks it.
    func testShortInputsAreJudgedByTheMagic() throws {
        let full = try swiftlzma(["-c"], stdin: Data("hello\n".utf8)).stdout
        for n in [1, 5, 6, 7, 11, 13] {
            try write(full.prefix(n), "short\(n).xz")
            for args in [["-dc"], ["-dcf"], ["-F", "xz", "-dc"], ["-F", "xz", "-dcf"], ["-F", "lzma", "-dc"]] {
                try compareWithXZ(args + ["short\(n).xz"], "\(args) short\(n)")
            }
        }
    }
}
