// Target `raw1`: raw LZMA1 data with fuzzer-chosen properties.
//
// Byte 0: the properties byte (values above 224 must be refused with
// invalidProperties). Byte 1: dictionary size 2^(n % 21) plus byte 2 (small, so
// both the 4 KiB minimum and odd sizes occur). Byte 3: bit 0 = uncompressed
// size known, then bytes 4-5 give it; bits 1-7: output buffer size. The rest
// is the LZMA data, checked as in checkWholeFile.

import LZMA

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var r = FuzzReader(data, size)
    let propsByte = r.byte()
    let dict = UInt32(1) << UInt32(r.byte() % 21) + UInt32(r.byte())
    let flags = r.byte()
    let known: UInt64? = flags & 1 != 0 ? UInt64(r.u16()) : nil
    let props: LZMAProperties
    do {
        props = try LZMAProperties(propertiesByte: propsByte, dictionarySize: dict)
        check(propsByte <= 224, "properties byte \(propsByte) accepted")
    } catch {
        guard propsByte > 224, case .invalidProperties = error else { fatalError("props \(propsByte) threw \(error)") }
        return 0
    }
    let options = DecompressionOptions(properties: props, uncompressedSize: known)
    let res = checkWholeFile(r.rest, format: .rawLZMA1, options: options)
    if flags & 2 != 0 {
        // Again with tiny output buffers: same outcome, same length.
        // Capped at 64 KiB: one call per 1-64 output bytes is slow.
        let smallCap = 1 << 16
        let small = decodeStreaming(r.rest, format: .rawLZMA1, options: options, memoryLimit: fuzzMemoryLimit,
                                    outChunk: 1 + Int(flags >> 2), cap: smallCap, keepOutput: false)
        let failed: Bool
        if case .failed = res.outcome { failed = true } else { failed = false }
        let big = res.total >= smallCap || res.outcome == .capped
        check(big ? (small.outcome == .capped || small.outcome == res.outcome)
                  : small.outcome == res.outcome && (failed || small.total == res.total),
                     "output buffers of \(1 + Int(flags >> 2)): \(small.outcome) \(small.total), 64 KiB: \(res.outcome) \(res.total)")
    }
    // A known size must be exactly what came out.
    if case .ended = res.outcome, let known {
        check(UInt64(res.total) == known, "known size \(known), decoded \(res.total)")
    }
    return 0
}
