/// The symbol trace: what the coder decided, symbol by symbol.
///
/// An LZMA stream is a sequence of symbols (a literal byte, or a copy of
/// earlier output given by a length and a distance), each coded with
/// adaptive probabilities. An `LZMATracer` attached to a decompressor
/// (``LZMADecompressor/tracer``) or a compressor (``LZMACompressor/tracer``)
/// receives every symbol as it is decoded or encoded, with what it cost in
/// bits, and the container structure around them (streams, blocks, LZMA2
/// chunks), in order. The output can be rebuilt from the trace alone: a
/// literal is its byte, a match copies `length` bytes from `distance` bytes
/// back, a stored chunk is its bytes.
///
/// Cost: nothing when no tracer is attached. The symbol decoder is generic
/// over its bit source and the compiler specialises it twice; the untraced
/// one has no trace code in it, and the choice is made once per run of
/// symbols, not per symbol. With a tracer, every bit's cost is looked up and
/// every symbol calls the handler: expect several times slower decoding.

/// One decoded (or encoded) LZMA symbol.
public struct LZMATraceSymbol: Sendable, Hashable {
    /// What the symbol is.
    public enum Kind: Sendable, Hashable, CaseIterable {
        /// One byte coded on its own (`byte`).
        case literal
        /// A copy with a new distance.
        case match
        /// A copy with the last distance used.
        case rep0
        /// A copy with the second-last distance (which moves to the front).
        case rep1
        /// A copy with the third-last distance.
        case rep2
        /// A copy with the fourth-last distance.
        case rep3
        /// One byte copied from the last distance.
        case shortRep
        /// The end-of-payload marker.
        case endMarker

        /// The name used in the text trace: `LIT MATCH REP0 REP1 REP2 REP3 SHORTREP EOPM`.
        public var name: String {
            switch self {
            case .literal: return "LIT"
            case .match: return "MATCH"
            case .rep0: return "REP0"
            case .rep1: return "REP1"
            case .rep2: return "REP2"
            case .rep3: return "REP3"
            case .shortRep: return "SHORTREP"
            case .endMarker: return "EOPM"
            }
        }
    }

    /// What the symbol is.
    public var kind: Kind
    /// The uncompressed offset where the symbol's output starts (counted
    /// over everything the tracer has seen: all blocks and streams).
    public var position: UInt64
    /// The bytes it produces: 1 for a literal or short rep, 2...273 for a
    /// match, 0 for the end marker.
    public var length: Int
    /// How far back the copy reads (1 = the previous byte); 0 for a literal
    /// and the end marker.
    public var distance: UInt64
    /// Its cost: the sum of -log2 of the probability of every bit coded for it.
    public var bits: Double
    /// The literal's value (0 for other kinds).
    public var byte: UInt8

    /// Makes a symbol record (the tracer makes them; tests and tools may too).
    public init(kind: Kind, position: UInt64, length: Int, distance: UInt64, bits: Double, byte: UInt8 = 0) {
        self.kind = kind
        self.position = position
        self.length = length
        self.distance = distance
        self.bits = bits
        self.byte = byte
    }
}

/// One thing a tracer reports.
public enum LZMATraceEvent: Sendable, Hashable {
    /// A piece of container structure (a stream or block header, an LZMA2
    /// chunk, an index…) that begins before the output at `position`;
    /// `inputOffset` is where it starts in the compressed input when known.
    /// `text` is one line for people, without a leading `#`.
    case structure(position: UInt64, inputOffset: UInt64?, text: String)
    /// A symbol.
    case symbol(LZMATraceSymbol)
    /// An uncompressed LZMA2 chunk: its bytes, stored as they are.
    case stored(position: UInt64, bytes: [UInt8])
}

/// Receives the trace of a compressor or decompressor.
///
/// Attach one to ``LZMADecompressor/tracer`` (or ``LZMACompressor/tracer``)
/// before the first call; its handler is called synchronously, in order, from
/// inside `decode`/`encode`. Not `Sendable`: a tracer belongs to one coder on
/// one thread at a time.
public final class LZMATracer {
    /// Where the next symbol's output starts.
    public private(set) var position: UInt64 = 0
    private let handler: (LZMATraceEvent) -> Void
    /// cost[p] = -log2(p / 2048): the bits a bit of probability p/2048 costs.
    let cost: UnsafeMutablePointer<Double>
    /// The bytes of the uncompressed LZMA2 chunk being read, and where it started.
    private var storedBytes: [UInt8] = []
    private var storedPosition: UInt64 = 0
    private var storedLeft = 0
    /// Symbols held back until a chunk's fate is known (the LZMA2 encoder may
    /// store a chunk it has already coded); nil when they go out at once.
    private var held: [LZMATraceEvent]? = nil
    private var heldStart: UInt64 = 0

    /// Creates a tracer that passes every event to `handler`.
    /// - Cost: a 16 KiB table of bit costs.
    public init(_ handler: @escaping (LZMATraceEvent) -> Void) {
        self.handler = handler
        cost = .allocate(capacity: Int(BitModelConstants.bitModelTotal) + 1)
        cost[0] = 32  // never used: a probability is never 0
        for p in 1...Int(BitModelConstants.bitModelTotal) {
            cost[p] = 11 - TraceMath.log2(Double(p))
        }
    }

    deinit { cost.deallocate() }

    func emit(_ e: LZMATraceEvent) {
        if held != nil { held!.append(e) } else { handler(e) }
    }

    /// Reports a structure line at the current position.
    func structure(_ text: String, inputOffset: UInt64? = nil) {
        emit(.structure(position: position, inputOffset: inputOffset, text: text))
    }

    /// Reports a symbol that starts at the current position, and moves past it.
    func symbol(_ kind: LZMATraceSymbol.Kind, length: Int, distance: UInt64, bits: Double, byte: UInt8 = 0) {
        emit(.symbol(LZMATraceSymbol(kind: kind, position: position, length: length,
                                     distance: distance, bits: bits, byte: byte)))
        position &+= UInt64(length)
    }

    /// An uncompressed chunk of `count` bytes begins; its bytes follow
    /// through `storedData`.
    func beginStored(count: Int) {
        storedPosition = position
        storedLeft = count
        storedBytes.removeAll(keepingCapacity: true)
        storedBytes.reserveCapacity(count)
        if count == 0 { endStored() }
    }

    /// Bytes of the current uncompressed chunk.
    func storedData(_ p: UnsafePointer<UInt8>, count: Int) {
        guard storedLeft > 0 else { return }
        let n = min(count, storedLeft)
        storedBytes.append(contentsOf: UnsafeBufferPointer(start: p, count: n))
        storedLeft -= n
        position &+= UInt64(n)
        if storedLeft == 0 { endStored() }
    }

    private func endStored() {
        emit(.stored(position: storedPosition, bytes: storedBytes))
        storedBytes.removeAll(keepingCapacity: true)
    }

    /// From now on, hold events back until `releaseHeld` or `replaceHeld`.
    func holdEvents() {
        if held == nil { held = []; heldStart = position }
    }

    /// Drops the held events and reports the bytes they produced as stored
    /// chunks instead (the chunk was written uncompressed): each piece is a
    /// structure line and its bytes.
    func replaceHeld(with pieces: [(String, [UInt8])]) {
        held = nil
        position = heldStart
        for (line, bytes) in pieces {
            structure(line)
            emit(.stored(position: position, bytes: bytes))
            position &+= UInt64(bytes.count)
        }
    }

    /// Sends the held events on, with `lines` first (the chunk header, known
    /// only once the chunk is done).
    func releaseHeld(after lines: [String]) {
        guard let h = held else { return }
        held = nil
        let p = heldStart
        for l in lines { handler(.structure(position: p, inputOffset: nil, text: l)) }
        for e in h { handler(e) }
    }
}

/// A natural logarithm for the trace's costs (the library has no libm).
enum TraceMath {
    /// log2(x) for x > 0, to about 1e-12.
    static func log2(_ x: Double) -> Double {
        // x = m * 2^e with m in [1, 2); ln m = 2 atanh((m - 1) / (m + 1)).
        let e = Double(x.exponent)
        let m = x.significand
        let z = (m - 1) / (m + 1)
        let z2 = z * z
        var term = z
        var sum = 0.0
        var k = 1.0
        while k < 60 {
            sum += term / k
            term *= z2
            k += 2
            if term < 1e-17 { break }
        }
        return e + 2 * sum / 0.693_147_180_559_945_309_4
    }
}

// MARK: - The encoder's side

/// Where the encoder's symbol loop reports symbols: specialised twice, so
/// the untraced loop (`NoEncoderTrace`) has no trace code at all.
protocol EncoderTraceSink {
    static var active: Bool { get }
    func encoded(_ kind: LZMATraceSymbol.Kind, length: Int, distance: UInt64, bits: Double, byte: UInt8)
}

struct NoEncoderTrace: EncoderTraceSink {
    static var active: Bool { false }
    @inline(__always)
    func encoded(_ kind: LZMATraceSymbol.Kind, length: Int, distance: UInt64, bits: Double, byte: UInt8) {}
}

struct EncoderTrace: EncoderTraceSink {
    let tracer: LZMATracer
    static var active: Bool { true }
    func encoded(_ kind: LZMATraceSymbol.Kind, length: Int, distance: UInt64, bits: Double, byte: UInt8) {
        tracer.symbol(kind, length: length, distance: distance, bits: bits, byte: byte)
    }
}

extension RangeEncoder {
    /// The bits coded so far, up to a constant: every byte shifted out (or
    /// waiting in the cache) is 8, and the interval's width takes
    /// 32 - log2(range) more. The difference across a symbol is what it cost
    /// under the probabilities it was coded with (to within the rounding of
    /// each split), the encoder's view of the decoder's -log2 sum.
    var bitsSoFar: Double {
        8 * Double(outPos &+ cacheSize) - TraceMath.log2(Double(range))
    }
}
