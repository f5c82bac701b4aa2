/// The `.lz` (lzip) format, versions 0 and 1, as xz 5.4+ decodes it.
///
/// A file is one or more members, each:
///
///     offset 0     "LZIP"
///     offset 4     version: 0 (lzip 1.3 and older) or 1
///     offset 5     coded dictionary size: bits 4:0 = log2 of a power of two
///                  in 2^12...2^29, bits 7:5 = how many sixteenths of it to
///                  subtract (4 KiB ... 512 MiB)
///     offset 6     LZMA1 data, lc=3 lp=0 pb=2, always ending with an end marker
///     then         CRC32 of the uncompressed data (4 bytes, little endian),
///                  data size = uncompressed size (8), and in version 1 the
///                  member size = header + LZMA data + trailer (8).
///
/// After the last member, anything that does not start with "LZIP" is
/// trailing data, which the format allows (xz ignores it; see
/// ``LzipDecoder``).
enum Lzip {
    static let magic: [UInt8] = [0x4C, 0x5A, 0x49, 0x50]   // "LZIP"
    static let headerSize = 6
    static let lc = 3, lp = 0, pb = 2

    /// Trailer size for a format version (0 has no member size field).
    static func trailerSize(version: UInt8) -> Int { version == 0 ? 12 : 20 }

    /// The dictionary size a coded byte stands for, or nil when it is outside
    /// the 4 KiB ... 512 MiB the format allows.
    static func dictionarySize(coded byte: UInt8) -> UInt32? {
        let log2 = UInt32(byte & 0x1F)
        let sixteenths = UInt32(byte >> 5)
        guard log2 >= 12, log2 <= 29, !(log2 == 12 && sixteenths > 0) else { return nil }
        return (1 << log2) - sixteenths * (1 << (log2 - 4))
    }

    /// What a version 1 trailer (the last 20 bytes of a member) says about
    /// its member, for showing progress or listing without decoding.
    ///
    /// Given the last 20 bytes of a seekable file that ends with a version 1
    /// member (and no trailing data), this is that member's uncompressed size
    /// and its size in the file; the member then starts at
    /// `fileSize - memberSize`, which ``isMemberHeader(_:)`` can confirm.
    /// (Version 0 trailers have no member size; trailing data after the last
    /// member also hides it: then the header check fails.)
    ///
    /// - Returns: nil unless `trailer` has 20 bytes and the member size could
    ///   hold a header and a trailer.
    /// - Complexity: O(1).
    static func memberSizes(trailer: [UInt8]) -> (uncompressedSize: UInt64, memberSize: UInt64)? {
        guard trailer.count == 20 else { return nil }
        let dataSize = readLE64(trailer, 4)
        let memberSize = readLE64(trailer, 12)
        // Header, the shortest LZMA stream (5 bytes), trailer.
        guard memberSize >= UInt64(headerSize + 5 + 20) else { return nil }
        return (dataSize, memberSize)
    }

    /// True if `bytes` begins with a member header this decoder accepts:
    /// "LZIP", version 0 or 1, a valid dictionary size.
    static func isMemberHeader(_ bytes: [UInt8]) -> Bool {
        guard bytes.count >= headerSize, Array(bytes[0..<4]) == magic, bytes[4] <= 1 else { return false }
        return dictionarySize(coded: bytes[5]) != nil
    }

    /// The members of a seekable `.lz` file, found from its end backwards
    /// through the version 1 trailers, as (offset, member size, uncompressed
    /// size) in file order: the total uncompressed size before decoding.
    ///
    /// `read(offset, count)` returns `count` bytes of the file from `offset`.
    /// - Returns: nil when the file cannot be walked this way (a version 0
    ///   member, trailing data after the last member, a damaged trailer or
    ///   header): then only decoding tells the sizes.
    /// - Throws: what `read` throws.
    /// - Complexity: two small reads per member.
    static func members<E: Error>(fileSize: UInt64, read: (UInt64, Int) throws(E) -> [UInt8]) throws(E)
        -> [(offset: UInt64, memberSize: UInt64, uncompressedSize: UInt64)]? {
        var found: [(offset: UInt64, memberSize: UInt64, uncompressedSize: UInt64)] = []
        var end = fileSize
        while end > 0 {
            guard end >= 20, let sizes = memberSizes(trailer: try read(end - 20, 20)),
                  sizes.memberSize <= end else { return nil }
            let start = end - sizes.memberSize
            let header = try read(start, headerSize)
            guard isMemberHeader(header), header[4] == 1 else { return nil }
            found.append((start, sizes.memberSize, sizes.uncompressedSize))
            end = start
        }
        return found.isEmpty ? nil : found.reversed()
    }

    static func readLE64(_ b: [UInt8], _ at: Int) -> UInt64 {
        var v: UInt64 = 0
        for i in 0..<8 { v |= UInt64(b[at + i]) << (8 * UInt64(i)) }
        return v
    }
}

/// Streaming decoder for `.lz` files: members one after another, each a
/// header, LZMA1 data with an end marker, and a trailer that is verified
/// (CRC32, data size, and in version 1 the member size). Any chunking of the
/// input, down to single bytes, gives the same output.
///
/// **End of the data**, as xz 5.8 (liblzma's lzip decoder, which xz uses
/// with `LZMA_CONCATENATED` unless `--single-stream`):
///
/// - `concatenated: false` (`--single-stream`): decoding ends right after the
///   first member's trailer with `.streamEnd`; nothing after it is consumed.
/// - `concatenated: true` (xz's default): after a member, the next bytes must
///   start another ("LZIP"). A byte that does not continue "LZIP" ends
///   decoding with `.streamEnd` and is not consumed: it and what follows are
///   trailing data, which the format allows. The decoder cannot know that the
///   input has ended by itself, so the owner calls ``finishInput()`` when it
///   has, which accepts an end after a member.
///
/// **Trailing bytes consumed.** To see whether trailing data begins a member
/// the decoder has to consume up to 3 bytes that start like "LZIP" ("L",
/// "LZ", "LZI"): when the next byte (or the end of the input) shows that they
/// are not a member, they are in ``lookahead``, and belong in
/// front of the unconsumed input as the data that followed the stream
/// (`unusedData`). liblzma discards them; xz ignores all trailing data.
/// Otherwise the decoder never consumes a byte after the last member.
///
/// Errors (all typed, with the input offset in the message or the case):
/// a first member without the "LZIP" magic is `invalidHeader` (xz: "File
/// format not recognized"); version 2 or later is `unsupported`; a bad
/// dictionary size byte and corrupt LZMA data are `corruptData`; a CRC32 that
/// does not match is `checkMismatch`; a data size or member size that does not
/// match is `sizeMismatch`; an input that ends inside a member (including
/// after a complete "LZIP" of a following one) is `truncatedInput` from
/// ``finishInput()``.
///
/// Memory: each member's LZMA decoder is charged against the limit as xz 5.4
/// charges `.lz` and `.lzma` alike, `DecoderMemory.lzma1` of the header's
/// dictionary size (xz 5.8.1 charges 608 bytes more for the same file); the
/// dictionary buffer then grows with the output only.
final class LzipDecoder {
    private enum Phase { case magic, version, dictionary, data, trailer, done }

    let concatenated: Bool
    let memoryLimit: UInt64?
    /// Where the dictionaries come from.
    let allocator: LZMAAllocator
    let ignoreCheck: Bool

    private var phase = Phase.magic
    /// Magic bytes matched so far in the current member.
    private var magicHave = 0
    private var version: UInt8 = 0
    private var stream: LZMA1StreamDecoder?
    private var crc = CRC32()
    private var trailer = [UInt8]()
    private var trailerNeed = 0
    /// Input position of the current member's first byte.
    private var memberStart: UInt64 = 0
    /// Uncompressed bytes of the current member.
    private var memberOut: UInt64 = 0
    private var deferredError: LZMAError?
    /// Receives the members and the symbols when set (see `LZMATracer`).
    var tracer: LZMATracer? { didSet { stream?.decoder.tracer = tracer } }

    /// Input bytes consumed so far.
    private(set) var totalIn: UInt64 = 0
    /// Bytes produced so far (all members).
    private(set) var totalOut: UInt64 = 0
    /// Members completely decoded and verified.
    private(set) var memberCount = 0
    /// The dictionary size of the member being decoded (or the last one).
    private(set) var dictionarySize: UInt32?
    /// The largest memory charge of any member so far (see `DecoderMemory.lzma1`).
    private(set) var memoryUsage: UInt64 = 0
    /// Bytes consumed after the last member that turned out not to begin
    /// another one (at most 3, a prefix of "LZIP"); meaningful once decoding
    /// has ended (`.streamEnd` or a successful ``finishInput()``).
    private(set) var lookahead: [UInt8] = []

    /// - Parameters:
    ///   - concatenated: decode every member (xz's default); false: stop after
    ///     the first (xz's `--single-stream`).
    ///   - memoryLimit: throw `memoryLimitExceeded` for a member whose
    ///     dictionary needs more (see the type's documentation).
    ///   - ignoreCheck: do not verify the CRC32 (xz's `--ignore-check`); the
    ///     sizes are still verified.
    init(concatenated: Bool = true, memoryLimit: UInt64? = nil, ignoreCheck: Bool = false,
         allocator: LZMAAllocator = .standard) {
        self.allocator = allocator
        self.concatenated = concatenated
        self.memoryLimit = memoryLimit
        self.ignoreCheck = ignoreCheck
        trailer.reserveCapacity(20)
    }

    /// True once decoding has ended (`.streamEnd` was returned or
    /// ``finishInput()`` accepted the end).
    var finished: Bool { phase == .done }

    /// True where the input may end: after a member (and at most 3 bytes of
    /// a partial "LZIP"), so ``finishInput()`` would pass.
    var atValidEnd: Bool { phase == .done || (phase == .magic && memberCount > 0 && deferredError == nil) }

    /// Decodes from `input` into `output`.
    /// - Returns: bytes consumed and produced, and the status; with
    ///   `.streamEnd`, `input[consumed...]` is the data after the stream.
    /// - Throws: `LZMAError` as described for the type; bytes decoded before an
    ///   error are returned first (the error comes from the next call).
    func code(_ input: UnsafePointer<UInt8>?, inCount: Int,
              _ output: UnsafeMutablePointer<UInt8>?, outCount: Int) throws(LZMAError) -> (consumed: Int, produced: Int, status: CodingStatus) {
        if let e = deferredError { throw e }
        var consumed = 0
        var produced = 0
        do {
            return try codeBody(input, inCount: inCount, output, outCount: outCount,
                                consumed: &consumed, produced: &produced)
        } catch let e {
            guard produced > 0 else { throw e }
            deferredError = e
            return (consumed, produced, .outputFull)
        }
    }

    private func codeBody(_ input: UnsafePointer<UInt8>?, inCount: Int,
                          _ output: UnsafeMutablePointer<UInt8>?, outCount: Int,
                          consumed: inout Int, produced: inout Int) throws(LZMAError) -> (consumed: Int, produced: Int, status: CodingStatus) {
        while true {
            switch phase {
            case .magic:
                while magicHave < 4 {
                    guard consumed < inCount else { return (consumed, produced, .needsInput) }
                    let b = input![consumed]
                    guard b == Lzip.magic[magicHave] else {
                        if memberCount == 0 {
                            throw LZMAError.invalidHeader("not a .lz file (no \"LZIP\" magic)", offset: totalIn)
                        }
                        // Trailing data: leave this byte to the caller.
                        phase = .done
                        return (consumed, produced, .streamEnd)
                    }
                    consumed += 1
                    totalIn &+= 1
                    magicHave += 1
                    if memberCount > 0 { lookahead.append(b) }
                }
                lookahead.removeAll()
                phase = .version

            case .version:
                guard consumed < inCount else { return (consumed, produced, .needsInput) }
                version = input![consumed]
                guard version <= 1 else {
                    throw LZMAError.unsupported("lzip format version \(version) (at input byte \(totalIn)); versions 0 and 1 are supported")
                }
                consumed += 1
                totalIn &+= 1
                phase = .dictionary

            case .dictionary:
                guard consumed < inCount else { return (consumed, produced, .needsInput) }
                let coded = input![consumed]
                guard let dict = Lzip.dictionarySize(coded: coded) else {
                    throw LZMAError.corruptData("lzip dictionary size byte 0x\(String(coded, radix: 16)) is outside 4 KiB ... 512 MiB",
                                                offset: totalIn)
                }
                let need = DecoderMemory.lzma1(dictionarySize: dict)
                if let limit = memoryLimit, need > limit {
                    throw LZMAError.memoryLimitExceeded(required: need, limit: limit)
                }
                consumed += 1
                totalIn &+= 1
                memoryUsage = max(memoryUsage, need)
                dictionarySize = dict
                let props = try LZMAProperties(lc: Lzip.lc, lp: Lzip.lp, pb: Lzip.pb, dictionarySize: dict)
                let s = LZMA1StreamDecoder(properties: props, uncompressedSize: nil, allocator: allocator)
                s.decoder.totalIn = totalIn
                if let tracer {
                    tracer.structure("lzip member \(memberCount + 1): version \(version), dictionary \(dict) bytes, lc=3 lp=0 pb=2",
                                     inputOffset: memberStart)
                    s.decoder.tracer = tracer
                }
                stream = s
                crc = CRC32()
                memberOut = 0
                phase = .data

            case .data:
                let s = stream!
                let outStart = produced
                let r = try s.code(input.map { $0 + consumed }, inCount: inCount - consumed,
                                   output.map { $0 + produced }, outCount: outCount - produced)
                consumed += r.consumed
                totalIn &+= UInt64(r.consumed)
                produced += r.produced
                memberOut &+= UInt64(r.produced)
                totalOut &+= UInt64(r.produced)
                if !ignoreCheck && r.produced > 0 {
                    crc.update(UnsafeRawBufferPointer(start: output! + outStart, count: r.produced))
                }
                guard r.status == .streamEnd else { return (consumed, produced, r.status) }
                stream = nil
                trailer.removeAll(keepingCapacity: true)
                trailerNeed = Lzip.trailerSize(version: version)
                phase = .trailer

            case .trailer:
                while trailer.count < trailerNeed && consumed < inCount {
                    trailer.append(input![consumed])
                    consumed += 1
                    totalIn &+= 1
                }
                guard trailer.count == trailerNeed else { return (consumed, produced, .needsInput) }
                try checkTrailer()
                tracer?.structure("lzip member \(memberCount + 1): trailer (CRC32, data size, member size) verified",
                                  inputOffset: totalIn &- UInt64(trailerNeed))
                memberCount += 1
                if concatenated {
                    magicHave = 0
                    memberStart = totalIn
                    phase = .magic
                } else {
                    phase = .done
                }

            case .done:
                return (consumed, produced, .streamEnd)
            }
        }
    }

    /// Verifies the complete trailer in `trailer` against the member just decoded.
    private func checkTrailer() throws(LZMAError) {
        let at = totalIn - UInt64(trailerNeed)
        let member = memberCount + 1
        let stored = UInt32(trailer[0]) | UInt32(trailer[1]) << 8 | UInt32(trailer[2]) << 16 | UInt32(trailer[3]) << 24
        if !ignoreCheck && stored != crc.value {
            throw LZMAError.checkMismatch("lzip member \(member): the CRC32 of the data is 0x\(String(crc.value, radix: 16)), "
                                          + "the trailer says 0x\(String(stored, radix: 16))", offset: at)
        }
        let dataSize = Lzip.readLE64(trailer, 4)
        if dataSize != memberOut {
            throw LZMAError.sizeMismatch("lzip member \(member): the data size in the trailer does not match the data",
                                         expected: dataSize, actual: memberOut, offset: at + 4)
        }
        if version == 1 {
            let memberSize = Lzip.readLE64(trailer, 12)
            let actual = totalIn - memberStart
            if memberSize != actual {
                throw LZMAError.sizeMismatch("lzip member \(member): the member size in the trailer does not match the member",
                                             expected: memberSize, actual: actual, offset: at + 12)
            }
        }
    }

    /// Declares the end of the input.
    ///
    /// Accepts an end right after a member (or after 1-3 bytes of trailing
    /// data that began like "LZIP", which are then in
    /// ``lookahead``); decoding is then finished.
    /// - Throws: `truncatedInput` if the input ended before the first member
    ///   was complete, or inside a later one (a complete "LZIP" counts as the
    ///   start of one, as in liblzma).
    func finishInput() throws(LZMAError) {
        if let e = deferredError { throw e }
        switch phase {
        case .done:
            return
        case .magic where memberCount > 0:
            phase = .done
        default:
            throw LZMAError.truncatedInput(memberCount == 0 ? "the .lz data ends inside its first member"
                                                            : "the .lz data ends inside member \(memberCount + 1)",
                                           offset: totalIn)
        }
    }
}
