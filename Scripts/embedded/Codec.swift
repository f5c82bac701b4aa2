// The only file of the Embedded self-test that calls the library's public API.
// Thin wrappers, so that a rename of the API is adapted here and nowhere else.
// (Compiled into the same module as the library sources; no `import LZMA`.)

/// Streaming decoder for `.xz` / `.lzma` / `.lz` (auto-detected), driven through
/// caller buffers: `read` fills its buffer and returns how many bytes it put
/// there (0 = end of input); `write` receives every decoded chunk.
/// Output per call is bounded by `outputChunk`, so memory stays at the
/// decoder's dictionary plus the two buffers.
func decodeStream(inputChunk: Int, outputChunk: Int,
                  read: (UnsafeMutableBufferPointer<UInt8>) -> Int,
                  write: (UnsafeBufferPointer<UInt8>) -> Void) throws(LZMAError) {
    let decoder = LZMADecompressor(format: .auto)
    let inBuf = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: inputChunk)
    let outBuf = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: outputChunk)
    defer { inBuf.deallocate(); outBuf.deallocate() }
    var have = 0, at = 0
    var inputEnded = false
    while true {
        if at == have && !inputEnded {
            have = read(inBuf)
            at = 0
            if have == 0 { inputEnded = true }
        }
        let input = UnsafeBufferPointer(rebasing: inBuf[at..<have])
        let r = try decoder.decode(input: input, output: outBuf)
        at += r.consumed
        if r.produced > 0 { write(UnsafeBufferPointer(rebasing: outBuf[0..<r.produced])) }
        if r.status == .streamEnd { break }
        if inputEnded && r.consumed == 0 && r.produced == 0 { break }
    }
    try decoder.finish()
}

/// Decodes all of `data` through `decodeStream` (small chunks on purpose).
func decompressAll(_ data: [UInt8], inputChunk: Int = 1000, outputChunk: Int = 4096) throws(LZMAError) -> [UInt8] {
    var out: [UInt8] = []
    var pos = 0
    try data.withUnsafeBufferPointer { (src) throws(LZMAError) in
        try decodeStream(inputChunk: inputChunk, outputChunk: outputChunk, read: { buf in
            let n = min(buf.count, src.count - pos)
            if n > 0 { buf.baseAddress!.update(from: src.baseAddress! + pos, count: n) }
            pos += n
            return n
        }, write: { chunk in out.append(contentsOf: chunk) })
    }
    return out
}

/// xz's preset `level` (0...9).
func presetOptions(_ level: Int) throws(LZMAError) -> CompressionOptions {
    guard let preset = LZMAPreset(level: level) else { throw LZMAError.invalidOptions("preset \(level)") }
    return .preset(preset)
}

/// `.xz` (CRC64) at preset `level`, one shot.
func compressXZ(_ data: [UInt8], preset level: Int) throws(LZMAError) -> [UInt8] {
    try LZMACompressor.compress(data, format: .xz, options: presetOptions(level))
}

/// `.lzma` (unknown size, end marker: what `xz --format=lzma` writes) at preset
/// `level`, optionally with another dictionary size, one shot.
func compressLZMA(_ data: [UInt8], preset level: Int, dictionarySize: UInt32? = nil) throws(LZMAError) -> [UInt8] {
    var options = try presetOptions(level)
    if let dictionarySize { options.lzma.dictionarySize = dictionarySize }
    return try LZMACompressor.compress(data, format: .lzma, options: options)
}

/// SHA-1 as lowercase hex.
func sha1Hex(_ data: [UInt8]) -> String { hexString(SHA1.hash(data)) }

/// Incremental SHA-1 for streamed output.
struct SHA1Stream {
    private var hasher = SHA1()
    mutating func update(_ chunk: UnsafeBufferPointer<UInt8>) { hasher.update(UnsafeRawBufferPointer(chunk)) }
    mutating func hex() -> String { hexString(hasher.finalize()) }
}

/// One-line text of a library error.
func describe(_ error: LZMAError) -> String { error.description }
