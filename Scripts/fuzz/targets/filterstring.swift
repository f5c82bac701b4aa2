// Target `filterstring`: `LZMAFilterChain(parsing:)`, xz's `--filters=` syntax,
// on arbitrary text (the input, decoded as UTF-8 with replacement characters).
//
// A string either parses or throws `invalidOptions`. A chain that parses has a
// canonical string form (every filter with its option, the LZMA coder with
// all eight of its options; the type has no string form of its own, so the
// target writes it): that string, with spaces or with `--` between the
// filters, parses back to the same chain. A chain that is valid for .xz (or,
// ending in LZMA1 without filters, for .lzma) with a dictionary of at most
// 256 KiB compresses a small sample (for inputs whose length is a multiple of 4) that decodes back to the sample.

import LZMA

/// The chain written out in the syntax it was parsed from.
func canonical(_ chain: LZMAFilterChain, separator: String) -> String {
    var items: [String] = []
    for f in chain.filters {
        switch f {
        case .delta(let distance): items.append("delta:dist=\(distance)")
        default: items.append("\(f.name):start=\(f.startOffset!)")
        }
    }
    let l = chain.lzma
    let mode = l.mode == .fast ? "fast" : "normal"
    items.append("\(chain.coder == .lzma1 ? "lzma1" : "lzma2"):dict=\(l.dictionarySize),lc=\(l.lc),lp=\(l.lp),pb=\(l.pb),"
                 + "mode=\(mode),mf=\(l.matchFinder.rawValue),nice=\(l.niceLength),depth=\(l.depth)")
    var s = items[0]
    for item in items.dropFirst() { s += separator + item }
    return s
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let text = String(decoding: bytes, as: UTF8.self)
    let chain: LZMAFilterChain
    do {
        chain = try LZMAFilterChain(parsing: text)
    } catch {
        guard case .invalidOptions(let message) = error else { fatalError("\(text.debugDescription): threw \(error)") }
        check(!message.isEmpty, "\(text.debugDescription): empty message")
        return 0
    }
    check(chain.filters.count <= 3, "\(text.debugDescription): \(chain.filters.count) filters before LZMA")
    for separator in [" ", "--", "  --  "] {
        let s = canonical(chain, separator: separator)
        do {
            let again = try LZMAFilterChain(parsing: s)
            check(again == chain, "\(text.debugDescription) -> \(s.debugDescription) parses to a different chain")
        } catch {
            fatalError("\(text.debugDescription) parsed, its form \(s.debugDescription) did not: \(error)")
        }
    }

    // Encode with what parsed: a valid chain must work.
    // (On a quarter of the inputs, by length: parsing is cheap, encoding is not.)
    guard chain.lzma.dictionarySize <= 1 << 18, size % 4 == 0 else { return 0 }
    var sample: [UInt8] = []
    while sample.count < 400 { sample += bytes.isEmpty ? [0x41] : Array(bytes) ; sample += [0xE8, 0, 0, 0, 0, 0x97, 1, 2, 3] }
    let format: LZMAFormat = chain.coder == .lzma1 ? .lzma : .xz
    var options = chain.compressionOptions
    options.check = .crc32
    do {
        try options.validate(for: format)
    } catch {
        return 0
    }
    do {
        let packed = try LZMACompressor.compress(sample, format: format, options: options)
        let back = try LZMADecompressor.decompress(packed, format: format)
        requireEqual(back, sample, "\(text.debugDescription): round trip")
    } catch {
        fatalError("\(text.debugDescription): a valid chain failed to round-trip: \(error)")
    }
    return 0
}
