// swiftlzma --trace / --trace=json / -z --trace / --explain: the text trace
// rebuilds xz's files, the JSON lines say the same, errors are xz's.
import Foundation
import XCTest

final class TraceCLITests: CLITestCase {
    /// Rebuilds the output from a text trace; fails on a malformed line.
    private func rebuild(_ trace: String, file: StaticString = #filePath, line: UInt = #line) -> (bytes: Data, symbols: Int) {
        var out = [UInt8]()
        var symbols = 0
        for l in trace.split(separator: "\n") where !l.hasPrefix("#") {
            let f = l.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard f.count >= 5, let pos = Int(f[0]), let len = Int(f[2]), let dist = Int(f[3]), Double(f[4]) != nil else {
                XCTFail("malformed line \(l)", file: file, line: line)
                break
            }
            XCTAssertEqual(pos, out.count, "POS", file: file, line: line)
            symbols += 1
            switch f[1] {
            case "LIT": out.append(UInt8(f[5], radix: 16)!)
            case "STORED":
                let hex = Array(f[5].utf8)
                for i in stride(from: 0, to: hex.count, by: 2) { out.append(UInt8(String(decoding: hex[i..<i + 2], as: UTF8.self), radix: 16)!) }
            case "EOPM": break
            case "MATCH", "REP0", "REP1", "REP2", "REP3", "SHORTREP":
                for _ in 0..<len { out.append(out[out.count - dist]) }
            default: XCTFail("kind \(f[1])", file: file, line: line)
            }
        }
        return (Data(out), symbols)
    }

    func testTraceOfXZsFilesRebuildsThem() throws {
        let text = sampleText(3000) + noise(80_000) + sampleText(500, seed: 3)
        try write(text, "in.bin")
        for (name, args) in [("a.lzma", ["--format=lzma"]), ("b.xz", ["-T1", "--block-size=40000"]), ("c.xz", ["-1e", "-C", "sha256"])] {
            let r0 = try run(try xz(), args + ["-c", "in.bin"])
            XCTAssertEqual(r0.status, 0)
            try write(r0.stdout, name)
            let r = try swiftlzma(["--trace", name])
            XCTAssertEqual(r.status, 0, r.stderr)
            let trace = String(decoding: r.stdout, as: UTF8.self)
            XCTAssertEqual(rebuild(trace).bytes, text, name)
            XCTAssertTrue(trace.contains("\n# summary: "), name)
            if name == "b.xz" {
                XCTAssertTrue(trace.contains("STORED"), "the noise is stored by xz")
                XCTAssertEqual(trace.components(separatedBy: ": block ").count - 1, (text.count + 39_999) / 40_000, "one line per block")
            }
            XCTAssertFalse(exists(name.replacingOccurrences(of: ".lzma", with: "").replacingOccurrences(of: ".xz", with: "")),
                           "--trace writes no files")
        }
    }

    func testJSONSaysWhatTheTextSays() throws {
        try makeLZMA(sampleText(300), name: "s.lzma")
        let text = String(decoding: try swiftlzma(["--trace", "s.lzma"]).stdout, as: UTF8.self)
        let json = try swiftlzma(["--trace=json", "s.lzma"])
        XCTAssertEqual(json.status, 0)
        var fromJSON: [String] = []
        for l in String(decoding: json.stdout, as: UTF8.self).split(separator: "\n") {
            let o = try JSONSerialization.jsonObject(with: Data(l.utf8)) as! [String: Any]
            guard let kind = o["kind"] as? String else { XCTAssertNotNil(o["comment"]); continue }
            var line = "\(o["pos"]!)\t\(kind)\t\(o["len"]!)\t\(o["dist"]!)\t" + String(format: "%.2f", o["bits"] as! Double)
            if let b = o["byte"] as? String { line += "\t" + b }
            fromJSON.append(line)
        }
        XCTAssertEqual(fromJSON, text.split(separator: "\n").filter { !$0.hasPrefix("#") }.map(String.init))
    }

    func testEncoderTraceMatchesTheDecodersOnItsOutput() throws {
        try write(sampleText(1500) + noise(3000), "in.txt")
        let enc = try swiftlzma(["-z", "--format=lzma", "--trace", "in.txt"])
        XCTAssertEqual(enc.status, 0, enc.stderr)
        XCTAssertTrue(exists("in.txt") && !exists("in.txt.lzma"), "the input stays, nothing is written")
        XCTAssertEqual(try swiftlzma(["-z", "-k", "--format=lzma", "in.txt"]).status, 0)
        let dec = try swiftlzma(["--trace", "in.txt.lzma"])
        func lines(_ d: Data) -> [[Substring]] {
            String(decoding: d, as: UTF8.self).split(separator: "\n").filter { !$0.hasPrefix("#") }.map { $0.split(separator: "\t") }
        }
        let e = lines(enc.stdout), d = lines(dec.stdout)
        XCTAssertEqual(e.count, d.count)
        var differ = 0
        for (a, b) in zip(e, d) {
            // Everything but BITS exactly; BITS to within the rounding of the encoder's measure.
            XCTAssertEqual(a[0..<4] + a[5...], b[0..<4] + b[5...])
            XCTAssertEqual(Double(a[4])!, Double(b[4])!, accuracy: 0.011)
            if a[4] != b[4] { differ += 1 }
        }
        XCTAssertLessThan(differ, e.count / 100, "BITS differ in the last digit on under 1% of the lines")
    }

    func testCorruptInputTracesWhatCameBeforeAndFailsAsXZ() throws {
        var file = try makeLZMA(sampleText(2000), name: "ok.lzma")
        file[file.count / 2] ^= 0x40
        try write(file, "bad.lzma")
        let r = try swiftlzma(["--trace", "bad.lzma"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.hasPrefix("swiftlzma: bad.lzma: Compressed data is corrupt"), r.stderr)
        XCTAssertGreaterThan(rebuild(String(decoding: r.stdout, as: UTF8.self)).symbols, 100, "the good symbols are traced")
        let missing = try swiftlzma(["--trace", "nothing.xz"])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stdout.isEmpty)
        let kind = try swiftlzma(["--trace=xml", "ok.lzma"])
        XCTAssertEqual(kind.status, 1)
    }

    func testExplainPageIsSelfContainedWithASpanPerSymbol() throws {
        try makeLZMA(sampleText(400), name: "s.lzma")
        let r = try swiftlzma(["--explain", "s.lzma"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let page = String(decoding: r.stdout, as: UTF8.self)
        let symbols = rebuild(String(decoding: try swiftlzma(["--trace", "s.lzma"]).stdout, as: UTF8.self)).symbols
        XCTAssertEqual(page.components(separatedBy: "<span class=\"sym\"").count - 1, symbols)
        XCTAssertFalse(page.contains("http://") || page.contains("https://") || page.contains("src="), "nothing from elsewhere")
        let small = String(decoding: try swiftlzma(["--explain", "--explain-max=1KiB", "s.lzma"]).stdout, as: UTF8.self)
        XCTAssertTrue(small.contains("The page shows the first"), "a cut page says so")
    }
}
