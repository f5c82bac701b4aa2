// requires: HAVE_XZ
// Target `parallel`: `ParallelXZDecompressor` with 2-4 threads against
// `LZMADecompressor` (`.xz`, one thread) on the same input.
//
// Byte 0: threads (2 + low 2 bits % 3), bit 2 single stream, bits 3-4 the
// threading memory budget (default 1 GiB, 64 KiB, 1 MiB, 0: every block then
// decodes on the caller's task), bits 5-6 maxLength per call (unlimited,
// 1 + byte 1, 4 KiB, 64 KiB). Byte 2: how many input chunk sizes follow
// (0-7), each 2 bytes (1...65536). The rest is the .xz file; for odd lengths its
// CRC32s are recomputed first (fixXZChecksums).
//
// Single-threaded decoding (streamed, stopped at 64 KiB: a bomb is not run
// in parallel) is the reference: the parallel decoder returns the same bytes
// and then the same error (case, message, offset), or finishes where it
// finishes. Data after the streams that starts no stream: LZMADecompressor
// ends there (unusedData), ParallelXZDecompressor keeps xz -d's rule and
// fails, after the same bytes (as Tests/LZMATests/ParallelTests.swift). With
// a single stream, the parallel decoder's unusedData is what follows it.

import Dispatch
import LZMA

let referenceCap = 1 << 16

/// Single-threaded decoding: the bytes before the first error, the error,
/// the bytes after the end (nil when the input ended inside or right after
/// the data), and whether the cap stopped it.
func singleThreaded(_ input: UnsafeBufferPointer<UInt8>, singleStream: Bool)
    -> (out: [UInt8], error: LZMAError?, trailing: [UInt8]?, capped: Bool) {
    let d = LZMADecompressor(format: .xz, options: DecompressionOptions(memoryLimit: fuzzMemoryLimit, concatenated: !singleStream))
    let buf = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: 1 << 16)
    defer { buf.deallocate() }
    var out: [UInt8] = []
    var pos = 0
    do throws(LZMAError) {
        while true {
            let before = d.totalOut
            let r: (consumed: Int, produced: Int, status: CodingStatus)
            do throws(LZMAError) {
                r = try d.decode(input: UnsafeBufferPointer(rebasing: input[pos...]), output: buf)
            } catch {
                out += UnsafeBufferPointer(rebasing: buf[0..<Int(d.totalOut - before)])
                throw error
            }
            pos += r.consumed
            out += UnsafeBufferPointer(rebasing: buf[0..<r.produced])
            if out.count >= referenceCap { return (out, nil, nil, true) }
            if r.status == .streamEnd {
                return (out, nil, d.unusedData + Array(input[pos...]), false)
            }
            if r.status == .needsInput && pos == input.count { break }
        }
        try d.finish()
        return (out, nil, nil, false)
    } catch {
        return (out, error, nil, false)
    }
}

final class Outcome: @unchecked Sendable {
    var out: [UInt8] = []
    var error: LZMAError?
    var unused: [UInt8] = []
}

func parallel(_ data: [UInt8], threads: Int, budget: UInt64, singleStream: Bool, chunks: [Int], maxLength: Int) async -> Outcome {
    let d = ParallelXZDecompressor(threads: threads, memoryLimit: fuzzMemoryLimit, threadingMemoryLimit: budget,
                                   singleStream: singleStream)
    let o = Outcome()
    var pos = 0
    var i = 0
    do throws(LZMAError) {
        while pos < data.count {
            let n = min(chunks[i % chunks.count], data.count - pos)
            i += 1
            var got = try await d.decompress(Array(data[pos..<pos + n]), maxLength: maxLength)
            check(got.count <= maxLength, "\(got.count) bytes for maxLength \(maxLength)")
            o.out += got
            pos += n
            while !d.needsInput && !d.isFinished {
                got = try await d.decompress([], maxLength: maxLength)
                check(got.count <= maxLength, "\(got.count) bytes for maxLength \(maxLength)")
                o.out += got
            }
            check(d.totalOut == UInt64(o.out.count), "totalOut \(d.totalOut), returned \(o.out.count)")
            if d.isFinished { break }
        }
        while !d.isFinished {
            let got = try await d.finish(maxLength: maxLength)
            check(got.count <= maxLength, "\(got.count) bytes for maxLength \(maxLength)")
            o.out += got
        }
        // The rest of the input, after the end of a single stream.
        if pos < data.count {
            _ = try await d.decompress(Array(data[pos...]))
        }
        o.unused = d.unusedData
    } catch {
        o.error = error
        // Failed stays failed.
        do throws(LZMAError) {
            _ = try await d.decompress([1], maxLength: 1)
            fatalError("the parallel decoder did not keep its failure \(error)")
        } catch let again {
            check(again == error, "parallel failure changed: \(error) then \(again)")
        }
    }
    return o
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var r = FuzzReader(data, size)
    let flags = r.byte()
    let lengthByte = r.byte()
    let threads = 2 + Int(flags & 3) % 3
    let singleStream = flags & 4 != 0
    let budget: UInt64 = [ParallelXZDecompressor.defaultThreadingMemoryLimit, 1 << 16, 1 << 20, 0][Int(flags >> 3) & 3]
    let maxLength = [Int.max, 1 + Int(lengthByte), 4096, 1 << 16][Int(flags >> 5) & 3]
    var chunks: [Int] = []
    for _ in 0..<(r.byte() % 8) { chunks.append(1 + r.u16()) }
    if chunks.isEmpty { chunks = [1 << 20] }
    var file = Array(r.rest)
    if file.count % 2 == 1 { fixXZChecksums(&file) }

    let want = file.withUnsafeBufferPointer { singleThreaded($0, singleStream: singleStream) }
    if want.capped { return 0 }
    if maxLength < 256 && want.out.count > 1 << 16 { return 0 }  // too many calls

    let done = DispatchSemaphore(value: 0)
    let box = Outcome()
    let input = file
    Task {
        let o = await parallel(input, threads: threads, budget: budget, singleStream: singleStream,
                               chunks: chunks, maxLength: maxLength)
        box.out = o.out
        box.error = o.error
        box.unused = o.unused
        done.signal()
    }
    done.wait()
    let what = "\(threads) threads, budget \(budget), chunks \(chunks), maxLength \(maxLength), single \(singleStream)"
    if want.error == nil, let trailing = want.trailing, !singleStream, !trailing.isEmpty {
        check(box.error != nil, "\(what): data after the streams accepted (single-threaded leaves \(trailing.count) bytes)")
    } else {
        check(box.error == want.error, "\(what): parallel \(String(describing: box.error)), one thread \(String(describing: want.error))")
        if want.error == nil && singleStream {
            requireEqual(box.unused, want.trailing ?? [], "\(what): unusedData after the first stream")
        }
    }
    requireEqual(box.out, want.out, "\(what): parallel vs one thread")
    return 0
}
