// Target `roundtrip`: our encoder, then our decoder, must give the input back.
//
// Option bytes (then the data):
//   0: preset level (n % 10); 1: bit 0 extreme, bits 1-2 container
//      (.lzma / known size / raw), bit 3 override mode, bit 4 override match
//      finder, bit 5 also encode in chunks and require identical bytes;
//   2: mode (bit 0) and match finder (bits 1-3); 3-5: lc, lp, pb (lc + lp <= 4
//      except for raw, where lc goes to 8); 6: nice length; 7: dictionary
//      4 KiB << (n % 7) plus n; 8: depth (0 = automatic); 9: chunk size.
// Dictionaries stay small: a preset's 64 MiB would make each run allocate
// hundreds of MiB.

import LZMA

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var r = FuzzReader(data, size)
    let level = Int(r.byte() % 10)
    let flags = r.byte()
    var o = LZMASettings(preset: LZMAPreset(level: level, extreme: flags & 1 != 0)!)
    let sel = r.byte()
    if flags & 8 != 0 { o.mode = sel & 1 == 0 ? .fast : .normal }
    let finders: [LZMASettings.MatchFinder] = [.hc3, .hc4, .bt2, .bt3, .bt4]
    if flags & 16 != 0 { o.matchFinder = finders[Int(sel >> 1) % finders.count] }
    let containerKind = Int(flags >> 1) % 3
    let raw = containerKind == 2
    o.lc = Int(r.byte()) % (raw ? 9 : 5)
    o.lp = Int(r.byte()) % (raw ? 5 : 5 - o.lc)
    o.pb = Int(r.byte()) % 5
    let nice = r.byte()
    if nice != 0 { o.niceLength = max(o.matchFinder == .bt2 ? 2 : (o.matchFinder == .hc3 || o.matchFinder == .bt3 ? 3 : 4), 2 + Int(nice) % 272) }
    o.niceLength = max(o.niceLength, o.matchFinder == .hc4 || o.matchFinder == .bt4 ? 4 : o.matchFinder == .bt2 ? 2 : 3)
    let d = r.byte()
    o.dictionarySize = (UInt32(4096) << UInt32(d % 7)) + UInt32(d)
    let depth = r.byte()
    if depth != 0 { o.depth = Int(depth) }
    let chunk = 1 + Int(r.byte()) * 37
    let input = r.rest

    // .lzma, .lzma with the size in the header (no end marker), raw LZMA1 (end marker).
    let container: LZMAFormat = raw ? .rawLZMA1 : .lzma
    let options = CompressionOptions(lzma: o, uncompressedSize: containerKind == 1 ? UInt64(input.count) : nil)
    let compressed: [UInt8]
    do {
        compressed = try LZMACompressor.compress(input, format: container, options: options)
    } catch {
        fatalError("encoder refused valid options \(o): \(error)")
    }
    var decodeOptions = DecompressionOptions()
    if raw {
        decodeOptions.properties = try! LZMAProperties(lc: o.lc, lp: o.lp, pb: o.pb, dictionarySize: o.dictionarySize)
    }
    let back: [UInt8]
    do {
        back = try LZMADecompressor.decompress(compressed, format: container, options: decodeOptions)
    } catch {
        fatalError("our decoder rejected our encoder's output (\(o), \(container)): \(error)")
    }
    requireEqual(back, Array(input), "round trip with \(o), \(container)")

    if flags & 32 != 0 {
        // The compressed bytes must not depend on how input and output are chunked.
        let c = try! LZMACompressor(format: container, options: options)
        var again: [UInt8] = []
        let outSize = 1 + chunk % 300
        let out = UnsafeMutablePointer<UInt8>.allocate(capacity: outSize)
        defer { out.deallocate() }
        var pos = 0
        while true {
            let end = min(input.count, pos + chunk)
            let piece = UnsafeBufferPointer(rebasing: input[pos..<end])
            let res: (consumed: Int, produced: Int, status: CodingStatus)
            do {
                res = try c.encode(input: piece, output: UnsafeMutableBufferPointer(start: out, count: outSize), finish: end == input.count)
            } catch { fatalError("chunked encode threw \(error)") }
            again.append(contentsOf: UnsafeBufferPointer(start: out, count: res.produced))
            pos += res.consumed
            if res.status == .streamEnd { break }
            check(again.count <= compressed.count + 1024, "chunked encoder runs away")
        }
        check(pos == input.count, "chunked encoder ended after \(pos) of \(input.count) bytes")
        requireEqual(again, compressed, "chunked vs one-shot encoding with \(o), chunk \(chunk), out \(outSize)")
    }
    return 0
}
