/// Runs a chain of Delta/BCJ filters over a byte stream that has no
/// container, as xz's `--format=raw --x86 --lzma2=...` needs after (or before)
/// raw LZMA2: the `.xz` decoder applies the chain from the block header, raw
/// data has only the caller's word for it.
///
/// Bytes that a filter cannot finish yet (at most a few dozen) wait inside
/// until more input or `isLast`; the output does not depend on the chunking.
public final class XZFilterPipeline {
    private let chain: FilterChain

    /// - Parameters:
    ///   - filters: the filters in the order xz's command line gives them
    ///     (the order they run when encoding); at most 3.
    ///   - encoding: true to run them as the encoder does, false to undo them.
    /// - Throws: `LZMAError.invalidOptions` for more than 3 filters or
    ///   out-of-range filter values.
    public init(filters: [XZFilter], encoding: Bool) throws(LZMAError) {
        chain = try FilterChain(filters: filters, encoding: encoding)
    }

    /// Converts bytes from `input` into `output`.
    /// - Parameter isLast: `input` is the end of the data (takes effect once
    ///   all of it has been consumed).
    /// - Returns: input consumed, output written, and whether everything has
    ///   been output after `isLast`.
    /// - Complexity: O(input.count + output.count).
    public func process(input: UnsafeBufferPointer<UInt8>, output: UnsafeMutableBufferPointer<UInt8>, isLast: Bool)
        -> (consumed: Int, produced: Int, finished: Bool) {
        chain.process(input: input, output: output, isLast: isLast)
    }
}
