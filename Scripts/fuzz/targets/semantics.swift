// Target `semantics`: the streaming contract of `decompress(_:maxLength:)`
// for every format: where the data ends, `isFinished`, `unusedData`,
// `needsInput`, `finish()`, `finishWholeInput()`, `totalIn`/`totalOut`.
//
// Byte 0: the format (see `formats`). Byte 1: flags: bit 0 single stream
// (concatenated: false), bit 1 ignore checks, bit 2 call `finish()` early
// whenever needsInput is false before the end (it must throw programmingError
// and change nothing, or throw the error that a call which returned the bytes
// before it has latched), bit 3 end with `finishWholeInput()` as well.
// Byte 2: maxLength (0: unlimited, else 1 + byte * 37). Byte 3: how many input
// chunk sizes follow (0-7), each one byte (0-255: empty pieces are fed too).
// The rest is the data.
//
// The reference is `decode(input:output:)` in one piece (decodeStreaming).
// Fed in pieces through `decompress`, the same input must give the same bytes
// and end the same way: the same error; or the same end, after which
// `unusedData` is exactly the input after the data, `isFinished` is true and
// more input only grows `unusedData`; or, at the end of the input, `finish()`
// failing with truncatedInput (and `isFinished` false). `totalOut` is always
// the bytes returned, `totalIn` never exceeds the bytes given, and each call
// returns at most maxLength bytes. `finishWholeInput()` gives the one-shot
// `LZMADecompressor.decompress` result.

import LZMA

let formats: [(format: LZMAFormat, options: DecompressionOptions)] = {
    var f: [(format: LZMAFormat, options: DecompressionOptions)] = [
        (.auto, DecompressionOptions()), (.lzma, DecompressionOptions()), (.lzip, DecompressionOptions()),
        (.rawLZMA1, DecompressionOptions(properties: try! LZMAProperties(lc: 3, lp: 0, pb: 2, dictionarySize: 1 << 16))),
        (.rawLZMA1, DecompressionOptions(properties: try! LZMAProperties(lc: 3, lp: 0, pb: 2, dictionarySize: 1 << 16),
                                         uncompressedSize: 1000)),
    ]
    #if HAVE_XZ
    f.append((.xz, DecompressionOptions()))
    f.append((.rawLZMA2, DecompressionOptions(properties: try! LZMAProperties(dictionarySize: 1 << 16))))
    #endif
    return f
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var r = FuzzReader(data, size)
    var (format, options) = formats[Int(r.byte()) % formats.count]
    let flags = r.byte()
    options.concatenated = flags & 1 == 0
    options.ignoreCheck = flags & 2 != 0
    options.memoryLimit = fuzzMemoryLimit
    let earlyFinish = flags & 4 != 0
    let whole = flags & 8 != 0
    let ml = Int(r.byte())
    let maxLength = ml == 0 ? Int.max : 1 + ml * 37
    var chunks: [Int] = []
    for _ in 0..<(r.byte() % 8) { chunks.append(Int(r.byte())) }
    if chunks.allSatisfy({ $0 == 0 }) { chunks.append(1 + size % 251) }
    let input = r.rest
    let cap = maxLength < 1000 ? 1 << 13 : 1 << 15
    // Concatenated .xz / .lz data ends only where non-stream bytes follow, or at finish().
    let concatenating = options.concatenated && concatenates(format, input)

    let ref = decodeStreaming(input, format: format, options: options, memoryLimit: fuzzMemoryLimit,
                              cap: cap, keepOutput: true)

    let d = LZMADecompressor(format: format, options: options)
    var out: [UInt8] = []
    var pos = 0
    var chunkIndex = 0
    var outcome = DecodeOutcome.needsMoreInput
    func ended() -> Bool { d.isFinished && (!concatenating || !d.unusedData.isEmpty) }
    func pull(_ piece: UnsafeBufferPointer<UInt8>) throws(LZMAError) {
        let got = try d.decompress(piece, maxLength: min(maxLength, cap - out.count))
        check(got.count <= maxLength, "\(format): \(got.count) bytes for maxLength \(maxLength)")
        out += got
        check(d.totalOut == UInt64(out.count), "\(format): totalOut \(d.totalOut), returned \(out.count)")
        check(d.totalIn <= UInt64(pos), "\(format): totalIn \(d.totalIn) of \(pos) given")
        if earlyFinish && !d.needsInput && !d.isFinished {
            do {
                try d.finish()
                fatalError("\(format): finish() with needsInput false succeeded")
            } catch {
                if case .programmingError = error { return }
                // Otherwise the latched error of a call that returned the good
                // bytes before it: the next call throws it too.
                do {
                    _ = try d.decompress(UnsafeBufferPointer(start: nil, count: 0), maxLength: 1)
                    fatalError("\(format): early finish() threw \(error), decompress did not")
                } catch let again {
                    check(again == error, "\(format): early finish() threw \(error), decompress \(again)")
                }
                throw error
            }
        }
    }
    do {
        feeding: while pos < input.count {
            let n = min(input.count - pos, chunks[chunkIndex % chunks.count])
            chunkIndex += 1
            let piece = UnsafeBufferPointer(rebasing: input[pos..<(pos + n)])
            pos += n
            try pull(piece)
            while true {
                if ended() { break feeding }
                if out.count >= cap { outcome = .capped; break feeding }
                if d.needsInput || d.isFinished { break }
                try pull(UnsafeBufferPointer(start: nil, count: 0))
            }
        }
        if ended() {
            // The data ended: the rest only grows unusedData.
            let before = d.unusedData.count
            let rest = UnsafeBufferPointer(rebasing: input[pos...])
            pos = input.count
            let extra = try d.decompress(rest, maxLength: maxLength)
            check(extra.isEmpty && d.unusedData.count == before + rest.count, "\(format): data after the end was not kept")
            check(d.isFinished, "\(format): isFinished went false after the end")
            outcome = .ended(consumed: input.count - d.unusedData.count)
            check(Array(d.unusedData) == Array(input[(input.count - d.unusedData.count)...]), "\(format): unusedData is not the tail")
        } else if case .needsMoreInput = outcome {
            let validEnd = d.isFinished
            check(!validEnd || concatenating, "\(format): isFinished, not ended, not concatenated")
            do {
                try d.finish()
                check(validEnd, "\(format): finish() succeeded but isFinished was false")
                check(d.isFinished, "\(format): finish() succeeded, isFinished false")
                check(d.unusedData.isEmpty, "\(format): \(d.unusedData.count) unused bytes at a valid end")
                outcome = .ended(consumed: input.count)
            } catch {
                check(!validEnd, "\(format): finish() threw \(error) though isFinished")
                if case .truncatedInput = error {} else { outcome = .failed(error) }
            }
        }
    } catch {
        outcome = .failed(error)
        // The error latches, in every call.
        do { _ = try d.decompress([0], maxLength: 1); fatalError("\(format): error \(error) did not latch") } catch let again {
            check(again == error, "\(format): error changed from \(error) to \(again)")
        }
        do { try d.finish(); fatalError("\(format): finish() after \(error) succeeded") } catch let again {
            check(again == error, "\(format): finish() threw \(again) after \(error)")
        }
    }
    check(outcome == ref.outcome || decodeAheadTolerated(outcome, ref.outcome),
          "\(format) chunks \(chunks) maxLength \(maxLength): decompress() \(outcome), decode() \(ref.outcome)")
    requireEqual(out, ref.output, "\(format): decompress() vs decode()")
    if case .capped = outcome { return 0 }

    // finishWholeInput on the fed decoder = the one-shot decode (below the cap).
    guard whole, ref.total < cap else { return 0 }
    var limited = options
    limited.memoryLimit = fuzzMemoryLimit
    let once: LZMAError?
    do { _ = try LZMADecompressor.decompress(input, format: format, options: limited); once = nil } catch { once = error }
    let fed: LZMAError?
    do { try d.finishWholeInput(); fed = nil } catch { fed = error }
    switch (once, fed) {
    case (nil, nil): break
    case (let a?, let b?):
        // A truncated stream: finish() already threw truncatedInput above
        // and latched it; same case either way.
        check(a == b, "\(format): one-shot threw \(a), finishWholeInput \(b)")
    default:
        fatalError("\(format): one-shot \(String(describing: once)), finishWholeInput \(String(describing: fed))")
    }
    return 0
}
