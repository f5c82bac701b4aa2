// The symbol trace (LZMATracer): the output rebuilds from the trace alone,
// the costs add up to the compressed size, the encoder's trace is the
// decoder's, and chunking does not change it.
import XCTest
@testable import LZMA

final class TraceTests: XCTestCase {
    /// Text with repeats, some binary, and a stretch of noise that LZMA2 stores.
    static let sample: [UInt8] = {
        var rng = TestSupport.PRNG(seed: 14)
        var out: [UInt8] = []
        let words = ["range ", "coder ", "literal ", "match ", "distance ", "state ", "the ", "of ", "LZMA ", "\n"]
        while out.count < 60_000 { out += Array(words[rng.int(0...9)].utf8) }
        for i in 0..<20_000 { out.append(UInt8(truncatingIfNeeded: i &* 7 ^ (i >> 5))) }
        for _ in 0..<70_000 { out.append(UInt8(truncatingIfNeeded: rng.next())) }
        while out.count < 170_000 { out += Array(words[rng.int(0...9)].utf8) }
        return out
    }()

    /// Decodes `data` with a tracer, in chunks of `chunk` bytes; returns the
    /// output and the events.
    private func traceDecode(_ data: [UInt8], format: LZMAFormat = .auto,
                             options: DecompressionOptions = DecompressionOptions(),
                             chunk: Int = 1 << 20) throws -> (output: [UInt8], events: [LZMATraceEvent]) {
        var events: [LZMATraceEvent] = []
        let d = LZMADecompressor(format: format, options: options)
        d.tracer = LZMATracer { events.append($0) }
        var out: [UInt8] = []
        var i = 0
        while i < data.count {
            let n = min(chunk, data.count - i)
            out += try d.decompress(data[i..<(i + n)])
            i += n
        }
        try d.finish()
        return (out, events)
    }

    /// The output as the trace alone describes it.
    private func rebuild(_ events: [LZMATraceEvent], file: StaticString = #filePath, line: UInt = #line) -> [UInt8] {
        var out: [UInt8] = []
        for e in events {
            switch e {
            case .structure: break
            case .stored(let pos, let bytes):
                XCTAssertEqual(pos, UInt64(out.count), "stored chunk position", file: file, line: line)
                out += bytes
            case .symbol(let s):
                XCTAssertEqual(s.position, UInt64(out.count), "symbol position", file: file, line: line)
                switch s.kind {
                case .literal:
                    XCTAssertEqual(s.length, 1)
                    out.append(s.byte)
                case .endMarker:
                    XCTAssertEqual(s.length, 0)
                default:
                    guard s.distance >= 1, s.distance <= UInt64(out.count) else {
                        XCTFail("distance \(s.distance) at \(out.count)", file: file, line: line)
                        return out
                    }
                    XCTAssertEqual(s.length == 1, s.kind == .shortRep, "only a short rep has length 1")
                    for _ in 0..<s.length { out.append(out[out.count - Int(s.distance)]) }
                }
            }
        }
        return out
    }

    private func symbols(_ events: [LZMATraceEvent]) -> [LZMATraceSymbol] {
        events.compactMap { if case .symbol(let s) = $0 { return s } else { return nil } }
    }

    func testLZMARebuildsAndCostsItsPayload() throws {
        let input = Array(Self.sample[0..<60_000])
        let file = try LZMACompressor.compress(input, format: .lzma)
        let (out, events) = try traceDecode(file)
        XCTAssertEqual(out, input)
        XCTAssertEqual(rebuild(events), input)
        let syms = symbols(events)
        XCTAssertEqual(syms.last?.kind, .endMarker, "xz writes .lzma with an end marker")
        XCTAssertTrue(Set(syms.map(\.kind)).isSuperset(of: [.literal, .match, .rep0, .shortRep]))
        // Every payload bit is a symbol's, but for the range coder's flush.
        let bits = syms.reduce(0) { $0 + $1.bits }
        let payloadBits = Double((file.count - 13) * 8)
        XCTAssertEqual(bits, payloadBits, accuracy: payloadBits * 0.01)
        if case .structure(_, _, let text) = events.first! {
            XCTAssertTrue(text.hasPrefix(".lzma header: lc=3 lp=0 pb=2"), text)
        } else {
            XCTFail("the header comes first")
        }
    }

    func testXZBlocksStoredChunksAndChecksRebuild() throws {
        for check in XZCheck.allCases {
            let file = try LZMACompressor.compress(Self.sample, format: .xz,
                                                   options: CompressionOptions(lzma: LZMASettings(preset: 1 as LZMAPreset), check: check, blockSize: 50_000))
            let (out, events) = try traceDecode(file)
            XCTAssertEqual(out, Self.sample)
            XCTAssertEqual(rebuild(events), Self.sample, "\(check)")
            let texts = events.compactMap { if case .structure(_, _, let t) = $0 { return t } else { return nil } }
            XCTAssertEqual(texts.filter { $0.hasPrefix("block ") }.count, 4, "170,000 bytes in blocks of 50,000")
            XCTAssertTrue(texts.contains { $0.contains("check \(check)") })
            XCTAssertTrue(events.contains { if case .stored = $0 { return true } else { return false } },
                          "the noise is stored")
        }
    }

    func testFilteredBlockTracesLZMA2sOutputBeforeTheFilter() throws {
        let input = Array(Self.sample[60_000..<80_000])
        let file = try LZMACompressor.compress(input, format: .xz,
                                               options: CompressionOptions(filters: [.delta(distance: 4)]))
        let (out, events) = try traceDecode(file)
        XCTAssertEqual(out, input)
        // What the delta encoder gave LZMA2: each byte minus the one 4 before.
        let deltaEncoded = input.indices.map { input[$0] &- ($0 >= 4 ? input[$0 - 4] : 0) }
        XCTAssertEqual(rebuild(events), deltaEncoded)
        XCTAssertTrue(events.contains { if case .structure(_, _, let t) = $0 { return t.contains("before the filters (delta:dist=4)") } else { return false } })
    }

    func testRawFormatsRebuild() throws {
        let input = Array(Self.sample[0..<30_000])
        for format in [LZMAFormat.rawLZMA1, .rawLZMA2] {
            let file = try LZMACompressor.compress(input, format: format)
            let (out, events) = try traceDecode(file, format: format)
            XCTAssertEqual(out, input)
            XCTAssertEqual(rebuild(events), input, "\(format)")
        }
    }

    func testOneByteChunksGiveTheSameTrace() throws {
        let input = Array(Self.sample[0..<8_000])
        for format in [LZMAFormat.lzma, .xz] {
            let file = try LZMACompressor.compress(input, format: format)
            let whole = try traceDecode(file).events
            let bytewise = try traceDecode(file, chunk: 1).events
            XCTAssertEqual(bytewise, whole, "\(format): one byte at a time traces the same symbols once each")
        }
    }

    func testEncoderTraceIsTheDecodersTrace() throws {
        for format in [LZMAFormat.lzma, .xz] {
            for preset in [LZMAPreset(level: 0)!, LZMAPreset(level: 6)!] {
                var events: [LZMATraceEvent] = []
                let c = try LZMACompressor(format: format, options: CompressionOptions(lzma: LZMASettings(preset: preset)))
                c.tracer = LZMATracer { events.append($0) }
                var file = try c.compress(Self.sample)
                file += try c.finish()
                XCTAssertEqual(file, try LZMACompressor.compress(Self.sample, format: format,
                                                                 options: CompressionOptions(lzma: LZMASettings(preset: preset))),
                               "tracing does not change the output")
                let decoded = try traceDecode(file).events
                func body(_ es: [LZMATraceEvent]) -> [LZMATraceEvent] {
                    es.compactMap { e in
                        switch e {
                        case .structure: return nil
                        case .stored: return e
                        case .symbol(var s):
                            s.bits = (s.bits * 10).rounded() / 10
                            return .symbol(s)
                        }
                    }
                }
                let enc = body(events), dec = body(decoded)
                XCTAssertEqual(enc.count, dec.count, "\(format) preset \(preset)")
                var worst = 0.0
                for (a, b) in zip(symbols(events), symbols(decoded)) {
                    XCTAssertEqual(a.kind, b.kind); XCTAssertEqual(a.position, b.position)
                    XCTAssertEqual(a.length, b.length); XCTAssertEqual(a.distance, b.distance); XCTAssertEqual(a.byte, b.byte)
                    worst = max(worst, abs(a.bits - b.bits))
                }
                XCTAssertLessThan(worst, 0.01, "the encoder's cost is the decoder's to within rounding")
                XCTAssertEqual(rebuild(events), Self.sample)
            }
        }
    }

    func testCorruptDataEndsTheTraceBeforeTheBadSymbol() throws {
        let input = Array(Self.sample[0..<20_000])
        var file = try LZMACompressor.compress(input, format: .lzma)
        file[200] ^= 0x55
        var events: [LZMATraceEvent] = []
        let d = LZMADecompressor(format: .lzma)
        d.tracer = LZMATracer { events.append($0) }
        var out: [UInt8] = []
        XCTAssertThrowsError(try { out += try d.decompress(file); try d.finish() }()) { error in
            guard case LZMAError.corruptData = error as! LZMAError else { return XCTFail("\(error)") }
        }
        let rebuilt = rebuild(events)
        XCTAssertEqual(Array(rebuilt.prefix(out.count)), out, "the trace agrees with every byte handed out")
    }

    func testCostTableIsLog2() {
        XCTAssertEqual(TraceMath.log2(1), 0, accuracy: 1e-12)
        XCTAssertEqual(TraceMath.log2(1024), 10, accuracy: 1e-12)
        XCTAssertEqual(TraceMath.log2(3), 1.584_962_500_721_156, accuracy: 1e-12)
        XCTAssertEqual(TraceMath.log2(1999.5), 10.965_423_565_810_129, accuracy: 1e-9)
    }
}
