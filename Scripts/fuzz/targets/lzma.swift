// Target `lzma`: the whole input is a .lzma file (see checkWholeFile). When the
// header declares a size and the stream ends, exactly that many bytes came out.

import LZMA

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeBufferPointer(start: data, count: size)
    let r = checkWholeFile(input, format: .lzma)
    if size >= 13 {
        var declared: UInt64 = 0
        for i in 0..<8 { declared |= UInt64(data[5 + i]) << (8 * UInt64(i)) }
        if declared != .max {
            if case .ended = r.outcome, r.total < fuzzOutputCap {
                check(UInt64(r.total) == declared, "header says \(declared) bytes, decoded \(r.total)")
            }
        }
    }
    return 0
}
