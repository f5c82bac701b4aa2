import Foundation
import XCTest

/// `../shared/tools/xz58`: liblzma 5.8.1 behind a small xz-like command, the
/// reference for what xz 5.4 cannot do (RISC-V, `.lz` decoding as 5.8 does it).
/// Tests that use it skip when it is missing or cannot run.
enum XZ58 {
    static let path: String = TestSupport.packageRoot.deletingLastPathComponent()
        .appendingPathComponent("shared/tools/xz58").path

    /// Whether xz58 runs here (it needs python3 and, on first use, its wheel).
    static let usable: Bool = {
        guard FileManager.default.isExecutableFile(atPath: path),
              let r = try? run(["--version"], input: []) else { return false }
        return r.status == 0 && String(decoding: r.stdout, as: UTF8.self).contains("5.8")
    }()

    /// Throws `XCTSkip` unless xz58 can run.
    static func require() throws {
        guard usable else { throw XCTSkip("xz58 (liblzma 5.8.1) cannot run here: \(path)") }
    }

    /// Runs `xz58 args FILE` with `input` in a temporary file; returns the
    /// exit status, standard output and the standard error text.
    static func run(_ args: [String], input: [UInt8]) throws -> (status: Int32, stdout: [UInt8], stderr: String) {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("xz58-\(UUID().uuidString).in")
        try Data(input).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = args + (args == ["--version"] ? [] : [url.path])
        // Standard error goes to a file, so neither stream can fill a pipe and block.
        let errURL = url.appendingPathExtension("err")
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errURL) }
        let errHandle = try FileHandle(forWritingTo: errURL)
        defer { try? errHandle.close() }
        let out = Pipe()
        p.standardOutput = out
        p.standardError = errHandle
        p.standardInput = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let err = (try? Data(contentsOf: errURL)) ?? Data()
        return (p.terminationStatus, [UInt8](data), String(decoding: err, as: UTF8.self))
    }

    /// Runs xz58 and requires success; returns its standard output.
    static func output(_ args: [String], _ input: [UInt8], file: StaticString = #filePath, line: UInt = #line) throws -> [UInt8] {
        let r = try run(args, input: input)
        XCTAssertEqual(r.status, 0, "xz58 \(args.joined(separator: " ")): \(r.stderr)", file: file, line: line)
        return r.stdout
    }
}
