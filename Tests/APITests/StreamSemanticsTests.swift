// The end-of-stream rules of LZMADecompressor, checked against Python's lzma
// module (liblzma) on the same inputs, and against `xz -d` for concatenated
// streams and padding. Tests skip when python3 (with lzma) or xz is missing.
import Foundation
import LZMA
import XCTest

/// Runs a Python program that reads hex input lines and prints JSON.
private func python(_ program: String, input: [[UInt8]]) throws -> Any {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["python3", "-c", program]
    let inPipe = Pipe(), outPipe = Pipe()
    p.standardInput = inPipe
    p.standardOutput = outPipe
    p.standardError = FileHandle.nullDevice
    do { try p.run() } catch { throw XCTSkip("python3 is not available: \(error)") }
    let text = input.map { $0.map { String(format: "%02x", $0) }.joined() }.joined(separator: "\n") + "\n"
    inPipe.fileHandleForWriting.write(text.data(using: .utf8)!)
    try inPipe.fileHandleForWriting.close()
    let data = outPipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    guard p.terminationStatus == 0 else { throw XCTSkip("python3 with the lzma module is not available") }
    return try JSONSerialization.jsonObject(with: data)
}

/// Python: feed the whole input to LZMADecompressor(format) with max_length
/// steps; report each call's output length and the state after it.
private let pythonSteps = """
import lzma, sys, json
fmt = {"xz": lzma.FORMAT_XZ, "lzma": lzma.FORMAT_ALONE, "auto": lzma.FORMAT_AUTO}[sys.argv[1] if len(sys.argv) > 1 else "auto"]
lines = sys.stdin.read().split()
data = bytes.fromhex(lines[0]); maxlen = int(lines[1], 16) if len(lines) > 1 else -1
d = lzma.LZMADecompressor(format=fmt)
steps = []
first = True
while True:
    try:
        out = d.decompress(data if first else b"", max_length=maxlen)
    except lzma.LZMAError as e:
        steps.append({"error": str(e)}); break
    first = False
    steps.append({"n": len(out), "sha": out.hex()[:16], "eof": d.eof, "needs_input": d.needs_input,
                  "unused": d.unused_data.hex()})
    if d.eof or d.needs_input: break
    if len(steps) > 100000: break
print(json.dumps(steps))
"""

final class StreamSemanticsTests: XCTestCase {
    static let text: [UInt8] = Array((0..<40_000).map { UInt8(truncatingIfNeeded: ($0 * 31) % 253 ^ ($0 >> 7)) })

    /// Our steps for the same program: one call with all data, then calls with
    /// no data while !needsInput && !isFinished.
    private func ourSteps(_ data: [UInt8], maxLength: Int, concatenated: Bool) -> [[String: Any]] {
        let d = LZMADecompressor(options: DecompressionOptions(concatenated: concatenated))
        var steps: [[String: Any]] = []
        var first = true
        while true {
            do {
                let out = try d.decompress(first ? data : [], maxLength: maxLength)
                first = false
                steps.append(["n": out.count, "sha": out.prefix(8).map { String(format: "%02x", $0) }.joined(),
                              "eof": d.isFinished, "needs_input": d.needsInput,
                              "unused": d.unusedData.map { String(format: "%02x", $0) }.joined()])
            } catch {
                steps.append(["error": error.description]); break
            }
            if d.isFinished || d.needsInput { break }
        }
        return steps
    }

    private func compare(_ data: [UInt8], maxLength: Int, file: StaticString = #filePath, line: UInt = #line) throws {
        let lines: [[UInt8]] = [data]
        var program = pythonSteps
        if maxLength != .max {
            program = program.replacingOccurrences(of: "maxlen = int(lines[1], 16) if len(lines) > 1 else -1",
                                                   with: "maxlen = \(maxLength)")
        }
        guard let theirs = try python(program, input: lines) as? [[String: Any]] else { return XCTFail("bad JSON", file: file, line: line) }
        let ours = ourSteps(data, maxLength: maxLength, concatenated: false)
        XCTAssertEqual(ours.count, theirs.count, "number of calls", file: file, line: line)
        for (o, t) in zip(ours, theirs) {
            if t["error"] != nil {
                XCTAssertNotNil(o["error"], "Python failed (\(t["error"]!)), we did not: \(o)", file: file, line: line)
                continue
            }
            for key in ["n", "sha", "unused"] {
                XCTAssertEqual("\(o[key] ?? "nil")", "\(t[key] ?? "nil")", "\(key) differs", file: file, line: line)
            }
            for key in ["eof", "needs_input"] {
                XCTAssertEqual(o[key] as? Bool, (t[key] as? NSNumber)?.boolValue, "\(key) differs", file: file, line: line)
            }
        }
    }

    func testXZStreamThenGarbageAsPython() throws {
        let xz = try LZMACompressor.compress(Self.text)
        try compare(xz + Array("trailing garbage".utf8), maxLength: .max)
    }

    func testXZStreamThenPaddingAndAnotherStreamAsPython() throws {
        let xz = try LZMACompressor.compress(Self.text)
        try compare(xz + [0, 0, 0, 0] + xz, maxLength: .max)
    }

    func testLZMAThenGarbageAsPython() throws {
        let lzma = try LZMACompressor.compress(Self.text, format: .lzma)
        try compare(lzma + [1, 2, 3], maxLength: .max)
    }

    func testMaxLengthStepsAsPython() throws {
        let xz = try LZMACompressor.compress(Self.text)
        try compare(xz, maxLength: 1000)
        try compare(xz + [9, 9], maxLength: 4096)
        let lzma = try LZMACompressor.compress(Self.text, format: .lzma)
        try compare(lzma, maxLength: 777)
    }

    /// A deliberate difference: Python raises at once and drops the bytes
    /// decoded before the error; we return them first (as `xz -dc` writes
    /// them) and throw on the next call. Both fail, at the same data.
    func testDamagedDataFailsAsPythonAfterTheGoodBytes() throws {
        var xz = try LZMACompressor.compress(Self.text)
        xz[xz.count / 2] ^= 0xFF
        guard let theirs = try python(pythonSteps, input: [xz]) as? [[String: Any]] else { return XCTFail("bad JSON") }
        XCTAssertNotNil(theirs.last?["error"], "Python must fail on this input")
        let d = LZMADecompressor(options: DecompressionOptions(concatenated: false))
        let good = try d.decompress(xz)
        XCTAssertFalse(d.needsInput)
        XCTAssertThrowsError(try d.decompress([])) { XCTAssertNotNil(($0 as! LZMAError).offset) }
        XCTAssertLessThan(good.count, Self.text.count)
    }

    /// Python's eof after the first byte-by-byte complete stream.
    func testOneByteChunksReachTheEndAsPython() throws {
        let xz = try LZMACompressor.compress(Self.text)
        let d = LZMADecompressor(options: DecompressionOptions(concatenated: false))
        var out: [UInt8] = []
        for b in xz + [7] { out += try d.decompress([b]) }
        XCTAssertTrue(d.isFinished)
        XCTAssertFalse(d.needsInput)
        XCTAssertEqual(d.unusedData, [7])
        XCTAssertEqual(out, Self.text)
    }

    // MARK: concatenated (the default), against xz -d

    private func xzDecode(_ data: [UInt8]) throws -> (status: Int32, output: [UInt8]) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["xz", "-dc"]
        let inPipe = Pipe(), outPipe = Pipe()
        p.standardInput = inPipe
        p.standardOutput = outPipe
        p.standardError = FileHandle.nullDevice
        do { try p.run() } catch { throw XCTSkip("xz is not available") }
        DispatchQueue.global().async {
            inPipe.fileHandleForWriting.write(Data(data))
            try? inPipe.fileHandleForWriting.close()
        }
        let out = outPipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        if p.terminationStatus == 127 { throw XCTSkip("xz is not available") }
        return (p.terminationStatus, [UInt8](out))
    }

    func testConcatenatedStreamsAndPaddingAsXZ() throws {
        let a = try LZMACompressor.compress(Self.text)
        let b = try LZMACompressor.compress(Array(Self.text.reversed()), options: CompressionOptions(check: .crc32))
        let cases: [[UInt8]] = [a + b, a + [0, 0, 0, 0] + b, a + [0, 0, 0, 0, 0, 0, 0, 0], a + [0, 0, 0], a + [0] + b,
                                a + Array(b.prefix(20)), a + [0xFD, 0x37]]
        for input in cases {
            let xz = try xzDecode(input)
            var ours: [UInt8]?
            do { ours = try LZMADecompressor.decompress(input) } catch { ours = nil }
            XCTAssertEqual(ours != nil, xz.status == 0, "xz exit \(xz.status) for \(input.count) bytes")
            if let ours { XCTAssertEqual(ours, xz.output) }
            // Streaming, one byte at a time, gives the same outcome.
            let d = LZMADecompressor()
            var streamed: [UInt8] = []
            var failed = false
            do {
                for byte in input { streamed += try d.decompress([byte]) }
                try d.finish()
            } catch { failed = true }
            XCTAssertEqual(failed, xz.status != 0)
            if !failed { XCTAssertEqual(streamed, xz.output) }
        }
    }

    /// Concatenated mode: isFinished is true at a stream boundary and goes on
    /// when another stream is given.
    func testIsFinishedBetweenStreamsAndGoesOn() throws {
        let a = try LZMACompressor.compress([1, 2, 3])
        let d = LZMADecompressor()
        XCTAssertEqual(try d.decompress(a), [1, 2, 3])
        XCTAssertTrue(d.isFinished)
        XCTAssertEqual(try d.decompress([0, 0, 0, 0] + a), [1, 2, 3])
        XCTAssertTrue(d.isFinished)
        XCTAssertEqual(try d.decompress(Array("junk".utf8)), [])
        XCTAssertTrue(d.isFinished)
        XCTAssertEqual(d.unusedData, Array("junk".utf8))
        XCTAssertNoThrow(try d.finish())
    }

    // MARK: statuses, latching, finish()

    func testOutputFullOnlyWhenTheBufferIsFull() throws {
        var xz = try LZMACompressor.compress(Self.text)
        xz[xz.count / 2] ^= 0x10
        let viaPython = LZMADecompressor()
        let goodBytes = try viaPython.decompress(xz)
        let d = LZMADecompressor()
        let out = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: 1 << 20)
        defer { out.deallocate() }
        var thrown: LZMAError?
        xz.withUnsafeBufferPointer { inBuf in
            do throws(LZMAError) {
                let r = try d.decode(input: inBuf, output: out)
                if r.status == .outputFull { XCTAssertEqual(r.produced, out.count) }
            } catch {
                thrown = error
            }
        }
        let e = try XCTUnwrap(thrown, "the damaged stream must fail")
        XCTAssertGreaterThan(d.totalOut, 0, "good bytes before the error are counted")
        XCTAssertEqual(Array(out[..<Int(d.totalOut)]), goodBytes, "both interfaces deliver the same bytes before the error")
        // Latched: every later call throws the same error.
        XCTAssertThrowsError(try d.decompress([])) { XCTAssertEqual($0 as? LZMAError, e) }
        XCTAssertThrowsError(try d.finish()) { XCTAssertEqual($0 as? LZMAError, e) }
    }

    func testFinishWithPendingOutputIsNotTruncation() throws {
        let xz = try LZMACompressor.compress(Self.text)
        let d = LZMADecompressor()
        var out = try d.decompress(xz, maxLength: 1000)
        XCTAssertFalse(d.needsInput)
        XCTAssertThrowsError(try d.finish()) { error in
            guard case .programmingError = error as! LZMAError else { return XCTFail("\(error)") }
        }
        while !d.needsInput && !d.isFinished { out += try d.decompress([], maxLength: 1000) }
        XCTAssertEqual(out, Self.text)
        XCTAssertNoThrow(try d.finish())
        // A real truncation is reported as one, with its offset.
        let t = LZMADecompressor()
        _ = try t.decompress(xz.prefix(xz.count - 5))
        XCTAssertThrowsError(try t.finish()) { error in
            guard case .truncatedInput(_, let offset) = error as! LZMAError else { return XCTFail("\(error)") }
            XCTAssertEqual(offset, UInt64(xz.count - 5))
        }
    }

    func testPlainTextIsAnUnknownFormat() {
        XCTAssertThrowsError(try LZMADecompressor.decompress(Array("hello, this is plain text".utf8))) {
            XCTAssertEqual($0 as? LZMAError, .unknownFormat)
            XCTAssertEqual(($0 as! LZMAError).description, "File format not recognized: not .xz, .lzma or .lz data")
        }
    }
}
