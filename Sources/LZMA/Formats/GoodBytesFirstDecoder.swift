/// The one home of the rule "good bytes first, then the error", shared by
/// the LZMA1 and LZMA2 stream decoders (which decode into an `OutputWindow`)
/// and the `.xz` decoder (which has nothing pending between calls).
///
/// When `codeBody` throws after this call wrote output (or with decoded bytes
/// still pending), `code` returns those bytes as `.outputFull` and keeps
/// the error; the next call hands out whatever is left and then throws it.
/// So every byte decoded before a bad symbol reaches the caller, whatever the
/// buffer sizes, as liblzma's `lzma_code` reports the output it made before
/// returning an error.
protocol GoodBytesFirstDecoder: AnyObject {
    /// The error kept for the next call.
    var deferredError: LZMAError? { get set }
    /// Decoded bytes not yet handed out.
    var pendingOutput: Int { get }
    /// Copies up to `room` pending bytes to `output`; returns how many.
    func flushPending(_ output: UnsafeMutablePointer<UInt8>?, _ room: Int) -> Int
    /// The decoder proper. `consumed` and `produced` stay valid when it throws.
    func codeBody(_ input: UnsafePointer<UInt8>?, inCount: Int,
                  _ output: UnsafeMutablePointer<UInt8>?, outCount: Int,
                  consumed: inout Int, produced: inout Int) throws(LZMAError) -> (consumed: Int, produced: Int, status: CodingStatus)
}

extension GoodBytesFirstDecoder {
    /// Decodes from `input` into `output`.
    /// - Returns: bytes consumed, bytes produced, and the status.
    /// - Throws: the decoder's `LZMAError`, but only from a call that has no
    ///   earlier bytes left to deliver.
    func code(_ input: UnsafePointer<UInt8>?, inCount: Int,
              _ output: UnsafeMutablePointer<UInt8>?, outCount: Int) throws(LZMAError) -> (consumed: Int, produced: Int, status: CodingStatus) {
        var consumed = 0
        var produced = 0
        if let e = deferredError {
            produced = flushPending(output, outCount)
            if produced > 0 { return (0, produced, .outputFull) }
            throw e
        }
        do {
            return try codeBody(input, inCount: inCount, output, outCount: outCount,
                                consumed: &consumed, produced: &produced)
        } catch let e {
            produced += flushPending(output.map { $0 + produced }, outCount - produced)
            guard produced > 0 || pendingOutput > 0 else { throw e }
            deferredError = e
            return (consumed, produced, .outputFull)
        }
    }
}
