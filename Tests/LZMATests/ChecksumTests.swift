import Foundation
import XCTest
@testable import LZMA

final class ChecksumTests: XCTestCase {
    // MARK: - Helpers

    /// Deterministic pseudo-random bytes (xorshift64*), so failures reproduce.
    private func generatedBytes(_ count: Int, seed: UInt64 = 0x9E37_79B9_7F4A_7C15) -> [UInt8] {
        var x = seed | 1
        var out = [UInt8]()
        out.reserveCapacity(count)
        for _ in 0..<count {
            x ^= x >> 12; x ^= x << 25; x ^= x >> 27
            out.append(UInt8(truncatingIfNeeded: (x &* 0x2545_F491_4F6C_DD1D) >> 56))
        }
        return out
    }

    /// Path of an executable on PATH, or nil.
    private func findTool(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":") {
            let candidate = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Writes each message to its own temporary file and runs `tool`
    /// (sha1sum / sha256sum) once over all of them. Returns the hex digests
    /// in message order.
    private func digestsFromTool(_ tool: String, messages: [[UInt8]]) throws -> [String] {
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("ChecksumTests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var paths = [String]()
        for (i, message) in messages.enumerated() {
            let url = dir.appendingPathComponent("m\(i)")
            try Data(message).write(to: url)
            paths.append(url.path)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = paths
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        let lines = String(decoding: output, as: UTF8.self).split(separator: "\n")
        XCTAssertEqual(lines.count, messages.count)
        return lines.map { String($0.prefix(while: { $0 != " " })) }
    }

    /// Lengths that straddle the padding boundaries (55/56 bytes: the length
    /// field just fits / spills into another block) and block edges.
    private var interestingLengths: [Int] {
        var lengths = Array(0...200)
        for base in [256, 512, 1024, 4096] {
            for delta in [-9, -8, -7, -1, 0, 1, 55, 56, 57, 63, 64, 65] { lengths.append(base + delta) }
        }
        return lengths
    }

    /// Splits `data` at random points (seeded) and feeds the pieces.
    private func randomChunks(_ data: [UInt8], seed: UInt64, maxChunk: Int) -> [ArraySlice<UInt8>] {
        var rng = seed | 1
        var pieces = [ArraySlice<UInt8>]()
        var i = 0
        while i < data.count {
            rng ^= rng >> 12; rng ^= rng << 25; rng ^= rng >> 27
            let size = min(Int((rng &* 0x2545_F491_4F6C_DD1D) >> 33) % (maxChunk + 1), data.count - i)
            pieces.append(data[i..<(i + size)])  // size 0 is allowed: empty updates must be harmless
            i += size
        }
        return pieces
    }

    // MARK: - hexString

    func testHexString() {
        XCTAssertEqual(hexString([UInt8]()), "")
        XCTAssertEqual(hexString([0x00, 0x0F, 0xA0, 0xFF, 0x12]), "000fa0ff12")
    }

    // MARK: - SHA-1

    func testSHA1KnownVectors() {
        XCTAssertEqual(hexString(SHA1.hash(Array("abc".utf8))), "a9993e364706816aba3e25717850c26c9cd0d89d")
        XCTAssertEqual(hexString(SHA1.hash([UInt8]())), "da39a3ee5e6b4b0d3255bfef95601890afd80709")
        XCTAssertEqual(hexString(SHA1.hash(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))),
                       "84983e441c3bd26ebaae4aa1f95129e5e54670f1")
        XCTAssertEqual(SHA1.digestSize, 20)
        XCTAssertEqual(SHA1.hash(Array("abc".utf8)).count, 20)
    }

    func testSHA1MillionA() {
        let a = [UInt8](repeating: 0x61, count: 1_000_000)
        var hasher = SHA1()
        var i = 0
        var step = 1
        while i < a.count {  // uneven chunks: 1, 4, 9, ... bytes, never block-aligned for long
            let n = min(step * step % 9973 + 1, a.count - i)
            hasher.update(a[i..<(i + n)])
            i += n
            step += 1
        }
        XCTAssertEqual(hexString(hasher.finalize()), "34aa973cd4c4daa4f61eeb2bdbad27316534016f")
    }

    func testSHA1AgainstSha1sum() throws {
        guard let tool = findTool("sha1sum") else { throw XCTSkip("sha1sum not installed") }
        let messages = interestingLengths.map { generatedBytes($0, seed: UInt64($0) &+ 1) }
        let expected = try digestsFromTool(tool, messages: messages)
        for (message, digest) in zip(messages, expected) {
            XCTAssertEqual(hexString(SHA1.hash(message)), digest, "length \(message.count)")
        }
    }

    func testSHA1ChunkedEqualsOneShot() {
        let data = generatedBytes(100_000, seed: 42)
        let oneShot = SHA1.hash(data)
        for (seed, maxChunk) in [(1, 7), (2, 64), (3, 200), (4, 5000)] as [(UInt64, Int)] {
            var hasher = SHA1()
            for piece in randomChunks(data, seed: seed, maxChunk: maxChunk) {
                piece.withUnsafeBytes { hasher.update($0) }
            }
            XCTAssertEqual(hasher.finalize(), oneShot, "seed \(seed)")
        }
        // A non-contiguous collection goes through the chunked copy path.
        XCTAssertEqual(SHA1.hash(data.lazy.map { $0 }), oneShot)
    }

    // MARK: - SHA-256

    func testSHA256KnownVectors() {
        XCTAssertEqual(hexString(SHA256.hash(Array("abc".utf8))),
                       "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(hexString(SHA256.hash([UInt8]())),
                       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(hexString(SHA256.hash(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        XCTAssertEqual(SHA256.digestSize, 32)
        XCTAssertEqual(SHA256.hash(Array("abc".utf8)).count, 32)
    }

    func testSHA256MillionA() {
        let a = [UInt8](repeating: 0x61, count: 1_000_000)
        var hasher = SHA256()
        var i = 0
        var step = 1
        while i < a.count {
            let n = min(step * step % 9973 + 1, a.count - i)
            hasher.update(a[i..<(i + n)])
            i += n
            step += 1
        }
        XCTAssertEqual(hexString(hasher.finalize()),
                       "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    func testSHA256AgainstSha256sum() throws {
        guard let tool = findTool("sha256sum") else { throw XCTSkip("sha256sum not installed") }
        let messages = interestingLengths.map { generatedBytes($0, seed: UInt64($0) &+ 7) }
        let expected = try digestsFromTool(tool, messages: messages)
        for (message, digest) in zip(messages, expected) {
            XCTAssertEqual(hexString(SHA256.hash(message)), digest, "length \(message.count)")
        }
    }

    func testSHA256ChunkedEqualsOneShot() {
        let data = generatedBytes(100_000, seed: 43)
        let oneShot = SHA256.hash(data)
        for (seed, maxChunk) in [(5, 7), (6, 64), (7, 200), (8, 5000)] as [(UInt64, Int)] {
            var hasher = SHA256()
            for piece in randomChunks(data, seed: seed, maxChunk: maxChunk) {
                hasher.update(piece)
            }
            XCTAssertEqual(hasher.finalize(), oneShot, "seed \(seed)")
        }
        XCTAssertEqual(SHA256.hash(data.lazy.map { $0 }), oneShot)
    }

    // MARK: - CRC32 / CRC64

    /// Bit-at-a-time CRC-32, straight from the definition.
    private func referenceCRC32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }

    /// Bit-at-a-time CRC-64 (xz's), straight from the definition.
    private func referenceCRC64(_ bytes: [UInt8]) -> UInt64 {
        var crc: UInt64 = ~0
        for byte in bytes {
            crc ^= UInt64(byte)
            for _ in 0..<8 { crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xC96C_5795_D787_0F42 : crc >> 1 }
        }
        return ~crc
    }

    func testCRCCheckValues() {
        let check = Array("123456789".utf8)
        XCTAssertEqual(CRC32.checksum(check), 0xCBF4_3926)
        XCTAssertEqual(CRC64.checksum(check), 0x995D_C9BB_DF19_39FA)
        XCTAssertEqual(CRC32.checksum([UInt8]()), 0)
        XCTAssertEqual(CRC64.checksum([UInt8]()), 0)
        XCTAssertEqual(CRC32().value, 0)
        XCTAssertEqual(CRC64().value, 0)
    }

    func testCRC32AgainstReference() {
        for length in 0...300 {
            let data = generatedBytes(length, seed: UInt64(length) &+ 99)
            XCTAssertEqual(CRC32.checksum(data), referenceCRC32(data), "length \(length)")
        }
    }

    func testCRC32AgainstPythonZlib() throws {
        guard let python = findTool("python3") else { throw XCTSkip("python3 not installed") }
        let data = generatedBytes(300, seed: 12345)
        // Python prints zlib.crc32 of every prefix of the same 300 bytes.
        let hex = hexString(data)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-c", "import zlib,sys; d=bytes.fromhex(sys.argv[1]); print(' '.join(str(zlib.crc32(d[:n])) for n in range(len(d)+1)))", hex]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let values = String(decoding: output, as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\n" })
            .compactMap { UInt32($0) }
        XCTAssertEqual(values.count, 301)
        for (n, expected) in values.enumerated() {
            XCTAssertEqual(CRC32.checksum(data[..<n]), expected, "length \(n)")
        }
    }

    func testCRC64AgainstReference() {
        for length in 0...300 {
            let data = generatedBytes(length, seed: UInt64(length) &+ 199)
            XCTAssertEqual(CRC64.checksum(data), referenceCRC64(data), "length \(length)")
        }
    }

    /// Inputs of 48 bytes and more run in three lanes of 8-byte words that
    /// join in the last 24-byte block; lengths and offsets around those
    /// blocks' edges (0...300 above covers the short ones), and long inputs.
    func testCRCThreeLanesAgainstReference() {
        let data = generatedBytes(50_003, seed: 4242)
        var lengths = [48, 49, 71, 72, 73, 24 * 1000, 50_000]
        for base in [24 * 100, 3 * 4096, 24 * 1024] {
            for delta in [-9, -8, -1, 1, 7, 8, 9, 23, 24, 25] { lengths.append(base + delta) }
        }
        for offset in [0, 3] {
            for length in lengths {
                let piece = Array(data[offset..<(offset + length)])
                XCTAssertEqual(CRC32.checksum(piece), referenceCRC32(piece), "CRC-32 length \(length) offset \(offset)")
                XCTAssertEqual(CRC64.checksum(piece), referenceCRC64(piece), "CRC-64 length \(length) offset \(offset)")
            }
        }
        // Lanes after a prefix that left the register mid-way.
        var whole64 = CRC64()
        var whole32 = CRC32()
        for range in [0..<5, 5..<(5 + 3 * 4096 + 1), (5 + 3 * 4096 + 1)..<50_003] as [Range<Int>] {
            data[range].withUnsafeBytes { whole64.update($0) }
            whole32.update(data[range])
        }
        XCTAssertEqual(whole64.value, referenceCRC64(data))
        XCTAssertEqual(whole32.value, referenceCRC32(data))
    }

    func testCRCChunkedEqualsOneShot() {
        let data = generatedBytes(20_000, seed: 77)
        let one32 = CRC32.checksum(data)
        let one64 = CRC64.checksum(data)
        XCTAssertEqual(one32, referenceCRC32(data))
        XCTAssertEqual(one64, referenceCRC64(data))
        for (seed, maxChunk) in [(11, 3), (12, 17), (13, 300)] as [(UInt64, Int)] {
            var c32 = CRC32()
            var c64 = CRC64()
            var fed = 0
            for (i, piece) in randomChunks(data, seed: seed, maxChunk: maxChunk).enumerated() {
                c32.update(piece)
                piece.withUnsafeBytes { c64.update($0) }
                fed += piece.count
                // `value` is the finished CRC of the prefix at every point.
                if i % 50 == 0 {
                    XCTAssertEqual(c32.value, referenceCRC32(Array(data[..<fed])), "prefix \(fed)")
                    XCTAssertEqual(c64.value, referenceCRC64(Array(data[..<fed])), "prefix \(fed)")
                }
            }
            XCTAssertEqual(c32.value, one32, "seed \(seed)")
            XCTAssertEqual(c64.value, one64, "seed \(seed)")
        }
        XCTAssertEqual(CRC32.checksum(data.lazy.map { $0 }), one32)
        XCTAssertEqual(CRC64.checksum(data.lazy.map { $0 }), one64)
    }
}
