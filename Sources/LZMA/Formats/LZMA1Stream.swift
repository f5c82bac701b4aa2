/// One LZMA1 stream (the payload of a `.lzma` file, or raw LZMA1 data):
/// drives `LZMADecoder`, hands decoded bytes to the caller's buffer, and
/// decides where the stream ends.
///
/// The end is either the end-of-payload marker or, when the size is known,
/// the moment that many bytes have been produced (then a marker may still
/// follow, which xz-utils 5.4 and the spec accept).
final class LZMA1StreamDecoder: GoodBytesFirstDecoder {
    let decoder: LZMADecoder
    /// Uncompressed bytes still expected, when the size is known.
    private var remaining: UInt64?
    private let declaredSize: UInt64?
    private let allowEndMarker: Bool
    private(set) var finished = false
    private(set) var totalOut: UInt64 = 0

    init(properties: LZMAProperties, uncompressedSize: UInt64?, allowEndMarker: Bool = true,
         allocator: LZMAAllocator = .standard) {
        // Clamped: 4 GiB - 1 does not fit a 32-bit Int (the window grows with the output).
        var windowSize = Int(clamping: properties.effectiveDictionarySize)
        if let size = uncompressedSize, size < UInt64(windowSize) {
            // Matches can never reach further back than the whole output.
            windowSize = max(Int(size), 4096)
        }
        decoder = LZMADecoder(properties: properties, windowSize: windowSize, allocator: allocator)
        remaining = uncompressedSize
        declaredSize = uncompressedSize
        self.allowEndMarker = allowEndMarker
    }

    /// The error kept for the next call (see `GoodBytesFirstDecoder`).
    var deferredError: LZMAError?
    var pendingOutput: Int { decoder.window.pending }

    func flushPending(_ output: UnsafeMutablePointer<UInt8>?, _ room: Int) -> Int {
        guard let output, room > 0, decoder.window.pending > 0 else { return 0 }
        let n = decoder.window.copyOut(to: output, max: room)
        totalOut &+= UInt64(n)
        return n
    }

    func codeBody(_ input: UnsafePointer<UInt8>?, inCount: Int,
                  _ output: UnsafeMutablePointer<UInt8>?, outCount: Int,
                  consumed: inout Int, produced: inout Int) throws(LZMAError) -> (consumed: Int, produced: Int, status: CodingStatus) {
        while true {
            // Hand out what is already decoded.
            if decoder.window.pending > 0 {
                if produced == outCount { return (consumed, produced, .outputFull) }
                let n = decoder.window.copyOut(to: output! + produced, max: outCount - produced)
                produced += n
                totalOut &+= UInt64(n)
                if decoder.window.pending > 0 { return (consumed, produced, .outputFull) }
            }
            if finished { return (consumed, produced, .streamEnd) }
            // Decode no further than the caller's buffer takes, as liblzma
            // does: an error then comes out only after every byte before it,
            // and a small buffer does not make the decoder run a window ahead.
            let outRoom = outCount - produced
            if outRoom == 0 { return (consumed, produced, .outputFull) }
            decoder.window.makeRoom()

            var limit = min(decoder.window.capacity, decoder.window.pos + outRoom)
            var sizeReached = false
            if let rem = remaining {
                let room = UInt64(limit - decoder.window.pos)
                if rem < room { limit = decoder.window.pos + Int(rem) }
                sizeReached = rem == 0
            }
            let startPos = decoder.window.pos
            let inPtr = input.map { $0 + consumed } ?? UnsafePointer(bitPattern: 1)!
            let r = try decoder.decode(inPtr, count: inCount - consumed, limit: limit,
                                       sizeReached: sizeReached, allowEndMarker: allowEndMarker)
            consumed += r.consumed
            let made = decoder.window.pos - startPos
            if let rem = remaining { remaining = rem - UInt64(made) }
            switch r.stop {
            case .needsInput:
                if made == 0 && decoder.window.pending == 0 { return (consumed, produced, .needsInput) }
            case .limitReached:
                break
            case .endMarker:
                if let rem = remaining, rem != 0 {
                    throw LZMAError.sizeMismatch("end marker before the declared uncompressed size",
                                                 expected: declaredSize!, actual: declaredSize! - rem, offset: decoder.totalIn)
                }
                finished = true
            case .finishedWithoutMarker:
                finished = true
            }
        }
    }
}
