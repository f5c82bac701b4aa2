import Foundation
import XCTest

/// Locates the `swiftlzma` binary built next to the test bundle.
enum CLI {
    static var binary: URL {
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            return bundle.bundleURL.deletingLastPathComponent().appendingPathComponent("swiftlzma")
        }
        return Bundle.main.bundleURL.appendingPathComponent("swiftlzma")
    }
}

/// What a finished process left behind.
struct RunResult {
    var status: Int32
    /// True when the process was ended by a signal (`status` is its number).
    var signaled: Bool
    var stdout: Data
    var stderr: String
}

/// Finds a program in PATH.
func findProgram(_ name: String) -> URL? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    for dir in path.split(separator: ":") {
        let url = URL(fileURLWithPath: String(dir)).appendingPathComponent(name)
        if FileManager.default.isExecutableFile(atPath: url.path) { return url }
    }
    return nil
}

/// A base class giving each test a fresh temporary folder to work in, plus
/// helpers to run `swiftlzma`, `xz` and `sha1sum`.
class CLITestCase: XCTestCase {
    /// The folder the test works in (the tool runs with it as its current folder).
    var dir: URL!
    /// Where captured stdout/stderr go (kept out of `dir` so listings are clean).
    private var scratch: URL!

    override func setUpWithError() throws {
        let base = FileManager.default.temporaryDirectory
            .appendingPathComponent("swiftlzma-cli-\(UUID().uuidString)")
        dir = base.appendingPathComponent("work")
        scratch = base.appendingPathComponent("scratch")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        if let dir {
            try? FileManager.default.removeItem(at: dir.deletingLastPathComponent())
        }
    }

    func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

    /// Runs a program in `dir`, with stdin from `stdin` (bytes) or /dev/null.
    /// - Parameter whileRunning: called with the process once it started.
    @discardableResult
    func run(_ program: URL, _ arguments: [String], stdin: Data? = nil, argv0: String? = nil,
             environment: [String: String] = [:], whileRunning: ((Process) throws -> Void)? = nil) throws -> RunResult {
        var executable = program
        if let argv0 {
            // Process has no argv[0] override: run through a symbolic link.
            let link = scratch.appendingPathComponent(argv0)
            try? FileManager.default.removeItem(at: link)
            try FileManager.default.createSymbolicLink(at: link, withDestinationURL: program)
            executable = link
        }
        let id = UUID().uuidString
        let outURL = scratch.appendingPathComponent("out-\(id)")
        let errURL = scratch.appendingPathComponent("err-\(id)")
        let inURL = scratch.appendingPathComponent("in-\(id)")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = dir
        // xz and swiftlzma read options from these; keep the caller's out.
        var env = ProcessInfo.processInfo.environment
        env["XZ_OPT"] = nil
        env["XZ_DEFAULTS"] = nil
        env.merge(environment) { $1 }
        process.environment = env
        let outHandle = try FileHandle(forWritingTo: outURL)
        let errHandle = try FileHandle(forWritingTo: errURL)
        process.standardOutput = outHandle
        process.standardError = errHandle
        if let stdin {
            try stdin.write(to: inURL)
            process.standardInput = try FileHandle(forReadingFrom: inURL)
        } else {
            process.standardInput = FileHandle(forReadingAtPath: "/dev/null")
        }
        try process.run()
        if let whileRunning { try whileRunning(process) }
        process.waitUntilExit()
        try outHandle.close()
        try errHandle.close()
        return RunResult(status: process.terminationStatus,
                         signaled: process.terminationReason == .uncaughtSignal,
                         stdout: try Data(contentsOf: outURL),
                         stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
    }

    /// Runs `swiftlzma` with `arguments`.
    @discardableResult
    func swiftlzma(_ arguments: [String], stdin: Data? = nil, argv0: String? = nil,
                   environment: [String: String] = [:],
                   whileRunning: ((Process) throws -> Void)? = nil) throws -> RunResult {
        try run(CLI.binary, arguments, stdin: stdin, argv0: argv0, environment: environment,
                whileRunning: whileRunning)
    }

    /// The real xz, or skips the test.
    func xz() throws -> URL {
        guard let url = findProgram("xz") else { throw XCTSkip("xz is not installed") }
        return url
    }

    /// Compresses `data` with `xz --format=lzma` (plus `extra` options) into
    /// `dir/name` and returns the compressed bytes.
    @discardableResult
    func makeLZMA(_ data: Data, name: String, extra: [String] = ["--format=lzma"]) throws -> Data {
        let r = try run(try xz(), extra + ["-c"], stdin: data)
        XCTAssertEqual(r.status, 0, r.stderr)
        try r.stdout.write(to: dir.appendingPathComponent(name))
        return r.stdout
    }

    func write(_ data: Data, _ name: String) throws {
        try data.write(to: dir.appendingPathComponent(name))
    }

    func read(_ name: String) throws -> Data {
        try Data(contentsOf: dir.appendingPathComponent(name))
    }

    func exists(_ name: String) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: path(name), isDirectory: &isDir)
            || (try? FileManager.default.destinationOfSymbolicLink(atPath: path(name))) != nil
    }

    /// The names in `dir`, sorted (hidden temporary files included).
    func listing() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
    }

    /// Text that compresses well but is not trivial.
    func sampleText(_ lines: Int = 2000, seed: Int = 1) -> Data {
        var s = ""
        for i in 0..<lines { s += "line \(i * seed) of the sample: \(String(repeating: "ab", count: i % 13))\n" }
        return Data(s.utf8)
    }

    /// Pseudo-random bytes (a fixed LCG, so failures are reproducible).
    func noise(_ count: Int, seed: UInt64 = 42) -> Data {
        var x = seed
        var d = Data(count: count)
        for i in 0..<count {
            x = x &* 6364136223846793005 &+ 1442695040888963407
            d[i] = UInt8(truncatingIfNeeded: x >> 33)
        }
        return d
    }
}

final class CLIBinaryTests: XCTestCase {
    func testBinaryIsBuilt() {
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: CLI.binary.path), CLI.binary.path)
    }
}
