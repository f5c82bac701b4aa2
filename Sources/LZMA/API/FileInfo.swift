/// Bytes that can be read at any offset: a file, a memory buffer, a network
/// resource. What ``LZMAFileInfo`` (and random access) read through.
///
/// Conform your own type by giving its size and a positioned read; `[UInt8]`
/// and `ArraySlice<UInt8>` conform already. Map your I/O errors to
/// ``LZMAError/readFailed(_:)``.
public protocol RandomAccessByteSource {
    /// The total number of bytes.
    var byteCount: UInt64 { get }
    /// Returns up to `count` bytes starting at `offset` (fewer only at the end).
    /// - Throws: `LZMAError.readFailed` when the bytes cannot be read.
    func read(at offset: UInt64, count: Int) throws(LZMAError) -> [UInt8]
}

extension Array: RandomAccessByteSource where Element == UInt8 {
    public var byteCount: UInt64 { UInt64(count) }
    public func read(at offset: UInt64, count: Int) throws(LZMAError) -> [UInt8] {
        guard offset < UInt64(self.count) else { return [] }
        let start = Int(offset)
        return Array(self[start..<Swift.min(self.count, start + count)])
    }
}

extension ArraySlice: RandomAccessByteSource where Element == UInt8 {
    public var byteCount: UInt64 { UInt64(count) }
    public func read(at offset: UInt64, count: Int) throws(LZMAError) -> [UInt8] {
        guard offset < UInt64(self.count) else { return [] }
        let start = startIndex + Int(offset)
        return Array(self[start..<Swift.min(endIndex, start + count)])
    }
}

/// What a compressed file says about itself before it is decoded: its
/// format and, when the file records it, the uncompressed size — what a
/// progress bar needs.
///
/// - `.xz`: read from the end (stream footers and indexes), so it is exact
///   for every file, multi-stream and padded ones included; the block layout
///   is in ``xz``.
/// - `.lzma`: the header's size field, which xz leaves "unknown" (nil).
/// - `.lz`: the members' trailers, walked from the end (version 1 members;
///   nil when a version 0 member or trailing data is in the way).
///
/// While decoding, ``LZMADecompressor/totalOut`` is the position in the output.
public struct LZMAFileInfo: Sendable, Hashable {
    /// The detected format (`.xz`, `.lzma` or `.lzip`).
    public var format: LZMAFormat
    /// The size of the compressed file.
    public var compressedSize: UInt64
    /// The uncompressed size, when the file records it.
    public var uncompressedSize: UInt64?
    /// `.xz` only: streams and blocks, as `xz --list` shows them.
    public var xz: XZFileInfo?

    /// Reads the information from `source`.
    /// - Parameter includeBlocks: `.xz`: keep every block's record in ``xz``
    ///   (memory O(blocks)); false keeps O(streams).
    /// - Throws: `LZMAError.unknownFormat` when the data is not `.xz`,
    ///   `.lzma` or `.lz`; the errors of ``XZFileInfo/init(fileSize:includeBlocks:read:)``
    ///   for a damaged `.xz`; `readFailed` from the source.
    /// - Complexity: `.xz`: reads O(streams × 24 + index sizes) bytes from
    ///   the end; `.lzma`: 13 bytes.
    public init<S: RandomAccessByteSource>(_ source: S, includeBlocks: Bool = false) throws(LZMAError) {
        compressedSize = source.byteCount
        let head = try source.read(at: 0, count: LZMAAloneHeader.size)
        if head.first == 0xFD {
            let info = try XZFileInfo(fileSize: source.byteCount, includeBlocks: includeBlocks) {
                (offset, count) throws(LZMAError) in try source.read(at: offset, count: count)
            }
            format = .xz
            uncompressedSize = info.uncompressedSize
            xz = info
            return
        }
        if head.count >= 6 && Lzip.isMemberHeader(head) {
            format = .lzip
            let members = try Lzip.members(fileSize: source.byteCount) { (offset, count) throws(LZMAError) in
                try source.read(at: offset, count: count)
            }
            uncompressedSize = members.map { $0.reduce(0) { $0 &+ $1.uncompressedSize } }
            xz = nil
            return
        }
        guard head.count == LZMAAloneHeader.size else { throw LZMAError.unknownFormat }
        let header: LZMAAloneHeader
        do {
            header = try head.withUnsafeBufferPointer { (b) throws(LZMAError) in
                try LZMAAloneHeader(b.baseAddress!, picky: true)
            }
        } catch {
            throw LZMAError.unknownFormat
        }
        format = .lzma
        uncompressedSize = header.uncompressedSize
        xz = nil
    }
}
