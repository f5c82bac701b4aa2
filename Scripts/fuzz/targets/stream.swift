// Target `stream`: chunked decoding must give what one-shot decoding gives.
//
// Byte 0: the format (see `formats`); byte 1: how many input chunk sizes follow
// (0-7), each one byte (1-256); byte 2: the output buffer size for the chunked
// run (1-256, or 64 KiB for 0). The rest is the compressed data. Both runs must
// end the same way (the same error with the same input offset, the same
// consumed count, or both wanting more input) with the same bytes, up to a
// 16 KiB cap with small output buffers, fuzzOutputCap otherwise. (This target
// found the chunking-dependent corruptData offset and the decode-ahead bug;
// see Tests/LZMATests/FuzzRegressionTests.swift.)

import LZMA

/// Formats (with their options) to try; a new decoder format is one more line here.
let formats: [(format: LZMAFormat, options: DecompressionOptions)] = {
    var f: [(format: LZMAFormat, options: DecompressionOptions)] = [(.auto, DecompressionOptions()),
                                                                     (.lzma, DecompressionOptions())]
    f.append((.rawLZMA1, DecompressionOptions(properties: try! LZMAProperties(lc: 3, lp: 0, pb: 2, dictionarySize: 1 << 16))))
    f.append((.rawLZMA1, DecompressionOptions(properties: try! LZMAProperties(lc: 0, lp: 2, pb: 0, dictionarySize: 4096),
                                              uncompressedSize: 3000)))
    #if HAVE_XZ
    f.append((.xz, DecompressionOptions()))
    f.append((.rawLZMA2, DecompressionOptions(properties: try! LZMAProperties(dictionarySize: 1 << 16))))
    #endif
    return f
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var r = FuzzReader(data, size)
    let (format, options) = formats[Int(r.byte()) % formats.count]
    let n = Int(r.byte() % 8)
    var chunks: [Int] = []
    for _ in 0..<n { chunks.append(1 + Int(r.byte())) }
    if chunks.isEmpty { chunks = [1] }
    let ob = Int(r.byte())
    let outChunk = ob == 0 ? 1 << 16 : ob
    let input = r.rest
    // Small output buffers mean one call per few bytes: keep the output short
    // (16 KiB still crosses the 4 KiB window of the second raw format).
    let cap = outChunk < 4096 ? 1 << 14 : fuzzOutputCap
    let whole = decodeStreaming(input, format: format, options: options, memoryLimit: fuzzMemoryLimit, outChunk: cap,
                                cap: cap, keepOutput: true)
    let split = decodeStreaming(input, format: format, options: options, memoryLimit: fuzzMemoryLimit, inChunks: chunks,
                                outChunk: outChunk, cap: cap, keepOutput: true)
    check(sameOutcome(whole.outcome, split.outcome),
                 "\(format): one-shot \(whole.outcome), chunked \(chunks) out \(outChunk): \(split.outcome)")
    if case .failed = whole.outcome { return 0 }
    requireEqual(whole.output, split.output, "\(format): one-shot vs chunked \(chunks)")
    return 0
}
