import Foundation
import XCTest
@testable import LZMA

/// Damage every byte of small files made by our own encoders (each .xz check
/// type, several blocks, a filter chain, .lzma, raw LZMA2) and check that the
/// decoder notices: truncation at every offset, every single-bit flip, random
/// multi-byte damage, and the same outcome whether the input comes in one
/// piece or one byte at a time.
final class CorruptionMatrixTests: XCTestCase {
    /// One valid file and how to decode it.
    struct Sample {
        var name: String
        var file: [UInt8]
        var format: LZMAFormat
        var options = DecompressionOptions()
        var original: [UInt8]
        /// True when an integrity check (CRC32/CRC64/SHA-256 of the content)
        /// covers the data, so no flip may go unnoticed.
        var checked: Bool
        var isXZ: Bool { if case .xz = format { return true } else { return false } }
    }

    /// What decoding a (damaged) file gave.
    enum Outcome: Equatable {
        case output([UInt8])
        case error(String)
        /// More than `cap` bytes came out: stopped (bounded time).
        case capped

        var label: String {
            switch self {
            case .output: return "output"
            case .error(let l): return l
            case .capped: return "capped"
            }
        }
    }

    static let cap = 1 << 20
    static let dictionary: UInt32 = 1 << 16

    /// Deterministic, partly compressible input.
    static func content(_ n: Int, seed: UInt64) -> [UInt8] {
        var rng = TestSupport.PRNG(seed: seed)
        var out = [UInt8]()
        let words = ["swift ", "lzma ", "block ", "check ", "\n", "index ", "footer "].map { Array($0.utf8) }
        while out.count < n {
            switch rng.next() % 10 {
            case 0, 1: out += (0..<Int(rng.next() % 24)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            case 2 where out.count > 40:
                let dist = 1 + Int(rng.next() % UInt64(min(out.count, 600)))
                for _ in 0..<(3 + Int(rng.next() % 40)) { out.append(out[out.count - dist]) }
            default: out += words[Int(rng.next() % UInt64(words.count))]
            }
        }
        return Array(out.prefix(n))
    }

    static let samples: [Sample] = {
        var lz = LZMASettings(dictionarySize: dictionary)
        lz.niceLength = 32
        var list = [Sample]()
        func xz(_ name: String, _ data: [UInt8], _ check: XZCheck, filters: [XZFilter] = [], blockSize: UInt64? = nil) {
            let o = CompressionOptions(lzma: lz, check: check, filters: filters, blockSize: blockSize)
            let f = try! LZMACompressor.compress(data, format: .xz, options: o)
            list.append(Sample(name: name, file: f, format: .xz, original: data, checked: check != .none))
        }
        let data = content(1200, seed: 11)
        xz("xz-none", data, .none)
        xz("xz-crc32", data, .crc32)
        xz("xz-crc64", data, .crc64)
        xz("xz-sha256", data, .sha256)
        xz("xz-blocks", content(1500, seed: 12), .crc32, blockSize: 300)
        // Delta + x86: give the x86 filter some E8 (CALL) opcodes to convert.
        var exe = content(1200, seed: 13)
        for i in stride(from: 7, to: exe.count - 5, by: 37) { exe[i] = 0xE8 }
        xz("xz-delta-x86", exe, .crc64, filters: [.delta(distance: 2), .x86(start: 0)])
        let alone = try! LZMACompressor.compress(data, format: .lzma, options: CompressionOptions(lzma: lz))
        list.append(Sample(name: "lzma", file: alone, format: .lzma, original: data, checked: false))
        let raw = try! LZMACompressor.compress(data, format: .rawLZMA2, options: CompressionOptions(lzma: lz))
        list.append(Sample(name: "raw-lzma2", file: raw, format: .rawLZMA2,
                           options: .rawLZMA2(dictionarySize: dictionary), original: data, checked: false))
        return list
    }()

    /// One-shot decoding (output capped at `cap`), then `finish()`; data after
    /// the end of the stream counts as an error, as for `xz -d`.
    static func decodeOneShot(_ input: [UInt8], _ s: Sample) -> Outcome {
        let d = LZMADecompressor(format: s.format, options: s.options)
        var out = [UInt8]()
        do {
            var chunk = try d.decompress(input, maxLength: 1 << 16)
            while true {
                out += chunk
                if out.count > cap { return .capped }
                if d.needsInput || d.isFinished { break }
                chunk = try d.decompress([], maxLength: 1 << 16)
            }
            try d.finish()
            if !d.unusedData.isEmpty { return .error("trailing") }
            return .output(out)
        } catch {
            // Typed throws: every error is an LZMAError.
            return .error(error.caseName)
        }
    }

    /// The same through `decode(input:output:)`, one input byte per call.
    static func decodeBytewise(_ input: [UInt8], _ s: Sample) -> Outcome {
        let d = LZMADecompressor(format: s.format, options: s.options)
        var out = [UInt8]()
        var buf = [UInt8](repeating: 0, count: 4096)
        var pos = 0
        do {
            var stalls = 0
            while true {
                let end = min(pos + 1, input.count)
                let r = try input[pos..<end].withUnsafeBufferPointer { i in
                    try buf.withUnsafeMutableBufferPointer { o in try d.decode(input: i, output: o) }
                }
                pos += r.consumed
                out += buf[0..<r.produced]
                if out.count > cap { return .capped }
                if r.status == .streamEnd { break }
                if r.consumed == 0 && r.produced == 0 {
                    if pos == input.count { break }
                    stalls += 1
                    if stalls > 3 { return .error("no progress at \(pos)") }
                } else {
                    stalls = 0
                }
            }
            try d.finish()
            // Bytes after the end: not consumed, or looked at (unusedData)
            // to see that they do not start another .xz stream.
            if pos < input.count || !d.unusedData.isEmpty { return .error("trailing") }
            return .output(out)
        } catch let e as LZMAError {
            return .error(e.caseName)
        } catch {
            return .error("foreign: \(error)")
        }
    }

    func testSamplesRoundTrip() {
        XCTAssertEqual(Self.samples.count, 8)
        for s in Self.samples {
            XCTAssertEqual(Self.decodeOneShot(s.file, s), .output(s.original), s.name)
            XCTAssertEqual(Self.decodeBytewise(s.file, s), .output(s.original), s.name)
            XCTAssertLessThan(s.file.count, 1300, s.name)
        }
    }

    // MARK: - Truncation

    func testTruncationAtEveryOffset() {
        var tally: [String: Int] = [:]
        for s in Self.samples {
            for n in 0..<s.file.count {
                let o = Self.decodeOneShot(Array(s.file[0..<n]), s)
                tally["\(s.name) \(o.label)", default: 0] += 1
                switch o {
                case .output(let out):
                    XCTFail("\(s.name) truncated to \(n): decoded \(out.count) bytes without error")
                case .capped:
                    XCTFail("\(s.name) truncated to \(n): unbounded output")
                case .error(let kind):
                    XCTAssertEqual(kind, "truncatedInput", "\(s.name) truncated to \(n)")
                }
            }
        }
        print("truncation outcomes: \(tally.sorted { $0.key < $1.key })")
    }

    // MARK: - Single-bit flips

    func testEverySingleBitFlip() {
        var report: [String] = []
        for s in Self.samples {
            var tally: [String: Int] = [:]
            var silentOriginal: [String] = []
            var silentOther = 0
            for offset in 0..<s.file.count {
                for bit in 0..<8 {
                    var bad = s.file
                    bad[offset] ^= UInt8(1 << bit)
                    let o = Self.decodeOneShot(bad, s)
                    tally[o.label, default: 0] += 1
                    switch o {
                    case .error(let kind):
                        XCTAssertFalse(kind.hasPrefix("foreign") || kind == "programmingError",
                                       "\(s.name) flip \(offset).\(bit): \(kind)")
                    case .capped:
                        XCTAssertFalse(s.isXZ, "\(s.name) flip \(offset).\(bit): more than 1 MiB of output")
                    case .output(let out):
                        if out == s.original {
                            silentOriginal.append("\(offset).\(bit)")
                        } else {
                            silentOther += 1
                            XCTAssertFalse(s.checked, "\(s.name) flip \(offset).\(bit): wrong content passed the check")
                        }
                    }
                }
            }
            report.append("\(s.name) (\(s.file.count) B): \(tally.sorted { $0.key < $1.key }); "
                          + "decoded to the original: \(silentOriginal); to other content: \(silentOther)")
            // In .xz every byte is covered: headers, index and footer by
            // CRC32, the data by the check or the index's sizes, padding
            // must be zero. So no flip may decode to the original.
            // (.lzma's dictionary-size field only needs to be big enough.)
            if s.isXZ || s.name == "raw-lzma2" {
                XCTAssertEqual(silentOriginal, [], "\(s.name): flips that decoded to the original without error")
            } else {
                // .lzma: only the dictionary-size field (bytes 1-4) may change
                // without effect (the dictionary stays big enough for 1200 bytes).
                let offsets = Set(silentOriginal.map { Int($0.split(separator: ".")[0])! })
                XCTAssertTrue(offsets.isSubset(of: 1...4), "\(s.name): \(silentOriginal)")
            }
            if s.checked { XCTAssertEqual(tally["output", default: 0], 0, s.name) }
        }
        print("single-bit flips:\n  " + report.joined(separator: "\n  "))
    }

    /// Flips at every 7th offset decoded one byte at a time give the same
    /// outcome (same output, or same error case) as one-shot decoding.
    func testBytewiseDecodingAgreesWithOneShot() {
        var cases = 0
        for s in Self.samples {
            for offset in stride(from: 0, to: s.file.count, by: 7) {
                for bit in [0, 3, 7] {
                    var bad = s.file
                    bad[offset] ^= UInt8(1 << bit)
                    let one = Self.decodeOneShot(bad, s)
                    let bytewise = Self.decodeBytewise(bad, s)
                    XCTAssertEqual(one, bytewise, "\(s.name) flip \(offset).\(bit): one-shot \(one.label) vs bytewise \(bytewise.label)")
                    cases += 1
                }
            }
        }
        print("bytewise vs one-shot: \(cases) cases")
    }

    // MARK: - Random damage

    func testRandomMultiByteDamage() {
        var rng = TestSupport.PRNG(seed: 0xC0DE_F00D)
        var total: [String: Int] = [:]
        for s in Self.samples {
            for c in 0..<100 {
                var bad = s.file
                for _ in 0..<(1 + Int(rng.next() % 6)) {
                    let at = Int(rng.next() % UInt64(bad.count))
                    bad[at] = UInt8(truncatingIfNeeded: rng.next())
                }
                if rng.next() % 5 == 0 {
                    // Duplicate or drop a run of bytes.
                    let at = Int(rng.next() % UInt64(bad.count))
                    let len = min(1 + Int(rng.next() % 20), bad.count - at)
                    if rng.next() % 2 == 0 {
                        bad.insert(contentsOf: bad[at..<at + len], at: at)
                    } else {
                        bad.removeSubrange(at..<at + len)
                    }
                }
                if bad == s.file { continue }
                let o = Self.decodeOneShot(bad, s)
                total[o.label, default: 0] += 1
                switch o {
                case .error(let kind):
                    XCTAssertFalse(kind.hasPrefix("foreign") || kind == "programmingError", "\(s.name) case \(c): \(kind)")
                case .capped:
                    XCTAssertFalse(s.isXZ, "\(s.name) case \(c): unbounded output")
                case .output(let out):
                    if s.checked { XCTFail("\(s.name) case \(c): damage passed the check (\(out.count) bytes)") }
                    if s.isXZ || s.name == "raw-lzma2" {
                        XCTAssertNotEqual(out, s.original, "\(s.name) case \(c): damage went unnoticed")
                    }
                }
                if c % 5 == 0 {
                    XCTAssertEqual(o, Self.decodeBytewise(bad, s), "\(s.name) case \(c): bytewise differs")
                }
            }
        }
        print("random damage: \(total.sorted { $0.key < $1.key })")
    }

    // MARK: - Memory limit

    /// Resident memory of this process in bytes.
    static func residentBytes() -> Int {
        guard let s = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = s.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    func testHugeDictionaryInBlockHeader() throws {
        let data = Self.content(5000, seed: 21)
        let o = CompressionOptions(lzma: LZMASettings(dictionarySize: Self.dictionary), check: .crc32)
        var file = try LZMACompressor.compress(data, format: .xz, options: o)
        // Block header at 12: size, flags (no sizes, one filter), 0x21, 1, dict code.
        let headerSize = (Int(file[12]) + 1) * 4
        XCTAssertEqual(Array(file[13..<16]), [0x00, 0x21, 0x01])
        // Code 37: 3 << (18 + 11) = 1.5 GiB.
        file[16] = 37
        XZTestSupport.fixCRC32(&file, of: 12..<(12 + headerSize - 4), at: 12 + headerSize - 4)

        let limited = LZMADecompressor(format: .xz, options: DecompressionOptions(memoryLimit: 64 << 20))
        XCTAssertThrowsError(try limited.decompress(file)) { e in
            guard case .memoryLimitExceeded(let need, let limit)? = e as? LZMAError else {
                return XCTFail("expected memoryLimitExceeded, got \(e)")
            }
            XCTAssertGreaterThanOrEqual(need, 1536 << 20)
            XCTAssertEqual(limit, 64 << 20)
        }
        XCTAssertEqual(limited.totalOut, 0, "no output before the limit error")

        let before = Self.residentBytes()
        let d = LZMADecompressor(format: .xz)
        let out = try d.decompress(file)
        try d.finish()
        let grown = Self.residentBytes() - before
        XCTAssertEqual(out, data)
        XCTAssertLessThan(grown, 64 << 20, "the dictionary must grow with the output, not be allocated up front")
        print("1.5 GiB dictionary header: RSS grew by \(grown / 1024) KiB")
    }
}
