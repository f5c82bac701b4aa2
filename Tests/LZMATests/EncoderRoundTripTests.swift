import Foundation
import XCTest
@testable import LZMA

/// Round trips through our own decoder over the encoder's option matrix, and
/// checks that the output does not depend on how the input is chunked.
/// Inputs are small because `swift test` runs debug builds.
final class EncoderRoundTripTests: XCTestCase {
    typealias Opts = LZMASettings

    /// calloc'ed tables: presets 7-9 ask for hundreds of MiB, which calloc
    /// hands out as untouched (free) pages.
    static let calloced = LZMAAllocator(allocateZeroed: { n in
        guard let p = calloc(n, 1) else { fatalError("calloc(\(n)) failed") }
        return p
    }, deallocate: { free($0) })

    /// The generated inputs, each with a name for messages.
    static let inputs: [(String, [UInt8])] = [
        ("empty", []),
        ("one byte", [0xA5]),
        ("two bytes", [0, 0]),
        ("zeros", [UInt8](repeating: 0, count: 20_000)),
        ("random", EncoderTests.randomBytes(6_000)),
        ("repetitive", Array(repeating: Array("abcabcabd".utf8), count: 1200).flatMap { $0 }),
        ("text-like", EncoderTests.textLike(12_000)),
        // Longer than a 4 KiB dictionary, with repeats beyond 273 bytes.
        ("long repeats", { () -> [UInt8] in
            let block = EncoderTests.textLike(1500, seed: 5)
            return block + EncoderTests.randomBytes(6000, seed: 6) + block + block + [UInt8](repeating: 0x41, count: 700) + block
        }()),
    ]

    /// Compresses `input` (one-shot; `.lzma` with `uncompressedSize` in the
    /// header when given, or raw LZMA1 with an end marker) and decodes it with
    /// `LZMADecompressor`; returns the compressed bytes.
    @discardableResult
    func assertRoundTrip(_ input: [UInt8], _ o: Opts, format: LZMAFormat = .lzma, uncompressedSize: UInt64? = nil,
                         _ message: String, file: StaticString = #filePath, line: UInt = #line) throws -> [UInt8] {
        let out = try LZMACompressor.compress(input, format: format,
                                              options: CompressionOptions(lzma: o, uncompressedSize: uncompressedSize),
                                              allocator: Self.calloced)
        var decodeOptions = DecompressionOptions()
        if format == .rawLZMA1 {
            decodeOptions.properties = try LZMAProperties(lc: o.lc, lp: o.lp, pb: o.pb, dictionarySize: o.dictionarySize)
        }
        let back = try LZMADecompressor.decompress(out, format: format, options: decodeOptions)
        XCTAssertEqual(back.count, input.count, "length: \(message)", file: file, line: line)
        if back != input {
            let i = EncoderTests.firstDifference(back, input)
            XCTFail("first difference at byte \(i): \(message)", file: file, line: line)
        }
        return out
    }

    // MARK: - Option matrix

    func testEveryPresetRoundTrips() throws {
        let input = EncoderTests.mixed(24_000)
        for level in 0...9 {
            try assertRoundTrip(input, Opts(preset: LZMAPreset(level: level)!), "preset \(level)")
        }
        for level in [0, 3, 5, 9] {
            try assertRoundTrip(input, Opts(preset: LZMAPreset(level: level, extreme: true)!), "preset \(level)e")
        }
    }

    func testBothModesEveryMatchFinderSmallDictionary() throws {
        // A 4 KiB dictionary with 3x as much input: distances must stay inside it.
        let input = EncoderTests.mixed(13_000)
        for mode in [Opts.Mode.fast, .normal] {
            for mf in [Opts.MatchFinder.hc3, .hc4, .bt2, .bt3, .bt4] {
                for dict: UInt32 in [4096, 1 << 16] {
                    var o = Opts.preset(6)
                    o.mode = mode; o.matchFinder = mf; o.dictionarySize = dict
                    try assertRoundTrip(input, o, "\(mode) \(mf) dict \(dict)")
                }
            }
        }
    }

    /// Matches that reach back nearly the whole 4 KiB dictionary, many times
    /// after the decoder's window has wrapped: the bytes a word copy writes
    /// past a match's end must never be ones such a match still reads (see
    /// `OutputWindow.overrun`).
    func testMatchesAtTheFarEdgeOfAWrappedWindow() throws {
        var block = EncoderTests.randomBytes(4050, seed: 11)
        let gaps = EncoderTests.randomBytes(60, seed: 12)
        var input: [UInt8] = []
        for i in 0..<60 {
            block[(i &* 677) % block.count] ^= 0xFF
            input += block
            input += EncoderTests.randomBytes(Int(gaps[i]) % 46, seed: UInt64(100 + i))
        }
        for mf in [Opts.MatchFinder.hc4, .bt4] {
            var o = Opts.preset(6)
            o.matchFinder = mf; o.dictionarySize = 4096
            let out = try assertRoundTrip(input, o, format: .xz, "far matches, \(mf)")
            // The repeats were found (else this tests nothing): 60 blocks of
            // random bytes cost more than 240 KB as literals.
            XCTAssertLessThan(out.count, input.count / 10, "\(mf)")
        }
    }

    func testLiteralAndPositionBitCombinations() throws {
        let input = EncoderTests.mixed(9_000)
        let combos = [(0, 0, 0), (3, 0, 2), (4, 0, 4), (0, 4, 0), (1, 3, 1), (2, 2, 3), (0, 0, 4), (4, 0, 0)]
        for (lc, lp, pb) in combos {
            for mode in [Opts.Mode.fast, .normal] {
                var o = Opts.preset(6)
                o.lc = lc; o.lp = lp; o.pb = pb; o.mode = mode; o.dictionarySize = 1 << 16
                try assertRoundTrip(input, o, "lc=\(lc) lp=\(lp) pb=\(pb) \(mode)")
            }
        }
        // lc + lp > 4 is possible only in raw LZMA1.
        for (lc, lp, pb) in [(8, 4, 4), (5, 2, 1)] {
            for mode in [Opts.Mode.fast, .normal] {
                var o = Opts.preset(6)
                o.lc = lc; o.lp = lp; o.pb = pb; o.mode = mode; o.dictionarySize = 1 << 16
                try assertRoundTrip(input, o, format: .rawLZMA1, "raw lc=\(lc) lp=\(lp) pb=\(pb) \(mode)")
            }
        }
    }

    func testNiceLengthExtremes() throws {
        let input = Self.inputs.last!.1
        // nice 2 is allowed only with bt2 (the others hash 3 or 4 bytes).
        var cases: [(Opts.MatchFinder, Int)] = [(.bt2, 2)]
        for mf in [Opts.MatchFinder.hc3, .hc4, .bt2, .bt3, .bt4] { cases.append((mf, 273)) }
        for (mf, nice) in cases {
            for mode in [Opts.Mode.fast, .normal] {
                var o = Opts.preset(6)
                o.matchFinder = mf; o.niceLength = nice; o.mode = mode; o.dictionarySize = 4096
                try assertRoundTrip(input, o, "\(mf) nice=\(nice) \(mode)")
            }
        }
        // Depth 1 and a huge depth.
        for depth in [1, 10_000] {
            var o = Opts.preset(.extreme(9))
            o.depth = depth
            try assertRoundTrip(input, o, "depth \(depth)")
        }
    }

    func testGeneratedInputs() throws {
        var small = Opts.preset(6)
        small.dictionarySize = 4096
        var smallFast = Opts.preset(1)
        smallFast.dictionarySize = 4096
        let settings: [(String, Opts)] = [
            ("preset 0", .preset(0)), ("preset 3", .preset(3)), ("preset 6", .preset(6)),
            ("preset 9e", .preset(.extreme(9))), ("4 KiB normal", small), ("4 KiB fast", smallFast),
        ]
        for (inputName, input) in Self.inputs {
            for (name, o) in settings {
                try assertRoundTrip(input, o, "\(inputName), \(name)")
                try assertRoundTrip(input, o, uncompressedSize: UInt64(input.count),
                                    "\(inputName), \(name), known size")
            }
        }
    }

    /// The dictionary-sized window moves (about every 530 KB with a 4 KiB
    /// dictionary) without changing the output.
    func testWindowMovesInNormalMode() throws {
        let input = EncoderTests.mixed(620_000)
        var o = Opts.preset(4)
        o.dictionarySize = 4096
        let chunked = try EncoderTests.compressInChunks(input, options: o, chunk: { _ in 100_000 })
        XCTAssertEqual(try LZMADecompressor.decompress(chunked, format: .lzma), input)
        XCTAssertEqual(chunked, try LZMACompressor.compress(input, format: .lzma, options: CompressionOptions(lzma: o)))
    }

    // MARK: - Determinism

    /// Chunks of 1, 7, 4096 bytes and random sizes give the same bytes as one
    /// call, in both modes and with every kind of match finder.
    func testChunkingNeverChangesOutput() throws {
        let input = EncoderTests.mixed(9_000)
        var bt2 = Opts.preset(6)
        bt2.matchFinder = .bt2; bt2.dictionarySize = 4096
        var hc3 = Opts.preset(0)
        hc3.dictionarySize = 4096
        let settings: [(String, Opts)] = [
            ("preset 0", .preset(0)), ("preset 6", .preset(6)), ("preset 9e", .preset(.extreme(9))),
            ("bt2 4 KiB normal", bt2), ("hc3 4 KiB fast", hc3),
        ]
        for (name, o) in settings {
            let reference = try assertRoundTrip(input, o, name)
            var rng = EncoderTests.Rng(s: 4242)
            let chunkings: [(String, (Int) -> Int)] = [
                ("1", { _ in 1 }), ("7", { _ in 7 }), ("4096", { _ in 4096 }),
                ("random", { _ in Int(rng.next() % 2500) }),   // includes empty chunks
            ]
            for (chunkName, chunk) in chunkings {
                let out = try EncoderTests.compressInChunks(input, options: o, chunk: chunk)
                XCTAssertEqual(out, reference, "\(name), chunks of \(chunkName)")
            }
            // A compressor is deterministic from one run to the next.
            XCTAssertEqual(try LZMACompressor.compress(input, format: .lzma, options: CompressionOptions(lzma: o)), reference,
                           "\(name), second run")
        }
    }

    // MARK: - Allocator

    /// Counts what goes through a custom allocator.
    final class CountingAllocator: @unchecked Sendable {
        let lock = NSLock()
        var live: [UnsafeMutableRawPointer: Int] = [:]
        var totalBytes = 0

        var allocator: LZMAAllocator {
            LZMAAllocator(allocateZeroed: { n in
                let p = calloc(n, 1)!
                self.lock.lock(); self.live[p] = n; self.totalBytes += n; self.lock.unlock()
                return p
            }, deallocate: { p in
                self.lock.lock(); self.live[p] = nil; self.lock.unlock()
                free(p)
            })
        }
    }

    func testCustomAllocatorGetsTheTablesAndGetsThemBack() throws {
        let counter = CountingAllocator()
        let input = EncoderTests.mixed(10_000)
        for level in [0, 6] {
            let o = Opts(preset: LZMAPreset(level: level)!)
            counter.totalBytes = 0
            var out: [UInt8] = []
            do {
                let c = try LZMACompressor(format: .lzma, options: CompressionOptions(lzma: o), allocator: counter.allocator)
                XCTAssertEqual(counter.live.count, 3, "window, hash and son")
                // Everything memoryUsage counts besides the encoder's small fixed tables.
                XCTAssertEqual(UInt64(counter.totalBytes),
                               LZMACompressor.memoryUsage(CompressionOptions(lzma: o)) - LZMAEncoder.fixedBytes(lc: o.lc, lp: o.lp))
                out = try c.compress(input)
                out += try c.finish()
            }
            XCTAssertEqual(counter.live.count, 0, "all tables freed with the compressor")
            XCTAssertEqual(out, try LZMACompressor.compress(input, format: .lzma, options: CompressionOptions(lzma: o),
                                                          allocator: .standard),
                           "preset \(level): allocator changes the output")
        }
    }

    /// The tables filled in order (window, son) come from
    /// `allocateUninitialized`, the hash table from `allocateZeroed`; filled
    /// with garbage, the uninitialized ones change no byte of the output.
    func testUninitializedTablesComeFromTheirOwnSourceAndNeedNoZeros() throws {
        final class Counts: @unchecked Sendable {
            let lock = NSLock()
            var zeroed = 0, uninitialized = 0
        }
        let counts = Counts()
        let allocator = LZMAAllocator(
            allocateZeroed: { n in
                counts.lock.lock(); counts.zeroed += 1; counts.lock.unlock()
                return calloc(n, 1)!
            },
            allocateUninitialized: { n in
                counts.lock.lock(); counts.uninitialized += 1; counts.lock.unlock()
                let p = malloc(n)!
                p.initializeMemory(as: UInt8.self, repeating: 0xA5, count: n)
                return p
            },
            deallocate: { free($0) })
        let input = EncoderTests.mixed(30_000)
        for (level, finder) in [(0, "hc4"), (6, "bt4")] {
            counts.zeroed = 0
            counts.uninitialized = 0
            let options = CompressionOptions(lzma: Opts(preset: LZMAPreset(level: level)!))
            let out = try LZMACompressor.compress(input, format: .lzma, options: options, allocator: allocator)
            XCTAssertEqual(counts.zeroed, 1, "preset \(level) (\(finder)): the hash table")
            XCTAssertEqual(counts.uninitialized, 2, "preset \(level) (\(finder)): the window and the son table")
            XCTAssertEqual(out, try LZMACompressor.compress(input, format: .lzma, options: options, allocator: .standard),
                           "preset \(level) (\(finder)): garbage in the uninitialized tables changed the output")
        }
    }

    /// `memoryUsage` rounds up to the same MiB count `xz -vv` prints for
    /// `xz --format=lzma -N` (liblzma 5.4's lzma_raw_encoder_memusage, in bytes,
    /// in the comments): the window, hash and son tables are the same sizes.
    func testMemoryUsageMatchesXZ() throws {
        let xzBytes: [(String, Opts, UInt64)] = [
            ("0", .preset(0), 2_789_727), ("1", .preset(1), 8_950_111), ("2", .preset(2), 16_814_431),
            ("3", .preset(3), 32_543_071), ("4", .preset(4), 49_320_291), ("5", .preset(5), 97_554_787),
            ("6", .preset(6), 97_554_787), ("7", .preset(7), 194_023_779), ("8", .preset(8), 386_961_763),
            ("9", .preset(9), 705_728_867), ("9e", .preset(.extreme(9)), 705_728_867),
        ]
        for (name, o, xz) in xzBytes {
            let ours = LZMACompressor.memoryUsage(CompressionOptions(lzma: o))
            // liblzma counts a 32 KiB base and no output buffer; we have a 64 KiB one.
            XCTAssertGreaterThanOrEqual(ours, xz, "preset \(name)")
            XCTAssertLessThanOrEqual(ours, xz + (64 << 10), "preset \(name)")
            XCTAssertEqual((ours + (1 << 20) - 1) >> 20, (xz + (1 << 20) - 1) >> 20, "preset \(name) MiB")
        }
    }
}
