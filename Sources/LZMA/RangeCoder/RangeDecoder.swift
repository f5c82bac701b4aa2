/// The arithmetic ("range") decoder at the bottom of LZMA.
///
/// The encoder narrows an interval `[low, low + range)` for every bit it codes,
/// and the decoder tracks where the encoded number (`code`, relative to `low`)
/// falls inside it. Each adaptive bit splits the range at
/// `bound = (range >> 11) * probability`: below it is a 0, above a 1. Whenever
/// the range drops under 2^24 one more input byte is shifted in, so a bit costs
/// at most one byte of input and a whole LZMA symbol at most 20.
///
/// The symbol decoder (`LZMADecoder.decodeSymbols`, with the literal, length
/// and distance coders it calls) is written once, generic over `LZMABitSource`,
/// and the compiler specialises it for the two sources below:
/// - `RangeDecoder`, the real thing: reads input without bounds checks (the
///   caller guarantees `LZMADecoder.maxSymbolBytes` bytes per symbol) and
///   updates every probability it uses;
/// - `RangeLookAhead`, a dry run over the last few bytes of a chunk: it reads
///   with a bound, changes nothing, and only tells whether the whole symbol is
///   there, so the real decoder never has to stop in the middle of one.
///
/// Why this shape rather than liblzma's (a resumable decoder that can stop
/// after any bit, beside a fast loop without input checks): resuming mid-symbol
/// needs a saved position for every bit of every coder, i.e. either a second
/// copy of the symbol logic or a state switch in front of every bit. Here the
/// careful path is the same code over another bit source; its price is that the
/// one symbol at the end of each input chunk is decoded twice.
protocol LZMABitSource {
    /// True for the real decoder: symbols go to the window and the model. A dry
    /// run (false) keeps everything as it was. Static, so each specialisation
    /// drops the other's code.
    static var commits: Bool { get }

    /// The next input byte to read.
    var inp: UnsafePointer<UInt8> { get }

    /// A bit that decides what comes next (is-match, is-rep, the length
    /// choices...): true for 1. Callers branch on it anyway, so it may branch.
    mutating func decision(_ p: UnsafeMutablePointer<UInt16>) -> Bool

    /// A bit inside a bit tree, 0 or 1, with the probability at `p` whose
    /// value the caller has already loaded (`prob`): the trees load the next
    /// probability before the bit is known (see `BitTree`). The real decoder
    /// computes it without a branch.
    mutating func treeBit(_ p: UnsafeMutablePointer<UInt16>, _ prob: UInt32) -> UInt32

    /// `count` (>= 1) bits of probability one half, most significant first.
    mutating func directBits(_ count: Int) -> UInt32

    /// Shifts in one byte when the range has become too small to split.
    mutating func normalize()

    /// True for the tracing decoder: the symbol decoder reports each symbol
    /// through `traced`. Static, so the other specialisations have no trace
    /// code at all.
    static var traces: Bool { get }

    /// A symbol is complete (called only when `traces`).
    mutating func traced(_ kind: LZMATraceSymbol.Kind, length: Int, distance: UInt32, byte: UInt32)
}

extension LZMABitSource {
    static var traces: Bool { false }
    @inline(__always)
    mutating func traced(_ kind: LZMATraceSymbol.Kind, length: Int, distance: UInt32, byte: UInt32) {}
}

/// The real range decoder: a small value type on purpose, so the hot decode
/// loop keeps `range`, `code` and `inp` in registers and stores them back once
/// per call. `inp` is not bounds-checked (see `LZMABitSource`).
struct RangeDecoder: LZMABitSource {
    var range: UInt32
    var code: UInt32
    var inp: UnsafePointer<UInt8>

    static var commits: Bool { true }

    @inline(__always)
    init(range: UInt32, code: UInt32, inp: UnsafePointer<UInt8>) {
        self.range = range
        self.code = code
        self.inp = inp
    }

    @inline(__always)
    mutating func normalize() {
        if range < BitModelConstants.topValue { shiftInByte() }
    }

    /// Renormalises unconditionally: one more input byte into `code`.
    @inline(__always)
    mutating func shiftInByte() {
        range &<<= 8
        code = (code &<< 8) | UInt32(inp.pointee)
        inp += 1
    }

    @inline(__always)
    mutating func decision(_ p: UnsafeMutablePointer<UInt16>) -> Bool {
        normalize()
        let prob = UInt32(p.pointee)
        let bound = (range &>> BitModelConstants.numBitModelTotalBits) &* prob
        if code < bound {
            range = bound
            p.pointee = UInt16(truncatingIfNeeded: prob &+ ((BitModelConstants.bitModelTotal &- prob) &>> BitModelConstants.numMoveBits))
            return false
        } else {
            range &-= bound
            code &-= bound
            p.pointee = UInt16(truncatingIfNeeded: prob &- (prob &>> BitModelConstants.numMoveBits))
            return true
        }
    }

    @inline(__always)
    mutating func treeBit(_ p: UnsafeMutablePointer<UInt16>, _ prob: UInt32) -> UInt32 {
        normalize()
        let bound = (range &>> BitModelConstants.numBitModelTotalBits) &* prob
        // No branch: a tree bit is a coin flip to the branch predictor, and
        // the next probability depends on it. Both outcomes are computed
        // first and the `?:`s only pick between ready values, so each is one
        // conditional move on the flags of a single subtraction. (With work
        // in their arms they stayed a branch; the mask arithmetic that
        // replaced them took 4 more instructions a plain literal bit.) The
        // bit is the borrow of code - bound, not a compare beside it: the
        // subtraction sets the flags the selects use, one instruction less
        // a bit (dickens Ir -3.8%, literal-heavy data -4.0%).
        let (codeOne, isZero) = code.subtractingReportingOverflow(bound)
        let rangeOne = range &- bound
        range = isZero ? bound : rangeOne
        code = isZero ? code : codeOne
        // Both probability updates as prob - (adjusted >> 5): for a 1,
        // adjusted = prob; for a 0, prob - (2048 - 31), whose shift (of a
        // wrapped negative number) leaves 2^27 - ceil((2017 - prob) / 32),
        // and the 2^27 falls out of the 16-bit store: the result is
        // prob + ((2048 - prob) >> 5). (Probabilities stay within 31...2017.)
        let adjusted = isZero ? prob &- (BitModelConstants.bitModelTotal &- 31) : prob
        p.pointee = UInt16(truncatingIfNeeded: prob &- (adjusted &>> BitModelConstants.numMoveBits))
        // 1 for a 1 bit (a Bool's byte is 0 or 1): no select of constants,
        // which LLVM kept as a branch on the first step of every tree.
        return UInt32(unsafeBitCast(!isZero, to: UInt8.self))
    }

    /// Direct bits halve the range, so once it is normalised (>= 2^24) the
    /// next renormalisation is due after exactly 8 - (its leading zero bits)
    /// bits, and after that every 8 bits (it restarts in [2^31, 2^32)). The
    /// bits run in those groups with no normalisation test each: that test
    /// and its branch were 2 of 11 instructions per bit, 10M bits on dickens.
    @inline(__always)
    mutating func directBits(_ count: Int) -> UInt32 {
        normalize()
        var result: UInt32 = 0
        var n = UInt32(truncatingIfNeeded: count)
        // Only the first group needs the leading-zero count (no LZCNT on
        // baseline x86-64: bsr and three more instructions); the later ones
        // start in [2^31, 2^32), 8 bits each.
        var head = 8 &- UInt32(truncatingIfNeeded: range.leadingZeroBitCount)
        while true {
            let run = n < head ? n : head
            n &-= run
            // The group ends when the range has been halved `run` times. As
            // a test on the range, not a count, the compiler cannot compute
            // the trip count and does not unroll the loop by 2, whose odd-
            // count entry test was a coin flip per group (dickens: ~0.6M
            // mispredicts).
            let stop = range &>> run
            repeat {
                range &>>= 1
                // code < range (a 0 bit) makes t negative as an Int32, since
                // range < 2^31 and code < 2 * range: a sign test, no borrow.
                let t = code &- range
                let zero = Int32(bitPattern: t) < 0
                code = zero ? code : t
                result = (result &<< 1) | (zero ? 0 : 1)
            } while range != stop
            // `range` is `stop` now; said so, the next normalisation tests
            // `stop`, which is in a register anyway. (Otherwise LLVM tests
            // the range before the last halving against 2^25 and keeps that
            // value too: one more move per bit, dickens Ir -1.4%.)
            range = stop
            if n == 0 { return result }
            shiftInByte()  // the range is below 2^24 now
            head = 8
        }
    }
}

/// The dry-run bit source: decodes from `inp..<end` without changing any
/// probability, and notes (`starved`) when it needed a byte beyond `end`. It
/// then goes on with a full range, so the symbol still ends in a bounded
/// number of bits.
struct RangeLookAhead: LZMABitSource {
    var range: UInt32
    var code: UInt32
    var inp: UnsafePointer<UInt8>
    let end: UnsafePointer<UInt8>
    /// Set when a byte beyond `end` was needed.
    var starved = false

    static var commits: Bool { false }

    init(range: UInt32, code: UInt32, inp: UnsafePointer<UInt8>, count: Int) {
        self.range = range
        self.code = code
        self.inp = inp
        self.end = inp + count
    }

    mutating func normalize() {
        if range < BitModelConstants.topValue {
            if inp >= end { starved = true; range = UInt32.max; return }
            range &<<= 8
            code = (code &<< 8) | UInt32(inp.pointee)
            inp += 1
        }
    }

    mutating func decision(_ p: UnsafeMutablePointer<UInt16>) -> Bool { treeBit(p, UInt32(p.pointee)) != 0 }

    mutating func treeBit(_ p: UnsafeMutablePointer<UInt16>, _ prob: UInt32) -> UInt32 {
        normalize()
        let bound = (range &>> BitModelConstants.numBitModelTotalBits) &* prob
        if code < bound { range = bound; return 0 }
        range &-= bound
        code &-= bound
        return 1
    }

    mutating func directBits(_ count: Int) -> UInt32 {
        var result: UInt32 = 0
        for _ in 0..<count {
            normalize()
            range &>>= 1
            var bit: UInt32 = 0
            if code >= range { code &-= range; bit = 1 }
            result = (result &<< 1) | bit
        }
        return result
    }
}

/// The real range decoder with a meter on it, for the symbol trace
/// (`LZMATracer`): every bit's cost, -log2 of its probability, is summed, and
/// each complete symbol goes to the tracer with that sum. Only used while a
/// tracer is attached.
struct TracingRangeDecoder: LZMABitSource {
    var base: RangeDecoder
    let tracer: LZMATracer
    let cost: UnsafeMutablePointer<Double>
    var bits = 0.0

    static var commits: Bool { true }
    static var traces: Bool { true }

    init(_ base: RangeDecoder, tracer: LZMATracer) {
        self.base = base
        self.tracer = tracer
        cost = tracer.cost
    }

    var inp: UnsafePointer<UInt8> { base.inp }

    mutating func normalize() { base.normalize() }

    mutating func decision(_ p: UnsafeMutablePointer<UInt16>) -> Bool {
        let prob = Int(p.pointee)
        let bit = base.decision(p)
        bits += cost[bit ? Int(BitModelConstants.bitModelTotal) - prob : prob]
        return bit
    }

    mutating func treeBit(_ p: UnsafeMutablePointer<UInt16>, _ prob: UInt32) -> UInt32 {
        let bit = base.treeBit(p, prob)
        bits += cost[bit != 0 ? Int(BitModelConstants.bitModelTotal &- prob) : Int(prob)]
        return bit
    }

    mutating func directBits(_ count: Int) -> UInt32 {
        bits += Double(count)  // probability one half: one bit each
        return base.directBits(count)
    }

    mutating func traced(_ kind: LZMATraceSymbol.Kind, length: Int, distance: UInt32, byte: UInt32) {
        tracer.symbol(kind, length: length, distance: kind == .literal || kind == .endMarker ? 0 : UInt64(distance) + 1,
                      bits: bits, byte: UInt8(truncatingIfNeeded: byte))
        bits = 0
    }
}
