import Foundation
import XCTest

/// `--flush-timeout=MS`: what was read before the input stalled can be
/// decoded at the other end while the compressor still runs.
final class FlushTimeoutCLITests: CLITestCase {
    func testStalledInputIsFlushedAndTheWholeDecodesAsXz() throws {
        let xz = try xz()
        let process = Process()
        process.executableURL = CLI.binary
        process.arguments = ["--flush-timeout=100", "-c"]
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let first = sampleText(40)
        input.fileHandleForWriting.write(first)
        // Well past the timeout: the first part must be out and decodable.
        var flushed = Data()
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            let fd = output.fileHandleForReading.fileDescriptor
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            if poll(&pfd, 1, 200) > 0 {
                var chunk = [UInt8](repeating: 0, count: 1 << 16)
                let n = Glibc.read(fd, &chunk, chunk.count)
                if n <= 0 { break }
                flushed += chunk[..<n]
                let partial = try run(xz, ["-dc"], stdin: flushed)
                if partial.status == 0 && partial.stdout == first { break }
            }
        }
        XCTAssertTrue(process.isRunning, "the compressor ended before its input did")
        let partial = try run(xz, ["-dc"], stdin: flushed)
        XCTAssertEqual(partial.status, 0, partial.stderr)
        XCTAssertTrue(partial.stdout == first, "what was read before the stall is not decodable yet")
        let second = sampleText(30, seed: 7)
        input.fileHandleForWriting.write(second)
        try input.fileHandleForWriting.close()
        let rest = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        // The notice xz gives: the default -T0 is multithreaded.
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertEqual(stderr, "swiftlzma: Switching to single-threaded mode due to --flush-timeout\n")
        let whole = try run(xz, ["-dc"], stdin: flushed + rest)
        XCTAssertEqual(whole.status, 0, whole.stderr)
        XCTAssertTrue(whole.stdout == first + second)
    }

    func testFormatsAsXz() throws {
        let xz = try xz()
        for args in [["-F", "lzma"], ["-T1"], ["-T1", "-d"]] {
            let stdin = args.contains("-d") ? try run(xz, ["-c"], stdin: sampleText(5)).stdout : sampleText(5)
            let ours = try swiftlzma(args + ["--flush-timeout=50", "-c"], stdin: stdin)
            let theirs = try run(xz, args + ["--flush-timeout=50", "-c"], stdin: stdin)
            XCTAssertEqual(ours.status, theirs.status, "\(args)")
            XCTAssertEqual(asXz(ours.stderr), theirs.stderr.replacingOccurrences(of: "\(xz.path): ", with: "xz: "), "\(args)")
            // Input that never stalls (a file) gives xz's bytes.
            XCTAssertTrue(ours.stdout == theirs.stdout, "\(args)")
        }
    }
}
