/// Calls `body` with the bytes of `data` as one contiguous buffer: without a
/// copy when the collection has contiguous storage (`[UInt8]`, `ArraySlice`,
/// `UnsafeBufferPointer`, Foundation's `Data`), otherwise through a temporary array.
///
/// Typed throws pass straight through, which `withContiguousStorageIfAvailable`
/// (a `rethrows` function) cannot do.
@inline(__always)
func withContiguousBytes<C: Collection, R>(_ data: C,
                                           _ body: (UnsafeBufferPointer<UInt8>) throws(LZMAError) -> R) throws(LZMAError) -> R
    where C.Element == UInt8 {
    var result: Result<R, LZMAError>?
    _ = data.withContiguousStorageIfAvailable { buf in
        do throws(LZMAError) { result = .success(try body(buf)) } catch { result = .failure(error) }
    }
    if result == nil {
        let copy = Array(data)
        copy.withUnsafeBufferPointer { buf in
            do throws(LZMAError) { result = .success(try body(buf)) } catch { result = .failure(error) }
        }
    }
    return try result!.get()
}
