// requires: HAVE_XZ
// Target `raw2`: raw LZMA2 data. Byte 0 picks the dictionary size
// (2^(n % 21) + n / 21, small, so window limits are hit), the rest is the data.

import LZMA

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    #if HAVE_XZ
    var r = FuzzReader(data, size)
    let b = r.byte()
    let dict = UInt32(1) << UInt32(b % 21) + UInt32(b / 21)
    // lc/lp/pb do not apply to LZMA2 (its chunks carry them); the defaults are valid.
    let properties = try! LZMAProperties(dictionarySize: dict)
    checkWholeFile(r.rest, format: .rawLZMA2, options: DecompressionOptions(properties: properties))
    #endif
    return 0
}
