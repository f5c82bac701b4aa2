// requires: HAVE_XZ
// Target `xz`: the whole input is a .xz file (see checkWholeFile).

import LZMA

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    #if HAVE_XZ
    checkWholeFile(UnsafeBufferPointer(start: data, count: size), format: .xz)
    #endif
    return 0
}
