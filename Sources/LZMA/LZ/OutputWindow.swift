/// The decoder's dictionary: the most recent output, which matches copy from.
///
/// It is a circular buffer that starts at 64 KiB and grows sixteenfold as
/// output is produced, up to the declared dictionary size; only at that size
/// does it wrap. So memory follows the data actually decoded: a tiny file
/// whose header claims a 4 GiB dictionary costs 64 KiB, and a buffer is never
/// more than 128 times what has been decoded (its pages become resident only
/// as they are written). Each growth copies the history into a new buffer,
/// and the old buffer's pages were faulted in for nothing: doubling copied as
/// much as the whole output and made xml.xz (5 MiB) fault 13 MiB of pages;
/// sixteenfold copies a fifteenth. The step that reaches the dictionary size
/// may be up to 128-fold, so xz's default 8 MiB comes straight after the first
/// 64 KiB, with no 1 MiB buffer in between (xml.6 decodes 2.3% faster).
/// Decoded bytes stay in the window until handed out (`copyOut`), which is
/// how output per call is bounded.
///
/// Three things keep bounds and wrap checks out of the decoder's hot loop:
/// - `buf[-1]` always holds the byte before `buf[pos]` when `pos` is 0 (the
///   last byte of the buffer once it has wrapped, else 0), so the previous
///   byte that selects the literal coder is always `buf[pos - 1]`;
/// - `slack` bytes after `buf[capacity]` are allocated, so a match copy may
///   move whole 8-byte words past its end (see `copyMatch`);
/// - the full-size buffer is `overrun` bytes larger than the dictionary, and
///   a match reaches back at most `dictSize` bytes: the up to 15 bytes a word
///   copy writes past its end are never history a match may still read (see
///   `copyMatch`), so they need not be saved and put back.
struct OutputWindow {
    var buf: UnsafeMutablePointer<UInt8>
    /// Current allocated size: below dictSize while growing, dictSize +
    /// `overrun` at full size.
    var capacity: Int
    /// Next write position.
    var pos: Int = 0
    /// True once the buffer has wrapped: the `dictSize` bytes before `pos`
    /// are all history.
    var isFull = false
    /// Bytes in `[flushed, pos)` are decoded but not yet handed to the caller.
    var flushed: Int = 0
    /// The most history a match may reach (the dictionary size, rounded up
    /// to a multiple of 16).
    let dictSize: Int
    /// Where the buffers come from (`allocateUninitialized`).
    let allocator: LZMAAllocator

    static let initialCapacity = 1 << 16
    /// Bytes allocated before `buf` (`buf[-1]` is the previous-byte sentinel;
    /// 16 keeps `buf` aligned).
    static let prefix = 16
    /// Bytes allocated after `buf[capacity - 1]` for word-sized match copies.
    static let slack = 16
    /// Bytes of the full-size buffer beyond `dictSize`: more than a word copy
    /// writes past the end of a match (at most 15).
    static let overrun = 16

    init(dictSize: Int, allocator: LZMAAllocator = .standard) {
        // A multiple of 16, as every capacity then is (the others are 64 KiB
        // times powers of 16): a window position's low 4 bits then count the
        // bytes since the last reset, wraps included, which is what the LZMA
        // decoder's pb/lp position bits need. The up to 15 bytes of extra
        // history change nothing a valid stream decodes to.
        // (The top limit only keeps the sizes below from overflowing; no such
        // buffer can be allocated anyway.)
        let size = min(max(dictSize, 4096), Int.max / 2)
        self.dictSize = (size + 15) & ~15
        capacity = self.dictSize <= OutputWindow.initialCapacity
            ? self.dictSize + OutputWindow.overrun : OutputWindow.initialCapacity
        self.allocator = allocator
        buf = OutputWindow.allocate(capacity, allocator)
    }

    private static func allocate(_ capacity: Int, _ allocator: LZMAAllocator) -> UnsafeMutablePointer<UInt8> {
        let count = prefix + capacity + slack
        let base = allocator.allocateUninitialized(count).bindMemory(to: UInt8.self, capacity: count)
        base.initialize(repeating: 0, count: prefix)
        return base + prefix
    }

    func deallocate() { allocator.deallocate(UnsafeMutableRawPointer(buf - OutputWindow.prefix)) }

    /// How many bytes behind `pos` a match may reach.
    var history: Int { isFull ? dictSize : pos }

    /// Bytes decoded but not yet copied out.
    var pending: Int { pos - flushed }

    /// Forgets all history (LZMA2 dictionary reset).
    mutating func reset() {
        pos = 0
        flushed = 0
        isFull = false
        buf[-1] = 0
    }

    /// Makes room to write at `pos`: grows the buffer while it is below the
    /// dictionary size, otherwise wraps to the start. Call only when
    /// everything decoded has been copied out.
    mutating func makeRoom() {
        guard pos == capacity else { return }
        precondition(flushed == pos)
        if capacity < dictSize {
            let newCap = capacity >= dictSize / 128 ? dictSize + OutputWindow.overrun : capacity * 16
            let nb = OutputWindow.allocate(newCap, allocator)
            nb.update(from: buf, count: pos)
            deallocate()
            buf = nb
            capacity = newCap
        } else {
            pos = 0
            flushed = 0
            isFull = true
            buf[-1] = buf[capacity - 1]
        }
    }

    /// Copies `n` bytes from `s` to `d` (not overlapping), 16 at a time.
    @inline(__always)
    static func copyBytes(_ d: UnsafeMutablePointer<UInt8>, _ s: UnsafePointer<UInt8>, _ n: Int) {
        let dr = UnsafeMutableRawPointer(d), sr = UnsafeRawPointer(s)
        var i = 0
        while i &+ 64 <= n {
            dr.storeBytes(of: sr.loadUnaligned(fromByteOffset: i, as: SIMD16<UInt8>.self), toByteOffset: i, as: SIMD16<UInt8>.self)
            dr.storeBytes(of: sr.loadUnaligned(fromByteOffset: i &+ 16, as: SIMD16<UInt8>.self), toByteOffset: i &+ 16, as: SIMD16<UInt8>.self)
            dr.storeBytes(of: sr.loadUnaligned(fromByteOffset: i &+ 32, as: SIMD16<UInt8>.self), toByteOffset: i &+ 32, as: SIMD16<UInt8>.self)
            dr.storeBytes(of: sr.loadUnaligned(fromByteOffset: i &+ 48, as: SIMD16<UInt8>.self), toByteOffset: i &+ 48, as: SIMD16<UInt8>.self)
            i &+= 64
        }
        while i < n { d[i] = s[i]; i &+= 1 }
    }

    /// Copies up to `max` pending bytes to `dst`; returns how many.
    mutating func copyOut(to dst: UnsafeMutablePointer<UInt8>, max: Int) -> Int {
        let n = Swift.min(max, pos - flushed)
        if n > 0 {
            OutputWindow.copyBytes(dst, buf + flushed, n)
            flushed += n
        }
        return n
    }

    /// Appends literal bytes (LZMA2 uncompressed chunks); returns how many fit
    /// before the buffer must be flushed.
    mutating func append(_ src: UnsafePointer<UInt8>, count: Int) -> Int {
        let n = Swift.min(count, capacity - pos)
        OutputWindow.copyBytes(buf + pos, src, n)
        pos += n
        return n
    }

    /// `index` (at least `-capacity`) brought into the buffer: plus
    /// `capacity` when negative, without a branch.
    @inline(__always)
    static func wrapped(_ index: Int, capacity: Int) -> Int {
        index &+ ((index &>> (Int.bitWidth &- 1)) & capacity)
    }

    /// Copies `count` bytes from `dic[src...]`, `distance` bytes back
    /// (1...history), to `dic[pos..<pos + count]`, with `pos + count <=
    /// capacity`. The source may overlap the destination (a run repeats);
    /// with `mayWrap` it may also run across the end of the buffer (`src >
    /// pos`). Without it the caller knows that `src < pos`, and the copy has
    /// no test for a wrap (`mayWrap` is a constant at each call site).
    ///
    /// Up to 15 bytes after `pos + count` may be overwritten. They are never
    /// history a match can reach: before the buffer wraps they are not yet
    /// written (or are the slack); after it, they are the oldest bytes, more
    /// than `dictSize` back from any position before they are decoded again,
    /// since the full-size buffer is `overrun` bytes larger than that. (The
    /// bytes used to be saved and put back: 4 memory accesses and 2 tests of
    /// `isFull` a match.)
    @inline(__always)
    static func copyMatch(_ dic: UnsafeMutablePointer<UInt8>, pos: Int, src: Int, distance: Int, count: Int,
                          capacity: Int, mayWrap: Bool) {
        if distance >= 8 && (!mayWrap || src &+ count <= capacity) {
            // Whole 8-byte words: each reads bytes at least 8 before the ones
            // it writes, so overlap is fine. Saves a memcpy call per match
            // (most are a few bytes long). The first two words are copied
            // whatever the length, so a match of up to 16 bytes takes no
            // loop: its exit was a mispredict on one match in five
            // (callgrind --branch-sim, dickens).
            let d = UnsafeMutableRawPointer(dic + pos)
            let s = UnsafeRawPointer(dic + src)
            d.storeBytes(of: s.loadUnaligned(as: UInt64.self), as: UInt64.self)
            d.storeBytes(of: s.loadUnaligned(fromByteOffset: 8, as: UInt64.self), toByteOffset: 8, as: UInt64.self)
            if count > 16 {
                var i = 16
                if distance >= 16 {
                    // 16 bytes a step once the source is at least that far
                    // back (a long match at a long distance: xml's are 31
                    // bytes on average, its rep0 matches 64).
                    repeat {
                        d.storeBytes(of: s.loadUnaligned(fromByteOffset: i, as: SIMD16<UInt8>.self),
                                     toByteOffset: i, as: SIMD16<UInt8>.self)
                        i &+= 16
                    } while i < count
                } else {
                    repeat {
                        d.storeBytes(of: s.loadUnaligned(fromByteOffset: i, as: UInt64.self), toByteOffset: i, as: UInt64.self)
                        i &+= 8
                    } while i < count
                }
            }
        } else if (!mayWrap || src < pos) && count > 16 {
            // A long match at a short distance d (1-7): a repeating pattern.
            // Its first d * ceil(8 / d) bytes go byte by byte; after that the
            // bytes one whole number of periods (at least 8) back are the
            // same, so the rest takes 8-byte words from there. (kennedy.xls
            // is made of such runs.)
            let period = distance &* ((8 &+ distance &- 1) / distance)
            var n = 0
            repeat {
                dic[pos &+ n] = dic[src &+ n]
                n &+= 1
            } while n < period
            let d = UnsafeMutableRawPointer(dic + pos)
            repeat {
                d.storeBytes(of: d.loadUnaligned(fromByteOffset: n &- period, as: UInt64.self),
                             toByteOffset: n, as: UInt64.self)
                n &+= 8
            } while n < count
        } else {
            // Short distance (a run) or a source that wraps: byte by byte.
            var s = src
            var n = 0
            repeat {
                dic[pos &+ n] = dic[s]
                s &+= 1
                if s == capacity { s = 0 }
                n &+= 1
            } while n < count
        }
    }
}
