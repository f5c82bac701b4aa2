import Foundation
import XCTest
@testable import LZMA

/// The RISC-V BCJ filter (ID 0x0B): known conversions, round trips under any
/// chunking, and byte-for-byte agreement with liblzma 5.8.1 (`xz58`) in both
/// directions, on riscv64 machine code and on other data.
final class RISCVFilterTests: XCTestCase {
    typealias F = FilterTests

    // MARK: - Test data

    /// A RISC-V-like instruction stream: 16- and 32-bit instructions, calls
    /// (JAL ra/t0 and other rd), AUIPC pairs with every kind of second
    /// instruction, non-pairs followed closely by pairs (the 6-byte skip),
    /// AUIPC x0/x2 (some shaped like a converted pair, which the encoder must
    /// re-pack), fake-pair shapes for the decoder, and odd-aligned runs.
    static func riscvLike(_ count: Int, seed: UInt64) -> [UInt8] {
        var rng = F.RNG(seed: seed)
        var d: [UInt8] = []
        d.reserveCapacity(count + 16)
        func word(_ w: UInt32) {
            for k in 0..<4 { d.append(UInt8(truncatingIfNeeded: w >> (8 * UInt32(k)))) }
        }
        func half(_ h: UInt16) { d.append(UInt8(truncatingIfNeeded: h)); d.append(UInt8(h >> 8)) }
        func r32() -> UInt32 { UInt32(truncatingIfNeeded: rng.next() >> 17) }
        func reg() -> UInt32 {
            // Mostly ordinary registers, x0/x2 now and then.
            switch rng.below(8) { case 0: return 0; case 1: return 2; default: return UInt32(rng.below(32)) }
        }
        func auipc(rd: UInt32) -> UInt32 { (r32() & 0xFFFF_F000) | rd << 7 | 0x17 }
        /// A 32-bit instruction (low bits 11) with the given rs1.
        func second(rs1: UInt32) -> UInt32 { (r32() & ~UInt32(0x000F_8003)) | rs1 << 15 | 3 }
        while d.count < count {
            switch rng.below(16) {
            case 0, 1:
                half(UInt16(truncatingIfNeeded: rng.next()) & 0xFFFC | UInt16(rng.below(3)))   // compressed
            case 2:
                word(r32() | 3)                                                                // other 32-bit
            case 3, 4:
                // JAL: rd ra or t0 mostly; imm random.
                let rd: UInt32 = [1, 5, 1, 5, 0, 3, 7, 13][rng.below(8)]
                word((r32() & 0xFFFF_F000) | rd << 7 | 0x6F)
            case 5, 6, 7:
                // AUIPC + matching second instruction (ADDI/JALR/loads look like this).
                let rd = reg()
                word(auipc(rd: rd)); word(second(rs1: rd))
            case 8:
                // AUIPC + a non-matching instruction, then a pair 4 or 6 bytes on.
                let rd = UInt32(1 + rng.below(31))
                word(auipc(rd: rd))
                word(second(rs1: (rd + 1) & 31))
                if rng.below(2) == 0 { half(0x0001) }
                let rd2 = UInt32(1 + rng.below(31))
                word(auipc(rd: rd2)); word(second(rs1: rd2))
            case 9:
                // AUIPC + compressed instruction: no pair.
                word(auipc(rd: reg())); half(0x4501)
            case 10:
                // AUIPC x2 shaped like a converted pair (bits 13:12 set, bits 31:27 random).
                word((r32() & 0xFFFF_C000) | 0x3117); word(r32())
            case 11:
                // AUIPC x0 / x2 with other bits.
                word((r32() & 0xFFFF_F000) | (rng.below(2) == 0 ? 0 : 2) << 7 | 0x17); word(r32())
            case 12:
                // A fake-pair shape: AUIPC rd (not x0/x2) + 32-bit rs1 == rd (also what real pairs look like).
                let rd = UInt32([1, 3, 5, 10, 31][rng.below(5)])
                word(auipc(rd: rd)); word(second(rs1: rd))
            case 13:
                d.append(rng.byte())                                                            // misalign
            default:
                // Plain noise.
                for _ in 0..<(2 + rng.below(10)) { d.append(rng.byte()) }
            }
        }
        return Array(d.prefix(count))
    }

    /// Up to 1 MiB of a riscv64 libc (Debian's libc6-riscv64-cross), or nil.
    static func riscvLibc() -> [UInt8]? {
        for path in ["/usr/riscv64-linux-gnu/lib/libc.so.6", "/usr/riscv64-linux-gnu/lib/libc.so"] {
            if let h = FileHandle(forReadingAtPath: path) {
                defer { try? h.close() }
                return [UInt8](h.readData(ofLength: 1 << 20))
            }
        }
        return nil
    }

    // MARK: - liblzma 5.8.1

    /// liblzma's RISC-V encoding of `data`: filter + LZMA2 as raw data, then
    /// undo only the LZMA2 layer.
    static func theirEncoding(_ data: [UInt8], start: UInt32) throws -> [UInt8] {
        let packed = try XZ58.output(["-z", "-Fraw", "--filters=riscv:start=\(start) lzma2:preset=0"], data)
        return try XZ58.output(["-d", "-Fraw", "--filters=lzma2:preset=0"], packed)
    }

    /// liblzma's RISC-V decoding of arbitrary `data`: LZMA2 alone, then
    /// decode through RISC-V + LZMA2.
    static func theirDecoding(_ data: [UInt8], start: UInt32) throws -> [UInt8] {
        let packed = try XZ58.output(["-z", "-Fraw", "--filters=lzma2:preset=0"], data)
        return try XZ58.output(["-d", "-Fraw", "--filters=riscv:start=\(start) lzma2:preset=0"], packed)
    }

    func checkAgainstLiblzma(_ data: [UInt8], start: UInt32, _ what: String,
                             file: StaticString = #filePath, line: UInt = #line) throws {
        let f = XZFilter.riscv(start: start)
        let theirs = try Self.theirEncoding(data, start: start)
        let ours = try F.oneShot([f], encoding: true, data)
        XCTAssertEqual(theirs.count, data.count, what, file: file, line: line)
        F.assertSameBytes(ours, theirs, "\(what), start \(start): our encoding vs liblzma's", file: file, line: line)
        F.assertSameBytes(try F.oneShot([f], encoding: false, theirs), data,
                          "\(what), start \(start): decoding liblzma's encoding", file: file, line: line)
        // The decoder on data that is not an encoder's output.
        F.assertSameBytes(try F.oneShot([f], encoding: false, data), try Self.theirDecoding(data, start: start),
                          "\(what), start \(start): our decoding vs liblzma's", file: file, line: line)
    }

    // MARK: - Tests

    func testFilterValue() throws {
        let f = XZFilter.riscv(start: 0)
        XCTAssertEqual(f.id, 0x0B)
        XCTAssertEqual(f.name, "riscv")
        XCTAssertEqual(f.alignment, 2)
        XCTAssertEqual(f.propertiesBytes, [])
        XCTAssertEqual(XZFilter.riscv(start: 0x1002).propertiesBytes, [2, 0x10, 0, 0])
        XCTAssertEqual(try XZFilter(id: 0x0B, properties: []), .riscv(start: 0))
        XCTAssertEqual(try XZFilter(id: 0x0B, properties: [6, 0, 0, 0x80]), .riscv(start: 0x8000_0006))
        for props: [UInt8] in [[1, 0, 0, 0], [0, 0], [0, 0, 0, 0, 0]] {
            XCTAssertThrowsError(try XZFilter(id: 0x0B, properties: props), "\(props)") { e in
                guard case LZMAError.invalidProperties = e else { return XCTFail("\(e)") }
            }
        }
        XCTAssertEqual(try XZFilter(xzOption: "riscv", value: nil), .riscv(start: 0))
        XCTAssertEqual(try XZFilter(xzOption: "riscv", value: "start=4KiB"), .riscv(start: 4096))
        XCTAssertEqual(try XZFilter(xzOption: "RISCV", value: "start=2"), .riscv(start: 2))
        for value in ["start=1", "start=4G", "dist=2"] {
            XCTAssertThrowsError(try XZFilter(xzOption: "riscv", value: value), value) { e in
                guard case LZMAError.invalidOptions = e else { return XCTFail("\(e)") }
            }
        }
        XCTAssertThrowsError(try FilterTransformer(filter: .riscv(start: 3), encoding: true))
        // xz 5.6's --filters= syntax, as xz58 takes it.
        let chain = try LZMAFilterChain(parsing: "riscv:start=8 lzma2:preset=1")
        XCTAssertEqual(chain.filters, [.riscv(start: 8)])
        // -lvv spelling, as liblzma's filter-string encoder writes it.
        let h = XZBlockHeaderInfo(headerSize: 12, compressedSizeInHeader: nil, uncompressedSizeInHeader: nil,
                                  chain: [.filter(.riscv(start: 0)), .filter(.riscv(start: 8192)), .lzma2(dictionarySize: 1 << 23)],
                                  compressedDataSize: 0, checkValue: [], memoryUsage: nil)
        XCTAssertEqual(h.chainDescription, "--riscv --riscv=start=8KiB --lzma2=dict=8MiB")
    }

    func testKnownConversions() throws {
        // jal ra, +8 at address 4: the target 12 is stored as bits 20:1, most
        // significant first, in the upper three bytes.
        let jal: [UInt8] = [0x01, 0x00, 0x00, 0x00] + [0xEF, 0x00, 0x80, 0x00] + [0, 0, 0, 0, 0, 0, 0, 0]
        let jalEncoded: [UInt8] = [0x01, 0x00, 0x00, 0x00] + [0xEF, 0x00, 0x00, 0x06] + [0, 0, 0, 0, 0, 0, 0, 0]
        XCTAssertEqual(try F.oneShot([.riscv(start: 0)], encoding: true, jal), jalEncoded)
        XCTAssertEqual(try F.oneShot([.riscv(start: 0)], encoding: false, jalEncoded), jal)
        // jal x0 (a jump or tail call) stays.
        let jump: [UInt8] = [0x6F, 0x00, 0x80, 0x00] + [UInt8](repeating: 0, count: 8)
        XCTAssertEqual(try F.oneShot([.riscv(start: 0)], encoding: true, jump), jump)

        // auipc a0, 0x1 ; addi a0, a0, -4 at address 0: target 0xFFC.
        // The pair becomes AUIPC x2 carrying ADDI's low 20 bits, then the target big endian.
        let pair: [UInt8] = [0x17, 0x15, 0x00, 0x00, 0x13, 0x05, 0xC5, 0xFF]
        let pairEncoded: [UInt8] = [0x17, 0x31, 0x51, 0x50, 0x00, 0x00, 0x0F, 0xFC]
        XCTAssertEqual(try F.oneShot([.riscv(start: 0)], encoding: true, pair), pairEncoded)
        XCTAssertEqual(try F.oneShot([.riscv(start: 0)], encoding: false, pairEncoded), pair)
        // The same pair at address 0x1000 (start offset): target 0x1FFC.
        XCTAssertEqual(try F.oneShot([.riscv(start: 0x1000)], encoding: true, pair),
                       [0x17, 0x31, 0x51, 0x50, 0x00, 0x00, 0x1F, 0xFC])
        // Fewer than 8 bytes: nothing is converted.
        XCTAssertEqual(try F.oneShot([.riscv(start: 0)], encoding: true, Array(pair.prefix(7))), Array(pair.prefix(7)))
    }

    func testRoundTripsAndChunking() throws {
        for (seed, start) in [(UInt64(1), UInt32(0)), (2, 2), (3, 0x0001_0000), (4, 0xFFFF_FFFE)] {
            let data = Self.riscvLike(20_000 + Int(seed) * 37, seed: seed)
            let f = XZFilter.riscv(start: start)
            let enc = try F.oneShot([f], encoding: true, data)
            XCTAssertNotEqual(enc, data)
            F.assertSameBytes(try F.oneShot([f], encoding: false, enc), data, "round trip \(f)")
            var rng = F.RNG(seed: seed &* 31)
            for encoding in [true, false] {
                let input = encoding ? data : enc, want = encoding ? enc : data
                for size in [1, 7, 4096] {
                    F.assertSameBytes(try F.chunked([f], encoding: encoding, input, inSize: { size }, outSize: { size },
                                                    lastSeparately: size == 7),
                                      want, "\(f) chunks of \(size), encoding \(encoding)")
                }
                F.assertSameBytes(try F.chunked([f], encoding: encoding, input, inSize: { rng.below(40) }, outSize: { rng.below(70) },
                                                lastSeparately: seed == 2),
                                  want, "\(f) random chunks, encoding \(encoding)")
            }
        }
        // Random noise (decoding arbitrary bytes is not the inverse of anything,
        // but encoding then decoding must be).
        let noise = F.randomBytes(50_000, seed: 9)
        let enc = try F.oneShot([.riscv(start: 0)], encoding: true, noise)
        F.assertSameBytes(try F.oneShot([.riscv(start: 0)], encoding: false, enc), noise, "noise round trip")
        // In a chain with Delta and another BCJ, chunked.
        let chain: [XZFilter] = [.riscv(start: 0), .delta(distance: 4), .arm64(start: 0)]
        let data = Self.riscvLike(9000, seed: 12)
        let chained = try F.oneShot(chain, encoding: true, data)
        F.assertSameBytes(try F.chunked(chain, encoding: false, chained, inSize: { 1 }, outSize: { 3 }, lastSeparately: true),
                          data, "chain with riscv")
    }

    func testMatchesLiblzmaOnSyntheticData() throws {
        try XZ58.require()
        for (seed, start) in [(UInt64(21), UInt32(0)), (22, 2), (23, 0x0040_0000), (24, 0xFFFF_FF00)] {
            try checkAgainstLiblzma(Self.riscvLike(60_000, seed: seed), start: start, "riscv-like seed \(seed)")
        }
        try checkAgainstLiblzma(F.randomBytes(40_000, seed: 25), start: 0, "noise")
        // The same salted stream shifted by one byte (odd alignment everywhere).
        try checkAgainstLiblzma([0x55] + Self.riscvLike(30_000, seed: 26), start: 0, "shifted")
        // Short inputs around the 8-byte window.
        for n in [0, 1, 7, 8, 9, 10, 16] { try checkAgainstLiblzma(Self.riscvLike(n, seed: UInt64(30 + n)), start: 0, "\(n) bytes") }
    }

    func testMatchesLiblzmaOnRISCVCode() throws {
        try XZ58.require()
        guard let libc = Self.riscvLibc() else {
            throw XCTSkip("no riscv64 libc (apt-get install libc6-riscv64-cross)")
        }
        let enc = try F.oneShot([.riscv(start: 0)], encoding: true, libc)
        // Real code: many conversions.
        let changed = zip(enc, libc).filter { $0 != $1 }.count
        XCTAssertGreaterThan(changed, libc.count / 50, "the filter converted almost nothing in libc")
        for start: UInt32 in [0, 0x1_0000, 0xFFFF_F000] {
            try checkAgainstLiblzma(libc, start: start, "riscv64 libc")
        }
        var rng = F.RNG(seed: 3)
        F.assertSameBytes(try F.chunked([.riscv(start: 0)], encoding: false, enc,
                                        inSize: { 1 + rng.below(5000) }, outSize: { 1 + rng.below(5000) }, lastSeparately: true),
                          libc, "libc chunked decode")
    }

    /// A whole `.xz` file with RISC-V + LZMA2 preset 6: ours is liblzma 5.8.1's
    /// byte for byte, and each side decodes the other's.
    func testXZFileMatchesLiblzma() throws {
        try XZ58.require()
        let data = Self.riscvLibc().map { Array($0.prefix(300_000)) } ?? Self.riscvLike(300_000, seed: 40)
        for start: UInt32 in [0, 4096] {
            let ours = try LZMACompressor.compress(data, format: .xz,
                                                   options: CompressionOptions(lzma: LZMASettings(preset: 6), check: .crc64,
                                                                               filters: [.riscv(start: start)]))
            let theirs = try XZ58.output(["-z", "-Ccrc64", "--filters=riscv:start=\(start) lzma2:preset=6"], data)
            F.assertSameBytes(ours, theirs, ".xz with riscv start \(start): ours vs liblzma 5.8.1")
            XCTAssertEqual(try XZ58.output(["-d"], ours), data, "xz58 decodes ours")
            XCTAssertEqual(try LZMADecompressor.decompress(theirs), data, "we decode xz58's")
            // In chunks of 333 bytes.
            let d = LZMADecompressor(format: .xz)
            var chunked: [UInt8] = []
            var at = 0
            while at < theirs.count {
                chunked += try d.decompress(theirs[at..<min(at + 333, theirs.count)])
                at += 333
            }
            try d.finish()
            XCTAssertEqual(chunked, data, "chunked")
        }
    }
}
