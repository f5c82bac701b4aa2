// Pieces shared by the checksum types: the partial-block buffer and padding
// of the Merkle-Damgard hashes (SHA-1, SHA-256), their rotations, and the
// slow path that feeds a non-contiguous collection in chunks.

/// Holds the bytes of an unfinished 64-byte block, plus the total message
/// length, for SHA-1 and SHA-256 (which share block size and padding).
///
/// The storage is an inline tuple, so the hashers stay plain value types with
/// no heap allocation. Whole blocks are never copied here: `absorb` hands them
/// to `compress` straight from the caller's memory.
struct MDBlockBuffer: Sendable {
    /// 64 bytes of storage for a partial block.
    private var block: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
    /// Bytes held in `block`, always 0..<64 between calls.
    private var count = 0
    /// Message bytes seen so far (mod 2^64; the padding encodes bits mod 2^64).
    private var total: UInt64 = 0

    init() {}

    /// Feeds `bytes`; calls `compress(pointer, blockCount)` for every run of
    /// complete 64-byte blocks, and keeps the tail for the next call.
    @inline(__always)
    mutating func absorb(_ bytes: UnsafeRawBufferPointer, _ compress: (UnsafeRawPointer, Int) -> Void) {
        guard var p = bytes.baseAddress, bytes.count > 0 else { return }
        var n = bytes.count
        total &+= UInt64(truncatingIfNeeded: n)
        if count > 0 {
            // Top up the pending block first.
            let take = min(64 - count, n)
            let used = count
            withUnsafeMutableBytes(of: &block) { b in
                (b.baseAddress! + used).copyMemory(from: p, byteCount: take)
            }
            count += take
            p += take
            n -= take
            if count < 64 { return }
            withUnsafeBytes(of: &block) { compress($0.baseAddress!, 1) }
            count = 0
        }
        let whole = n >> 6
        if whole > 0 {
            compress(p, whole)
            p += whole << 6
            n -= whole << 6
        }
        if n > 0 {
            withUnsafeMutableBytes(of: &block) { b in
                b.baseAddress!.copyMemory(from: p, byteCount: n)
            }
            count = n
        }
    }

    /// Appends the padding (0x80, zeros, 64-bit big-endian bit length) and
    /// compresses the last one or two blocks. The buffer is reset afterwards.
    mutating func finish(_ compress: (UnsafeRawPointer, Int) -> Void) {
        let bitLength = total &<< 3
        let used = count
        // The length needs 8 bytes after the 0x80 marker: if they do not fit
        // in this block, the padding spills into a second one.
        let blocks = used < 56 ? 1 : 2
        withUnsafeTemporaryAllocation(byteCount: 128, alignment: 8) { tail in
            let t = tail.baseAddress!
            withUnsafeBytes(of: &block) { b in
                t.copyMemory(from: b.baseAddress!, byteCount: used)
            }
            t.storeBytes(of: 0x80, toByteOffset: used, as: UInt8.self)
            let end = blocks * 64
            (t + used + 1).initializeMemory(as: UInt8.self, repeating: 0, count: end - 8 - used - 1)
            t.storeBytes(of: bitLength.bigEndian, toByteOffset: end - 8, as: UInt64.self)
            compress(UnsafeRawPointer(t), blocks)
        }
        self = MDBlockBuffer()
    }
}

/// What SHA-1 and SHA-256 share around their compression functions: the
/// chaining state, the partial-block buffer and padding (`MDBlockBuffer`),
/// and the digest as the state's words, big endian. The public `update` and
/// `finalize` of each hasher call `absorb` and `finishDigest`.
protocol MerkleDamgardHash {
    associatedtype State
    var state: State { get set }
    var pending: MDBlockBuffer { get set }
    /// Hashes `blocks` 64-byte blocks at `p` (any alignment) into `h`.
    static func compress(_ h: inout State, _ p: UnsafeRawPointer, _ blocks: Int)
    static func digestWords(_ h: State) -> [UInt32]
}

extension MerkleDamgardHash {
    /// Feeds `bytes`; whole blocks are compressed straight from the caller's memory.
    @inline(__always)
    mutating func absorb(_ bytes: UnsafeRawBufferPointer) {
        var h = state
        pending.absorb(bytes) { Self.compress(&h, $0, $1) }
        state = h
    }

    /// Pads the message, compresses the last block(s) and returns the digest.
    mutating func finishDigest() -> [UInt8] {
        var h = state
        pending.finish { Self.compress(&h, $0, $1) }
        state = h
        let words = Self.digestWords(h)
        var out = [UInt8]()
        out.reserveCapacity(words.count * 4)
        for word in words { appendBigEndian(word, to: &out) }
        return out
    }
}

/// A checksum or hash fed bytes piece by piece: ``CRC32``, ``CRC64``,
/// ``SHA1``, ``SHA256``. Each takes raw bytes (`update(_:)` with an
/// `UnsafeRawBufferPointer`); this protocol adds the same for any collection
/// of bytes.
public protocol IncrementalChecksum {
    /// Adds `bytes`. Cost: O(bytes.count).
    mutating func update(_ bytes: UnsafeRawBufferPointer)
}

extension IncrementalChecksum {
    /// Adds `bytes`. Contiguous collections (`[UInt8]`, array slices,
    /// `UnsafeBufferPointer`...) are read in place; others are copied through
    /// a small stack buffer. Cost: O(bytes.count).
    @inlinable
    public mutating func update<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        withRawChunks(of: bytes) { update($0) }
    }
}

/// Calls `body` with the bytes of `bytes`: once with its storage when it is
/// contiguous, otherwise in chunks copied through a small stack buffer.
///
/// These, `IncrementalChecksum`'s generic `update` and the checksums' `checksum`/`hash`, are the
/// library's only `@inlinable` code: a caller's collection type is then
/// specialised in the caller's module instead of going through generic
/// dispatch per call. (Inside the module, whole-module optimisation does
/// that anyway, so nothing else carries the attribute.)
@inlinable @inline(__always)
func withRawChunks<C: Collection>(of bytes: C, _ body: (UnsafeRawBufferPointer) -> Void) where C.Element == UInt8 {
    let done: Void? = bytes.withContiguousStorageIfAvailable { body(UnsafeRawBufferPointer($0)) }
    if done == nil { copyInChunks(bytes, body) }
}

/// Slow path of `withRawChunks`: copies 4 KiB at a time (no heap allocation).
@usableFromInline
func copyInChunks<C: Collection>(_ bytes: C, _ body: (UnsafeRawBufferPointer) -> Void) where C.Element == UInt8 {
    let chunk = 4096
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: chunk) { buffer in
        var i = 0
        for byte in bytes {
            buffer[i] = byte
            i += 1
            if i == chunk {
                body(UnsafeRawBufferPointer(buffer))
                i = 0
            }
        }
        if i > 0 { body(UnsafeRawBufferPointer(start: buffer.baseAddress, count: i)) }
    }
}

/// Rotates `x` left by `n` bits (0 < n < 32).
@inline(__always)
func rotl(_ x: UInt32, _ n: UInt32) -> UInt32 {
    (x &<< n) | (x &>> (32 &- n))
}

/// Rotates `x` right by `n` bits (0 < n < 32).
@inline(__always)
func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 {
    (x &>> n) | (x &<< (32 &- n))
}
