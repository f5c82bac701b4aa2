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
        precondition(propsByte <= 224, "properties byte \(propsByte) accepted")
    } catch let e as LZMAError {
        guard propsByte > 224, case .invalidProperties = e else { fatalError("props \(propsByte) threw \(e)") }
        return 0
    } catch { fatalError("\(error)") }
    let format = DecompressionFormat.rawLZMA1(props, uncompressedSize: known)
    checkWholeFile(r.rest, format: format)
    // Again with tiny output buffers when bit 1 is set; a known size must be
    // exactly what came out.
    let res = decodeStreaming(r.rest, format: format, memoryLimit: fuzzMemoryLimit,
                              outChunk: flags & 2 != 0 ? 1 + Int(flags >> 2) : 1 << 16, cap: 16 << 20, keepOutput: false)
    if case .ended = res.outcome, let known {
        precondition(UInt64(res.total) == known, "known size \(known), decoded \(res.total)")
    }
    return 0
}
