// Target `lzip`: .lz decoding, chunked streaming vs one-shot.
//
// Byte 0: flags: bit 0 ignores the members' CRC32 (a mutated LZMA stream
// almost always breaks it, which would stop nearly every input at the first
// trailer; the sizes are still checked), bit 1 decodes the first member only
// (concatenated: false). Byte 1: how many input chunk sizes follow (0-7),
// each one byte (1-256); then the output buffer size of the chunked run
// (1-256, or 64 KiB for 0). The rest is the .lz data.
//
// The streaming decode in one piece and the chunked one must end the same way
// (the same error at the same offset, the same end, or both wanting more
// input) with the same bytes; below the output cap the one-shot
// `LZMADecompressor.decompress` must agree too (see compareOneShot: data after
// the last member is ignored, as xz -d ignores it).

import LZMA

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var r = FuzzReader(data, size)
    let flags = r.byte()
    let options = DecompressionOptions(concatenated: flags & 2 == 0, ignoreCheck: flags & 1 != 0)
    let n = Int(r.byte() % 8)
    var chunks: [Int] = []
    for _ in 0..<n { chunks.append(1 + Int(r.byte())) }
    if chunks.isEmpty { chunks = [1 + size % 97] }
    let ob = Int(r.byte())
    let outChunk = ob == 0 ? 1 << 16 : ob
    let input = r.rest
    // 32 KiB of output (16 KiB with small buffers) reach every code path of
    // a member and keep runs short.
    let cap = outChunk < 4096 ? 1 << 14 : 1 << 15
    let whole = decodeStreaming(input, format: .lzip, options: options, memoryLimit: fuzzMemoryLimit,
                                outChunk: cap, cap: cap, keepOutput: true)
    let split = decodeStreaming(input, format: .lzip, options: options, memoryLimit: fuzzMemoryLimit,
                                inChunks: chunks, outChunk: outChunk, cap: cap, keepOutput: true)
    check(sameOutcome(whole.outcome, split.outcome),
          ".lz: one-shot \(whole.outcome), chunked \(chunks) out \(outChunk): \(split.outcome)")
    // Bytes before an error are delivered in both runs: the same bytes.
    requireEqual(whole.output, split.output, ".lz: one piece vs chunked \(chunks)")
    if whole.total < cap {
        compareOneShot(input, format: .lzip, options: options, streamed: whole)
    }
    return 0
}
