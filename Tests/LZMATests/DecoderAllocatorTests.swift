import Foundation
import XCTest
@testable import LZMA

/// The decompressor's dictionaries come from the allocator it is given.
final class DecoderAllocatorTests: XCTestCase {
    /// Counts what it hands out and fills it with garbage: a dictionary needs
    /// no initial contents, so the garbage must change no byte of the output.
    final class Tracking: @unchecked Sendable {
        let lock = NSLock()
        var live: [UnsafeMutableRawPointer: Int] = [:]
        var sizes: [Int] = []
        var zeroed = 0

        var allocator: LZMAAllocator {
            LZMAAllocator(
                allocateZeroed: { n in
                    self.lock.lock(); self.zeroed += 1; self.lock.unlock()
                    return calloc(n, 1)!
                },
                allocateUninitialized: { n in
                    let p = malloc(n)!
                    p.initializeMemory(as: UInt8.self, repeating: 0xA5, count: n)
                    self.lock.lock(); self.live[p] = n; self.sizes.append(n); self.lock.unlock()
                    return p
                },
                deallocate: { p in
                    self.lock.lock(); self.live[p] = nil; self.lock.unlock()
                    free(p)
                })
        }
    }

    func testDictionariesComeFromTheAllocatorAndGoBackToIt() throws {
        // More than the first 64 KiB buffer, so the window grows once (to the
        // 1 MiB dictionary).
        let input = EncoderTests.mixed(300_000)
        var settings = LZMASettings(preset: LZMAPreset(level: 6)!)
        settings.dictionarySize = 1 << 20
        let options = CompressionOptions(lzma: settings)
        for format in [LZMAFormat.xz, .lzma, .rawLZMA2] {
            let packed = try LZMACompressor.compress(input, format: format, options: options)
            let tracking = Tracking()
            var decodeOptions = DecompressionOptions()
            decodeOptions.properties.dictionarySize = 1 << 20
            for chunk in [Int.max, 4093] {
                tracking.sizes = []
                do {
                    let d = LZMADecompressor(format: format, options: decodeOptions, allocator: tracking.allocator)
                    var out: [UInt8] = []
                    var i = 0
                    while i < packed.count {
                        let end = min(packed.count, i + min(chunk, packed.count))
                        out += try d.decompress(Array(packed[i..<end]))
                        i = end
                    }
                    if format != .rawLZMA2 { try d.finish() }
                    XCTAssertEqual(out, input, "\(format), pieces of \(chunk)")
                    XCTAssertEqual(tracking.sizes.count, 2, "\(format): 64 KiB, then the whole dictionary")
                    XCTAssertGreaterThan(tracking.sizes.last ?? 0, 1 << 20, "\(format)")
                    XCTAssertEqual(tracking.live.count, 1, "\(format): the old buffer went back when the window grew")
                    withExtendedLifetime(d) {}
                }
                XCTAssertEqual(tracking.live.count, 0, "\(format): freed with the decompressor")
            }
            XCTAssertEqual(tracking.zeroed, 0, "a dictionary needs no zeroed memory")
        }
    }
}
