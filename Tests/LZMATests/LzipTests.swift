import Foundation
import XCTest
@testable import LZMA

/// `.lz` decoding (`LzipDecoder`): xz-utils' `.lz` test files against
/// liblzma 5.8.1 (`xz58`), any chunking, round trips with the real `lzip`,
/// trailing data, truncation, memory limit, and the trailer size helpers.
final class LzipTests: XCTestCase {

    // MARK: - Driver

    struct Outcome: Equatable {
        var output: [UInt8]
        /// The decoder's error, by case name (nil: success).
        var error: String?
        /// Success: the bytes after the stream (consumed trailing bytes first).
        var unused: [UInt8]
    }

    /// Feeds `data` to a `LzipDecoder` in input windows of `inChunk()` bytes
    /// with output buffers of `outChunk()` bytes, then ends the input. Returns
    /// the output (also what was produced before an error) and the outcome.
    static func decode(_ data: [UInt8], concatenated: Bool = true, memoryLimit: UInt64? = nil, ignoreCheck: Bool = false,
                       inChunk: () -> Int = { .max }, outChunk: () -> Int = { 1 << 16 },
                       errorValue: ((LZMAError) -> Void)? = nil) -> Outcome {
        let d = LzipDecoder(concatenated: concatenated, memoryLimit: memoryLimit, ignoreCheck: ignoreCheck)
        var out: [UInt8] = []
        var pos = 0
        var idle = 0
        return data.withUnsafeBufferPointer { all -> Outcome in
            do throws(LZMAError) {
                while true {
                    let n = min(max(inChunk(), 0), all.count - pos)
                    let m = max(outChunk(), 1)
                    var buf = [UInt8](repeating: 0, count: m)
                    let r = try buf.withUnsafeMutableBufferPointer { (o) throws(LZMAError) in
                        try d.code(all.baseAddress.map { $0 + pos }, inCount: n, o.baseAddress, outCount: m)
                    }
                    XCTAssert(r.consumed >= 0 && r.consumed <= n && r.produced >= 0 && r.produced <= m)
                    pos += r.consumed
                    out += buf[0..<r.produced]
                    if r.status == .streamEnd {
                        XCTAssertTrue(d.finished)
                        return Outcome(output: out, error: nil, unused: d.lookahead + Array(all[pos...]))
                    }
                    if r.status == .needsInput && pos == all.count {
                        try d.finishInput()
                        XCTAssertTrue(d.finished)
                        return Outcome(output: out, error: nil, unused: d.lookahead)
                    }
                    idle = r.consumed == 0 && r.produced == 0 && n > 0 ? idle + 1 : 0
                    if idle > 3 { XCTFail("no progress at input byte \(pos)"); return Outcome(output: out, error: "stuck", unused: []) }
                }
            } catch let e {
                errorValue?(e)
                return Outcome(output: out, error: e.caseName, unused: [])
            }
        }
    }

    /// The chunkings every input goes through: one shot, 1, 7 and 4096 bytes,
    /// and random sizes (with small and random output buffers too).
    static func allChunkings(_ data: [UInt8], concatenated: Bool = true, seed: UInt64 = 1, sizes: [Int] = [1, 7, 4096],
                             file: StaticString = #filePath, line: UInt = #line) -> Outcome {
        let whole = decode(data, concatenated: concatenated)
        for size in sizes {
            let o = decode(data, concatenated: concatenated, inChunk: { size }, outChunk: { size })
            XCTAssertEqual(o, whole, "chunks of \(size)", file: file, line: line)
        }
        var rng = FilterTests.RNG(seed: seed)
        let o = decode(data, concatenated: concatenated, inChunk: { rng.below(50) }, outChunk: { 1 + rng.below(300) })
        XCTAssertEqual(o, whole, "random chunks", file: file, line: line)
        return whole
    }

    static func lzFiles() throws -> [URL] {
        let dir = TestSupport.xzTestFilesDirectory
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir.path) else {
            throw XCTSkip("xz test files not found at \(dir.path)")
        }
        let files = names.filter { $0.hasSuffix(".lz") }.sorted().map { dir.appendingPathComponent($0) }
        if files.isEmpty { throw XCTSkip("no .lz files in \(dir.path)") }
        return files
    }

    // MARK: - xz-utils' test files

    /// What each file gives (concatenated, then single-member), from the
    /// file names and xz 5.8's behaviour: the error kinds are the typed
    /// counterparts of liblzma's "compressed data is corrupt" (size, CRC,
    /// dictionary), "file format not recognized" (magic), "unexpected end of
    /// input" and "unsupported options".
    static let expected: [String: (String?, String?)] = [
        "bad-1-v0-uncomp-size.lz": ("sizeMismatch", "sizeMismatch"),
        "bad-1-v1-crc32.lz": ("checkMismatch", "checkMismatch"),
        "bad-1-v1-dict-1.lz": ("corruptData", "corruptData"),
        "bad-1-v1-dict-2.lz": ("corruptData", "corruptData"),
        "bad-1-v1-magic-1.lz": ("invalidHeader", "invalidHeader"),
        "bad-1-v1-magic-2.lz": ("invalidHeader", "invalidHeader"),
        "bad-1-v1-member-size.lz": ("sizeMismatch", "sizeMismatch"),
        "bad-1-v1-trailing-magic.lz": ("truncatedInput", nil),   // "LZIP" after the member: a member that ends at once
        "bad-1-v1-uncomp-size.lz": ("sizeMismatch", "sizeMismatch"),
        "unsupported-1-v234.lz": ("unsupported", "unsupported"),
    ]

    func testXZUtilsFiles() throws {
        let files = try Self.lzFiles()
        XCTAssertEqual(files.count, 18)
        for url in files {
            let name = url.lastPathComponent
            let data = try TestSupport.readBytes(url)
            for concatenated in [true, false] {
                let what = "\(name)\(concatenated ? "" : " (single member)")"
                let ours = Self.allChunkings(data, concatenated: concatenated)
                let want = Self.expected[name].map { concatenated ? $0.0 : $0.1 } ?? nil
                XCTAssertEqual(ours.error, want, what)
                if name.hasPrefix("good-") && concatenated {
                    XCTAssertEqual(ours.output, Array("Hello\nWorld!\n".utf8), what)
                }
                if XZ58.usable {
                    let r = try XZ58.run(["-d", "-Flzip"] + (concatenated ? [] : ["--single-stream"]), input: data)
                    XCTAssertEqual(r.status == 0, ours.error == nil, "\(what): xz58 exit \(r.status) (\(r.stderr)), ours \(ours.error ?? "ok")")
                    // The same bytes, also those written before an error.
                    XCTAssertEqual(ours.output, r.stdout, "\(what): output differs from xz58's")
                    if name.hasPrefix("unsupported") { XCTAssertTrue(r.stderr.contains("unsupported"), r.stderr) }
                }
            }
        }
        if !XZ58.usable { throw XCTSkip("xz58 cannot run: checked the expected outcomes only") }
    }

    func testTrailingDataAndMembersOfTestFiles() throws {
        let dir = TestSupport.xzTestFilesDirectory
        func file(_ n: String) throws -> [UInt8] {
            guard let d = try? TestSupport.readBytes(dir.appendingPathComponent(n)) else { throw XCTSkip("no \(n)") }
            return d
        }
        // Trailing data stays unconsumed; "LZI" consumed while looking for a member comes back first.
        XCTAssertEqual(Self.allChunkings(try file("good-1-v1-trailing-1.lz")).unused, Array("Trailing garbage\n".utf8))
        XCTAssertEqual(Self.allChunkings(try file("good-1-v0-trailing-1.lz")).unused, Array("Trailing garbage\n".utf8))
        XCTAssertEqual(Self.allChunkings(try file("good-1-v1-trailing-2.lz")).unused, Array("LZITrailing garbage\n".utf8))
        // Single member: the second member is unused data, the first alone decodes.
        let two = try file("good-2-v1-v1.lz")
        let first = Self.allChunkings(two, concatenated: false)
        XCTAssertEqual(first.output, Array("Hello\n".utf8))
        XCTAssertEqual(first.unused, Array(two[42...]))
        XCTAssertEqual(Self.allChunkings(first.unused).output, Array("World!\n".utf8))
        // --ignore-check: the CRC is not verified, the sizes still are.
        XCTAssertEqual(Self.decode(try file("bad-1-v1-crc32.lz"), ignoreCheck: true).error, nil)
        XCTAssertEqual(Self.decode(try file("bad-1-v1-uncomp-size.lz"), ignoreCheck: true).error, "sizeMismatch")
        // Errors carry the input position: the dictionary byte is byte 5.
        var offset: UInt64?
        _ = Self.decode(try file("bad-1-v1-dict-1.lz"), errorValue: { e in
            if case .corruptData(_, let o) = e { offset = o }
        })
        XCTAssertEqual(offset, 5)
        var message = ""
        _ = Self.decode(try file("bad-1-v1-member-size.lz"), errorValue: { message = $0.description })
        XCTAssertTrue(message.contains("member size"), message)
        offset = nil
        _ = Self.decode(try file("bad-1-v1-member-size.lz"), errorValue: { offset = $0.offset })
        XCTAssertEqual(offset, 42)
        _ = Self.decode(try file("bad-1-v1-crc32.lz"), errorValue: { offset = $0.offset })
        XCTAssertEqual(offset, 30)
        _ = Self.decode(try file("unsupported-1-v234.lz"), errorValue: { message = $0.description })
        XCTAssertTrue(message.hasPrefix("Unsupported options"), message)
    }

    /// Every prefix of a two-member file: a typed error (truncated input), or
    /// success exactly where the prefix ends after the first member plus at
    /// most 3 bytes of "LZI".
    func testTruncationAtEveryOffset() throws {
        guard let two = try? TestSupport.readBytes(TestSupport.xzTestFilesDirectory.appendingPathComponent("good-2-v1-v1.lz")) else {
            throw XCTSkip("xz test files not found")
        }
        let firstEnd = 42
        for k in 0..<two.count {
            let prefix = Array(two[0..<k])
            let o = Self.decode(prefix, inChunk: { 3 }, outChunk: { 2 })
            if (firstEnd...firstEnd + 3).contains(k) {
                XCTAssertNil(o.error, "prefix \(k)")
                XCTAssertEqual(o.output, Array("Hello\n".utf8), "prefix \(k)")
                XCTAssertEqual(o.unused, Array(two[firstEnd..<k]), "prefix \(k)")
            } else {
                XCTAssertEqual(o.error, "truncatedInput", "prefix \(k)")
            }
            if XZ58.usable && [0, 3, 4, 20, 41, 42, 45, 46, 60, 85].contains(k) {
                let r = try XZ58.run(["-d", "-Flzip"], input: prefix)
                XCTAssertEqual(r.status == 0, o.error == nil, "prefix \(k): xz58 \(r.stderr)")
                XCTAssertEqual(r.stdout, o.output, "prefix \(k)")
            }
        }
        // Damaged bytes anywhere: a typed error or xz58's result, never a crash.
        var rng = FilterTests.RNG(seed: 5)
        for n in 0..<300 {
            var bad = two
            let at = rng.below(bad.count)
            bad[at] ^= UInt8(1 + rng.below(255))
            let o = Self.decode(bad, inChunk: { 1 + rng.below(9) })
            XCTAssertNotEqual(o.error, "stuck")
            if XZ58.usable && n < 15 {
                let r = try XZ58.run(["-d", "-Flzip"], input: bad)
                XCTAssertEqual(r.status == 0, o.error == nil, "byte \(at) damaged: xz58 \(r.stderr), ours \(o.error ?? "ok")")
                XCTAssertEqual(r.stdout, o.output, "byte \(at) damaged")
            }
        }
    }

    // MARK: - Memory limit and size helpers

    func testMemoryLimitAsXZ54() throws {
        guard let data = try? TestSupport.readBytes(TestSupport.xzTestFilesDirectory.appendingPathComponent("good-1-v1.lz")) else {
            throw XCTSkip("xz test files not found")
        }
        // Dictionary 4 KiB: xz 5.4 needs -M69504, as for a .lzma file with the same dictionary.
        let need = DecoderMemory.lzma1(dictionarySize: 4096)
        XCTAssertEqual(need, 69_504)
        var reported: UInt64?
        let o = Self.decode(data, memoryLimit: need - 1, errorValue: { e in
            if case .memoryLimitExceeded(let r, _) = e { reported = r }
        })
        XCTAssertEqual(o.error, "memoryLimitExceeded")
        XCTAssertEqual(reported, need)
        XCTAssertNil(Self.decode(data, memoryLimit: need).error)
        if let xz = TestSupport.findTool("xz") {
            XCTAssertNotEqual(try TestSupport.run(xz, ["-dc", "-M\(need - 1)", TestSupport.xzTestFilesDirectory.appendingPathComponent("good-1-v1.lz").path]).status, 0)
            XCTAssertEqual(try TestSupport.run(xz, ["-dc", "-M\(need)", TestSupport.xzTestFilesDirectory.appendingPathComponent("good-1-v1.lz").path]).status, 0)
        }
    }

    func testDictionarySizeCoding() {
        XCTAssertEqual(Lzip.dictionarySize(coded: 0x0C), 4096)
        XCTAssertEqual(Lzip.dictionarySize(coded: 0x0B), nil)                 // 2 KiB
        XCTAssertEqual(Lzip.dictionarySize(coded: 0x2C), nil)                 // 4 KiB - 1/16
        XCTAssertEqual(Lzip.dictionarySize(coded: 0x1D), 512 << 20)
        XCTAssertEqual(Lzip.dictionarySize(coded: 0x1E), nil)                 // 1 GiB
        XCTAssertEqual(Lzip.dictionarySize(coded: 0xB5), (1 << 21) - 5 * (1 << 17))   // 1408 KiB
        XCTAssertEqual(Lzip.dictionarySize(coded: 0x17), 8 << 20)
    }

    // MARK: - The real lzip

    /// Deterministic data: words, copies from earlier, and `noise` % random runs.
    static func sample(_ n: Int, seed: UInt64, noise: Int = 30) -> [UInt8] {
        var rng = FilterTests.RNG(seed: seed)
        var out: [UInt8] = []
        out.reserveCapacity(n + 128)
        let words = ["lzip ", "member ", "trailer ", "CRC32 ", "LZMA ", "xz ", "\n"].map { Array($0.utf8) }
        while out.count < n {
            let r = rng.below(100)
            if r < noise {
                out += rng.bytes(1 + rng.below(64))
            } else if r < 70 || out.count < 300 {
                out += words[rng.below(words.count)]
            } else {
                let dist = 1 + rng.below(min(out.count, 5000))
                for _ in 0..<(3 + rng.below(120)) { out.append(out[out.count - dist]) }
            }
        }
        return Array(out.prefix(n))
    }

    static let lzipPath = TestSupport.findTool("lzip")

    static func lzip(_ args: [String], _ data: [UInt8]) throws -> [UInt8] {
        guard let lzip = lzipPath else { throw XCTSkip("lzip is not installed (apt-get install lzip)") }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("lziptests-\(UUID().uuidString)")
        try Data(data).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let r = try TestSupport.run(lzip, args + ["-c", url.path])
        XCTAssertEqual(r.status, 0, "lzip \(args)")
        return r.stdout
    }

    func testRoundTripsWithLzipAtEveryLevel() throws {
        let data = Self.sample(80_000, seed: 21)
        for level in 0...9 {
            let lz = try Self.lzip(["-\(level)"], data)
            XCTAssertEqual(Array(lz[0..<5]), Lzip.magic + [1], "-\(level)")
            let o = Self.allChunkings(lz, seed: UInt64(level))
            XCTAssertNil(o.error, "-\(level)")
            XCTAssertTrue(o.output == data, "lzip -\(level): output differs")
            XCTAssertEqual(o.unused, [])
            // The trailer tells the sizes up front.
            let sizes = Lzip.memberSizes(trailer: Array(lz.suffix(20)))
            XCTAssertEqual(sizes?.uncompressedSize, UInt64(data.count))
            XCTAssertEqual(sizes?.memberSize, UInt64(lz.count))
        }
        // Empty input.
        let empty = try Self.lzip([], [])
        XCTAssertEqual(Self.decode(empty), Outcome(output: [], error: nil, unused: []))
    }

    func testMultiMemberAndTrailingDataWithLzip() throws {
        let data = Self.sample(450_000, seed: 22, noise: 60)
        let lz = try Self.lzip(["-b", "100000", "-1"], data)
        let members = Lzip.members(fileSize: UInt64(lz.count)) { (offset, count) in Array(lz[Int(offset)..<Int(offset) + count]) }
        XCTAssertGreaterThan(members?.count ?? 0, 1, "lzip -b made one member")
        XCTAssertEqual(members?.reduce(0) { $0 + $1.uncompressedSize }, UInt64(data.count))
        XCTAssertEqual(members?.first?.offset, 0)
        // (1-byte chunks of member boundaries: the small files below.)
        let all = Self.allChunkings(lz, sizes: [7, 4096])
        XCTAssertNil(all.error)
        XCTAssertTrue(all.output == data, "multi-member output differs")
        // Single member: the first member's data, the rest unused.
        let first = Self.decode(lz, concatenated: false)
        XCTAssertEqual(UInt64(first.output.count), members?.first?.uncompressedSize)
        XCTAssertEqual(first.unused.count, lz.count - Int(members?.first?.memberSize ?? 0))

        // Trailing data of every kind, as xz 5.8 treats it.
        let small = try Self.lzip(["-6"], Array(data.prefix(5000)))
        let trailers: [(tail: [UInt8], error: String?, unused: [UInt8])] = [
            (Array("x".utf8), nil, Array("x".utf8)),
            ([0, 0, 0, 0], nil, [0, 0, 0, 0]),
            (Array("L".utf8), nil, Array("L".utf8)),
            (Array("LZ".utf8), nil, Array("LZ".utf8)),
            (Array("LZI".utf8), nil, Array("LZI".utf8)),
            (Array("LZIx junk".utf8), nil, Array("LZIx junk".utf8)),
            (Array("LLZIP".utf8), nil, Array("LLZIP".utf8)),
            (Array("LZIP".utf8), "truncatedInput", []),
            (Array("LZIP\u{1}".utf8), "truncatedInput", []),
            (Array("LZIPjunk".utf8), "unsupported", []),
            (Array("LZIP\u{1}\u{1}junk".utf8), "corruptData", []),
        ]
        for t in trailers {
            let file = small + t.tail
            let o = Self.allChunkings(file)
            XCTAssertEqual(o.error, t.error, "tail \(t.tail)")
            if t.error == nil {
                XCTAssertTrue(o.output == Array(data.prefix(5000)), "tail \(t.tail)")
                XCTAssertEqual(o.unused, t.unused, "tail \(t.tail)")
            }
            // Single member: the tail is never looked at.
            let single = Self.decode(file, concatenated: false)
            XCTAssertNil(single.error)
            XCTAssertEqual(single.unused, t.tail)
            if XZ58.usable {
                let r = try XZ58.run(["-d", "-Flzip"], input: file)
                XCTAssertEqual(r.status == 0, o.error == nil, "tail \(t.tail): xz58 \(r.stderr)")
            }
        }
        // Trailing data hides the last trailer from the size helper.
        XCTAssertNil(Lzip.members(fileSize: UInt64(small.count + 1)) { (offset, count) in
            Array((small + [0x21])[Int(offset)..<Int(offset) + count])
        })
    }
}
