/// Runs one ``XZFilter`` over a stream, in place, chunk by chunk.
///
/// The output is the same however the stream is cut into chunks, and the same
/// bytes liblzma 5.4 produces. The class only converts: keeping the bytes that
/// are not final yet is the caller's job (``FilterChain`` does it).
final class FilterTransformer {
    private enum Kind { case delta, x86, powerPC, ia64, arm, armThumb, sparc, arm64, riscv }

    let filter: XZFilter
    let encoding: Bool
    private let kind: Kind
    /// Address of the next byte to convert: start offset + stream position, mod 2^32.
    private var position: UInt32
    private var x86 = BCJX86()
    private var delta: DeltaCoder?

    /// The most bytes `process` can leave unfinished: one instruction slot
    /// less one byte (IA-64 bundles are 16 bytes; RISC-V looks at 8 bytes
    /// from each 2-aligned slot), 0 for Delta.
    var maxTail: Int {
        switch kind {
        case .delta: return 0
        case .x86: return 4
        case .riscv: return 7
        case .ia64: return 15
        default: return 3
        }
    }

    /// - Throws: `LZMAError.invalidOptions` if the filter's values are out of
    ///   range (see ``XZFilter/validate()``).
    init(filter: XZFilter, encoding: Bool) throws(LZMAError) {
        try filter.validate()
        self.filter = filter
        self.encoding = encoding
        position = filter.startOffset ?? 0
        switch filter {
        case .delta(let distance):
            kind = .delta
            delta = DeltaCoder(distance: distance)
        case .x86: kind = .x86
        case .powerPC: kind = .powerPC
        case .ia64: kind = .ia64
        case .arm: kind = .arm
        case .armThumb: kind = .armThumb
        case .sparc: kind = .sparc
        case .arm64: kind = .arm64
        case .riscv: kind = .riscv
        }
    }

    deinit { delta?.deallocate() }

    /// Transforms `buf[0..<count]` in place and returns how many leading bytes
    /// are final. The caller must present the rest again, first, with the next
    /// data. With `isLast` (no data follows) everything is final: an
    /// incomplete instruction at the very end stays as it is.
    ///
    /// - Complexity: O(count).
    func process(_ buf: UnsafeMutablePointer<UInt8>, count: Int, isLast: Bool) -> Int {
        let done: Int
        switch kind {
        case .delta:
            if encoding { delta!.encode(buf, count: count) } else { delta!.decode(buf, count: count) }
            done = count
        case .x86: done = x86.convert(buf, count: count, position: position, encoding: encoding)
        case .powerPC: done = BCJPowerPC.convert(buf, count: count, position: position, encoding: encoding)
        case .ia64: done = BCJIA64.convert(buf, count: count, position: position, encoding: encoding)
        case .arm: done = BCJARM.convert(buf, count: count, position: position, encoding: encoding)
        case .armThumb: done = BCJARMThumb.convert(buf, count: count, position: position, encoding: encoding)
        case .sparc: done = BCJSPARC.convert(buf, count: count, position: position, encoding: encoding)
        case .arm64: done = BCJARM64.convert(buf, count: count, position: position, encoding: encoding)
        case .riscv: done = BCJRISCV.convert(buf, count: count, position: position, encoding: encoding)
        }
        position &+= UInt32(truncatingIfNeeded: done)
        return isLast ? count : done
    }
}

/// A chain of up to three non-LZMA filters run as one stream transform, with
/// the few bytes that are not final yet kept inside.
///
/// Filters are given in block-header order. Encoding applies them first to
/// last (then the data goes to LZMA2); decoding applies them last to first
/// (to what LZMA2 produced). Each stage converts what it can of the bytes the
/// previous stage finished; only bytes every stage has finished are output.
/// At most the sum of the stages' tails (under 48 bytes) waits inside, so the
/// output is identical for any chunking of the input, down to 1 byte.
final class FilterChain {
    private let stages: [FilterTransformer]
    /// carry[head..<ready] is final and waits for output space;
    /// carry[ready..<count] is not final: its first done[j] bytes have passed
    /// stages 0...j (done[] counts from `ready`, is non-increasing in j, and
    /// done[last] == 0 between calls because final bytes move to the left).
    private let carry: UnsafeMutablePointer<UInt8>
    private let carryCapacity: Int
    private var head = 0, ready = 0, count = 0
    private var done: UnsafeMutablePointer<Int>
    private var sourceEnded = false

    /// - Parameters:
    ///   - filters: the non-LZMA filters in block-header order (0 to 3 of them).
    ///   - encoding: `true` to encode (before LZMA2), `false` to decode.
    /// - Throws: `LZMAError.invalidOptions` for more than 3 filters or a filter
    ///   with out-of-range values.
    init(filters: [XZFilter], encoding: Bool) throws(LZMAError) {
        guard filters.count <= 3 else {
            throw LZMAError.invalidOptions("at most 3 filters may precede LZMA2, got \(filters.count)")
        }
        let ordered = encoding ? filters : filters.reversed()
        var made: [FilterTransformer] = []
        for f in ordered { made.append(try FilterTransformer(filter: f, encoding: encoding)) }
        stages = made
        // Room for every stage's tail plus a useful amount of new data when the
        // caller's output buffer is too small to work in.
        carryCapacity = 256
        carry = .allocate(capacity: carryCapacity)
        done = .allocate(capacity: max(stages.count, 1))
        done.initialize(repeating: 0, count: max(stages.count, 1))
    }

    deinit {
        carry.deallocate()
        done.deallocate()
    }

    /// True once the source has ended and every byte has been output.
    var isFinished: Bool { sourceEnded && head == count }

    /// Bytes that are final and wait for output space.
    var finalPending: Int { ready &- head }

    /// Hands out bytes that are already final, pulling nothing new (after
    /// the source failed: what it gave before its error still goes out).
    /// - Returns: bytes written to `output`.
    func drain(output: UnsafeMutableBufferPointer<UInt8>) -> Int {
        let n = min(ready &- head, output.count)
        guard n > 0, let out = output.baseAddress else { return 0 }
        out.update(from: carry + head, count: n)
        head &+= n
        return n
    }

    /// Runs the stages over the pending bytes `base[from..<end]` (`base[from]`
    /// is the first pending byte, so done[] counts from `from`); updates done[]
    /// and returns how many bytes from `from` are now final.
    private func runStages(_ base: UnsafeMutablePointer<UInt8>, from: Int, end: Int, isLast: Bool) -> Int {
        if stages.isEmpty { return end &- from }
        var upTo = end
        for j in 0..<stages.count {
            let start = from &+ done[j]
            let n = stages[j].process(base + start, count: upTo &- start, isLast: isLast)
            done[j] &+= n
            upTo = from &+ done[j]
        }
        return done[stages.count &- 1]
    }

    /// Produces transformed bytes into `output`, pulling new data from `source`.
    ///
    /// `source` is called with a buffer to fill (never empty) and returns how
    /// many bytes it wrote and whether its data has ended (nothing more will
    /// come). It is not called again after it reported the end. When the
    /// caller's output has room, `source` writes straight into it and the
    /// bytes are transformed there, so no copy is made.
    ///
    /// - Returns: bytes written to `output`, and whether everything has been
    ///   output (the source ended and nothing waits inside).
    /// - Complexity: O(bytes produced), plus the source's cost.
    func run<E: Error>(output: UnsafeMutableBufferPointer<UInt8>,
                       source: (UnsafeMutableBufferPointer<UInt8>) throws(E) -> (written: Int, ended: Bool)) throws(E)
        -> (produced: Int, finished: Bool) {
        // An empty output may have no address; then only the carry is used
        // (which still lets an empty stream reach its end).
        let outCount = output.count
        let out = output.baseAddress ?? carry
        var produced = 0
        while true {
            // 1. Hand out bytes that are already final.
            if head < ready {
                let n = min(ready &- head, outCount &- produced)
                (out + produced).update(from: carry + head, count: n)
                head &+= n
                produced &+= n
                if head < ready { break }
            }
            // With a full output, stop; an output that was empty to begin with
            // may still pull from the source to learn that it has ended.
            if sourceEnded || (produced == outCount && produced > 0) { break }

            // 2. Only pending bytes remain in the carry: move them to its front.
            let pending = count &- ready
            if ready > 0 {
                carry.update(from: carry + ready, count: pending)
                head = 0; ready = 0; count = pending
            }
            let room = outCount &- produced
            if room > pending {
                // 3a. Work in the caller's buffer: pending bytes, then new data.
                let region = out + produced
                region.update(from: carry, count: pending)
                let (written, ended) = try source(UnsafeMutableBufferPointer(start: region + pending, count: room &- pending))
                if ended { sourceEnded = true }
                let end = pending &+ written
                let final = runStages(region, from: 0, end: end, isLast: ended)
                // Keep the unfinished tail for next time.
                let rest = end &- final
                carry.update(from: region + final, count: rest)
                for j in 0..<stages.count { done[j] &-= final }
                head = 0; ready = 0; count = rest
                produced &+= final
                if written == 0 && !ended { break }
            } else {
                // 3b. The caller's room is smaller than the pending bytes: fill
                // the carry from the source and work there.
                let (written, ended) = try source(UnsafeMutableBufferPointer(start: carry + count, count: carryCapacity &- count))
                if ended { sourceEnded = true }
                count &+= written
                let final = runStages(carry, from: 0, end: count, isLast: ended)
                for j in 0..<stages.count { done[j] &-= final }
                ready = final
                if written == 0 && !ended && final == 0 { break }
            }
        }
        return (produced, isFinished)
    }

    /// Copies `input` through the chain into `output`.
    ///
    /// - Parameter isLast: `input` ends the stream; it takes effect once all of
    ///   it has been consumed.
    /// - Returns: bytes consumed from `input`, bytes written to `output`, and
    ///   whether the stream is completely output.
    /// - Complexity: O(input.count + output.count).
    func process(input: UnsafeBufferPointer<UInt8>, output: UnsafeMutableBufferPointer<UInt8>, isLast: Bool)
        -> (consumed: Int, produced: Int, finished: Bool) {
        var consumed = 0
        let r = run(output: output) { dest in
            let n = min(dest.count, input.count &- consumed)
            if n > 0 { dest.baseAddress!.update(from: input.baseAddress! + consumed, count: n) }
            consumed &+= n
            return (n, isLast && consumed == input.count)
        }
        return (consumed, r.produced, r.finished)
    }
}
