import Foundation
import XCTest
@testable import LZMA

/// The encoder is checked against xz (5.4) as the decoding oracle: what we
/// write must decode with `xz --format=lzma` / `--format=raw` to the input.
final class EncoderTests: XCTestCase {
    // MARK: - Helpers

    static let xzPath: String? = {
        for p in ["/usr/bin/xz", "/usr/local/bin/xz", "/bin/xz"] where FileManager.default.isExecutableFile(atPath: p) { return p }
        return nil
    }()

    func xz(_ args: [String], input: [UInt8]) throws -> (status: Int32, output: [UInt8]) {
        guard let path = EncoderTests.xzPath else { throw XCTSkip("xz is not installed") }
        let dir = FileManager.default.temporaryDirectory
        let file = dir.appendingPathComponent("enc-\(UUID().uuidString).bin")
        try Data(input).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = args + [file.path]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, [UInt8](data))
    }

    /// Decodes `.lzma` with xz and asserts the result is `expected`.
    func assertXZDecodes(_ compressed: [UInt8], to expected: [UInt8], extraArgs: [String] = ["--format=lzma"],
                         _ message: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let r = try xz(["-dc"] + extraArgs, input: compressed)
        XCTAssertEqual(r.status, 0, "xz failed to decode: \(message)", file: file, line: line)
        XCTAssertEqual(r.output.count, expected.count, "length: \(message)", file: file, line: line)
        XCTAssertTrue(r.output == expected, "content differs: \(message)", file: file, line: line)
    }

    /// Index of the first byte where `a` and `b` differ (or the shorter length).
    static func firstDifference(_ a: [UInt8], _ b: [UInt8]) -> Int {
        (0..<min(a.count, b.count)).first { a[$0] != b[$0] } ?? min(a.count, b.count)
    }

    struct Rng {
        var s: UInt64
        mutating func next() -> UInt64 { s ^= s << 13; s ^= s >> 7; s ^= s << 17; return s }
    }

    static func randomBytes(_ n: Int, seed: UInt64 = 0x9E37_79B9_7F4A_7C15) -> [UInt8] {
        var r = Rng(s: seed)
        return (0..<n).map { _ in UInt8(truncatingIfNeeded: r.next()) }
    }

    /// Words with a skewed distribution: compressible like text.
    static func textLike(_ n: Int, seed: UInt64 = 12345) -> [UInt8] {
        let words = ["the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog", "and", "LZMA", "range", "coder",
                     "encodes", "literal", "match", "distance", "length", "state", "probability", "window", "\n", ", ", ". "]
        var r = Rng(s: seed)
        var out: [UInt8] = []
        out.reserveCapacity(n + 16)
        while out.count < n {
            let a = Int(r.next() % UInt64(words.count))
            let b = Int(r.next() % UInt64(words.count))
            out += Array(words[min(a, b)].utf8)
            out.append(32)
        }
        return Array(out.prefix(n))
    }

    /// Text with long repeats, random noise, zeros and a periodic pattern.
    static func mixed(_ n: Int) -> [UInt8] {
        var out = textLike(n / 3)
        out += randomBytes(n / 6, seed: 77)
        out += [UInt8](repeating: 0, count: n / 12)
        out += (0..<(n / 6)).map { UInt8(truncatingIfNeeded: ($0 % 251) &* 7) }
        out += Array(out.prefix(n - out.count))
        return out
    }

    static func compressInChunks(_ data: [UInt8], format: LZMAFormat = .lzma, options: LZMASettings,
                                 chunk: (Int) -> Int, outChunk: Int = 1 << 16) throws -> [UInt8] {
        let c = try LZMACompressor(format: format, options: CompressionOptions(lzma: options))
        var result: [UInt8] = []
        var out = [UInt8](repeating: 0, count: outChunk)
        var pos = 0
        var i = 0
        try data.withUnsafeBufferPointer { all in
            while true {
                let n = min(chunk(i), all.count - pos)
                i += 1
                let finish = pos + n == all.count
                var slice = UnsafeBufferPointer(rebasing: all[pos..<(pos + n)])
                while true {
                    let r = try out.withUnsafeMutableBufferPointer { o in
                        try c.encode(input: slice, output: o, finish: finish)
                    }
                    result += out[0..<r.produced]
                    slice = UnsafeBufferPointer(rebasing: slice[r.consumed...])
                    if r.status == .streamEnd { return }
                    if r.status == .needsInput && slice.isEmpty && !finish { break }
                }
                pos += n
            }
        }
        return result
    }

    // MARK: - Round trips through xz

    func testPresetsDecodeWithXZ() throws {
        let input = EncoderTests.mixed(40_000)
        for level in 0...9 {
            let out = try LZMACompressor.compress(input, format: .lzma, options: .preset(LZMAPreset(level: level)!))
            try assertXZDecodes(out, to: input, "preset \(level)")
        }
        for level in [0, 3, 5, 9] {
            let out = try LZMACompressor.compress(input, format: .lzma,
                                              options: .preset(LZMAPreset(level: level, extreme: true)!))
            try assertXZDecodes(out, to: input, "preset \(level)e")
        }
    }

    /// Both parsers follow liblzma 5.4's algorithm exactly (same match
    /// finders, prices and decisions), so the output is byte-identical to
    /// `xz --format=lzma` for every preset and match finder.
    func testOutputIsByteIdenticalToXZ() throws {
        let text = EncoderTests.textLike(24_000)
        let mixed = EncoderTests.mixed(16_000)
        var cases: [(xzArgs: [String], ours: LZMASettings)] = []
        for level in 0...9 { cases.append((["-\(level)"], LZMASettings(preset: LZMAPreset(level: level)!))) }
        cases.append((["-9e"], .preset(.extreme(9))))
        cases.append((["-3e"], .preset(.extreme(3))))
        for mf in ["bt4", "hc4", "bt3", "bt2", "hc3"] {
            for mode in ["normal", "fast"] {
                let spec = "preset=6,mf=\(mf),mode=\(mode),dict=64KiB"
                cases.append((["--lzma1=" + spec], try LZMASettings(xzOptionString: spec)))
            }
        }
        for spec in ["preset=6,lc=0,lp=2,pb=0", "preset=6,lc=4,pb=4", "preset=6,nice=273", "preset=6,mf=bt2,nice=2",
                     "preset=6,nice=16,depth=1", "preset=2,lc=1,lp=3,pb=1", "preset=6,dict=4KiB"] {
            cases.append((["--lzma1=" + spec], try LZMASettings(xzOptionString: spec)))
        }
        for (args, options) in cases {
            for (name, input) in [("text", text), ("mixed", mixed)] {
                let ours = try LZMACompressor.compress(input, format: .lzma, options: CompressionOptions(lzma: options),
                                                      allocator: EncoderRoundTripTests.calloced)
                let theirs = try xz(["--format=lzma", "-T1", "-c"] + args, input: input)
                XCTAssertEqual(theirs.status, 0)
                if ours != theirs.output {
                    let i = EncoderTests.firstDifference(ours, theirs.output)
                    XCTFail("\(args) on \(name): \(ours.count) vs xz \(theirs.output.count) bytes, first difference at \(i)")
                }
            }
        }
    }

    func testEveryModeAndMatchFinderWithSmallDictionary() throws {
        // 4 KiB dictionary with 24 KB of input: matches must stay within the dictionary.
        let input = EncoderTests.mixed(24_000)
        for mode in [LZMASettings.Mode.fast, .normal] {
            for mf in [LZMASettings.MatchFinder.hc3, .hc4, .bt2, .bt3, .bt4] {
                var o = LZMASettings.preset(6)
                o.mode = mode
                o.matchFinder = mf
                o.dictionarySize = 4096
                let out = try LZMACompressor.compress(input, format: .lzma, options: CompressionOptions(lzma: o))
                try assertXZDecodes(out, to: input, "\(mode) \(mf)")
            }
        }
    }

    func testLiteralAndPositionBits() throws {
        let input = EncoderTests.mixed(20_000)
        for (lc, lp, pb) in [(0, 0, 0), (3, 0, 2), (4, 0, 4), (0, 4, 0), (1, 3, 1), (2, 2, 3)] {
            for mode in [LZMASettings.Mode.fast, .normal] {
                var o = LZMASettings.preset(6)
                o.lc = lc; o.lp = lp; o.pb = pb
                o.mode = mode
                o.dictionarySize = 1 << 16
                let out = try LZMACompressor.compress(input, format: .lzma, options: CompressionOptions(lzma: o))
                try assertXZDecodes(out, to: input, "lc=\(lc) lp=\(lp) pb=\(pb) \(mode)")
            }
        }
    }

    func testNiceLengthExtremes() throws {
        let input = EncoderTests.mixed(20_000) + [UInt8](repeating: 0x41, count: 3000)
        let cases: [(LZMASettings.MatchFinder, Int, LZMASettings.Mode)] = [
            (.bt2, 2, .normal), (.bt2, 2, .fast), (.hc3, 3, .fast), (.hc4, 4, .normal),
            (.bt4, 273, .normal), (.hc4, 273, .fast), (.bt4, 273, .fast),
        ]
        for (mf, nice, mode) in cases {
            var o = LZMASettings.preset(6)
            o.matchFinder = mf; o.niceLength = nice; o.mode = mode
            o.dictionarySize = 1 << 16
            let out = try LZMACompressor.compress(input, format: .lzma, options: CompressionOptions(lzma: o))
            try assertXZDecodes(out, to: input, "\(mf) nice=\(nice) \(mode)")
        }
    }

    func testSpecialInputs() throws {
        let inputs: [(String, [UInt8])] = [
            ("empty", []),
            ("one byte", [0x42]),
            ("two bytes", [0, 0]),
            ("zeros", [UInt8](repeating: 0, count: 60_000)),
            ("random", EncoderTests.randomBytes(20_000)),
            ("repetitive", Array(repeating: Array("abcabcabd".utf8), count: 2000).flatMap { $0 }),
            ("text", EncoderTests.textLike(30_000)),
        ]
        for (name, input) in inputs {
            for level in [0, 6] {
                let out = try LZMACompressor.compress(input, format: .lzma, options: .preset(LZMAPreset(level: level)!))
                try assertXZDecodes(out, to: input, "\(name) preset \(level)")
            }
        }
        // An empty stream is the header, the end marker and the flush.
        let empty = try LZMACompressor.compress([UInt8](), format: .lzma, options: .preset(6))
        XCTAssertEqual(Array(empty.prefix(13)), [0x5D, 0, 0, 0x80, 0] + [UInt8](repeating: 0xFF, count: 8))
    }

    func testLongInputMovesTheWindow() throws {
        // The window buffer for a 4 KiB dictionary is about 530 KB; 700 KB forces it to move.
        let input = EncoderTests.mixed(700_000)
        var o = LZMASettings.preset(1)
        o.dictionarySize = 4096
        let chunked = try EncoderTests.compressInChunks(input, options: o, chunk: { _ in 50_000 })
        try assertXZDecodes(chunked, to: input, "window move, fast")
        let oneShot = try LZMACompressor.compress(input, format: .lzma, options: CompressionOptions(lzma: o))
        XCTAssertEqual(chunked, oneShot)
    }

    // MARK: - Streaming

    func testChunkingDoesNotChangeOutput() throws {
        let input = EncoderTests.mixed(12_000)
        for level in [0, 6] {
            let o = LZMASettings(preset: LZMAPreset(level: level)!)
            let reference = try LZMACompressor.compress(input, format: .lzma, options: CompressionOptions(lzma: o))
            var r = Rng(s: 99)
            let chunkings: [(String, (Int) -> Int)] = [
                ("1", { _ in 1 }), ("7", { _ in 7 }), ("4096", { _ in 4096 }),
                ("random", { _ in Int(r.next() % 3000) + 1 }),
            ]
            for (name, chunk) in chunkings {
                let out = try EncoderTests.compressInChunks(input, options: o, chunk: chunk)
                XCTAssertEqual(out, reference, "chunking \(name), preset \(level)")
            }
            // Tiny output buffers.
            let small = try EncoderTests.compressInChunks(input, options: o, chunk: { _ in 1000 }, outChunk: 3)
            XCTAssertEqual(small, reference, "3-byte output buffer, preset \(level)")
        }
    }

    func testCompressAndFinishConvenience() throws {
        let input = EncoderTests.textLike(20_000)
        let o = LZMASettings.preset(6)
        let c = try LZMACompressor(format: .lzma, options: CompressionOptions(lzma: o))
        var out: [UInt8] = []
        out += try c.compress(input[0..<5000])
        out += try c.compress(input[5000...])
        out += try c.finish()
        XCTAssertEqual(out, try LZMACompressor.compress(input, format: .lzma, options: CompressionOptions(lzma: o)))
        // After the end, more input is a programming error.
        XCTAssertThrowsError(try c.compress([1, 2, 3]))
    }

    // MARK: - Formats

    func testRawLZMA1DecodesWithXZ() throws {
        let input = EncoderTests.mixed(20_000)
        for (lc, lp, pb, level) in [(3, 0, 2, 6), (0, 2, 0, 1), (1, 1, 3, 4)] {
            var o = LZMASettings(preset: LZMAPreset(level: level)!)
            o.lc = lc; o.lp = lp; o.pb = pb
            o.dictionarySize = 1 << 20
            let c = try LZMACompressor(format: .rawLZMA1, options: CompressionOptions(lzma: o))
            XCTAssertEqual(c.options.lzma.lc, lc)
            XCTAssertEqual(c.options.lzma.dictionarySize, 1 << 20)
            let out = try LZMACompressor.compress(input, format: .rawLZMA1, options: CompressionOptions(lzma: o))
            try assertXZDecodes(out, to: input, extraArgs: ["--format=raw", "--lzma1=lc=\(lc),lp=\(lp),pb=\(pb),dict=1MiB"],
                                "raw lc=\(lc) lp=\(lp) pb=\(pb)")
        }
    }

    func testKnownSizeDecodesWithXZ() throws {
        for input in [EncoderTests.mixed(25_000), [], [7]] {
            for level in [0, 6] {
                let settings = LZMASettings(preset: LZMAPreset(level: level)!)
                let out = try LZMACompressor.compress(input, format: .lzma,
                                                      options: CompressionOptions(lzma: settings, uncompressedSize: UInt64(input.count)))
                // The header carries the size.
                var size: UInt64 = 0
                for i in 0..<8 { size |= UInt64(out[5 + i]) << (8 * UInt64(i)) }
                XCTAssertEqual(size, UInt64(input.count))
                try assertXZDecodes(out, to: input, "known size \(input.count) preset \(level)")
            }
        }
    }

    func testKnownSizeMismatchThrows() throws {
        let input = EncoderTests.textLike(1000)
        XCTAssertThrowsError(try LZMACompressor.compress(input, format: .lzma,
                                                         options: CompressionOptions(lzma: .preset(0), uncompressedSize: 999))) {
            guard case LZMAError.sizeMismatch(_, let expected, let actual, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(expected, 999); XCTAssertEqual(actual, 1000)
        }
        XCTAssertThrowsError(try LZMACompressor.compress(input, format: .lzma,
                                                         options: CompressionOptions(lzma: .preset(0), uncompressedSize: 1001))) {
            guard case LZMAError.sizeMismatch(_, let expected, let actual, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(expected, 1001); XCTAssertEqual(actual, 1000)
        }
    }

    func testHeaderDictionaryRounding() throws {
        func headerDict(_ d: UInt32) throws -> UInt32 {
            var o = LZMASettings.preset(0)
            o.dictionarySize = d
            let out = try LZMACompressor.compress([UInt8](), format: .lzma, options: CompressionOptions(lzma: o))
            return UInt32(out[1]) | UInt32(out[2]) << 8 | UInt32(out[3]) << 16 | UInt32(out[4]) << 24
        }
        XCTAssertEqual(try headerDict(1 << 23), 1 << 23)
        XCTAssertEqual(try headerDict(3 << 20), 3 << 20)
        XCTAssertEqual(try headerDict((3 << 20) + 1), 4 << 20)
        XCTAssertEqual(try headerDict(5 << 20), 6 << 20)
        XCTAssertEqual(try headerDict(4096), 4096)
        XCTAssertEqual(try headerDict(5000), 6144)
    }

    // MARK: - Options

    func testPresetParameters() throws {
        let p0 = LZMASettings.preset(0)
        XCTAssertEqual(p0.dictionarySize, 1 << 18); XCTAssertEqual(p0.mode, .fast); XCTAssertEqual(p0.matchFinder, .hc3)
        XCTAssertEqual(p0.niceLength, 128); XCTAssertEqual(p0.depth, 4)
        let p3 = LZMASettings.preset(3)
        XCTAssertEqual(p3.dictionarySize, 1 << 22); XCTAssertEqual(p3.matchFinder, .hc4); XCTAssertEqual(p3.niceLength, 273)
        let p6 = LZMASettings.preset(6)
        XCTAssertEqual(p6, LZMASettings())
        XCTAssertEqual(p6.dictionarySize, 1 << 23); XCTAssertEqual(p6.mode, .normal); XCTAssertEqual(p6.niceLength, 64)
        let p9e = LZMASettings.preset(.extreme(9))
        XCTAssertEqual(p9e.dictionarySize, 1 << 26); XCTAssertEqual(p9e.niceLength, 273); XCTAssertEqual(p9e.depth, 512)
        let p3e = LZMASettings.preset(.extreme(3))
        XCTAssertEqual(p3e.mode, .normal); XCTAssertEqual(p3e.matchFinder, .bt4); XCTAssertEqual(p3e.niceLength, 192)
    }

    func testOptionStringParsing() throws {
        let a = try LZMASettings(xzOptionString: "preset=6e,dict=64MiB,lc=1,lp=2,pb=0,mode=fast,nice=100,mf=hc4,depth=7")
        XCTAssertEqual(a.dictionarySize, 64 << 20); XCTAssertEqual(a.lc, 1); XCTAssertEqual(a.lp, 2); XCTAssertEqual(a.pb, 0)
        XCTAssertEqual(a.mode, .fast); XCTAssertEqual(a.niceLength, 100); XCTAssertEqual(a.matchFinder, .hc4); XCTAssertEqual(a.depth, 7)
        XCTAssertEqual(try LZMASettings(xzOptionString: ""), .preset(6))
        XCTAssertEqual(try LZMASettings(xzOptionString: "preset=1").matchFinder, .hc4)
        XCTAssertEqual(try LZMASettings(xzOptionString: "dict=4k").dictionarySize, 4096)
        XCTAssertEqual(try LZMASettings(xzOptionString: "dict=2M").dictionarySize, 2 << 20)
        XCTAssertEqual(try LZMASettings(xzOptionString: "dict=1GiB").dictionarySize, 1 << 30)
        XCTAssertEqual(try LZMASettings(xzOptionString: "dict=12345").dictionarySize, 12345)
        // preset= resets earlier options, as in xz.
        XCTAssertEqual(try LZMASettings(xzOptionString: "lc=0,preset=3").lc, 3)
        for bad in ["preset=10", "preset=x", "dict=1000", "dict=2GiB", "dict=5XB", "lc=5", "pb=9", "nice=1", "nice=274",
                    "mode=slow", "mf=bt5", "foo=1", "lc", "lc=", "depth=-1"] {
            XCTAssertThrowsError(try LZMASettings(xzOptionString: bad), bad) {
                guard case LZMAError.invalidOptions = $0 else { return XCTFail("\(bad): \($0)") }
            }
        }
    }

    func testInvalidOptionsThrow() throws {
        // Presets from run-time values outside 0...9 are refused.
        XCTAssertNil(LZMAPreset(level: 10))
        XCTAssertNil(LZMAPreset(level: -1))
        let base = LZMASettings.preset(0)
        var bad: [LZMASettings] = []
        var o = base; o.lc = 4; o.lp = 1; bad.append(o)          // lc + lp > 4 in .lzma
        o = base; o.lc = 9; bad.append(o)
        o = base; o.pb = 5; bad.append(o)
        o = base; o.dictionarySize = 4095; bad.append(o)
        o = base; o.dictionarySize = (3 << 29) + 1; bad.append(o)
        o = base; o.niceLength = 1; bad.append(o)
        o = base; o.niceLength = 274; bad.append(o)
        o = base; o.matchFinder = .hc4; o.niceLength = 3; bad.append(o)
        o = base; o.matchFinder = .bt3; o.niceLength = 2; bad.append(o)
        o = base; o.depth = -1; bad.append(o)
        for opt in bad {
            XCTAssertThrowsError(try LZMACompressor(format: .lzma, options: CompressionOptions(lzma: opt)), "\(opt)") {
                XCTAssertTrue(Self.isInvalidOptions($0), "\($0)")
            }
        }
        // Raw LZMA1 accepts lc + lp > 4 (LZMA SDK decoders handle it); .lzma does not.
        o = base; o.lc = 4; o.lp = 1
        XCTAssertNoThrow(try LZMACompressor(format: .rawLZMA1, options: CompressionOptions(lzma: o)))
        o = base; o.matchFinder = .bt2; o.niceLength = 2
        XCTAssertNoThrow(try o.validate(lcPlusLpAtMost4: true))
    }

    static func isInvalidOptions(_ e: Error) -> Bool {
        if case LZMAError.invalidOptions = e { return true }
        return false
    }
}
