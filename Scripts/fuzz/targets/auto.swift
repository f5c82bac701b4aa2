// Target `auto`: the whole input is a file of any format, detected with `.auto`.
//
// Decoded twice: with the Python-style `decompress(_:maxLength:)` API (input
// fed in pieces, output pulled in maxLength slices, both sizes derived from the
// input length) and with the streaming `decode(input:output:)` API. Both must
// end the same way with the same bytes (up to fuzzOutputCap).
//
// Concatenated .xz and .lz (the default): `isFinished` is true whenever the
// input so far ends after a complete stream (member), and more input may
// start another; the data has ended only when bytes that are not a stream
// follow (they are then in `unusedData`), or at the end of the input, where
// `finish()` decides.

import LZMA

let cap = fuzzOutputCap

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeBufferPointer(start: data, count: size)
    let streamed = decodeStreaming(input, format: .auto, memoryLimit: fuzzMemoryLimit, cap: cap, keepOutput: true)

    let d = LZMADecompressor(format: .auto, options: DecompressionOptions(memoryLimit: fuzzMemoryLimit))
    let piece = 1 + size % 3001
    let maxLength = 1 + (size * 7919) % 70000
    var out: [UInt8] = []
    var pos = 0
    var outcome = DecodeOutcome.needsMoreInput
    do {
        feeding: while true {
            let end = min(size, pos + piece)
            var chunk = UnsafeBufferPointer(rebasing: input[pos..<end])
            pos = end
            repeat {
                let got = try d.decompress(chunk, maxLength: min(maxLength, cap - out.count))
                chunk = UnsafeBufferPointer(start: nil, count: 0)
                check(got.count <= maxLength, "decompress returned \(got.count) > maxLength \(maxLength)")
                out += got
                // A concatenated .xz/.lz decoder at the end of a stream may go
                // on with the next; it has ended when it left bytes unused.
                let ended = d.isFinished && (!concatenates(.auto, input) || !d.unusedData.isEmpty)
                if ended { outcome = .ended(consumed: pos - d.unusedData.count); break feeding }
                if out.count >= cap { outcome = .capped; break feeding }
            } while !d.needsInput && !d.isFinished
            if pos == size { break }
        }
    } catch {
        outcome = .failed(error)
    }
    if case .ended = outcome {
        // Feed the rest: it must all land in unusedData.
        let before = d.unusedData.count
        let rest = UnsafeBufferPointer(rebasing: input[pos...])
        do {
            let extra = try d.decompress(rest)
            check(extra.isEmpty && d.unusedData.count == before + rest.count, "data after the end was not kept")
        } catch { fatalError("decompress after the end threw \(error)") }
        outcome = .ended(consumed: size - d.unusedData.count)
    }
    if case .needsMoreInput = outcome {
        // needsInput is false at the end of a complete .xz stream (isFinished).
        check(d.needsInput || d.isFinished, "all input fed, not finished, but needsInput is false")
        let validEnd = d.isFinished
        check(!validEnd || concatenates(.auto, input), "isFinished for a non-.xz/.lz stream that did not end")
        // .xz and .lz end only at the end of the input (see decodeStreaming).
        do {
            try d.finish()
            outcome = .ended(consumed: size - d.unusedData.count)
            check(concatenates(.auto, input), "finish() accepted an unfinished non-.xz/.lz stream")
            check(validEnd, "finish() succeeded but isFinished was false")
        } catch {
            check(!validEnd, "finish() threw \(error) though isFinished was true")
            if case .truncatedInput = error {} else { outcome = .failed(error) }
        }
    }
    check(outcome == streamed.outcome || decodeAheadTolerated(outcome, streamed.outcome),
          "decompress(): \(outcome), decode(): \(streamed.outcome)")
    if outcome != streamed.outcome { return 0 }
    if case .failed = outcome { return 0 }
    requireEqual(out, streamed.output, "decompress() vs decode()")
    return 0
}
