/// Delta filter state (xz file format section 5.3.3).
///
/// Encoding stores `byte[i] - byte[i - distance]`, decoding adds it back; the
/// bytes before the stream start count as zero. Nothing is ever held back, so
/// every byte is final as soon as it is transformed.
///
/// The last `distance` original bytes are kept in `history` (oldest first) so
/// that a chunk can be transformed in place with plain loops instead of a
/// per-byte ring buffer.
struct DeltaCoder {
    let distance: Int
    /// history[0..<distance]: the original bytes at offsets -distance..<0 from
    /// the next chunk; `spare` is scratch of the same size.
    private var history: UnsafeMutablePointer<UInt8>
    private var spare: UnsafeMutablePointer<UInt8>

    /// Allocates the 2 x 256-byte history; the owner must call `deallocate()`.
    init(distance: Int) {
        precondition((1...256).contains(distance))
        self.distance = distance
        history = .allocate(capacity: 256)
        history.initialize(repeating: 0, count: 256)
        spare = .allocate(capacity: 256)
        spare.initialize(repeating: 0, count: 256)
    }

    func deallocate() {
        history.deallocate()
        spare.deallocate()
    }

    mutating func encode(_ buf: UnsafeMutablePointer<UInt8>, count n: Int) {
        let d = distance
        // Save the originals that the next chunk will need before overwriting.
        if n >= d {
            spare.update(from: buf + (n &- d), count: d)
        } else {
            spare.update(from: history + n, count: d &- n)
            (spare + (d &- n)).update(from: buf, count: n)
        }
        // Back to front, so buf[i - d] is still the original byte.
        var i = n &- 1
        while i >= d {
            buf[i] &-= buf[i &- d]
            i &-= 1
        }
        let head = min(d, n)
        for j in 0..<head { buf[j] &-= history[j] }
        swap(&history, &spare)
    }

    mutating func decode(_ buf: UnsafeMutablePointer<UInt8>, count n: Int) {
        let d = distance
        let head = min(d, n)
        for j in 0..<head { buf[j] &+= history[j] }
        if d == 1 && n > 1 {
            // Distance 1 (xz's default) is a running sum, carried in a
            // register: each byte then waits for one add, not for the byte
            // stored just before it to be forwarded to its load (a few
            // cycles a byte, as the loop below has for small distances).
            var sum = buf[0]
            var i = 1
            repeat {
                sum &+= buf[i]
                buf[i] = sum
                i &+= 1
            } while i < n
        } else {
            // Front to back: buf[i - d] has already been restored.
            var i = d
            while i < n {
                buf[i] &+= buf[i &- d]
                i &+= 1
            }
        }
        if n >= d {
            history.update(from: buf + (n &- d), count: d)
        } else {
            history.update(from: history + n, count: d &- n)
            (history + (d &- n)).update(from: buf, count: n)
        }
    }
}
