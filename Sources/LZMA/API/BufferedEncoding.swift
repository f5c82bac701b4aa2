/// The one-call conveniences shared by the streaming encoders
/// (`LZMACompressor`, `XZCompressor`): `compress(_:)` and `finish()` drive
/// `encode(input:output:finish:)` through a 64 KiB buffer until it has taken
/// all the input (and, when finishing, ended the stream).
protocol BufferedEncoding: AnyObject {
    func encode(input: UnsafeBufferPointer<UInt8>, output: UnsafeMutableBufferPointer<UInt8>,
                finish: Bool) throws(LZMAError) -> (consumed: Int, produced: Int, status: CodingStatus)
}

extension BufferedEncoding {
    /// Feeds all of `data`, ending the stream if `finish`; returns the bytes produced.
    func encodeAll<C: Collection>(_ data: C, finish: Bool) throws(LZMAError) -> [UInt8] where C.Element == UInt8 {
        var result: [UInt8] = []
        try withContiguousBytes(data) { (buf) throws(LZMAError) in try encodeAll(buf, finish: finish, into: &result) }
        return result
    }

    private func encodeAll(_ input: UnsafeBufferPointer<UInt8>, finish: Bool, into result: inout [UInt8]) throws(LZMAError) {
        var inPos = 0
        let chunk = 1 << 16
        let tmp = UnsafeMutablePointer<UInt8>.allocate(capacity: chunk)
        defer { tmp.deallocate() }
        while true {
            let rest = UnsafeBufferPointer(rebasing: input[inPos...])
            let r = try encode(input: rest, output: UnsafeMutableBufferPointer(start: tmp, count: chunk), finish: finish)
            inPos += r.consumed
            result.append(contentsOf: UnsafeBufferPointer(start: tmp, count: r.produced))
            switch r.status {
            case .streamEnd: return
            case .needsInput: if !finish { return }
            case .outputFull: continue
            }
        }
    }
}
