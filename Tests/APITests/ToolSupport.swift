// Running the reference tools (xz, xz58, lzip) from the API tests.
import Foundation
import XCTest

enum ToolSupport {
    /// `../shared/tools/xz58` beside the repository.
    static let xz58 = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/tools/xz58")

    /// Writes `input` to a temporary file, runs `tool` (a path, or a name
    /// looked up in PATH) with `args` and the file's path last, and returns
    /// its standard output.
    /// - Throws: `XCTSkip` when the tool cannot be started or fails (the
    ///   reference is unavailable here, not our bug).
    static func run(_ tool: String, _ args: [String], onFileWith input: [UInt8]) throws -> [UInt8] {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("api-tool-\(getpid())-\(UUID().uuidString).bin")
        try Data(input).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let p = Process()
        if tool.contains("/") {
            guard FileManager.default.isExecutableFile(atPath: tool) else { throw XCTSkip("\(tool) is absent") }
            p.executableURL = URL(fileURLWithPath: tool)
            p.arguments = args + [url.path]
        } else {
            p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            p.arguments = [tool] + args + [url.path]
        }
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        do { try p.run() } catch { throw XCTSkip("\(tool) is not available: \(error)") }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw XCTSkip("\(tool) cannot run here (exit \(p.terminationStatus))") }
        return [UInt8](data)
    }
}
