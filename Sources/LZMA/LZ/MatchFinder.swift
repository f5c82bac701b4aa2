/// One match found at the current position: `len` bytes equal to those
/// `dist + 1` bytes back.
struct LZMatch {
    var len: UInt32
    var dist: UInt32
}

/// Length of the common prefix of `a` and `b`, knowing the first `start` bytes
/// match, never more than `limit`. Compares 8 bytes at a time; it may read up to
/// 7 bytes past `limit`, which the window's padding allows.
@inline(__always)
func commonLength(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ start: Int, _ limit: Int) -> Int {
    var len = start
    while len < limit {
        let x = UInt64(littleEndian: UnsafeRawPointer(a + len).loadUnaligned(as: UInt64.self))
            ^ UInt64(littleEndian: UnsafeRawPointer(b + len).loadUnaligned(as: UInt64.self))
        if x != 0 {
            len &+= x.trailingZeroBitCount >> 3
            return len < limit ? len : limit
        }
        len &+= 8
    }
    return limit
}

/// The encoder's input window and match finder.
///
/// The window holds the last `dictionarySize` bytes of history (plus what the
/// optimal parser may still look back over) and the look-ahead. When the read
/// position nears the end of the buffer, the tail is moved to the front.
///
/// Positions stored in the hash and son tables are "window position + offset",
/// 32-bit. `offset` starts at `cyclicSize`, so a zero entry (empty) always looks
/// farther away than the dictionary. When a position would overflow, every
/// stored position is lowered (normalized).
///
/// Hash chains (hc3, hc4) keep, per position of a cyclic buffer of
/// `dictionarySize + 1` entries, the previous position with the same hash.
/// Binary trees (bt2, bt3, bt4) keep two children per position, a tree sorted
/// by the bytes that follow, which finds the longest matches much faster.
/// Memory: the window (about 1.5 x dictionary), the hash table (up to
/// dictionary/2 entries, at most 16 Mi) and 1 (hc) or 2 (bt) son entries per
/// dictionary byte, 4 bytes each: bounded by the settings, not the input.
final class MatchFinder {
    /// Bytes the hash needs (2, 3 or 4), and whether this is a binary tree.
    let hashBytes: Int
    let isBinaryTree: Bool
    let kind: LZMASettings.MatchFinder

    let buffer: UnsafeMutablePointer<UInt8>
    /// Usable size of `buffer` (it has 16 more bytes of zero padding).
    let size: Int
    /// History the window keeps behind the read position.
    let keepSizeBefore: Int
    /// Look-ahead required before a position is encoded (unless finishing).
    let keepSizeAfter: Int

    /// Next byte to run the match finder on.
    var readPos = 0
    /// End of the data in the window.
    var writePos = 0
    /// Positions the parser has searched but not yet encoded.
    var readAhead = 0
    /// No more input will come: encode up to `writePos`.
    var isFinishing = false {
        didSet {
            #if !hasFeature(Embedded)
            if isFinishing, let feed { feed.endInput() }
            #endif
        }
    }

    /// Set when the search runs on a thread of its own (`MatchFeed`): this
    /// object is then only the encoder's window, `fill` also hands the bytes
    /// to the finder thread, and `find`/`skip` take its match lists in order.
    let feed: MatchFeed?
    /// With a feed that takes hash results: the window position of the next
    /// position to hash, and its position value.
    var hashNext = 0
    var hashPos: UInt32 = 0

    var offset: UInt32
    var cyclicPos: UInt32 = 0
    let cyclicSize: UInt32

    let hash: UnsafeMutablePointer<UInt32>
    let hashCount: Int
    let hashMask: UInt32
    let son: UnsafeMutablePointer<UInt32>
    let sonCount: Int
    /// CRC-32's byte table (shared), used as a cheap byte scrambler for the hashes.
    let crcTable: UnsafePointer<UInt32>

    let depth: UInt32
    let niceLength: Int

    /// Sizes of the small exact hashes of the first 2 and 3 bytes.
    static let hash2Size = 1 << 10
    static let hash3Size = 1 << 16
    static let fix3 = hash2Size
    static let fix4 = hash2Size + hash3Size
    /// Positions the optimal parser may look ahead / back (its opts array).
    static let optsSize = 1 << 12
    /// Look-ahead the encoder's window keeps beyond `keepSizeAfter` when a
    /// finder thread searches: that thread searches a position once 274
    /// bytes follow it, and a parse needs `optsSize + 1` positions searched,
    /// so a full window always lets the finder get far enough ahead.
    static let feedExtraLookahead = 2048

    /// Sizes of the allocations for these settings (shared with memoryUsage).
    struct Layout {
        var bufferSize: Int
        var keepBefore: Int
        var keepAfter: Int
        var hashCount: Int
        var hashMask: UInt32
        var sonCount: Int
        var cyclicSize: UInt32

        init(dictionarySize dict: UInt32, matchFinder: LZMASettings.MatchFinder, extraLookahead: Int = 0) {
            // Sizes are worked out in UInt64: at 1.5 GiB they exceed a 32-bit
            // Int. There the Int fields saturate, `bytes` stays exact, and
            // `LZMASettings.validate` refuses settings whose tables do
            // not fit the address space (`fitsAddressSpace`).
            let d = UInt64(dict)
            let optsSize = UInt64(MatchFinder.optsSize), matchLenMax = UInt64(LZMAConstants.matchLenMax)
            let before = optsSize + d
            let after = (optsSize + 1) + matchLenMax + UInt64(extraLookahead)
            // Extra room so the window is moved only every dict/2 bytes or so.
            var reserve = d / 2
            if reserve > (1 << 30) { reserve /= 2 }
            reserve += (optsSize + matchLenMax + optsSize + 1) / 2 + (1 << 19)
            let buffer = before + reserve + after
            keepBefore = Int(clamping: before)
            keepAfter = Int(clamping: after)
            bufferSize = Int(clamping: buffer)
            cyclicSize = dict + 1
            let hb = matchFinder.hashBytes
            var hs: UInt32
            if hb == 2 {
                hs = 0xFFFF
            } else {
                hs = dict - 1
                hs |= hs >> 1; hs |= hs >> 2; hs |= hs >> 4; hs |= hs >> 8
                hs >>= 1
                hs |= 0xFFFF
                if hs > (1 << 24) { hs = hb == 3 ? (1 << 24) - 1 : hs >> 1 }
            }
            hashMask = hs
            var count = Int(hs) + 1
            if hb > 2 { count += MatchFinder.hash2Size }
            if hb > 3 { count += MatchFinder.hash3Size }
            hashCount = count
            let son = UInt64(cyclicSize) * (matchFinder.isBinaryTree ? 2 : 1)
            sonCount = Int(clamping: son)
            bytes = (buffer + 16) + UInt64(count) * 4 + son * 4
        }

        /// The window (with its 16 bytes of padding), hash and son tables.
        let bytes: UInt64

        /// True when every table can be allocated in this address space
        /// (always on 64-bit; on 32-bit targets not for the largest dictionaries).
        var fitsAddressSpace: Bool { bytes <= UInt64(Int.max) }
    }

    /// Where `buffer`, `hash` and `son` come from (and go back to).
    let allocator: LZMAAllocator

    /// Creates the window and match finder; with a `feed`, the window (a
    /// little more look-ahead) without a son table, and for bt4 the hash
    /// tables (`hashForFinder`), none otherwise: the search runs on the
    /// feed's thread. With `treeOnly` (that thread's bt4), no hash table:
    /// `findBT4` gets the hash results.
    init(options: LZMASettings, allocator: LZMAAllocator = .standard, feed: MatchFeed? = nil, treeOnly: Bool = false) {
        self.allocator = allocator
        kind = options.matchFinder
        hashBytes = kind.hashBytes
        isBinaryTree = kind.isBinaryTree
        self.feed = feed
        let windowOnly = feed != nil
        var layout = Layout(dictionarySize: options.dictionarySize, matchFinder: kind,
                            extraLookahead: windowOnly ? MatchFinder.feedExtraLookahead : 0)
        var hashesHere = true
        #if !hasFeature(Embedded)
        hashesHere = feed?.encoderHashes ?? true
        #endif
        if windowOnly { layout.sonCount = 1 }
        if (windowOnly && !hashesHere) || treeOnly { layout.hashCount = 1 }
        size = layout.bufferSize
        keepSizeBefore = layout.keepBefore
        keepSizeAfter = layout.keepAfter
        buffer = allocator.allocateScratch(UInt8.self, count: size + 16)
        // 16 bytes of zero padding: commonLength reads up to 7 bytes past its limit.
        (buffer + size).initialize(repeating: 0, count: 16)
        cyclicSize = layout.cyclicSize
        offset = cyclicSize
        hashPos = cyclicSize
        hashCount = layout.hashCount
        hashMask = layout.hashMask
        // Zero = empty (farther back than any dictionary reaches).
        hash = allocator.allocate(UInt32.self, count: hashCount)
        sonCount = layout.sonCount
        // Son entries are always written before they are read, front to
        // back (the allocator's `allocateUninitialized`).
        son = allocator.allocateScratch(UInt32.self, count: sonCount)
        crcTable = CRC32.tables.base
        niceLength = options.niceLength
        if options.depth != 0 {
            depth = UInt32(clamping: options.depth)
        } else {
            depth = isBinaryTree ? UInt32(16 + options.niceLength / 2) : UInt32(4 + options.niceLength / 4)
        }
    }

    deinit {
        allocator.free(buffer)
        allocator.free(hash)
        allocator.free(son)
    }

    /// Bytes of look-ahead after the read position.
    @inline(__always) var available: Int { writePos &- readPos }

    /// Positions before this one may be searched now.
    @inline(__always) var readLimit: Int {
        if isFinishing { return writePos }
        return writePos > keepSizeAfter ? writePos - keepSizeAfter : 0
    }

    /// Copies input into the window, moving the window first if needed.
    /// Returns how many bytes were taken (0 when the window is full, or with
    /// a feed when the finder thread's input queue is).
    func fill(_ src: UnsafePointer<UInt8>, count: Int) -> Int {
        if readPos >= size - keepSizeAfter { moveWindow() }
        var n = min(count, size - writePos)
        #if !hasFeature(Embedded)
        if let feed, n > 0 { n = min(n, feed.inputRoom) }
        #endif
        if n > 0 {
            (buffer + writePos).update(from: src, count: n)
            writePos += n
            #if !hasFeature(Embedded)
            if let feed {
                if feed.encoderHashes { hashForFinder(feed) }
                feed.push(src, count: n)
            }
            #endif
        }
        return n
    }

    /// Drops history older than `keepSizeBefore`. The amount moved is a
    /// multiple of 16 so that position-dependent bits (pb, lp <= 4) are kept.
    func moveWindow() {
        let moveOffset = (readPos - keepSizeBefore) & ~15
        guard moveOffset > 0 else { return }
        let moveSize = writePos - moveOffset
        buffer.update(from: buffer + moveOffset, count: moveSize)
        offset &+= UInt32(moveOffset)
        readPos -= moveOffset
        writePos -= moveOffset
        hashNext -= moveOffset
    }

    /// Lowers every stored position when the 32-bit position would overflow.
    @inline(never)
    func normalize() {
        let sub = UInt32.max - cyclicSize
        MatchFinder.lower(hash, count: hashCount, by: sub)
        MatchFinder.lower(son, count: sonCount, by: sub)
        offset &-= sub
    }

    /// Lowers `count` stored positions by `sub` (those at or below it become empty).
    static func lower(_ table: UnsafeMutablePointer<UInt32>, count: Int, by sub: UInt32) {
        for i in 0..<count { table[i] = table[i] <= sub ? 0 : table[i] &- sub }
    }

    @inline(__always) func movePos() {
        cyclicPos &+= 1
        if cyclicPos == cyclicSize { cyclicPos = 0 }
        readPos &+= 1
        if UInt32(truncatingIfNeeded: readPos) &+ offset == UInt32.max { normalize() }
    }

    /// Finds the matches at the read position and advances it by one.
    /// Returns the number of matches (stored in `matches`, increasing lengths)
    /// and the longest length; a match that reaches `niceLength` is extended
    /// up to 273 bytes.
    @inline(__always)
    func find(_ matches: UnsafeMutablePointer<LZMatch>) -> (count: Int, longest: Int) {
        #if !hasFeature(Embedded)
        if let feed {
            // The finder thread searched this position already (and extended
            // a match of nice length): its list, in the same order.
            readPos &+= 1
            readAhead &+= 1
            return feed.next(matches)
        }
        #endif
        let count: Int
        switch kind {
        case .hc3: count = hc3Find(matches)
        case .hc4: count = hc4Find(matches)
        case .bt2: count = bt2Find(matches)
        case .bt3: count = bt3Find(matches)
        case .bt4: count = bt4Find(matches)
        }
        readAhead &+= 1
        return extendLongest(matches, count: count)
    }

    /// `find` for bt4 on the finder thread, with the hash results the
    /// encoder computed for this position (`MatchFeed`).
    @inline(__always)
    func findBT4(_ matches: UnsafeMutablePointer<LZMatch>, hashed: () -> (UInt32, UInt32, UInt32)) -> (count: Int, longest: Int) {
        let count = bt4Find(matches) { _, _ in hashed() }
        readAhead &+= 1
        return extendLongest(matches, count: count)
    }

    /// The count and the longest length of `count` matches just found, the
    /// longest extended up to 273 bytes when it reached `niceLength`.
    @inline(__always)
    func extendLongest(_ matches: UnsafeMutablePointer<LZMatch>, count: Int) -> (count: Int, longest: Int) {
        guard count > 0 else { return (0, 0) }
        var longest = Int(matches[count - 1].len)
        if longest == niceLength {
            let limit = min(available + 1, LZMAConstants.matchLenMax)
            let p1 = UnsafePointer(buffer + readPos - 1)
            let p2 = p1 - Int(matches[count - 1].dist) - 1
            longest = commonLength(p1, p2, longest, limit)
        }
        return (count, longest)
    }

    /// Advances `amount` positions, entering them into the match finder.
    @inline(__always)
    func skip(_ amount: Int) {
        guard amount > 0 else { return }
        readAhead &+= amount
        #if !hasFeature(Embedded)
        if let feed {
            // Entering a position changes the tables as searching it does, so
            // the finder thread searched it and its list is dropped here.
            readPos &+= amount
            feed.discard(amount)
            return
        }
        #endif
        switch kind {
        case .hc3: hcSkip(amount, hashBytes: 3)
        case .hc4: hcSkip(amount, hashBytes: 4)
        case .bt2, .bt3, .bt4: btSkip(amount)
        }
    }

    #if !hasFeature(Embedded)
    /// With a finder thread for bt4: enters the positions whose 4 bytes the
    /// window now holds (those the bytes just filled complete)
    /// under the hashes, in order, and writes each position's results for
    /// the finder (`MatchFeed.hashed`). `hashPos` is the position value of
    /// the next one, normalized as `movePos` normalizes the finder's.
    /// Hashing here takes the cache misses of the hash tables off the finder
    /// thread, the one that limits the speed.
    func hashForFinder(_ feed: MatchFeed) {
        let end = writePos - 3           // positions with 4 bytes in the window
        var p = hashNext
        let hashes = self.hashes
        let mask = feed.ringMaskHashed
        let out = feed.hashed
        var at = feed.hashedCount
        while p < end {
            let r = hashes.insert4(UnsafePointer(buffer + p), hashPos, mask: hashMask)
            let slot = (at & mask) &* 3
            out[slot] = r.0
            out[slot &+ 1] = r.1
            out[slot &+ 2] = r.2
            at &+= 1
            p &+= 1
            hashPos &+= 1
            if hashPos == UInt32.max { normalizeHashes() }
        }
        hashNext = p
        feed.hashedCount = at
    }
    #endif

    /// `normalize` for the encoder's side when it holds the hash tables.
    @inline(never)
    func normalizeHashes() {
        let sub = UInt32.max - cyclicSize
        MatchFinder.lower(hash, count: hashCount, by: sub)
        hashPos &-= sub
    }

    /// True when a parse may start at the read position: always, unless a
    /// finder thread has not yet searched the positions one parse can reach.
    @inline(__always) var matchesReady: Bool {
        #if !hasFeature(Embedded)
        if let feed { return feed.isReady }
        #endif
        return true
    }

    /// When too little look-ahead is left to hash (only at the end of the
    /// input), a position is passed without being entered.
    @inline(__always) func movePending() { readPos &+= 1 }

    /// The hash tables, to enter positions with (see `LZHashes`). Taken once
    /// per search or skip loop, so the table pointers stay in registers.
    @inline(__always) var hashes: LZHashes { LZHashes(table: hash, crc: crcTable) }

    /// The search of hc3, hc4, bt3 and bt4: enters the read position under
    /// its hashes, takes the matches the exact 2- (and 3-) byte tables give,
    /// and then walks the chain or tree from the main hash's head:
    /// `walk(pos, cur, head, lenLimit, count, lenBest)` returns the new count.
    /// When a short match already reaches the length limit, only
    /// `link(pos, cur, head, lenLimit)` enters the position. Advances the
    /// read position; returns the number of matches.
    /// `insert4(cur, pos)` enters the position under its 2-, 3- and 4-byte
    /// hashes (normally `hashes.insert4`; with a finder thread, the results
    /// the encoder computed).
    @inline(__always)
    func findHashed(_ matches: UnsafeMutablePointer<LZMatch>, hashBytes: Int,
                    insert4: (UnsafePointer<UInt8>, UInt32) -> (UInt32, UInt32, UInt32),
                    link: (UInt32, UnsafePointer<UInt8>, UInt32, Int) -> Void,
                    walk: (UInt32, UnsafePointer<UInt8>, UInt32, Int, Int, Int) -> Int) -> Int {
        guard let lenLimit = lengthLimit(minimum: hashBytes) else { movePending(); return 0 }
        let cur = UnsafePointer(buffer + readPos)
        let pos = UInt32(truncatingIfNeeded: readPos) &+ offset
        if hashBytes == 4 {
            let (delta2, delta3, head) = insert4(cur, pos)
            var (count, lenBest) = shortMatches4(cur, delta2: delta2, delta3: delta3, lenLimit: lenLimit, matches)
            if lenBest == lenLimit {
                link(pos, cur, head, lenLimit)
                movePos()
                return count
            }
            count = walk(pos, cur, head, lenLimit, count, max(lenBest, 3))
            movePos()
            return count
        }
        let (delta2, head) = hashes.insert3(cur, pos, mask: hashMask)
        var (count, lenBest) = shortMatch3(cur, delta2: delta2, lenLimit: lenLimit, matches)
        if lenBest == lenLimit {
            link(pos, cur, head, lenLimit)
            movePos()
            return count
        }
        count = walk(pos, cur, head, lenLimit, count, lenBest)
        movePos()
        return count
    }

    /// hc3/bt3: the match found through the 2-byte hash, extended.
    /// - Returns: the matches recorded (0 or 1) and the best length (2 if none).
    @inline(__always)
    func shortMatch3(_ cur: UnsafePointer<UInt8>, delta2: UInt32, lenLimit: Int,
                     _ matches: UnsafeMutablePointer<LZMatch>) -> (count: Int, lenBest: Int) {
        guard delta2 < cyclicSize && (cur - Int(delta2)).pointee == cur.pointee else { return (0, 2) }
        let lenBest = commonLength(cur - Int(delta2), cur, 2, lenLimit)
        matches[0] = LZMatch(len: UInt32(lenBest), dist: delta2 &- 1)
        return (1, lenBest)
    }

    /// hc4/bt4: the matches found through the 2- and 3-byte hashes, the
    /// longer one extended.
    /// - Returns: the matches recorded (0...2) and the best length (1 if none).
    @inline(__always)
    func shortMatches4(_ cur: UnsafePointer<UInt8>, delta2 d2: UInt32, delta3: UInt32, lenLimit: Int,
                       _ matches: UnsafeMutablePointer<LZMatch>) -> (count: Int, lenBest: Int) {
        var delta2 = d2
        var lenBest = 1
        var count = 0
        if delta2 < cyclicSize && (cur - Int(delta2)).pointee == cur.pointee {
            lenBest = 2
            matches[0] = LZMatch(len: 2, dist: delta2 &- 1)
            count = 1
        }
        if delta2 != delta3 && delta3 < cyclicSize && (cur - Int(delta3)).pointee == cur.pointee {
            lenBest = 3
            matches[count] = LZMatch(len: 3, dist: delta3 &- 1)
            count += 1
            delta2 = delta3
        }
        if count != 0 {
            lenBest = commonLength(cur - Int(delta2), cur, lenBest, lenLimit)
            matches[count - 1].len = UInt32(lenBest)
        }
        return (count, lenBest)
    }

    /// Search limit at the read position, or nil if too few bytes remain.
    @inline(__always) func lengthLimit(minimum: Int) -> Int? {
        let avail = available
        if niceLength <= avail { return niceLength }
        if avail < minimum { return nil }
        return avail
    }
}

extension LZMASettings.MatchFinder {
    var hashBytes: Int {
        switch self {
        case .bt2: return 2
        case .hc3, .bt3: return 3
        case .hc4, .bt4: return 4
        }
    }
    var isBinaryTree: Bool {
        switch self {
        case .hc3, .hc4: return false
        case .bt2, .bt3, .bt4: return true
        }
    }
}

/// `MatchFinder.Layout` under a name that `LZMASettings` (whose nested
/// `MatchFinder` enum hides the class) can use.
typealias MatchFinderLayout = MatchFinder.Layout

/// The one home of the match finders' 2-, 3- and 4-byte hashes (liblzma's).
///
/// bt2 indexes its table by the two bytes themselves; the others scramble
/// the first byte through the CRC-32 table and keep exact tables of the most
/// recent position per 2-byte hash (`MatchFinder.hash2Size` entries) and, for
/// the 4-byte finders, per 3-byte hash (`hash3Size`), then a main table of
/// `mask + 1` entries for the 3- or 4-byte hash (`MatchFinder.hashMask`,
/// passed in at each call rather than kept here: in the skip loops that
/// leaves a register free, one instruction less per position). Each function
/// enters `pos` under every hash of the bytes at `cur` and returns what was
/// there before.
struct LZHashes {
    let table: UnsafeMutablePointer<UInt32>
    let crc: UnsafePointer<UInt32>

    /// bt2: the previous position with the same first 2 bytes.
    @inline(__always)
    func insert2(_ cur: UnsafePointer<UInt8>, _ pos: UInt32) -> UInt32 {
        let h = Int(UInt32(cur[0]) | (UInt32(cur[1]) << 8))
        let curMatch = table[h]
        table[h] = pos
        return curMatch
    }

    /// hc3/bt3: the distance to the last position with the same 2-byte hash,
    /// and the chain/tree head of the 3-byte hash.
    @inline(__always)
    func insert3(_ cur: UnsafePointer<UInt8>, _ pos: UInt32, mask: UInt32) -> (delta2: UInt32, curMatch: UInt32) {
        let t = crc[Int(cur[0])] ^ UInt32(cur[1])
        let h2 = Int(t & UInt32(MatchFinder.hash2Size - 1))
        let h3 = MatchFinder.fix3 + Int((t ^ (UInt32(cur[2]) << 8)) & mask)
        let delta2 = pos &- table[h2]
        let curMatch = table[h3]
        table[h2] = pos
        table[h3] = pos
        return (delta2, curMatch)
    }

    /// hc4/bt4: the distances to the last positions with the same 2- and
    /// 3-byte hashes, and the chain/tree head of the 4-byte hash.
    @inline(__always)
    func insert4(_ cur: UnsafePointer<UInt8>, _ pos: UInt32, mask: UInt32) -> (delta2: UInt32, delta3: UInt32, curMatch: UInt32) {
        let t = crc[Int(cur[0])] ^ UInt32(cur[1])
        let h2 = Int(t & UInt32(MatchFinder.hash2Size - 1))
        let t3 = t ^ (UInt32(cur[2]) << 8)
        let h3 = Int(t3 & UInt32(MatchFinder.hash3Size - 1))
        let h4 = Int((t3 ^ (crc[Int(cur[3])] << 5)) & mask)
        let delta2 = pos &- table[h2]
        let delta3 = pos &- table[MatchFinder.fix3 + h3]
        let curMatch = table[MatchFinder.fix4 + h4]
        table[h2] = pos
        table[MatchFinder.fix3 + h3] = pos
        table[MatchFinder.fix4 + h4] = pos
        return (delta2, delta3, curMatch)
    }
}
