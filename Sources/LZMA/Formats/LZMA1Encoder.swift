/// A streaming LZMA compressor, fed input in chunks of any size.
///
/// The output does not depend on how the input is chunked: a position is
/// encoded only once 4 KiB + 273 bytes of look-ahead follow it, or at the end.
/// Memory is allocated once at creation (see `memoryUsage(_:)`; the large
/// tables can come from a custom `LZMAAllocator`); compressed bytes wait in an
/// internal buffer of about 64 KiB until the caller takes them.
///
/// Both modes make the same decisions as liblzma 5.4, so `.lzma` output is
/// byte-identical to `xz --format=lzma` with the same preset or options.
final class LZMA1StreamEncoder: BufferedEncoding {
    let encoder: LZMAEncoder
    /// Write the 13-byte `.lzma` header first (else raw LZMA1).
    let writesHeader: Bool
    /// The exact input length, when declared: written in the header, no end marker.
    let declaredSize: UInt64?
    /// lc/lp/pb and the dictionary size (the real one, not the rounded header value).
    let properties: LZMAProperties
    /// Bytes at the start of the pending output already handed out.
    var drained = 0
    /// The end of the stream is in the pending output.
    var ended = false
    var totalIn: UInt64 = 0
    var failure: LZMAError?
    /// Pending output above which encoding pauses until it is taken.
    static let pendingLimit = 1 << 16

    /// Creates an encoder and puts the `.lzma` header (if any) into its output.
    /// - Parameter allocator: supplies the window, hash and son tables (nearly
    ///   all of `memoryUsage(settings)`).
    /// - Throws: `LZMAError.invalidOptions` if the settings are invalid
    ///   (lc + lp <= 4 required for `.lzma`).
    /// - Complexity: allocates `memoryUsage(settings)` bytes.
    init(settings: LZMASettings, header: Bool, uncompressedSize: UInt64?,
         allocator: LZMAAllocator = .standard, feed: MatchFeed? = nil) throws(LZMAError) {
        try settings.validate(lcPlusLpAtMost4: header)
        writesHeader = header
        declaredSize = uncompressedSize
        properties = LZMAProperties(unchecked: settings.lc, settings.lp, settings.pb, settings.dictionarySize)
        encoder = LZMAEncoder(options: settings, allocator: allocator, feed: feed)
        if header {
            let h = LZMAAloneHeader(properties: LZMAProperties(unchecked: settings.lc, settings.lp, settings.pb,
                                                               LZMAProperties.roundedDictionarySize(settings.dictionarySize)),
                                    uncompressedSize: uncompressedSize)
            encoder.rc.appendRaw(h.bytes)
        }
    }

    /// Compresses like liblzma's `lzma_code`: consumes input, writes at most
    /// `output.count` bytes. With `finish` and all input consumed it ends the
    /// stream; `.streamEnd` is returned once the last byte has been written.
    ///
    /// Status: `.outputFull` when output ran out (call again), `.needsInput`
    /// when all input was taken and more may come, `.streamEnd` at the end.
    /// - Throws: `LZMAError.sizeMismatch` when the input length differs from a
    ///   declared size; `LZMAError.programmingError` for input after the
    ///   stream was finished. After a throw the compressor stays failed.
    func encode(input: UnsafeBufferPointer<UInt8>, output: UnsafeMutableBufferPointer<UInt8>,
                       finish: Bool) throws(LZMAError) -> (consumed: Int, produced: Int, status: CodingStatus) {
        if let f = failure { throw f }
        do {
            return try encodeStep(input: input, output: output, finish: finish)
        } catch let e {
            failure = e
            throw e
        }
    }

    func encodeStep(input: UnsafeBufferPointer<UInt8>, output: UnsafeMutableBufferPointer<UInt8>,
                    finish: Bool) throws(LZMAError) -> (consumed: Int, produced: Int, status: CodingStatus) {
        let mf = encoder.mf
        if mf.isFinishing && !input.isEmpty {
            throw LZMAError.programmingError("input given after the compressor was finished")
        }
        var inPos = 0
        var outPos = 0
        while true {
            // Hand out pending output first.
            let pending = encoder.rc.outPos - drained
            if pending > 0 {
                let n = min(pending, output.count - outPos)
                if n > 0 {
                    (output.baseAddress! + outPos).update(from: encoder.rc.out + drained, count: n)
                    outPos += n
                    drained += n
                }
                if drained == encoder.rc.outPos {
                    encoder.rc.outPos = 0
                    drained = 0
                }
                if n < pending { return (inPos, outPos, .outputFull) }
            }
            if ended { return (inPos, outPos, .streamEnd) }

            var copied = 0
            if inPos < input.count {
                if let limit = declaredSize, totalIn + UInt64(input.count - inPos) > limit {
                    throw LZMAError.sizeMismatch("input is longer than the declared uncompressed size",
                                                 expected: limit, actual: totalIn + UInt64(input.count - inPos), offset: totalIn)
                }
                copied = mf.fill(input.baseAddress! + inPos, count: input.count - inPos)
                inPos += copied
                totalIn += UInt64(copied)
            }
            if finish && inPos == input.count { mf.isFinishing = true }
            let progressed = encoder.encodeAvailable(outputLimit: LZMA1StreamEncoder.pendingLimit)
            if mf.isFinishing && encoder.isDrained {
                if let limit = declaredSize, totalIn != limit {
                    throw LZMAError.sizeMismatch("input is shorter than the declared uncompressed size",
                                                 expected: limit, actual: totalIn, offset: totalIn)
                }
                encoder.encodeEnd(endMarker: declaredSize == nil)
                ended = true
                continue
            }
            if copied == 0 && !progressed && encoder.rc.outPos == drained {
                return (inPos, outPos, .needsInput)
            }
        }
    }

    /// Bytes a compressor with these options allocates when created: the
    /// window (dictionary + 4 KiB behind, about half the dictionary of slack,
    /// 4 KiB + 273 of look-ahead), the hash table (up to half the dictionary
    /// in 4-byte entries, at most 16 Mi of them), the son table (one 4-byte
    /// entry per dictionary byte for hc*, two for bt*), the model, the
    /// parser's tables and a 64 KiB output buffer. The window, hash and son
    /// tables have the sizes liblzma 5.4 uses, so this is within a few hundred
    /// KiB of what `xz -vv` reports for the same settings.
    static func memoryUsage(_ options: LZMASettings) -> UInt64 {
        let layout = MatchFinder.Layout(dictionarySize: max(options.dictionarySize, 4096), matchFinder: options.matchFinder)
        return layout.bytes + LZMAEncoder.fixedBytes(lc: max(0, min(8, options.lc)), lp: max(0, min(4, options.lp)))
    }
}
