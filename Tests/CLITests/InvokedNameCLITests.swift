import Foundation
import XCTest

/// Invoked through a symbolic link named `unxz`, `xzcat`, `lzcat`, `unlzma`
/// or `lzma`, swiftlzma behaves as xz does under that name: the same exit
/// status, output bytes, files left behind and message (after the program name).
final class InvokedNameCLITests: CLITestCase {
    func testNamesBehaveAsXzUnderThem() throws {
        let xz = try xz()
        let text = sampleText(300)
        let cases: [(name: String, args: [String])] = [
            ("unxz", ["a.xz"]), ("unxz", ["-k", "a.xz"]), ("unxz", ["a.lzma"]), ("unxz", ["-z", "plain"]),
            ("xzcat", ["a.xz", "a.xz"]), ("xzcat", ["a.lzma"]), ("xzcat", ["plain"]), ("xzcat", ["-z", "plain"]),
            ("lzcat", ["a.lzma"]), ("lzcat", ["a.xz"]),
            ("unlzma", ["a.lzma"]), ("unlzma", ["a.xz"]), ("unlzma", ["-c", "a.lzma"]),
            ("lzma", ["plain"]), ("lzma", ["-d", "a.lzma"]), ("lzma", ["-dc", "a.xz"]), ("lzma", ["-c", "-F", "xz", "plain"]),
            ("my-xzcat-copy", ["a.xz"]),
        ]
        for (name, args) in cases {
            var results: [(RunResult, [String: Data])] = []
            for program in [CLI.binary, xz] {
                // The same fresh files for each program.
                for f in try listing() { try FileManager.default.removeItem(atPath: path(f)) }
                try write(text, "plain")
                try write(try run(xz, ["-c"], stdin: text).stdout, "a.xz")
                try write(try run(xz, ["-c", "--format=lzma"], stdin: text).stdout, "a.lzma")
                let r = try run(program, ["-T1"] + args, argv0: name)
                var files: [String: Data] = [:]
                for f in try listing() { files[f] = try read(f) }
                results.append((r, files))
            }
            let (ours, theirs) = (results[0], results[1])
            let label = "\(name) \(args.joined(separator: " "))"
            XCTAssertEqual(ours.0.status, theirs.0.status, label)
            XCTAssertTrue(ours.0.stdout == theirs.0.stdout, "\(label): stdout differs")
            XCTAssertEqual(ours.1, theirs.1, "\(label): files left differ")
            // xz names itself by argv[0] (the link's path); we say swiftlzma.
            let prefix = { (s: String) in s.split(separator: "\n").map { $0.drop { $0 != ":" } }.joined(separator: "\n") }
            XCTAssertEqual(prefix(ours.0.stderr), prefix(theirs.0.stderr), label)
        }
    }
}
