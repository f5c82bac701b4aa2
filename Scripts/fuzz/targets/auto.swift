// Target `auto`: the whole input is a file of any format, detected with `.auto`.
//
// Decoded twice: with the Python-style `decompress(_:maxLength:)` API (input
// fed in pieces, output pulled in maxLength slices, both sizes derived from the
// input length) and with the streaming `decode(input:output:)` API. Both must
// end the same way with the same bytes (up to fuzzOutputCap).

import LZMA

let cap = fuzzOutputCap

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeBufferPointer(start: data, count: size)
    let streamed = decodeStreaming(input, format: .auto, memoryLimit: fuzzMemoryLimit, cap: cap, keepOutput: true)

    let d = LZMADecompressor(format: .auto, memoryLimit: fuzzMemoryLimit)
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
                if d.isFinished { outcome = .ended(consumed: pos - d.unusedData.count); break feeding }
                if out.count >= cap { outcome = .capped; break feeding }
            } while !d.needsInput
            if pos == size { break }
        }
    } catch let e as LZMAError {
        outcome = .failed(e)
    } catch {
        fatalError("non-LZMAError \(error)")
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
        check(d.needsInput, "all input fed, not finished, but needsInput is false")
        // .xz ends only at the end of the input (see decodeStreaming).
        do {
            try d.finish()
            outcome = .ended(consumed: size - d.unusedData.count)
            check(input.first == 0xFD, "finish() accepted an unfinished non-.xz stream")
        } catch let e as LZMAError {
            if case .truncatedInput = e {} else { outcome = .failed(e) }
        } catch { fatalError("non-LZMAError \(error)") }
    }
    check(outcome == streamed.outcome || decodeAheadTolerated(outcome, streamed.outcome),
          "decompress(): \(outcome), decode(): \(streamed.outcome)")
    if outcome != streamed.outcome { return 0 }
    if case .failed = outcome { return 0 }
    requireEqual(out, streamed.output, "decompress() vs decode()")
    return 0
}
