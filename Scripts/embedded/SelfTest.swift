// Embedded Swift self-test of the LZMA library (see Scripts/embedded.sh).
//
//   selftest DIR [MAX]  decode every .lzma/.xz vector listed in DIR/manifest.tsv and
//                       check its SHA-1; round-trip the distinct originals of at most
//                       MAX bytes (default 262144) through .xz and .lzma at presets 0
//                       and 6 (the .lzma output must equal xz's vector when there is
//                       one); a few bad inputs must throw. Last line: "N passed, M failed".
//   stream FILE         decode FILE (.xz/.lzma) in a streaming loop with 64 KiB
//                       buffers; prints "<size> <sha1>" of the output.
//
// Only Codec.swift touches the library's API.

struct Tally {
    var passed = 0
    var failed = 0

    mutating func check(_ ok: Bool, _ what: @autoclosure () -> String) {
        if ok {
            passed += 1
        } else {
            failed += 1
            print("FAIL: \(what())")
        }
    }
}

/// One row of the manifest.
struct Vector {
    var file: String
    var format: String
    var sha1: String
    var size: Int
}

/// Splits `bytes` at `separator`.
func split(_ bytes: ArraySlice<UInt8>, _ separator: UInt8) -> [ArraySlice<UInt8>] {
    var parts: [ArraySlice<UInt8>] = []
    var start = bytes.startIndex
    for i in bytes.indices where bytes[i] == separator {
        parts.append(bytes[start..<i])
        start = i + 1
    }
    parts.append(bytes[start..<bytes.endIndex])
    return parts
}

/// Byte-wise equality: `String ==` would pull in Unicode normalization
/// (libswiftUnicodeDataTables), which this program does not need.
func same(_ a: String, _ b: String) -> Bool { a.utf8.elementsEqual(b.utf8) }

func text(_ bytes: ArraySlice<UInt8>) -> String { String(decoding: bytes, as: UTF8.self) }

func number(_ bytes: ArraySlice<UInt8>) -> Int? {
    guard !bytes.isEmpty else { return nil }
    var n = 0
    for b in bytes {
        guard b >= 48 && b <= 57 else { return nil }
        n = n * 10 + Int(b - 48)
    }
    return n
}

func parseManifest(_ bytes: [UInt8]) -> [Vector] {
    var result: [Vector] = []
    for line in split(bytes[...], 10).dropFirst() where !line.isEmpty {
        let f = split(line, 9)
        guard f.count >= 4, let size = number(f[3]) else { continue }
        result.append(Vector(file: text(f[0]), format: text(f[1]), sha1: text(f[2]), size: size))
    }
    return result
}

func join(_ dir: String, _ name: String) -> String { dir.isEmpty ? name : dir + "/" + name }

/// The file name up to its first dot ("text16k" for "text16k.p6.lzma").
func baseName(_ file: String) -> String {
    var out: [UInt8] = []
    for b in file.utf8 {
        if b == 46 { break }
        out.append(b)
    }
    return String(decoding: out, as: UTF8.self)
}

func selfTest(dir: String, maxRoundTrip: Int) -> Int32 {
    var tally = Tally()
    guard let manifestBytes = readWholeFile(join(dir, "manifest.tsv")) else {
        print("cannot read \(join(dir, "manifest.tsv"))")
        return 1
    }
    let vectors = parseManifest(manifestBytes)
    tally.check(vectors.count > 0, "manifest lists no vectors")

    // 1. Decode every container vector.
    var originals: [(base: String, sha1: String, bytes: [UInt8])] = []
    var decoded = 0
    var firstVector: [UInt8] = []
    for v in vectors where same(v.format, "lzma") || same(v.format, "xz") {
        guard let data = readWholeFile(join(dir, v.file)) else {
            tally.check(false, "\(v.file): cannot read")
            continue
        }
        if firstVector.isEmpty { firstVector = data }
        do {
            let out = try decompressAll(data)
            let hash = sha1Hex(out)
            tally.check(out.count == v.size && same(hash, v.sha1),
                        "\(v.file): decoded \(out.count) bytes, SHA-1 \(hash); expected \(v.size), \(v.sha1)")
            decoded += 1
            if out.count <= maxRoundTrip && !originals.contains(where: { same($0.sha1, v.sha1) }) {
                originals.append((baseName(v.file), v.sha1, out))
            }
        } catch {
            tally.check(false, "\(v.file): \(describe(error))")
        }
    }
    print("decoded \(decoded) vectors")

    // 2. Round trips at presets 0 and 6, .xz and .lzma.
    var trips = 0
    for o in originals {
        for level in [0, 6] {
            do {
                let xz = try compressXZ(o.bytes, preset: level)
                let back = try decompressAll(xz)
                tally.check(same(sha1Hex(back), o.sha1), "\(o.base) .xz preset \(level): round trip differs")
                let lzma = try compressLZMA(o.bytes, preset: level)
                let back2 = try decompressAll(lzma)
                tally.check(same(sha1Hex(back2), o.sha1), "\(o.base) .lzma preset \(level): round trip differs")
                // xz -<level> --format=lzma wrote this vector from the same input.
                let name = "\(o.base).p\(level).lzma"
                if vectors.contains(where: { same($0.file, name) }), let expected = readWholeFile(join(dir, name)) {
                    tally.check(lzma == expected, "\(name): our .lzma output differs from xz's")
                }
                trips += 2
            } catch {
                tally.check(false, "\(o.base) preset \(level): \(describe(error))")
            }
        }
    }
    print("round-tripped \(originals.count) inputs (\(trips) round trips)")

    // 3. Bad input throws (typed errors, no trap).
    if firstVector.count > 20 {
        let truncated = Array(firstVector[0..<(firstVector.count - 5)])
        var threw = false
        do { _ = try decompressAll(truncated) } catch { threw = true }
        tally.check(threw, "truncated .lzma did not throw")
    }
    var garbageThrew = false
    do { _ = try decompressAll(Array("this is not compressed data at all".utf8)) } catch { garbageThrew = true }
    tally.check(garbageThrew, "plain text did not throw")

    // 4. Sizes that do not fit a 32-bit Int. A .lzma header may declare a
    // 4 GiB - 1 dictionary (which only bounds match distances): the same data
    // must still decode, with a window that grows only as far as the output.
    if let v = vectors.first(where: { same($0.file, "text16k.p6.lzma") }),
       var data = readWholeFile(join(dir, v.file)), data.count > 13 {
        for i in 1...4 { data[i] = 0xFF }
        do {
            let out = try decompressAll(data)
            tally.check(same(sha1Hex(out), v.sha1), "4 GiB - 1 dictionary: wrong output")
        } catch {
            tally.check(false, "4 GiB - 1 dictionary: \(describe(error))")
        }
    }
#if _pointerBitWidth(_32)
    // The encoder's tables for a 1.5 GiB dictionary exceed a 32-bit address
    // space: a typed error, not an arithmetic trap.
    var refused = false
    do { _ = try compressLZMA([1, 2, 3], preset: 6, dictionarySize: 1536 << 20) } catch { refused = true }
    tally.check(refused, "1.5 GiB dictionary accepted on a 32-bit target")
#endif
#if arch(wasm32)
    print("wasm heap: \(heapPeakBytes() >> 20) MiB at most")
#endif

    print("\(tally.passed) passed, \(tally.failed) failed")
    return tally.failed == 0 && tally.passed > 0 ? 0 : 1
}

func streamDecode(path: String) -> Int32 {
    guard let f = InputFile(path) else {
        print("cannot open \(path)")
        return 1
    }
    defer { f.close() }
    var hasher = SHA1Stream()
    var total = 0
    do {
        try decodeStream(inputChunk: 1 << 16, outputChunk: 1 << 16,
                         read: { f.read(into: $0) },
                         write: { chunk in hasher.update(chunk); total += chunk.count })
    } catch {
        print("\(path): \(describe(error))")
        return 1
    }
    print("\(total) \(hasher.hex())")
    return 0
}

func runMain() -> Int32 {
    let args = commandLine()
    if args.count >= 3 && same(args[1], "selftest") {
        let max = args.count >= 4 ? (number(Array(args[3].utf8)[...]) ?? 262144) : 262144
        return selfTest(dir: args[2], maxRoundTrip: max)
    }
    if args.count == 3 && same(args[1], "stream") {
        return streamDecode(path: args[2])
    }
    print("usage: selftest DIR [MAX] | stream FILE")
    return 2
}
