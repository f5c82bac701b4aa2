// requires: HAVE_XZ
// Target `seekable`: `LZMASeekableReader` and `LZMAFileInfo` over an
// in-memory `RandomAccessByteSource` (a `[UInt8]`), against sequential
// decoding of the same bytes.
//
// Byte 0: how many reads (1-6, low 3 bits) and flags (bit 3: positioned
// reads with seek + read(count:) instead of read(at:count:); bit 4: the
// reader's LZMAFileInfo keeps every block). Then each read: 3 bytes of
// offset, 2 of count (1...4096). The rest is the file; for odd lengths its
// .xz CRC32s (stream header, first block header, index, footer) are
// recomputed first (fixXZChecksums), so mutated indexes and block sizes
// reach the reader instead of failing their CRC.
//
// When the sequential decode (streaming, `.auto`, output capped) takes the
// whole file: LZMAFileInfo and the reader open it, a known uncompressed size
// is the decoded size, and every range read equals the same range of the
// sequential output (empty past the end). Otherwise the reader may refuse the
// file or fail a read, with an LZMAError; every read returns at most what it
// was asked for. Offsets stay below the output cap, so a bomb cannot make a
// read run long.

import LZMA

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var r = FuzzReader(data, size)
    let head = r.byte()
    let reads = 1 + Int(head & 7) % 6
    let positioned = head & 8 != 0
    let blocks = head & 16 != 0
    var ranges: [(offset: Int, count: Int)] = []
    for _ in 0..<reads {
        let offset = Int(r.byte()) | Int(r.byte()) << 8 | Int(r.byte()) << 16
        ranges.append((offset, 1 + r.u16() % 4096))
    }
    var file = Array(r.rest)
    if file.count % 2 == 1 && file.first == 0xFD { fixXZChecksums(&file) }
    let options = DecompressionOptions(memoryLimit: fuzzMemoryLimit)

    let seq = file.withUnsafeBufferPointer {
        decodeStreaming($0, format: .auto, memoryLimit: fuzzMemoryLimit, cap: fuzzOutputCap, keepOutput: true)
    }
    let good: Bool
    if case .ended(let consumed) = seq.outcome, consumed == file.count { good = true } else { good = false }
    let total = seq.output.count

    // What the file says about itself.
    do {
        let info = try LZMAFileInfo(file, includeBlocks: blocks)
        check(info.compressedSize == UInt64(file.count), "compressedSize \(info.compressedSize) of \(file.count)")
        if good, let u = info.uncompressedSize {
            check(u == UInt64(total), "LZMAFileInfo says \(u) bytes, sequential decoding gave \(total)")
        }
        if let xz = info.xz, blocks {
            check(xz.uncompressedSize == info.uncompressedSize ?? 0, "xz info size differs")
        }
    } catch {
        check(!good || file.first != 0xFD, "LZMAFileInfo refused a .xz file that decodes: \(error)")
    }

    let reader: LZMASeekableReader<[UInt8]>
    do {
        reader = try LZMASeekableReader(file, options: options)
    } catch {
        check(!good || file.first != 0xFD, "the reader refused a .xz file that decodes: \(error)")
        return 0
    }
    if good, let u = reader.uncompressedSize {
        check(u == UInt64(total), "reader's uncompressedSize \(u), sequential decoding gave \(total)")
    }
    for (rawOffset, count) in ranges {
        // In range mostly (a few past the end) when the size is known; below the cap always.
        let offset = good ? rawOffset % (total + 64) : rawOffset % (fuzzOutputCap + 64)
        let got: [UInt8]
        do {
            if positioned {
                reader.seek(to: UInt64(offset))
                got = try reader.read(count: count)
                check(reader.position == UInt64(offset + got.count), "position \(reader.position) after \(got.count) bytes at \(offset)")
            } else {
                got = try reader.read(at: UInt64(offset), count: count)
            }
        } catch {
            check(!good, "read(at: \(offset), count: \(count)) of a file that decodes threw \(error)")
            continue
        }
        check(got.count <= count, "read \(got.count) bytes for \(count)")
        check(reader.verifiedBlocks <= reader.blocksStarted, "\(reader.verifiedBlocks) verified of \(reader.blocksStarted) started")
        if good {
            let want = offset >= total ? [] : Array(seq.output[offset..<min(total, offset + count)])
            requireEqual(got, want, "read(at: \(offset), count: \(count)) vs sequential (\(total) bytes, sequential reader \(reader.isSequential))")
        }
    }
    return 0
}
