/// The LZMA2 encoder: runs the LZMA encoder in chunks and writes each one as
/// an LZMA chunk or, when LZMA does not make it smaller, as stored bytes.
/// (The chunk format is described in LZMA2Decoder.swift.)
///
/// The chunking follows xz-utils 5.4, so with the same LZMA encoder the bytes
/// are the same as xz's:
/// - a chunk ends when its uncompressed size would pass 2 MiB - 273, or its
///   compressed size (with what the range coder still holds) reaches
///   64 KiB - 4097 (room for one more parser step), or at the end of input;
/// - every chunk starts a new range coder; the first sets the properties and
///   resets the dictionary (0xE0), later ones continue the model (0x80);
/// - a chunk that does not get smaller is stored (0x01/0x02) and the next
///   LZMA chunk resets the state (0xA0), because the decoder's model never
///   saw those bytes being coded.
///
/// Chunk boundaries depend only on the data, never on how input is fed.
final class LZMA2Encoder {
    static let maxUncompressed = 1 << 21
    static let maxCompressed = 1 << 16
    /// Bytes one `lzma_lzma_encode` loop step may need (xz's LOOP_INPUT_MAX).
    static let loopInputMax = MatchFinder.optsSize + 1

    let lzma: LZMAEncoder
    let options: LZMASettings
    /// The properties byte of LZMA chunks: (pb * 5 + lp) * 9 + lc.
    let propertiesByte: UInt8

    private var needProperties = true
    private var needStateReset = false
    private var needDictionaryReset = true
    private var inChunk = false
    /// `lzma.uncompressedSize` when the current chunk started.
    private var chunkStart: UInt64 = 0
    private(set) var ended = false

    /// Receives the chunks and the symbols when set (see `LZMATracer`). A
    /// chunk's symbols are held back until it is known whether the chunk is
    /// written as coded or stored.
    var tracer: LZMATracer? { didSet { lzma.tracer = tracer } }

    /// Encoded output waiting to be handed out: a chunk header, stored
    /// chunks, or the end byte.
    private var out: UnsafeMutablePointer<UInt8>
    private var outCount = 0
    private var outHead = 0
    private static let outCapacity = maxCompressed + 2 * 6 + 2 * 3 + 16
    /// An LZMA chunk's body, handed out after its header straight from the
    /// range coder's buffer (`lzma.rc.out`, which is emptied once it has
    /// gone): copying it into `out` first cost 64 KiB of resident memory
    /// (a tenth of the encoder's own at -0) and a copy of every byte.
    private var bodyCount = 0
    private var bodyHead = 0

    /// With a dictionary under 64 KiB the match finder may drop bytes of a
    /// chunk that must then be stored, so the chunk's input is kept here.
    private let side: UnsafeMutablePointer<UInt8>?
    private var sideCount = 0
    private static let sideCapacity = maxCompressed + loopInputMax + 64

    /// - Throws: `LZMAError.invalidOptions` if the options are invalid for
    ///   LZMA2 (lc + lp > 4, values out of range).
    init(options: LZMASettings, allocator: LZMAAllocator = .standard, feed: MatchFeed? = nil) throws(LZMAError) {
        try options.validate(lcPlusLpAtMost4: true)
        self.options = options
        propertiesByte = LZMAProperties.pack(lc: options.lc, lp: options.lp, pb: options.pb)
        lzma = LZMAEncoder(options: options, allocator: allocator, feed: feed)
        out = .allocate(capacity: LZMA2Encoder.outCapacity)
        side = lzma.mf.keepSizeBefore < LZMA2Encoder.sideCapacity
            ? .allocate(capacity: LZMA2Encoder.sideCapacity) : nil
    }

    deinit {
        out.deallocate()
        side?.deallocate()
    }

    /// The one-byte LZMA2 filter property for a dictionary size, as xz
    /// writes it: the size rounded up to 2^n or 2^n + 2^(n-1).
    static func dictionarySizeCode(_ dict: UInt32) -> UInt8 {
        let d = LZMAProperties.roundedDictionarySize(max(dict, LZMAProperties.minimumDictionarySize))
        if d == UInt32.max { return 40 }
        // d is 2^n (code 2n - 24) or 3 * 2^(n-1) (code 2n - 23).
        let n = UInt8(31 - d.leadingZeroBitCount)
        return 2 * n - 24 + (d.nonzeroBitCount == 2 ? 1 : 0)
    }

    /// Compresses like `LZMACompressor.encode(input:output:finish:)`: takes
    /// input, writes at most `outCount` bytes; `.streamEnd` once the end byte
    /// has been written.
    func code(_ input: UnsafePointer<UInt8>?, inCount: Int, _ output: UnsafeMutablePointer<UInt8>?, outCount room: Int,
              finish: Bool) -> (consumed: Int, produced: Int, status: CodingStatus) {
        let mf = lzma.mf
        var consumed = 0
        var produced = 0
        while true {
            if outHead < outCount {
                let n = min(outCount - outHead, room - produced)
                if n > 0 {
                    (output! + produced).update(from: out + outHead, count: n)
                    produced += n
                    outHead += n
                }
                if outHead < outCount { return (consumed, produced, .outputFull) }
                outHead = 0
                outCount = 0
            }
            if bodyHead < bodyCount {
                let n = min(bodyCount - bodyHead, room - produced)
                if n > 0 {
                    (output! + produced).update(from: lzma.rc.out + bodyHead, count: n)
                    produced += n
                    bodyHead += n
                }
                if bodyHead < bodyCount { return (consumed, produced, .outputFull) }
                bodyHead = 0
                bodyCount = 0
                lzma.rc.outPos = 0
            }
            if ended { return (consumed, produced, .streamEnd) }
            var copied = 0
            if consumed < inCount {
                copied = fill(input! + consumed, count: inCount - consumed)
                consumed += copied
            }
            if finish && consumed == inCount { mf.isFinishing = true }
            if !step() && copied == 0 && outCount == 0 && bodyCount == 0 {
                return (consumed, produced, .needsInput)
            }
        }
    }

    /// Feeds the match finder, keeping a copy of the chunk's bytes when needed.
    private func fill(_ src: UnsafePointer<UInt8>, count: Int) -> Int {
        let n = lzma.mf.fill(src, count: count)
        if let side, inChunk {
            let k = min(n, LZMA2Encoder.sideCapacity - sideCount)
            (side + sideCount).update(from: src, count: k)
            sideCount += k
        }
        return n
    }

    /// Advances the chunk being written; returns whether anything happened.
    private func step() -> Bool {
        let mf = lzma.mf
        if !inChunk {
            let unencoded = mf.writePos - mf.readPos + mf.readAhead
            if unencoded == 0 {
                guard mf.isFinishing else { return false }
                out[0] = 0x00
                outCount = 1
                ended = true
                tracer?.structure("LZMA2 end of data (control byte 0x00)")
                return true
            }
            if needStateReset {
                let wasInitialized = lzma.isInitialized
                lzma.reset()
                lzma.isInitialized = wasInitialized
            }
            lzma.rc.reset()
            lzma.rc.outPos = 0
            chunkStart = lzma.uncompressedSize
            inChunk = true
            tracer?.holdEvents()
            if let side {
                // Everything from the chunk's first byte to the end of the window.
                let start = mf.readPos - mf.readAhead
                sideCount = min(mf.writePos - start, LZMA2Encoder.sideCapacity)
                side.update(from: mf.buffer + start, count: sideCount)
            }
        }
        let before = lzma.uncompressedSize
        let outBefore = lzma.rc.outPos
        guard lzma.encodeChunkSymbols(uncompressedLimit: chunkStart + UInt64(LZMA2Encoder.maxUncompressed - LZMAConstants.matchLenMax),
                                      compressedLimit: LZMA2Encoder.maxCompressed - LZMA2Encoder.loopInputMax) else {
            return lzma.uncompressedSize != before || lzma.rc.outPos != outBefore
        }
        lzma.encodeEnd(endMarker: false)
        finishChunk()
        inChunk = false
        return true
    }

    /// Writes the finished chunk (LZMA or stored) to the output buffer.
    private func finishChunk() {
        let mf = lzma.mf
        let compressed = lzma.rc.outPos
        var uncompressed = Int(lzma.uncompressedSize - chunkStart)
        if compressed >= uncompressed {
            // Store instead; bytes the parser looked at but did not code yet
            // go with them (the match finder has already seen them).
            uncompressed += mf.readAhead
            lzma.uncompressedSize &+= UInt64(mf.readAhead)
            mf.readAhead = 0
            let src = side.map { UnsafePointer($0) } ?? UnsafePointer(mf.buffer + mf.readPos - uncompressed)
            if let tracer {
                var pieces: [(String, [UInt8])] = []
                var at = 0
                var reset = needDictionaryReset
                while at < uncompressed {
                    let n = min(uncompressed - at, 1 << 16)
                    pieces.append((LZMA2Decoder.describeChunk(control: reset ? 1 : 2, uncompressed: n),
                                   Array(UnsafeBufferPointer(start: src + at, count: n))))
                    at += n
                    reset = false
                }
                tracer.replaceHeld(with: pieces)
            }
            var done = 0
            while done < uncompressed {
                let n = min(uncompressed - done, 1 << 16)
                out[outCount] = needDictionaryReset ? 0x01 : 0x02
                out[outCount + 1] = UInt8((n - 1) >> 8)
                out[outCount + 2] = UInt8((n - 1) & 0xFF)
                (out + outCount + 3).update(from: src + done, count: n)
                outCount += 3 + n
                done += n
                needDictionaryReset = false
            }
            needStateReset = true
        } else {
            let u = uncompressed - 1, c = compressed - 1
            var control: UInt8
            if needProperties {
                control = needDictionaryReset ? 0xE0 : 0xC0
            } else {
                control = needStateReset ? 0xA0 : 0x80
            }
            control |= UInt8(u >> 16)
            tracer?.releaseHeld(after: [LZMA2Decoder.describeChunk(
                control: control, uncompressed: uncompressed, compressed: compressed,
                properties: needProperties ? (options.lc, options.lp, options.pb) : nil)])
            out[outCount] = control
            out[outCount + 1] = UInt8((u >> 8) & 0xFF)
            out[outCount + 2] = UInt8(u & 0xFF)
            out[outCount + 3] = UInt8(c >> 8)
            out[outCount + 4] = UInt8(c & 0xFF)
            outCount += 5
            if needProperties {
                out[outCount] = propertiesByte
                outCount += 1
            }
            bodyCount = compressed
            needProperties = false
            needStateReset = false
            needDictionaryReset = false
            return
        }
        lzma.rc.outPos = 0
    }
}

extension LZMAEncoder {
    /// Encodes symbols for the current LZMA2 chunk (xz's `lzma_lzma_encode`
    /// with a limit): stops before a symbol once `uncompressedSize` reaches
    /// `uncompressedLimit` or the chunk's output plus what the range coder
    /// still holds reaches `compressedLimit`.
    ///
    /// The chunk's size is measured as liblzma 5.4 measures it: output plus
    /// the bytes the range coder still holds (`RangeEncoder.pendingSize`).
    ///
    /// - Returns: true when the chunk is complete (a limit was reached, or the
    ///   input is finishing and everything has been coded); false when it
    ///   needs more input.
    func encodeChunkSymbols(uncompressedLimit: UInt64, compressedLimit: Int) -> Bool {
        // Chosen once per call: the untraced loop has no trace code.
        if let tracer {
            return encodeChunkSymbols(uncompressedLimit: uncompressedLimit, compressedLimit: compressedLimit, EncoderTrace(tracer: tracer))
        }
        return encodeChunkSymbols(uncompressedLimit: uncompressedLimit, compressedLimit: compressedLimit, NoEncoderTrace())
    }

    private func encodeChunkSymbols<T: EncoderTraceSink>(uncompressedLimit: UInt64, compressedLimit: Int, _ sink: T) -> Bool {
        guard startIfNeeded() else { return false }
        while true {
            if uncompressedSize >= uncompressedLimit || rc.pendingSize >= compressedLimit {
                return true
            }
            if mf.readPos >= mf.readLimit {
                if !mf.isFinishing { return false }
                if mf.readAhead == 0 { return true }
            }
            // A finder thread has not searched far enough yet: wait for it.
            if !mf.matchesReady { return false }
            let pos = position
            let (back, len) = fastMode ? optimumFast() : optimumNormal(position: pos)
            encodeSymbol(back: back, len: len, position: pos, sink)
        }
    }
}
