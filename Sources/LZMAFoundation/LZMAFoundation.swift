// Foundation conveniences for the LZMA library, kept in their own product so
// that `LZMA` itself imports only the Swift standard library.
import Foundation
@_exported import LZMA

extension Data {
    /// This data compressed, as `Data` (the output is written straight into
    /// the returned `Data`'s storage, with no intermediate array).
    /// - Parameters: as ``LZMACompressor/init(format:options:allocator:)``.
    /// - Throws: `LZMAError` as ``LZMACompressor/encode(input:output:finish:)``.
    /// - Complexity: O(count); memory: the compressor's plus the output.
    public func lzmaCompressed(format: LZMAFormat = .xz,
                               options: CompressionOptions = CompressionOptions()) throws(LZMAError) -> Data {
        let c = try LZMACompressor(format: format, options: options)
        return try drive(initialCapacity: Swift.max(64, count / 4)) { (input, output) throws(LZMAError) in
            let r = try c.encode(input: input, output: output, finish: true)
            return (r.consumed, r.produced, r.status == .streamEnd)
        }
    }

    /// This data decompressed, as `Data`, with `xz -d`'s rules (see
    /// ``LZMADecompressor/decompress(_:format:options:)``): concatenated
    /// streams by default, data after the end is an error.
    /// - Throws: `LZMAError` for invalid, corrupt or truncated input.
    /// - Complexity: O(output); the output is written into the result's storage.
    public func lzmaDecompressed(format: LZMAFormat = .auto,
                                 options: DecompressionOptions = DecompressionOptions()) throws(LZMAError) -> Data {
        let d = LZMADecompressor(format: format, options: options)
        var inputLeft = count
        let out = try drive(initialCapacity: Swift.max(256, count * 4)) { (input, output) throws(LZMAError) in
            let r = try d.decode(input: input, output: output)
            inputLeft -= r.consumed
            if r.status == .outputFull || (r.status == .needsInput && inputLeft > 0) {
                return (r.consumed, r.produced, false)
            }
            try d.finishWholeInput(remaining: inputLeft)
            return (r.consumed, r.produced, true)
        }
        return out
    }

    /// Runs `step` over this data into a growing `Data` until it says done.
    private func drive(initialCapacity: Int,
                       _ step: (UnsafeBufferPointer<UInt8>, UnsafeMutableBufferPointer<UInt8>) throws(LZMAError)
                           -> (consumed: Int, produced: Int, done: Bool)) throws(LZMAError) -> Data {
        var out = Data(count: initialCapacity)
        var written = 0
        var consumedTotal = 0
        var failure: LZMAError?
        withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            let input = raw.bindMemory(to: UInt8.self)
            while true {
                if written == out.count { out.count = Swift.max(out.count * 2, 4096) }
                var r: (consumed: Int, produced: Int, done: Bool) = (0, 0, false)
                out.withUnsafeMutableBytes { (o: UnsafeMutableRawBufferPointer) in
                    let dst = UnsafeMutableBufferPointer(rebasing: o.bindMemory(to: UInt8.self)[written...])
                    do throws(LZMAError) {
                        r = try step(UnsafeBufferPointer(rebasing: input[consumedTotal...]), dst)
                    } catch {
                        failure = error
                    }
                }
                if failure != nil { return }
                consumedTotal += r.consumed
                written += r.produced
                if r.done { return }
            }
        }
        if let failure { throw failure }
        out.count = written
        return out
    }
}

/// A file opened for random access, for ``LZMAFileInfo`` (and any reader
/// that takes a ``RandomAccessByteSource``).
public final class FileByteSource: RandomAccessByteSource {
    private let handle: FileHandle
    public let byteCount: UInt64

    /// Opens the file at `url` for reading.
    /// - Throws: Foundation's error when the file cannot be opened.
    public init(url: URL) throws {
        handle = try FileHandle(forReadingFrom: url)
        byteCount = try handle.seekToEnd()
    }

    deinit { try? handle.close() }

    public func read(at offset: UInt64, count: Int) throws(LZMAError) -> [UInt8] {
        do {
            try handle.seek(toOffset: offset)
            return [UInt8](try handle.read(upToCount: count) ?? Data())
        } catch {
            throw LZMAError.readFailed("\(error)")
        }
    }
}

/// So that `error.localizedDescription` reads like the library's one-line
/// ``LZMAError/description`` instead of "LZMA.LZMAError error 3".
extension LZMAError: LocalizedError {
    public var errorDescription: String? { description }
}
