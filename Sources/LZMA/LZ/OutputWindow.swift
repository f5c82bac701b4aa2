/// The decoder's dictionary: the most recent output, which matches copy from.
///
/// It is a circular buffer that starts small and doubles as output is
/// produced, up to the declared dictionary size; only at that size does it
/// wrap. So memory follows the data actually decoded: a tiny file whose header
/// claims a 4 GiB dictionary costs a few kilobytes. Decoded bytes stay in the
/// window until handed out (`copyOut`), which is how output per call is bounded.
@usableFromInline struct OutputWindow {
    @usableFromInline var buf: UnsafeMutablePointer<UInt8>
    /// Current allocated size (<= dictSize once grown).
    @usableFromInline var capacity: Int
    /// Next write position.
    @usableFromInline var pos: Int = 0
    /// True once the buffer has wrapped: all `capacity` bytes are history.
    @usableFromInline var isFull = false
    /// Bytes in `[flushed, pos)` are decoded but not yet handed to the caller.
    @usableFromInline var flushed: Int = 0
    /// The largest the buffer may become.
    @usableFromInline let dictSize: Int

    static let initialCapacity = 1 << 16

    init(dictSize: Int) {
        self.dictSize = max(dictSize, 4096)
        capacity = min(self.dictSize, OutputWindow.initialCapacity)
        buf = .allocate(capacity: capacity)
    }

    func deallocate() { buf.deallocate() }

    /// How many bytes behind `pos` a match may reach.
    @inlinable var history: Int { isFull ? capacity : pos }

    /// Bytes decoded but not yet copied out.
    @inlinable var pending: Int { pos - flushed }

    /// Forgets all history (LZMA2 dictionary reset).
    mutating func reset() {
        pos = 0
        flushed = 0
        isFull = false
    }

    /// Makes room to write at `pos`: grows the buffer while it is below the
    /// dictionary size, otherwise wraps to the start. Call only when
    /// everything decoded has been copied out.
    mutating func makeRoom() {
        guard pos == capacity else { return }
        precondition(flushed == pos)
        if capacity < dictSize {
            let newCap = capacity > dictSize / 2 ? dictSize : capacity * 2
            let nb = UnsafeMutablePointer<UInt8>.allocate(capacity: newCap)
            nb.update(from: buf, count: pos)
            buf.deallocate()
            buf = nb
            capacity = newCap
        } else {
            pos = 0
            flushed = 0
            isFull = true
        }
    }

    /// Copies up to `max` pending bytes to `dst`; returns how many.
    mutating func copyOut(to dst: UnsafeMutablePointer<UInt8>, max: Int) -> Int {
        let n = Swift.min(max, pos - flushed)
        if n > 0 {
            dst.update(from: buf + flushed, count: n)
            flushed += n
        }
        return n
    }

    /// Appends literal bytes (LZMA2 uncompressed chunks); returns how many fit
    /// before the buffer must be flushed.
    mutating func append(_ src: UnsafePointer<UInt8>, count: Int) -> Int {
        let n = Swift.min(count, capacity - pos)
        (buf + pos).update(from: src, count: n)
        pos += n
        return n
    }
}
