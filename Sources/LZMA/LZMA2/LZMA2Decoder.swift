/// LZMA2: LZMA data cut into chunks, each with a small header, so that
/// incompressible data can be stored as is and the coder can be reset (for
/// multithreaded or seekable encoders) without ending the stream.
///
/// Every chunk starts with a control byte:
///
///     0x00          end of the LZMA2 stream
///     0x01          uncompressed chunk, dictionary reset
///     0x02          uncompressed chunk, no reset
///     0x03...0x7F   invalid
///     0x80...0xFF   LZMA chunk; bits 0-4 are bits 16-20 of (uncompressed size - 1),
///                   bits 5-6 say what to reset first:
///                   0 nothing, 1 state, 2 state + new properties,
///                   3 state + new properties + dictionary
///
/// An uncompressed chunk is followed by its size - 1 (2 bytes, big endian)
/// and the data. An LZMA chunk is followed by the low 16 bits of its
/// uncompressed size - 1, its compressed size - 1 (2 bytes each, big
/// endian), a properties byte (lc/lp/pb as in `.lzma`, lc + lp <= 4) when it
/// sets new properties, and the range-coded data. Each LZMA chunk starts a new
/// range coder (5 bytes) and must end it exactly at its compressed size, at
/// exactly its uncompressed size, without an end marker.
///
/// The rules liblzma enforces: the first chunk resets the dictionary; after
/// a dictionary reset the next LZMA chunk sets properties.
final class LZMA2Decoder: GoodBytesFirstDecoder {
    let decoder: LZMADecoder
    /// The dictionary size the decoder was created for.
    let dictionarySize: UInt32

    private enum Phase {
        /// Waiting for a control byte.
        case control
        /// Collecting the rest of the chunk header (`headerNeed` bytes).
        case header
        /// Copying an uncompressed chunk.
        case uncompressed
        /// Decoding an LZMA chunk.
        case lzma
        /// The end byte has been read.
        case finished
    }

    private var phase = Phase.control
    private var control: UInt8 = 0
    /// The header bytes after the control byte (at most 5).
    private var header: (UInt8, UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0, 0)
    private var headerHave = 0
    private var headerNeed = 0
    private var needDictionaryReset = true
    private var needProperties = true
    /// What is left of the current chunk.
    private var uncompressedLeft = 0
    private var compressedLeft = 0

    /// Input position of the next byte, for error offsets (the owner may bias it).
    var totalIn: UInt64 = 0

    /// Receives the chunks and the symbols when set (see `LZMATracer`).
    var tracer: LZMATracer? { didSet { decoder.tracer = tracer } }
    var finished: Bool { phase == .finished && decoder.window.pending == 0 }

    /// The dictionary size encoded in the one-byte LZMA2 filter properties
    /// (spec section 5.3.1): 2^(n/2 + 12) or 3 * 2^(n/2 + 11); 40 means 4 GiB - 1.
    /// - Throws: `LZMAError.unsupported` for reserved bits or values above 40
    ///   (liblzma's "Unsupported options").
    static func dictionarySize(propertiesByte b: UInt8) throws(LZMAError) -> UInt32 {
        guard b & 0xC0 == 0 else {
            throw LZMAError.unsupported("reserved bits set in the LZMA2 properties byte 0x\(String(b, radix: 16))")
        }
        guard b <= 40 else {
            throw LZMAError.unsupported("LZMA2 dictionary size code \(b) is above 40")
        }
        if b == 40 { return UInt32.max }
        return (2 | UInt32(b & 1)) << (UInt32(b) / 2 + 11)
    }

    init(dictionarySize: UInt32, allocator: LZMAAllocator = .standard) {
        self.dictionarySize = dictionarySize
        // lc + lp <= 4 in LZMA2, so lc = 4 allocates the largest probability
        // table any chunk can ask for: property changes never reallocate.
        let props = try! LZMAProperties(lc: 4, lp: 0, pb: 0, dictionarySize: dictionarySize)
        decoder = LZMADecoder(properties: props, allocator: allocator)
    }

    /// Prepares for a new LZMA2 stream with the same dictionary size (the
    /// next block of an `.xz` file), keeping the allocations.
    func reset() {
        phase = .control
        needDictionaryReset = true
        needProperties = true
        headerHave = 0
        decoder.resetDictionary()
    }

    private func corrupt(_ what: String, at offset: UInt64? = nil) -> LZMAError {
        .corruptData("LZMA2: " + what, offset: offset ?? totalIn)
    }

    /// The error kept for the next call (see `GoodBytesFirstDecoder`).
    var deferredError: LZMAError?
    var pendingOutput: Int { decoder.window.pending }

    func flushPending(_ output: UnsafeMutablePointer<UInt8>?, _ room: Int) -> Int {
        guard let output, room > 0, decoder.window.pending > 0 else { return 0 }
        let n = decoder.window.copyOut(to: output, max: room)
        return n
    }

    func codeBody(_ input: UnsafePointer<UInt8>?, inCount: Int,
                  _ output: UnsafeMutablePointer<UInt8>?, outCount: Int,
                  consumed: inout Int, produced: inout Int) throws(LZMAError) -> (consumed: Int, produced: Int, status: CodingStatus) {
        defer { totalIn &+= UInt64(consumed) }
        while true {
            // Hand out what is already decoded; nothing below runs with bytes
            // pending, which is what a dictionary reset needs.
            if decoder.window.pending > 0 {
                if produced == outCount { return (consumed, produced, .outputFull) }
                produced += decoder.window.copyOut(to: output! + produced, max: outCount - produced)
                if decoder.window.pending > 0 { return (consumed, produced, .outputFull) }
            }

            switch phase {
            case .finished:
                return (consumed, produced, .streamEnd)

            case .control:
                guard consumed < inCount else { return (consumed, produced, .needsInput) }
                let c = input![consumed]
                consumed += 1
                try startChunk(c, offset: totalIn &+ UInt64(consumed - 1))

            case .header:
                while headerHave < headerNeed && consumed < inCount {
                    withUnsafeMutableBytes(of: &header) { $0[headerHave] = input![consumed] }
                    headerHave += 1
                    consumed += 1
                }
                guard headerHave == headerNeed else { return (consumed, produced, .needsInput) }
                try finishHeader(offset: totalIn &+ UInt64(consumed))

            case .uncompressed:
                if uncompressedLeft == 0 { phase = .control; continue }
                guard consumed < inCount else { return (consumed, produced, .needsInput) }
                decoder.window.makeRoom()
                let n = decoder.window.append(input! + consumed, count: min(inCount - consumed, uncompressedLeft))
                tracer?.storedData(input! + consumed, count: n)
                consumed += n
                uncompressedLeft -= n

            case .lzma:
                // As in LZMA1StreamDecoder: decode no further than the caller's
                // buffer takes, so an error never overtakes the bytes before it.
                // A chunk whose bytes are all out still ends (range coder
                // check) without room: the end is seen as early as liblzma sees it.
                let outRoom = outCount - produced
                if outRoom == 0 && uncompressedLeft > 0 { return (consumed, produced, .outputFull) }
                decoder.window.makeRoom()
                let window = decoder.window
                let limit = window.pos + min(uncompressedLeft, window.capacity - window.pos, outRoom)
                // As liblzma, the chunk is decoded by its uncompressed size and
                // its compressed size checked when it ends: a compressed size
                // that lies does not cut off the bytes decoded before that.
                // (The chunk's uncompressed size, at most 2 MiB, bounds how far
                // past the declared size this reads.)
                let available = inCount - consumed
                let startPos = window.pos
                let inPtr = input.map { $0 + consumed } ?? UnsafePointer(bitPattern: 1)!
                decoder.totalIn = totalIn &+ UInt64(consumed)
                let r = try decoder.decode(inPtr, count: available, limit: limit,
                                           sizeReached: uncompressedLeft == 0, allowEndMarker: false)
                consumed += r.consumed
                compressedLeft -= r.consumed
                let made = decoder.window.pos - startPos
                uncompressedLeft -= made
                let here = totalIn &+ UInt64(consumed)
                switch r.stop {
                case .needsInput:
                    if made == 0 && decoder.window.pending == 0 { return (consumed, produced, .needsInput) }
                case .limitReached:
                    break
                case .endMarker:
                    throw corrupt("end marker inside an LZMA2 chunk", at: here)
                case .finishedWithoutMarker:
                    if compressedLeft > 0 {
                        throw corrupt("LZMA chunk ended \(compressedLeft) bytes before its compressed size", at: here)
                    }
                    if compressedLeft < 0 {
                        throw corrupt("LZMA chunk used \(-compressedLeft) bytes more than its compressed size", at: here)
                    }
                    phase = .control
                }
            }
        }
    }

    /// Interprets a control byte (the window has no pending bytes here).
    private func startChunk(_ c: UInt8, offset: UInt64) throws(LZMAError) {
        if c == 0x00 {
            tracer?.structure("LZMA2 end of data (control byte 0x00)", inputOffset: offset)
            phase = .finished
            return
        }
        if c >= 0xE0 || c == 0x01 {
            // A dictionary reset; the next LZMA chunk must set properties.
            needProperties = true
            needDictionaryReset = false
            decoder.resetDictionary()
        } else if needDictionaryReset {
            throw corrupt("the first chunk does not reset the dictionary (control byte 0x\(String(c, radix: 16)))", at: offset)
        }
        control = c
        headerHave = 0
        if c >= 0x80 {
            if c < 0xC0 && needProperties {
                throw corrupt("LZMA chunk without properties after a dictionary reset (control byte 0x\(String(c, radix: 16)))", at: offset)
            }
            headerNeed = c >= 0xC0 ? 5 : 4
        } else {
            guard c <= 0x02 else {
                throw corrupt("invalid control byte 0x\(String(c, radix: 16))", at: offset)
            }
            headerNeed = 2
        }
        phase = .header
    }

    /// Acts on a complete chunk header; `offset` is the input position after it.
    private func finishHeader(offset: UInt64) throws(LZMAError) {
        let h = header
        if control < 0x80 {
            uncompressedLeft = (Int(h.0) << 8 | Int(h.1)) + 1
            phase = .uncompressed
            if let tracer {
                tracer.structure(LZMA2Decoder.describeChunk(control: control, uncompressed: uncompressedLeft),
                                 inputOffset: offset &- 3)
                tracer.beginStored(count: uncompressedLeft)
            }
            return
        }
        uncompressedLeft = (Int(control & 0x1F) << 16 | Int(h.0) << 8 | Int(h.1)) + 1
        compressedLeft = (Int(h.2) << 8 | Int(h.3)) + 1
        if let tracer {
            let props = control >= 0xC0 ? LZMAProperties.unpack(h.4) : nil
            tracer.structure(LZMA2Decoder.describeChunk(control: control, uncompressed: uncompressedLeft,
                                                        compressed: compressedLeft, properties: props),
                             inputOffset: offset &- UInt64(headerNeed + 1))
        }
        switch control >> 5 {
        case 4:
            // No reset: the model goes on, only the range coder is new.
            decoder.resetRangeCoder()
        case 5:
            decoder.resetState()
        default:
            guard let (lc, lp, pb) = LZMAProperties.unpack(h.4) else {
                throw corrupt("properties byte \(h.4) is above 224", at: offset)
            }
            guard LZMAProperties.lcPlusLpFits(lc: lc, lp: lp) else {
                throw corrupt("lc + lp = \(lc + lp) is above 4 (properties byte \(h.4))", at: offset)
            }
            needProperties = false
            decoder.setProperties(lc: lc, lp: lp, pb: pb)
        }
        phase = .lzma
    }

    /// One line about a chunk header, for the trace (also the encoder's).
    static func describeChunk(control: UInt8, uncompressed: Int, compressed: Int = 0,
                              properties: (lc: Int, lp: Int, pb: Int)? = nil) -> String {
        let hex = "0x" + String(control, radix: 16, uppercase: true)
        if control < 0x80 {
            return "LZMA2 chunk \(hex): uncompressed\(control == 1 ? ", dictionary reset" : ""), \(uncompressed) bytes"
        }
        let what: String
        switch control >> 5 {
        case 4: what = "no reset"
        case 5: what = "state reset"
        case 6: what = "state reset, new properties"
        default: what = "dictionary reset, state reset, new properties"
        }
        var line = "LZMA2 chunk \(hex): LZMA, \(what)"
        if let p = properties { line += " lc=\(p.lc) lp=\(p.lp) pb=\(p.pb)" }
        return line + ", \(uncompressed) bytes from \(compressed)"
    }
}
