// Harness for Scripts/differential.py: runs our encoder or decoder on requests
// read from stdin and writes the results to stdout, so one process serves
// thousands of cases. Built in release by differential.py as a throwaway
// SwiftPM package that depends on this repository.
//
// Request:  op u8 (1 compress, 2 decompress), format u8 (0 .lzma, 1 .lzma with
//           known size, 2 raw LZMA1), u16 length + xz-style option string
//           ("preset=6e,lc=3,lp=0,pb=2,dict=64KiB,mf=bt4,mode=normal,nice=64,depth=0";
//           for raw decoding only lc/lp/pb/dict matter), u32 chunk size (0 =
//           one call; otherwise input fed in pieces this big), u32 length + data.
// Response: status u8 (0 ok, 1 LZMAError), u32 length, then the bytes or the
//           error's description.
// All integers little-endian.

#if canImport(Glibc)
import Glibc
#endif
import LZMA

func readExactly(_ n: Int) -> [UInt8]? {
    if n == 0 { return [] }
    var buf = [UInt8](repeating: 0, count: n)
    var got = 0
    while got < n {
        let r = buf.withUnsafeMutableBytes { read(0, $0.baseAddress! + got, n - got) }
        if r <= 0 { return nil }
        got += r
    }
    return buf
}

func readInt(_ bytes: Int) -> Int? {
    guard let b = readExactly(bytes) else { return nil }
    var v = 0
    for (i, x) in b.enumerated() { v |= Int(x) << (8 * i) }
    return v
}

func reply(_ status: UInt8, _ payload: [UInt8]) {
    var head: [UInt8] = [status]
    for i in 0..<4 { head.append(UInt8(truncatingIfNeeded: payload.count >> (8 * i))) }
    writeAll(head + payload)
}

func writeAll(_ bytes: [UInt8]) {
    var done = 0
    while done < bytes.count {
        let w = bytes.withUnsafeBytes { write(1, $0.baseAddress! + done, bytes.count - done) }
        if w <= 0 { exit(3) }
        done += w
    }
}

func compress(_ data: [UInt8], format: Int, options: LZMASettings, chunk: Int) throws -> [UInt8] {
    // 0: .lzma, 1: .lzma with the size in the header, 2: raw LZMA1 (with an end marker).
    let f: LZMAFormat = format == 2 ? .rawLZMA1 : .lzma
    let o = CompressionOptions(lzma: options, uncompressedSize: format == 1 ? UInt64(data.count) : nil)
    if chunk == 0 { return try LZMACompressor.compress(data, format: f, options: o) }
    let c = try LZMACompressor(format: f, options: o)
    var out: [UInt8] = []
    var pos = 0
    while pos < data.count {
        out += try c.compress(data[pos..<min(data.count, pos + chunk)])
        pos += chunk
    }
    return out + (try c.finish())
}

func decompress(_ data: [UInt8], format: Int, options: LZMASettings, chunk: Int) throws -> [UInt8] {
    let f: LZMAFormat = format == 2 ? .rawLZMA1 : .lzma
    var o = DecompressionOptions()
    if format == 2 {
        o.properties = try LZMAProperties(lc: options.lc, lp: options.lp, pb: options.pb,
                                          dictionarySize: options.dictionarySize)
    }
    if chunk == 0 { return try LZMADecompressor.decompress(data, format: f, options: o) }
    let d = LZMADecompressor(format: f, options: o)
    var out: [UInt8] = []
    var pos = 0
    while pos < data.count {
        out += try d.decompress(data[pos..<min(data.count, pos + chunk)], maxLength: 3 * chunk + 1)
        pos += chunk
        while !d.needsInput && !d.isFinished { out += try d.decompress([UInt8](), maxLength: 3 * chunk + 1) }
    }
    while !d.needsInput && !d.isFinished { out += try d.decompress([UInt8](), maxLength: 1 << 20) }
    try d.finish()
    if !d.unusedData.isEmpty {
        throw LZMAError.corruptData("\(d.unusedData.count) bytes after the end", offset: d.totalIn)
    }
    return out
}

while let op = readInt(1) {
    guard let format = readInt(1), let optLen = readInt(2), let optBytes = readExactly(optLen),
          let chunk = readInt(4), let dataLen = readInt(4), let data = readExactly(dataLen) else {
        writeAll([])  // keep stdout clean; the caller sees the pipe close
        exit(2)
    }
    do {
        let options = try LZMASettings(xzOptionString: String(decoding: optBytes, as: UTF8.self))
        let result = op == 1 ? try compress(data, format: format, options: options, chunk: chunk)
                             : try decompress(data, format: format, options: options, chunk: chunk)
        reply(0, result)
    } catch {
        reply(1, Array("\(error)".utf8))
    }
}
