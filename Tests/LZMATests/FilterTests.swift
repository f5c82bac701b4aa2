import Foundation
import XCTest
@testable import LZMA

/// Delta and BCJ filters: parsing, round trips, chunking independence, and
/// byte-for-byte agreement with xz 5.4.
final class FilterTests: XCTestCase {

    // MARK: - Test data

    /// Small deterministic generator (xorshift64*), so failures reproduce.
    struct RNG {
        var state: UInt64
        init(seed: UInt64) { state = seed | 1 }
        mutating func next() -> UInt64 {
            state ^= state >> 12; state ^= state << 25; state ^= state >> 27
            return state &* 0x2545_F491_4F6C_DD1D
        }
        mutating func byte() -> UInt8 { UInt8(truncatingIfNeeded: next() >> 32) }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
        mutating func bytes(_ n: Int) -> [UInt8] { (0..<n).map { _ in byte() } }
    }

    static func randomBytes(_ n: Int, seed: UInt64) -> [UInt8] {
        var rng = RNG(seed: seed)
        return rng.bytes(n)
    }

    /// Sets `width` bits at bit offset `bit` (little-endian bit order) of `b`.
    static func setBits(_ b: inout [UInt8], at bit: Int, width: Int, to value: UInt64) {
        for k in 0..<width {
            let pos = bit + k
            let mask = UInt8(1) << UInt8(pos & 7)
            if (value >> UInt64(k)) & 1 != 0 { b[pos >> 3] |= mask } else { b[pos >> 3] &= ~mask }
        }
    }

    /// Random bytes salted with the instruction patterns `filter` converts,
    /// at aligned and (for the 1-byte-aligned x86) arbitrary places, plus some
    /// text-like runs so not everything is noise.
    static func salted(for filter: XZFilter, count: Int, seed: UInt64) -> [UInt8] {
        var rng = RNG(seed: seed)
        var d = rng.bytes(count)
        var i = 0
        while i + 32 <= count {
            switch rng.below(4) {
            case 0:
                // A repeated text-ish run.
                for k in 0..<16 { d[i + k] = UInt8(0x61 + (k % 7)) }
            default:
                switch filter {
                case .x86:
                    // CALL/JMP with near operands (top byte 00/FF), sometimes
                    // back to back or overlapping, to drive prevMask.
                    let at = i + rng.below(8)
                    d[at] = rng.below(2) == 0 ? 0xE8 : 0xE9
                    d[at + 4] = rng.below(2) == 0 ? 0x00 : 0xFF
                    if rng.below(3) == 0 { d[at + 1 + rng.below(4)] = 0xE8 }
                    if rng.below(3) == 0 { d[at + 5 + rng.below(3)] = 0xE8; d[at + 9] = 0 }
                case .arm:
                    let at = i & ~3
                    d[at + 3] = 0xEB
                case .armThumb:
                    let at = i & ~1
                    d[at + 1] = 0xF0 | (d[at + 1] & 7)
                    d[at + 3] = 0xF8 | (d[at + 3] & 7)
                case .arm64:
                    let at = i & ~3
                    if rng.below(2) == 0 {
                        d[at + 3] = 0x94 | (d[at + 3] & 3)               // BL
                    } else {
                        d[at + 3] = 0x90 | (d[at + 3] & 0x60)            // ADRP
                        // Mostly in-range immediates (bits 17...20 all equal).
                        if rng.below(4) != 0 { d[at + 2] = rng.below(2) == 0 ? (d[at + 2] & 0x0F) : (d[at + 2] | 0xF0) }
                    }
                case .powerPC:
                    let at = i & ~3
                    d[at] = 0x48 | (d[at] & 3)
                    d[at + 3] = (d[at + 3] & 0xFC) | 1
                case .sparc:
                    let at = i & ~3
                    if rng.below(2) == 0 { d[at] = 0x40; d[at + 1] &= 0x3F } else { d[at] = 0x7F; d[at + 1] |= 0xC0 }
                case .ia64:
                    let at = i & ~15
                    var bundle = Array(d[at..<at + 16])
                    let templates: [UInt8] = [0x10, 0x11, 0x12, 0x13, 0x16, 0x17, 0x18, 0x19, 0x1C, 0x1D]
                    bundle[0] = (bundle[0] & 0xE0) | templates[rng.below(templates.count)]
                    for slot in 0..<3 where rng.below(3) != 0 {
                        let base = 5 + 41 * slot
                        setBits(&bundle, at: base + 37, width: 4, to: 5)   // opcode 5
                        setBits(&bundle, at: base + 9, width: 3, to: 0)    // btype 0
                    }
                    d.replaceSubrange(at..<at + 16, with: bundle)
                case .riscv:
                    // JAL ra (the rest of its bits random); RISCVFilterTests has a finer salt.
                    let at = i & ~1
                    d[at] = 0xEF
                    d[at + 1] &= 0xF2
                case .delta:
                    // Slowly rising multi-channel samples: what Delta is for.
                    for k in 0..<16 { d[i + k] = UInt8(truncatingIfNeeded: (i / 4) + k % 4 * 50) }
                }
            }
            i += 16 + rng.below(48)
        }
        return d
    }

    static let allKinds: [XZFilter] = [
        .delta(distance: 1), .x86(start: 0), .powerPC(start: 0), .ia64(start: 0),
        .arm(start: 0), .armThumb(start: 0), .sparc(start: 0), .arm64(start: 0), .riscv(start: 0),
    ]

    /// The kinds xz 5.4 knows (RISC-V came in 5.6: RISCVFilterTests checks it against liblzma 5.8).
    static let xz54Kinds = allKinds.filter { if case .riscv = $0 { return false } else { return true } }

    /// The same filter kind with another start offset (or delta distance).
    static func with(_ f: XZFilter, start: UInt32) -> XZFilter {
        switch f {
        case .delta: return .delta(distance: Int(start))
        case .x86: return .x86(start: start)
        case .powerPC: return .powerPC(start: start)
        case .ia64: return .ia64(start: start)
        case .arm: return .arm(start: start)
        case .armThumb: return .armThumb(start: start)
        case .sparc: return .sparc(start: start)
        case .arm64: return .arm64(start: start)
        case .riscv: return .riscv(start: start)
        }
    }

    // MARK: - Running a chain

    /// Runs `data` through a chain in one call.
    static func oneShot(_ filters: [XZFilter], encoding: Bool, _ data: [UInt8]) throws -> [UInt8] {
        let chain = try FilterChain(filters: filters, encoding: encoding)
        var out = [UInt8](repeating: 0, count: data.count)
        let r = data.withUnsafeBufferPointer { inp in
            out.withUnsafeMutableBufferPointer { chain.process(input: inp, output: $0, isLast: true) }
        }
        XCTAssertEqual(r.consumed, data.count)
        XCTAssertEqual(r.produced, data.count)
        XCTAssertTrue(r.finished)
        return out
    }

    /// Runs `data` through a chain with input chunks and output buffers of the
    /// sizes `inSize()`/`outSize()` return; "last" is signalled on a separate,
    /// empty call half of the time.
    static func chunked(_ filters: [XZFilter], encoding: Bool, _ data: [UInt8],
                        inSize: () -> Int, outSize: () -> Int, lastSeparately: Bool) throws -> [UInt8] {
        let chain = try FilterChain(filters: filters, encoding: encoding)
        var result: [UInt8] = []
        result.reserveCapacity(data.count)
        var pos = 0
        var calls = 0
        while !chain.isFinished {
            calls += 1
            if calls > 4 * data.count + 1000 { XCTFail("chain does not make progress"); break }
            let n = min(inSize(), data.count - pos)
            let isLast = lastSeparately ? (pos == data.count) : (pos + n == data.count)
            var out = [UInt8](repeating: 0, count: outSize())
            let r = data.withUnsafeBufferPointer { all in
                out.withUnsafeMutableBufferPointer { o in
                    chain.process(input: UnsafeBufferPointer(rebasing: all[pos..<pos + n]), output: o, isLast: isLast)
                }
            }
            pos += r.consumed
            result += out[0..<r.produced]
        }
        XCTAssertEqual(pos, data.count)
        return result
    }

    /// Compares byte arrays, reporting the first difference instead of
    /// printing both arrays.
    static func assertSameBytes(_ a: [UInt8], _ b: [UInt8], _ what: @autoclosure () -> String,
                                file: StaticString = #filePath, line: UInt = #line) {
        guard a != b else { return }
        let first = zip(a, b).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(a.count, b.count)
        XCTFail("\(what()): bytes differ at \(first) (sizes \(a.count), \(b.count))", file: file, line: line)
    }

    // MARK: - xz

    static let xzPath: String? = ["/usr/bin/xz", "/usr/local/bin/xz", "/bin/xz"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    /// Runs xz with `args` on `input` and returns its standard output.
    static func xz(_ args: [String], _ input: [UInt8]) throws -> [UInt8] {
        guard let path = xzPath else { throw XCTSkip("xz is not installed") }
        let dir = FileManager.default.temporaryDirectory
        let inURL = dir.appendingPathComponent("filtertests-\(UUID().uuidString).in")
        try Data(input).write(to: inURL)
        defer { try? FileManager.default.removeItem(at: inURL) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = args + ["-c", inURL.path]
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        let out = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0, "xz \(args)")
        return [UInt8](out)
    }

    /// xz's command-line spelling of a filter.
    static func xzFlag(_ f: XZFilter) -> String {
        switch f {
        case .delta(let d): return "--delta=dist=\(d)"
        default: return "--\(f.name)=start=\(f.startOffset!)"
        }
    }

    /// The bytes xz's filter chain produces: compress through the filters and
    /// LZMA2, then undo only the LZMA2 layer.
    static func xzFiltered(_ filters: [XZFilter], _ data: [UInt8]) throws -> [UInt8] {
        let packed = try xz(["--format=raw"] + filters.map(xzFlag) + ["--lzma2=preset=0"], data)
        return try xz(["--format=raw", "--lzma2=preset=0", "-d"], packed)
    }

    // MARK: - Tests: XZFilter

    func testIDsAndPropertiesRoundTrip() throws {
        for kind in Self.allKinds {
            for start: UInt32 in [0, 16, 4096, 0xFFFF_FFF0] {
                let f = kind.id == 3 ? XZFilter.delta(distance: Int(start % 256) + 1) : Self.with(kind, start: start)
                let g = try XZFilter(id: f.id, properties: f.propertiesBytes)
                XCTAssertEqual(f, g)
            }
        }
        XCTAssertEqual(XZFilter.x86(start: 0).propertiesBytes, [])
        XCTAssertEqual(XZFilter.arm(start: 0x0102_0304).propertiesBytes, [4, 3, 2, 1])
        XCTAssertEqual(XZFilter.delta(distance: 256).propertiesBytes, [0xFF])
        XCTAssertEqual(XZFilter.delta(distance: 1).propertiesBytes, [0x00])
        XCTAssertEqual(XZFilter.arm64(start: 0).id, 0x0A)
        XCTAssertEqual(XZFilter.sparc(start: 0).id, 0x09)
        XCTAssertEqual(try XZFilter(id: 4, properties: [1, 0, 0, 0]), .x86(start: 1))
    }

    func testBadIDsAndProperties() {
        XCTAssertThrowsError(try XZFilter(id: 0x0C, properties: [])) { e in
            guard case LZMAError.unsupported = e else { return XCTFail("\(e)") }
        }
        XCTAssertThrowsError(try XZFilter(id: 0x21, properties: [0x16])) { e in
            guard case LZMAError.unsupported = e else { return XCTFail("\(e)") }
        }
        XCTAssertThrowsError(try XZFilter(id: 0x4000_0000_0000_0000, properties: [])) { e in
            guard case LZMAError.unsupported = e else { return XCTFail("\(e)") }
        }
        let bad: [(UInt64, [UInt8])] = [
            (3, []), (3, [1, 2]), (4, [1]), (4, [0, 0, 0, 0, 0]),
            (7, [2, 0, 0, 0]), (5, [1, 0, 0, 0]), (6, [8, 0, 0, 0]), (8, [1, 0, 0, 0]),
            (9, [2, 0, 0, 0]), (10, [6, 0, 0, 0]),
        ]
        for (id, props) in bad {
            XCTAssertThrowsError(try XZFilter(id: id, properties: props), "id \(id) props \(props)") { e in
                guard case LZMAError.invalidProperties = e else { return XCTFail("\(e)") }
            }
        }
        XCTAssertThrowsError(try FilterTransformer(filter: .delta(distance: 0), encoding: true))
        XCTAssertThrowsError(try FilterTransformer(filter: .delta(distance: 257), encoding: false))
        XCTAssertThrowsError(try FilterTransformer(filter: .arm64(start: 2), encoding: true))
        XCTAssertThrowsError(try FilterChain(filters: [.x86(start: 0), .x86(start: 0), .x86(start: 0), .x86(start: 0)], encoding: true))
    }

    func testCommandLineSyntax() throws {
        XCTAssertEqual(try XZFilter(xzOption: "delta", value: "dist=4"), .delta(distance: 4))
        XCTAssertEqual(try XZFilter(xzOption: "delta", value: nil), .delta(distance: 1))
        XCTAssertEqual(try XZFilter(xzOption: "x86", value: "start=0"), .x86(start: 0))
        XCTAssertEqual(try XZFilter(xzOption: "x86", value: "start=7"), .x86(start: 7))
        XCTAssertEqual(try XZFilter(xzOption: "arm64", value: nil), .arm64(start: 0))
        XCTAssertEqual(try XZFilter(xzOption: "ia64", value: "start=1KiB"), .ia64(start: 1024))
        XCTAssertEqual(try XZFilter(xzOption: "powerpc", value: "start=2M"), .powerPC(start: 2 << 20))
        XCTAssertEqual(try XZFilter(xzOption: "sparc", value: "start=4,start=8"), .sparc(start: 8))
        XCTAssertEqual(try XZFilter(xzOption: "armthumb", value: "start=4294967294"), .armThumb(start: 0xFFFF_FFFE))
        XCTAssertEqual(try XZFilter(xzOption: "arm", value: "start=1k"), .arm(start: 1024))
        for (name, value) in [("delta", "dist=0"), ("delta", "dist=257"), ("delta", "start=4"),
                              ("x86", "start=4G"), ("x86", "start=0x10"), ("x86", "start=1k1"),
                              ("x86", "start="), ("arm", "start=2"), ("ia64", "start=8"),
                              ("riscv", "start=1"), ("mips", nil), ("x86", "dist=1")] {
            XCTAssertThrowsError(try XZFilter(xzOption: name, value: value), "\(name)=\(value ?? "")") { e in
                guard case LZMAError.invalidOptions = e else { return XCTFail("\(e)") }
            }
        }
    }

    // MARK: - Tests: transforms

    func testRoundTripAndChunkingForEveryFilter() throws {
        for kind in Self.allKinds {
            for (seed, salted) in [(UInt64(1), false), (2, true), (3, true)] {
                let n = 3000 + Int(seed) * 17
                let data = salted ? Self.salted(for: kind, count: n, seed: seed) : Self.randomBytes(n, seed: seed)
                let filter = Self.with(kind, start: kind.id == 3 ? 4 : 32)
                let enc = try Self.oneShot([filter], encoding: true, data)
                if salted && kind.id != 3 {
                    XCTAssertNotEqual(enc, data, "\(filter) converted nothing: the salt is wrong")
                }
                Self.assertSameBytes(try Self.oneShot([filter], encoding: false, enc), data, "\(filter) round trip")

                var rng = RNG(seed: seed &* 77)
                for encoding in [true, false] {
                    let input = encoding ? data : enc
                    let want = encoding ? enc : data
                    let oneByte = try Self.chunked([filter], encoding: encoding, input, inSize: { 1 }, outSize: { 1 }, lastSeparately: true)
                    Self.assertSameBytes(oneByte, want, "\(filter) 1-byte chunks, encoding \(encoding)")
                    let random = try Self.chunked([filter], encoding: encoding, input,
                                                  inSize: { rng.below(40) }, outSize: { rng.below(70) },
                                                  lastSeparately: seed == 2)
                    Self.assertSameBytes(random, want, "\(filter) random chunks, encoding \(encoding)")
                    let big = try Self.chunked([filter], encoding: encoding, input,
                                               inSize: { 1 + rng.below(1500) }, outSize: { 1 + rng.below(2000) },
                                               lastSeparately: false)
                    Self.assertSameBytes(big, want, "\(filter) large chunks, encoding \(encoding)")
                }
            }
        }
    }

    func testChainOfThreeChunked() throws {
        let filters: [XZFilter] = [.x86(start: 0), .delta(distance: 2), .arm(start: 4)]
        let data = Self.salted(for: .x86(start: 0), count: 5000, seed: 9)
        let enc = try Self.oneShot(filters, encoding: true, data)
        XCTAssertNotEqual(enc, data)
        Self.assertSameBytes(try Self.oneShot(filters, encoding: false, enc), data, "chain round trip")
        var rng = RNG(seed: 5)
        Self.assertSameBytes(try Self.chunked(filters, encoding: true, data, inSize: { 1 }, outSize: { 1 }, lastSeparately: true), enc, "chain 1-byte")
        Self.assertSameBytes(try Self.chunked(filters, encoding: false, enc, inSize: { rng.below(30) }, outSize: { rng.below(50) }, lastSeparately: false), data, "chain random chunks")
        // No filters at all: the chain is a copy.
        Self.assertSameBytes(try Self.oneShot([], encoding: true, data), data, "empty chain")
    }

    func testShortAndEmptyInputsPassThrough() throws {
        for kind in Self.allKinds where kind.id != 3 {
            // Shorter than one instruction: nothing can be converted.
            let tiny: [UInt8] = [0xE8, 0x01, 0x02, 0xEB]
            XCTAssertEqual(try Self.oneShot([kind], encoding: true, Array(tiny.prefix(3))), Array(tiny.prefix(3)))
            XCTAssertEqual(try Self.oneShot([kind], encoding: true, []), [])
        }
        // Delta of a constant run: the first byte, then zeros.
        XCTAssertEqual(try Self.oneShot([.delta(distance: 1)], encoding: true, [7, 7, 7, 7]), [7, 0, 0, 0])
        XCTAssertEqual(try Self.oneShot([.delta(distance: 2)], encoding: true, [1, 2, 4, 6, 5]), [1, 2, 3, 4, 1])
    }

    func testKnownConversions() throws {
        // ARM BL at offset 8 with word offset 1: absolute = (4 + 8 + 8) / 4 = 5.
        let arm: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0xEB]
        XCTAssertEqual(try Self.oneShot([.arm(start: 0)], encoding: true, arm), [0, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0xEB])
        // x86 CALL at 0 with rel32 = 0x10: absolute = 0x10 + 5.
        let x86: [UInt8] = [0xE8, 0x10, 0, 0, 0, 0x90]
        XCTAssertEqual(try Self.oneShot([.x86(start: 0)], encoding: true, x86), [0xE8, 0x15, 0, 0, 0, 0x90])
        XCTAssertEqual(try Self.oneShot([.x86(start: 0x100)], encoding: true, x86), [0xE8, 0x15, 1, 0, 0, 0x90])
        // The position wraps as a UInt32: start 0xFFFFFFFC, CALL at 4 -> pc = 5.
        let wrapped: [UInt8] = [0x90, 0x90, 0x90, 0x90, 0xE8, 0x00, 0, 0, 0]
        XCTAssertEqual(try Self.oneShot([.x86(start: 0xFFFF_FFFC)], encoding: true, wrapped),
                       [0x90, 0x90, 0x90, 0x90, 0xE8, 0x05, 0, 0, 0])
    }

    // MARK: - Tests: against xz

    /// Our encoder must produce xz's filtered bytes, and our decoder must turn
    /// them back into the original.
    func checkAgainstXZ(_ filters: [XZFilter], _ data: [UInt8], file: StaticString = #filePath, line: UInt = #line) throws {
        let theirs = try Self.xzFiltered(filters, data)
        let ours = try Self.oneShot(filters, encoding: true, data)
        XCTAssertEqual(theirs.count, data.count, "\(filters)", file: file, line: line)
        Self.assertSameBytes(ours, theirs, "\(filters): our encoding vs xz's", file: file, line: line)
        Self.assertSameBytes(try Self.oneShot(filters, encoding: false, theirs), data, "\(filters) decoding xz's bytes", file: file, line: line)
    }

    func testMatchesXZForEveryFilter() throws {
        guard Self.xzPath != nil else { throw XCTSkip("xz is not installed") }
        for (k, kind) in Self.xz54Kinds.enumerated() {
            let data = Self.salted(for: kind, count: 40_000 + k * 333, seed: UInt64(100 + k))
            let starts: [UInt32] = kind.id == 3 ? [1, 4, 256] : [0, 0x1230, 0xFFFF_FF00]
            for s in starts { try checkAgainstXZ([Self.with(kind, start: s)], data) }
        }
        // Random data: mostly false positives, which must match too.
        let noise = Self.randomBytes(30_000, seed: 42)
        for kind in Self.xz54Kinds { try checkAgainstXZ([kind], noise) }
        // A chain: order matters.
        let mixed = Self.salted(for: .x86(start: 0), count: 20_000, seed: 7)
        try checkAgainstXZ([.x86(start: 0), .delta(distance: 4)], mixed)
        try checkAgainstXZ([.delta(distance: 3), .arm(start: 8), .x86(start: 1)], mixed)
    }

    func testMatchesXZOnRealExecutable() throws {
        guard Self.xzPath != nil else { throw XCTSkip("xz is not installed") }
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../../shared/corpus/ooffice").standardized.path
        guard let handle = FileHandle(forReadingAtPath: path) else { throw XCTSkip("no \(path)") }
        let data = [UInt8](handle.readData(ofLength: 256 * 1024))
        try handle.close()
        try checkAgainstXZ([.x86(start: 0)], data)
        try checkAgainstXZ([.x86(start: 0x0040_0000)], data)
        // Chunked equals one-shot on real code too.
        let enc = try Self.oneShot([.x86(start: 0)], encoding: true, data)
        var rng = RNG(seed: 11)
        let chunked = try Self.chunked([.x86(start: 0)], encoding: false, enc,
                                       inSize: { 1 + rng.below(9000) }, outSize: { 1 + rng.below(9000) }, lastSeparately: true)
        Self.assertSameBytes(chunked, data, "ooffice chunked decode")
    }
}
