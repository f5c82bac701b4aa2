import Foundation
import XCTest
@testable import LZMA

/// Truncated, corrupted and hostile input: the decoder must throw an
/// `LZMAError` (or, for damage LZMA1 cannot detect, return bounded output),
/// never trap, hang or allocate what a header merely claims.
final class DecoderRobustnessTests: XCTestCase {
    /// Bounds the output of a corrupt stream that would expand endlessly.
    static let outputCap = 10 << 20

    private struct Sample {
        var vector: TestSupport.Vector
        var input: [UInt8]
        var expected: [UInt8]
        var format: LZMAFormat
        var options: DecompressionOptions
    }

    /// Loads a vector and its verified decoded content.
    private func sample(_ name: String) throws -> Sample {
        let v = try TestSupport.vector(name)
        let input = try TestSupport.readBytes(v.url)
        let options = try v.options()
        let expected = try LZMADecompressor.decompress(input, format: v.format, options: options)
        XCTAssertEqual(TestSupport.sha1Hex(expected), v.sha1, "\(name) does not decode to its manifest SHA-1")
        return Sample(vector: v, input: input, expected: expected, format: v.format, options: options)
    }

    /// What decoding some damaged input led to.
    private enum Outcome: Equatable {
        case output([UInt8])
        case error(LZMAError)
        case capped  // stopped at outputCap without reaching the end

        var label: String {
            switch self {
            case .output: return "output"
            case .capped: return "capped"
            case .error(let e): return e.caseName
            }
        }
    }

    /// Decodes `input` fed in chunks from `nextChunk`, with at most
    /// `outputCap` bytes of output; every error must be an `LZMAError`.
    private func outcome(_ input: [UInt8], format: LZMAFormat, options: DecompressionOptions = DecompressionOptions(),
                         nextChunk: () -> Int = { .max },
                         file: StaticString = #filePath, line: UInt = #line) -> Outcome {
        let d = LZMADecompressor(format: format, options: options)
        var out = [UInt8]()
        var i = 0
        var idle = 0
        do {
            repeat {
                var data = ArraySlice<UInt8>()
                if d.needsInput && i < input.count {
                    let n = min(max(1, nextChunk()), input.count - i)
                    data = input[i..<(i + n)]
                    i += n
                }
                let room = DecoderRobustnessTests.outputCap + 1 - out.count
                let got = try d.decompress(data, maxLength: room)
                XCTAssertLessThanOrEqual(got.count, room, file: file, line: line)
                out += got
                if out.count > DecoderRobustnessTests.outputCap { return .capped }
                idle = data.isEmpty && got.isEmpty ? idle + 1 : 0
                if idle > 2 {
                    XCTFail("no progress with needsInput false", file: file, line: line)
                    return .capped
                }
            } while !d.isFinished && (i < input.count || !d.needsInput)
            try d.finish()
            XCTAssertEqual(d.totalOut, UInt64(out.count), "totalOut", file: file, line: line)
            return .output(out)
        } catch {
            // Typed throws: every error is an LZMAError.
            return .error(error)
        }
    }

    // MARK: - Truncation

    /// Every proper prefix of a valid stream is a valid-so-far stream: feeding
    /// it must succeed with a prefix of the content, and `finish()` must then
    /// throw `truncatedInput`.
    func testTruncationAtEveryOffset() throws {
        let names = ["mixed4095.p6.lzma",                  // unknown size, end marker
                     "mixed4095.known-noeopm-p6.lzma",     // known size, no end marker
                     "mixed257.known-eopm-p6.lzma",        // known size and end marker
                     "mixed4095.lc3lp0pb2-d8MiB.raw",      // raw
                     "zeros100k.p6.lzma",                  // long matches
                     "abab1k.known-noeopm-p6.lzma"]
        var cases = 0
        for name in names {
            let s = try sample(name)
            for cut in 0..<s.input.count {
                let prefix = Array(s.input[0..<cut])
                let d = LZMADecompressor(format: s.format, options: s.options)
                let out: [UInt8]
                do {
                    out = try d.decompress(prefix)
                } catch {
                    XCTFail("\(name) cut at \(cut)/\(s.input.count): a valid prefix threw \(error)")
                    continue
                }
                XCTAssertFalse(d.isFinished, "\(name) cut at \(cut)/\(s.input.count): finished early")
                if out.count > s.expected.count || !TestSupport.same(out, Array(s.expected[0..<out.count])) {
                    XCTFail("\(name) cut at \(cut): output is not a prefix of the content")
                }
                XCTAssertThrowsError(try d.finish(), "\(name) cut at \(cut): finish() must fail") { e in
                    guard case LZMAError.truncatedInput = e else {
                        return XCTFail("\(name) cut at \(cut): expected truncatedInput, got \(e)")
                    }
                }
                // The one-shot API agrees (checked at some offsets, to save time).
                if cut % 7 == 0 || cut == s.input.count - 1 {
                    XCTAssertThrowsError(try LZMADecompressor.decompress(prefix, format: s.format, options: s.options),
                                         "\(name) cut at \(cut): one-shot must fail")
                }
                cases += 1
            }
        }
        XCTAssertGreaterThan(cases, 5000)
    }

    /// Byte by byte, the stream reports its end exactly at the last byte.
    func testEndIsReachedExactlyAtLastByte() throws {
        for name in ["mixed4095.p6.lzma", "mixed4095.known-noeopm-p6.lzma", "mixed257.known-eopm-p6.lzma",
                     "mixed4095.lc3lp0pb2-d8MiB.raw", "empty.p6.lzma", "empty.known-noeopm-p6.lzma",
                     "byte1.known-noeopm-p6.lzma", "empty.lc3lp0pb2-d8MiB.raw"] {
            let s = try sample(name)
            let d = LZMADecompressor(format: s.format, options: s.options)
            var out = [UInt8]()
            for (i, b) in s.input.enumerated() {
                XCTAssertFalse(d.isFinished, "\(name): finished before byte \(i) of \(s.input.count)")
                out += try d.decompress([b])
                XCTAssertEqual(d.totalIn, UInt64(i + 1), "\(name) totalIn")
            }
            XCTAssertTrue(d.isFinished, "\(name): not finished after the last byte")
            XCTAssertTrue(d.unusedData.isEmpty, name)
            XCTAssertTrue(TestSupport.same(out, s.expected), name)
            XCTAssertNoThrow(try d.finish(), name)
        }
    }

    // MARK: - Corruption

    /// Flips bits at every offset of one small vector. Each result must be an
    /// `LZMAError` or bounded output; a result equal to the original is only
    /// acceptable where the byte does not affect decoding (the dictionary size
    /// field, which only needs to be big enough).
    func testSingleByteCorruptionAtEveryOffset() throws {
        let s = try sample("mixed4095.p6.lzma")
        var tally: [String: Int] = [:]
        var undetected: [String] = []
        for offset in 0..<s.input.count {
            for mask: UInt8 in [0x01, 0x80, 0xFF] {
                var bad = s.input
                bad[offset] ^= mask
                let o = outcome(bad, format: .lzma)
                tally[o.label, default: 0] += 1
                switch o {
                case .error(let e):
                    if case .programmingError = e { XCTFail("offset \(offset) ^ \(mask): \(e)") }
                    if case .unsupported = e { XCTFail("offset \(offset) ^ \(mask): \(e)") }
                case .capped:
                    break
                case .output(let out):
                    if TestSupport.same(out, s.expected) {
                        XCTAssert((1...4).contains(offset),
                                  "offset \(offset) ^ \(mask): corruption outside the dictionary field went unnoticed")
                    } else {
                        undetected.append("\(offset)^\(String(mask, radix: 16)):\(out.count)B")
                    }
                }
            }
        }
        print("single-byte corruption of \(s.vector.file) (\(s.input.count * 3) cases): \(tally.sorted { $0.key < $1.key })")
        if !undetected.isEmpty {
            print("  decoded to different content without error (LZMA1 has no checksum): \(undetected.prefix(20)) (\(undetected.count) in all)")
        }
        // liblzma 5.4.1 (checked with Python's lzma module) detects every one
        // of these except the 12 in the dictionary field; so must we.
        XCTAssertEqual(undetected, [], "corruption decoded to different content without an error")
        XCTAssertEqual(tally["output", default: 0], 12)
        XCTAssertGreaterThan(tally["corruptData", default: 0], s.input.count)
    }

    /// Random multi-byte damage (seeded): one-shot and chunked decoding must
    /// agree on the outcome (same content, or same kind of error).
    func testRandomDamage() throws {
        let samples = [try sample("mixed4095.p6.lzma"), try sample("mixed4097.known-noeopm-lc0lp4pb0.lzma"),
                       try sample("mixed4097.lc3lp0pb2-d8MiB.raw"), try sample("abab1k.p6.lzma")]
        var rng = TestSupport.PRNG(seed: 0xDA4A_6E00)
        var tally: [String: Int] = [:]
        for c in 0..<200 {
            let s = samples[c % samples.count]
            var bad = s.input
            let headerSize = s.vector.isRaw ? 0 : 13
            let hits = rng.int(1...8)
            for _ in 0..<hits {
                // Mostly the payload; sometimes the header too.
                let lo = rng.int(0...9) == 0 ? 0 : headerSize
                let at = rng.int(lo...(bad.count - 1))
                bad[at] = UInt8(truncatingIfNeeded: rng.next())
            }
            if rng.int(0...3) == 0 { bad.removeLast(rng.int(0...(bad.count / 2))) }
            if rng.int(0...7) == 0 { bad += (0..<rng.int(1...64)).map { _ in UInt8(truncatingIfNeeded: rng.next()) } }

            let one = outcome(bad, format: s.format, options: s.options)
            let chunked = outcome(bad, format: s.format, options: s.options, nextChunk: { rng.int(1...300) })
            tally[one.label, default: 0] += 1
            switch (one, chunked) {
            case (.output(let a), .output(let b)):
                XCTAssertTrue(TestSupport.same(a, b), "case \(c) (\(s.vector.file)): chunked output differs")
            case (.error(let a), .error(let b)):
                XCTAssertEqual(Outcome.error(a).label, Outcome.error(b).label,
                               "case \(c) (\(s.vector.file)): one-shot \(a) vs chunked \(b)")
            case (.capped, .capped):
                break
            default:
                XCTFail("case \(c) (\(s.vector.file)): one-shot \(one.label) vs chunked \(chunked.label)")
            }
            if case .error(let e) = one {
                if case .programmingError = e { XCTFail("case \(c): \(e)") }
            }
        }
        print("random damage (200 cases): \(tally.sorted { $0.key < $1.key })")
        XCTAssertGreaterThan(tally["corruptData", default: 0] + tally["truncatedInput", default: 0], 100)
    }

    // MARK: - Headers

    private func patched(_ bytes: [UInt8], dict: UInt32? = nil, size: UInt64? = nil, props: UInt8? = nil) -> [UInt8] {
        var b = bytes
        if let props { b[0] = props }
        if let dict { for i in 0..<4 { b[1 + i] = UInt8(truncatingIfNeeded: dict >> (8 * UInt32(i))) } }
        if let size { for i in 0..<8 { b[5 + i] = UInt8(truncatingIfNeeded: size >> (8 * UInt64(i))) } }
        return b
    }

    /// A 4 GiB - 1 dictionary with unknown size: the window must grow with the
    /// output, not be allocated up front.
    func testHugeDictionaryIsNotAllocatedUpFront() throws {
        let s = try sample("mixed4097.p6.lzma")
        let input = patched(s.input, dict: 0xFFFF_FFFF)
        guard let before = TestSupport.residentBytes(), let vBefore = TestSupport.virtualBytes() else {
            throw XCTSkip("/proc/self/statm not readable")
        }
        for format in [LZMAFormat.lzma, .auto] {
            for chunk in [Int.max, 1] {
                let d = LZMADecompressor(format: format)
                let out = try TestSupport.decodeChunked(input, format: format, chunk: chunk)
                XCTAssertTrue(TestSupport.same(out, s.expected), "\(format)")
                let whole = try d.decompress(input)
                XCTAssertTrue(TestSupport.same(whole, s.expected), "\(format)")
                XCTAssertTrue(d.isFinished)
                XCTAssertNil(d.expectedOutputSize)
                // Measured while the decoder is alive.
                let after = TestSupport.residentBytes() ?? Int.max
                let vAfter = TestSupport.virtualBytes() ?? Int.max
                XCTAssertLessThan(after - before, 64 << 20, "RSS grew by \(after - before) bytes (\(format))")
                // An untouched 4 GiB allocation would not show in RSS, but in the virtual size.
                XCTAssertLessThan(vAfter - vBefore, 1 << 30, "virtual size grew by \(vAfter - vBefore) bytes (\(format))")
                withExtendedLifetime(d) {}
            }
        }
    }

    func testMemoryLimitExceededBeforeOutput() throws {
        let s = try sample("mixed4097.p6.lzma")  // -6: 8 MiB dictionary
        XCTAssertEqual(s.input[1...4].elementsEqual([0, 0, 0x80, 0]), true, "expected an 8 MiB dictionary")
        for format in [LZMAFormat.lzma, .auto] {
            let d = LZMADecompressor(format: format, options: DecompressionOptions(memoryLimit: 1 << 20))
            // The header alone is enough to know.
            XCTAssertThrowsError(try d.decompress(s.input[0..<13]), "\(format)") { e in
                guard case LZMAError.memoryLimitExceeded(let required, let limit) = e else {
                    return XCTFail("expected memoryLimitExceeded, got \(e)")
                }
                XCTAssertEqual(limit, 1 << 20)
                XCTAssertGreaterThan(required, 8 << 20)
            }
            XCTAssertEqual(d.totalOut, 0)
            // The error sticks.
            XCTAssertThrowsError(try d.decompress(s.input[13...])) { e in
                guard case LZMAError.memoryLimitExceeded = e else { return XCTFail("got \(e)") }
            }
            XCTAssertThrowsError(try d.finish())
        }
        XCTAssertThrowsError(try LZMADecompressor.decompress(s.input, format: .lzma,
                                                             options: DecompressionOptions(memoryLimit: 1 << 20))) { e in
            guard case LZMAError.memoryLimitExceeded = e else { return XCTFail("got \(e)") }
        }
        // The same stream with a 64 KiB dictionary fits in 1 MiB (content is 4097 bytes).
        let small = patched(s.input, dict: 1 << 16)
        let out = try LZMADecompressor.decompress(small, format: .lzma, options: DecompressionOptions(memoryLimit: 1 << 20))
        XCTAssertTrue(TestSupport.same(out, s.expected))
        // Raw data is checked against the limit too.
        let props = try LZMAProperties(lc: 3, lp: 0, pb: 2, dictionarySize: 1 << 23)
        XCTAssertThrowsError(try LZMADecompressor.decompress([0, 0, 0, 0, 0], format: .rawLZMA1,
                                                             options: DecompressionOptions(memoryLimit: 1 << 20,
                                                                                           properties: props))) { e in
            guard case LZMAError.memoryLimitExceeded = e else { return XCTFail("got \(e)") }
        }
    }

    func testPropertiesByteAbove224() throws {
        let s = try sample("abab1k.p6.lzma")
        for props: UInt8 in [225, 255] {
            let bad = patched(s.input, props: props)
            XCTAssertThrowsError(try LZMADecompressor.decompress(bad, format: .lzma)) { e in
                guard case LZMAError.invalidProperties = e else { return XCTFail("\(props) .lzma: got \(e)") }
            }
            XCTAssertThrowsError(try LZMADecompressor.decompress(bad, format: .auto)) { e in
                guard case LZMAError.unknownFormat = e else { return XCTFail("\(props) .auto: got \(e)") }
            }
            // Detected as soon as the header is complete.
            let d = LZMADecompressor(format: .lzma)
            XCTAssertThrowsError(try d.decompress(bad[0..<13]))
        }
        // 224 (pb=4, lp=4, lc=8) is a valid properties byte, though this payload was made with lc=3 lp=0 pb=2.
        let d = LZMADecompressor(format: .lzma)
        XCTAssertNoThrow(try d.decompress(patched(s.input, props: 224)[0..<13]))
    }

    func testHeaderOnly() throws {
        let s = try sample("abab1k.p6.lzma")
        for header in [Array(s.input[0..<13]), patched(Array(s.input[0..<13]), size: 1024)] {
            for format in [LZMAFormat.lzma, .auto] {
                let d = LZMADecompressor(format: format)
                XCTAssertEqual(try d.decompress(header), [])
                XCTAssertFalse(d.isFinished)
                XCTAssertTrue(d.needsInput)
                XCTAssertThrowsError(try d.finish()) { e in
                    guard case LZMAError.truncatedInput = e else { return XCTFail("\(format): got \(e)") }
                }
            }
        }
        // Empty input too.
        let d = LZMADecompressor(format: .lzma)
        XCTAssertEqual(try d.decompress([UInt8]()), [])
        XCTAssertThrowsError(try d.finish()) { e in
            guard case LZMAError.truncatedInput = e else { return XCTFail("got \(e)") }
        }
    }

    /// xz's auto-detection only takes dictionary sizes 2^n or 2^n + 2^(n-1)
    /// (and 0xFFFFFFFF); the explicit .lzma format takes any.
    func testOddDictionarySize() throws {
        let s = try sample("mixed4097.p6.lzma")
        let odd = patched(s.input, dict: 0x12345)
        XCTAssertThrowsError(try LZMADecompressor.decompress(odd, format: .auto)) { e in
            guard case LZMAError.unknownFormat = e else { return XCTFail("got \(e)") }
        }
        XCTAssertTrue(TestSupport.same(try LZMADecompressor.decompress(odd, format: .lzma), s.expected))
        // 2^n + 2^(n-1) passes auto-detection.
        let threeHalves = patched(s.input, dict: 3 << 20)
        XCTAssertTrue(TestSupport.same(try LZMADecompressor.decompress(threeHalves, format: .auto), s.expected))

        // Likewise a known size above 256 GiB is not taken for .lzma by
        // auto-detection (as xz: 2^38 itself is); the explicit format reads
        // it, and the end marker then comes too early.
        let huge = patched(s.input, size: (1 << 38) + 1)
        XCTAssertThrowsError(try LZMADecompressor.decompress(huge, format: .auto)) { e in
            guard case LZMAError.unknownFormat = e else { return XCTFail("got \(e)") }
        }
        XCTAssertThrowsError(try LZMADecompressor.decompress(huge, format: .lzma)) { e in
            guard case LZMAError.sizeMismatch(_, let expected, let actual, _) = e else { return XCTFail("got \(e)") }
            XCTAssertEqual(expected, (1 << 38) + 1)
            XCTAssertEqual(actual, UInt64(s.expected.count))
        }
        let below = patched(s.input, size: 1 << 38)
        XCTAssertThrowsError(try LZMADecompressor.decompress(below, format: .auto)) { e in
            guard case LZMAError.sizeMismatch = e else { return XCTFail("got \(e)") }
        }
    }

    /// A dictionary smaller than the distances used is corrupt data, not a trap.
    func testDictionaryTooSmallForTheData() throws {
        let s = try sample("text16k.p6.lzma")  // matches reach back more than 4 KiB
        let bad = patched(s.input, dict: 4096)
        XCTAssertThrowsError(try LZMADecompressor.decompress(bad, format: .lzma)) { e in
            guard case LZMAError.corruptData = e else { return XCTFail("got \(e)") }
        }
    }

    // MARK: - Raw LZMA1

    func testRawWithUncompressedSize() throws {
        let s = try sample("mixed4097.lc3lp0pb2-d8MiB.raw")
        guard s.format == .rawLZMA1 else { return XCTFail("not raw") }
        let props = s.options.properties
        func sized(_ n: UInt64?) -> DecompressionOptions { DecompressionOptions(properties: props, uncompressedSize: n) }
        let n = UInt64(s.expected.count)
        // The exact size with the end marker xz always writes: accepted.
        let out = try LZMADecompressor.decompress(s.input, format: .rawLZMA1, options: sized(n))
        XCTAssertTrue(TestSupport.same(out, s.expected))
        let chunked = try TestSupport.decodeChunked(s.input, format: .rawLZMA1, options: sized(n), chunk: 1)
        XCTAssertTrue(TestSupport.same(chunked, s.expected))
        // Too small: data goes on after the declared end.
        for size in [n - 1, n / 2, 1, 0] {
            XCTAssertThrowsError(try LZMADecompressor.decompress(s.input, format: .rawLZMA1, options: sized(size)),
                                 "size \(size)") { e in
                XCTAssert(e is LZMAError, "size \(size): \(e)")
            }
        }
        // Too big: the end marker comes before the declared size.
        XCTAssertThrowsError(try LZMADecompressor.decompress(s.input, format: .rawLZMA1, options: sized(n + 1))) { e in
            guard case LZMAError.sizeMismatch(_, let expected, let actual, _) = e else { return XCTFail("got \(e)") }
            XCTAssertEqual(expected, n + 1)
            XCTAssertEqual(actual, n)
        }
        // Wrong properties give different output or an error, never a trap.
        let wrong = try LZMAProperties(lc: 0, lp: 2, pb: 0, dictionarySize: 1 << 23)
        if let out = try? LZMADecompressor.decompress(s.input, format: .rawLZMA1,
                                                     options: DecompressionOptions(properties: wrong)) {
            XCTAssertFalse(TestSupport.same(out, s.expected))
        }
    }

    /// Known size without end marker: data after the declared size (that is
    /// not an end marker) is not part of the stream.
    func testKnownSizeTooSmall() throws {
        let s = try sample("mixed4095.known-noeopm-p6.lzma")
        let n = UInt64(s.expected.count)
        XCTAssertThrowsError(try LZMADecompressor.decompress(patched(s.input, size: n - 1), format: .lzma)) { e in
            XCTAssert(e is LZMAError)
        }
        XCTAssertThrowsError(try LZMADecompressor.decompress(patched(s.input, size: n + 1), format: .lzma)) { e in
            guard case LZMAError.truncatedInput = e else { return XCTFail("got \(e)") }
        }
    }

    // MARK: - Differential check against liblzma

    /// Decodes each case file listed in `list` (name, format, lc, lp, pb, dict)
    /// with Python's lzma module (liblzma) and prints one outcome per line.
    private static let liblzmaScript = #"""
    import lzma, hashlib, sys, os
    d = sys.argv[1]
    CAP = int(sys.argv[2])
    for line in open(os.path.join(d, "list")):
        name, fmt, lc, lp, pb, dct = line.split()
        data = open(os.path.join(d, name), "rb").read()
        if fmt == "raw":
            dec = lzma.LZMADecompressor(format=lzma.FORMAT_RAW, filters=[{"id": lzma.FILTER_LZMA1,
                  "lc": int(lc), "lp": int(lp), "pb": int(pb), "dict_size": int(dct)}])
        else:
            dec = lzma.LZMADecompressor(format=lzma.FORMAT_ALONE)
        try:
            out = dec.decompress(data, max_length=CAP + 1)
            if len(out) > CAP: r = "capped"
            elif not dec.eof: r = "error"
            else: r = "ok %s %d %d" % (hashlib.sha1(out).hexdigest(), len(out), len(dec.unused_data))
        except lzma.LZMAError:
            r = "error"
        print(name, r)
    """#

    /// Our outcome in the script's notation.
    private func outcomeLine(_ input: [UInt8], format: LZMAFormat, options: DecompressionOptions, chunked: Bool,
                             rng: inout TestSupport.PRNG) -> String {
        let cap = DecoderRobustnessTests.outputCap
        let d = LZMADecompressor(format: format, options: options)
        var out = [UInt8]()
        var i = 0
        do {
            repeat {
                var data = ArraySlice<UInt8>()
                if d.needsInput || d.isFinished {
                    let n = chunked ? min(rng.int(1...40), input.count - i) : input.count - i
                    data = input[i..<(i + n)]
                    i += n
                }
                let before = out.count
                out += try d.decompress(data, maxLength: cap + 1 - out.count)
                if out.count > cap { return "capped" }
                if data.isEmpty && out.count == before && !d.isFinished { break }
            } while i < input.count || (!d.needsInput && !d.isFinished)
            guard d.isFinished else { return "error" }
            return "ok \(TestSupport.sha1Hex(out)) \(out.count) \(d.unusedData.count)"
        } catch {
            // Typed throws: every error is an LZMAError.
            return "error"
        }
    }

    /// Damaged variants of small vectors (seeded) must give the same outcome
    /// as liblzma: the same content and trailing-byte count when it succeeds,
    /// an error when it fails; one-shot and chunked alike.
    func testAgreesWithLiblzmaOnDamagedInput() throws {
        guard let python = TestSupport.findTool("python3"),
              (try? TestSupport.run(python, ["-c", "import lzma"]).status) == 0 else {
            throw XCTSkip("python3 with the lzma module is not available")
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("DecoderDiff-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }

        let names = ["mixed4095.p6.lzma", "mixed4095.known-noeopm-p6.lzma", "mixed257.known-eopm-p6.lzma",
                     "mixed4097.lc3lp0pb2-d8MiB.raw", "mixed4097.known-noeopm-lc0lp4pb0.lzma",
                     "mixed4097.lc2lp1pb0.lzma", "zeros100k.p6.lzma", "abab1k.known-noeopm-p6.lzma",
                     "byte1.p6.lzma", "empty.known-noeopm-p6.lzma", "random2k.p0.lzma"]
        var rng = TestSupport.PRNG(seed: 0x11B1_2A5A)
        var cases: [(name: String, input: [UInt8], format: LZMAFormat, options: DecompressionOptions)] = []
        var list = ""
        for name in names {
            let s = try sample(name)
            let hdr = s.vector.isRaw ? 0 : 13
            for k in 0..<60 {
                var b = s.input
                switch k % 6 {
                case 0, 1, 2:  // a few bytes of the payload replaced
                    for _ in 0..<rng.int(1...4) where b.count > hdr { b[rng.int(hdr...(b.count - 1))] = UInt8(truncatingIfNeeded: rng.next()) }
                case 3:  // truncated, or junk appended
                    if rng.int(0...1) == 0 { b.removeLast(rng.int(1...b.count)) }
                    else { b += (0..<rng.int(1...20)).map { _ in UInt8(truncatingIfNeeded: rng.next()) } }
                case 4 where hdr > 0:  // declared size changed
                    let n = UInt64(s.expected.count)
                    let size = [0, 1, n &- 1, n + 1, n * 2, UInt64.max - 1, UInt64.max][rng.int(0...6)]
                    for i in 0..<8 { b[5 + i] = UInt8(truncatingIfNeeded: size >> (8 * UInt64(i))) }
                case 5 where hdr > 0:  // dictionary size changed, or lc/lp/pb (lc + lp <= 4, like liblzma)
                    if rng.int(0...1) == 0 {
                        let dict = [0, 1, 4095, 4096, 4097, 65536, UInt32(truncatingIfNeeded: rng.next())][rng.int(0...6)]
                        for i in 0..<4 { b[1 + i] = UInt8(truncatingIfNeeded: dict >> (8 * UInt32(i))) }
                    } else {
                        let lc = rng.int(0...4), lp = rng.int(0...(4 - lc)), pb = rng.int(0...4)
                        b[0] = UInt8((pb * 5 + lp) * 9 + lc)
                    }
                default:
                    b[rng.int(0...(b.count - 1))] ^= UInt8(truncatingIfNeeded: rng.int(1...255))
                }
                let file = "c\(cases.count)"
                try Data(b).write(to: dir.appendingPathComponent(file))
                let v = s.vector
                list += v.isRaw ? "\(file) raw \(v.lc) \(v.lp) \(v.pb) \(v.dict)\n" : "\(file) lzma 0 0 0 0\n"
                cases.append((file, b, s.format, s.options))
            }
        }
        try list.write(to: dir.appendingPathComponent("list"), atomically: true, encoding: .utf8)
        let script = dir.appendingPathComponent("decode.py")
        try DecoderRobustnessTests.liblzmaScript.write(to: script, atomically: true, encoding: .utf8)
        let r = try TestSupport.run(python, [script.path, dir.path, String(DecoderRobustnessTests.outputCap)])
        XCTAssertEqual(r.status, 0, "python script failed")
        var theirs: [String: String] = [:]
        for line in String(decoding: r.stdout, as: UTF8.self).split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
            if parts.count == 2 { theirs[parts[0]] = parts[1] }
        }
        XCTAssertEqual(theirs.count, cases.count, "liblzma outcomes missing")
        var tally: [String: Int] = [:]
        for c in cases {
            guard let want = theirs[c.name] else { continue }
            let one = outcomeLine(c.input, format: c.format, options: c.options, chunked: false, rng: &rng)
            let chunked = outcomeLine(c.input, format: c.format, options: c.options, chunked: true, rng: &rng)
            XCTAssertEqual(one, want, "\(c.name) one-shot differs from liblzma")
            XCTAssertEqual(chunked, want, "\(c.name) chunked differs from liblzma")
            tally[String(want.prefix(while: { $0 != " " })), default: 0] += 1
        }
        print("differential vs liblzma (\(cases.count) cases): \(tally.sorted { $0.key < $1.key })")
        XCTAssertGreaterThan(tally["ok", default: 0], 20)
        XCTAssertGreaterThan(tally["error", default: 0], 200)
    }

    /// The .lzma format allows lc up to 8 (and lc + lp > 4), which xz refuses to
    /// write or read; we decode them. A stream whose literals all use fresh
    /// probabilities decodes the same under any lc/lp.
    func testLargeLcLpAccepted() throws {
        for (name, props) in [("byte1.p6.lzma", (2 * 5 + 0) * 9 + 8), ("empty.p6.lzma", 224), ("byte1.p6.lzma", 224)] {
            let s = try sample(name)
            var b = s.input
            b[0] = UInt8(props)
            let out = try LZMADecompressor.decompress(b, format: .lzma)
            XCTAssertTrue(TestSupport.same(out, s.expected), "\(name) with properties byte \(props)")
        }
    }
}
