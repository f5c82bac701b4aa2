#if hasFeature(Embedded)
/// Embedded Swift builds have no finder thread: no value of this type exists.
enum MatchFeed {}
#else
import Synchronization

/// Wakes one waiting task. A post while nobody waits is kept, so the next
/// wait returns at once (the waiter then checks again what it waits for).
@available(macOS 15.0, iOS 18.0, tvOS 18.0, watchOS 11.0, visionOS 2.0, *)
actor FeedBaton {
    private var waiter: CheckedContinuation<Void, Never>?
    private var posted = false

    func wait() async {
        if posted {
            posted = false
            return
        }
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in waiter = c }
    }

    func post() {
        if let w = waiter {
            waiter = nil
            w.resume()
        } else {
            posted = true
        }
    }
}

/// One stream's match finder on a thread of its own, ahead of the parser
/// (what the LZMA SDK does for a single stream).
///
/// Searching a position and entering it without a search ("skip") change
/// the hash and son tables alike, so the finder thread can search every
/// position, in order, with its own window and tables, and the encoder takes
/// the lists of the positions it parses and drops the others: the matches,
/// and so the output, are exactly the one-thread encoder's.
///
/// Two single-producer, single-consumer queues connect the two sides:
/// - input: the bytes the encoder puts in its window are copied here for the
///   finder's window (`inputCapacity` bytes);
/// - matches: per position, one word `count | longest << 16` and `count`
///   pairs (length, distance − 1); `positionsFound` says how many positions
///   are complete.
/// Every counter is a running total; indices wrap by masking.
///
/// A position is searched once 274 bytes follow it (all a match can use,
/// so the result does not depend on how much more input there is), or at
/// the end of the input. The encoder starts a parse only when the
/// `MatchFinder.optsSize + 1` positions a parse can reach are searched
/// (`isReady`), so it never waits inside a parse: an encoding call just
/// stops, and the caller awaits the finder (`waitForFinder`). The match
/// queue holds at least that many positions of the longest kind, so the two
/// sides can never both wait.
///
/// Memory: the finder's window, hash and son tables (a whole match finder,
/// `MatchFinder.Layout.bytes`), 256 KiB of input queue (and for bt4 3 MiB of hash results) and the match queue
/// (`ringBytes`), besides the encoder's own window.
///
/// `@unchecked Sendable`: the shared state is the atomics and the queue
/// memory they guard; the encoder-side counters are touched by the encoder
/// only, one call at a time.
@available(macOS 15.0, iOS 18.0, tvOS 18.0, watchOS 11.0, visionOS 2.0, *)
final class MatchFeed: @unchecked Sendable {
    static let inputCapacity = 1 << 18
    /// Positions the finder publishes at a time.
    static let batch = 256

    let input: UnsafeMutablePointer<UInt8>
    /// bt4: the encoder enters each position under the hashes as it fills
    /// its window, and hands the results (delta2, delta3, tree root; three
    /// words per position, `inputCapacity` positions) to the finder, whose
    /// match finder then has no hash table (`MatchFinder.hashForFinder`).
    let encoderHashes: Bool
    let hashed: UnsafeMutablePointer<UInt32>
    var ringMaskHashed: Int { MatchFeed.inputCapacity - 1 }
    /// Positions hashed so far (encoder side).
    var hashedCount = 0
    let ring: UnsafeMutablePointer<UInt32>
    let ringCapacity: Int
    /// Words of the longest possible list: a count word and a pair per match
    /// (at most `niceLength` matches: their lengths increase).
    let maxEntryWords: Int

    let bytesPushed = Atomic<Int>(0)
    let bytesTaken = Atomic<Int>(0)
    let inputEnded = Atomic<Bool>(false)
    let wordsRead = Atomic<Int>(0)
    let positionsFound = Atomic<Int>(0)
    let finderDone = Atomic<Bool>(false)
    let cancelled = Atomic<Bool>(false)
    let finderWaiting = Atomic<Bool>(false)
    let encoderWaiting = Atomic<Bool>(false)
    /// While the encoder waits: the positions found that wake it (a few
    /// thousand more than a parse needs, so it is not woken for every batch),
    /// and whether room in the input queue wakes it too.
    let encoderNeeds = Atomic<Int>(0)
    let encoderWantsInput = Atomic<Bool>(false)
    /// Positions beyond a parse's reach the encoder waits for.
    static let wakeSlack = 4096
    let finderBaton = FeedBaton()
    let encoderBaton = FeedBaton()

    // The encoder's side.
    private var pushed = 0
    private var readWord = 0
    private var consumed = 0
    private var foundSeen = 0

    /// The match queue's size in words for these settings.
    static func ringWords(niceLength: Int) -> Int {
        let entry = 1 + 2 * max(niceLength, 2)
        let needed = (MatchFinder.optsSize + 2 + 1024) * entry
        var words = 1 << 16
        while words < needed { words <<= 1 }
        return words
    }

    /// Bytes of the queues (not counting the finder's window and tables).
    static func queueBytes(_ settings: LZMASettings) -> UInt64 {
        UInt64(inputCapacity) * (settings.matchFinder == .bt4 ? 13 : 1) + UInt64(ringWords(niceLength: settings.niceLength)) * 4
    }

    /// Whether a finder thread can make exactly the one-thread encoder's
    /// matches for these settings: the search needs `niceLength` at least
    /// the hash's length (settings that pass validation have it).
    static func canReproduce(_ settings: LZMASettings) -> Bool {
        settings.niceLength >= settings.matchFinder.hashBytes
    }

    /// Whether a finder thread saves time: it searches every position, and
    /// entering a position into a binary tree costs what searching it does,
    /// but a hash chain only searches where the parser asks; the fast parser
    /// with hash chains (presets 0-3) skips most positions, so searching them
    /// all costs two to three times the one-thread encoder's work.
    static func gains(_ settings: LZMASettings) -> Bool {
        settings.matchFinder.isBinaryTree || settings.mode == .normal
    }

    /// Both of the above: the finder thread is used.
    static func supports(_ settings: LZMASettings) -> Bool {
        canReproduce(settings) && gains(settings)
    }

    init(settings: LZMASettings) {
        maxEntryWords = 1 + 2 * max(settings.niceLength, 2)
        ringCapacity = MatchFeed.ringWords(niceLength: settings.niceLength)
        input = .allocate(capacity: MatchFeed.inputCapacity)
        ring = .allocate(capacity: ringCapacity)
        encoderHashes = settings.matchFinder == .bt4
        hashed = .allocate(capacity: encoderHashes ? 3 * MatchFeed.inputCapacity : 1)
    }

    deinit {
        input.deallocate()
        ring.deallocate()
        hashed.deallocate()
    }

    // MARK: - The encoder's side (synchronous, inside its calls)

    /// Bytes the encoder may hand over now (both queues have room).
    var inputRoom: Int {
        let cap = MatchFeed.inputCapacity
        let bytes = cap - (pushed - bytesTaken.load(ordering: .acquiring))
        guard encoderHashes else { return bytes }
        return min(bytes, cap - (hashedCount - positionsFound.load(ordering: .acquiring)))
    }

    /// Copies `count` bytes (at most `inputRoom`) for the finder, and
    /// publishes them with the hash results written before.
    func push(_ src: UnsafePointer<UInt8>, count n: Int) {
        let cap = MatchFeed.inputCapacity
        var done = 0
        while done < n {
            let at = (pushed + done) & (cap - 1)
            let k = min(n - done, cap - at)
            (input + at).update(from: src + done, count: k)
            done += k
        }
        pushed += n
        bytesPushed.store(pushed, ordering: .sequentiallyConsistent)
    }

    /// No more input will come.
    func endInput() {
        inputEnded.store(true, ordering: .sequentiallyConsistent)
    }

    /// True when the positions a parse from the encoder's read position can
    /// reach are searched (or every position is).
    @inline(__always) var isReady: Bool {
        if foundSeen &- consumed > MatchFinder.optsSize { return true }
        if finderDone.load(ordering: .acquiring) { return true }
        foundSeen = positionsFound.load(ordering: .acquiring)
        return foundSeen &- consumed > MatchFinder.optsSize
    }

    /// The next position's matches (as `MatchFinder.find` returns them).
    @inline(__always)
    func next(_ matches: UnsafeMutablePointer<LZMatch>) -> (count: Int, longest: Int) {
        let mask = ringCapacity &- 1
        let r = readWord
        let head = ring[r & mask]
        let count = Int(head & 0xFFFF)
        var i = 0
        while i < count {
            matches[i] = LZMatch(len: ring[(r &+ 1 &+ 2 &* i) & mask], dist: ring[(r &+ 2 &+ 2 &* i) & mask])
            i &+= 1
        }
        readWord = r &+ 1 &+ 2 &* count
        consumed &+= 1
        if consumed & 1023 == 0 { wordsRead.store(readWord, ordering: .releasing) }
        return (count, Int(head >> 16))
    }

    /// Drops the lists of the next `n` positions.
    func discard(_ n: Int) {
        let mask = ringCapacity &- 1
        var r = readWord
        for _ in 0..<n { r &+= 1 &+ 2 &* Int(ring[r & mask] & 0xFFFF) }
        readWord = r
        consumed &+= n
        if n >= 64 { wordsRead.store(readWord, ordering: .releasing) }
    }

    // MARK: - The encoder's side, between its calls

    /// Publishes the room the encoder has made and wakes the finder if it
    /// waits. Call after every encoding call.
    func encoderStepped() async {
        wordsRead.store(readWord, ordering: .sequentiallyConsistent)
        if finderWaiting.load(ordering: .sequentiallyConsistent) { await finderBaton.post() }
    }

    /// Waits until the finder has searched enough for a parse to start (or
    /// everything), or, with `forInput`, has made room in the input queue.
    func waitForFinder(forInput: Bool) async {
        func canGo() -> Bool {
            if finderDone.load(ordering: .sequentiallyConsistent) { return true }
            if positionsFound.load(ordering: .sequentiallyConsistent) &- consumed > MatchFinder.optsSize { return true }
            guard forInput else { return false }
            let cap = MatchFeed.inputCapacity
            if pushed - bytesTaken.load(ordering: .sequentiallyConsistent) >= cap { return false }
            return !encoderHashes || hashedCount - positionsFound.load(ordering: .sequentiallyConsistent) < cap
        }
        if canGo() { return }
        encoderNeeds.store(consumed + MatchFinder.optsSize + 1 + MatchFeed.wakeSlack, ordering: .sequentiallyConsistent)
        encoderWantsInput.store(forInput, ordering: .sequentiallyConsistent)
        encoderWaiting.store(true, ordering: .sequentiallyConsistent)
        if !canGo() { await encoderBaton.wait() }
        encoderWaiting.store(false, ordering: .sequentiallyConsistent)
    }

    /// Stops the finder (the encoder is gone).
    func cancel() {
        cancelled.store(true, ordering: .sequentiallyConsistent)
        let baton = finderBaton
        Task.detached { await baton.post() }
    }

    // MARK: - The finder's side

    /// The finder thread: searches every position of the input, in order,
    /// until the input has ended and every position is searched, or the
    /// feed is cancelled.
    func runFinder(settings: LZMASettings, allocator: LZMAAllocator) async {
        let engine = MatchFinder(options: settings, allocator: allocator, treeOnly: encoderHashes)
        let hashed = self.hashed, hashMask = MatchFeed.inputCapacity - 1
        let matches = UnsafeMutablePointer<LZMatch>.allocate(capacity: LZMAConstants.matchLenMax + 2)
        defer { matches.deallocate() }
        let cap = MatchFeed.inputCapacity
        let mask = ringCapacity - 1
        // A position is searched once this much look-ahead follows it.
        let margin = LZMAConstants.matchLenMax + 1
        var taken = 0, written = 0, found = 0
        while !cancelled.load(ordering: .acquiring) {
            var progressed = false
            // 1. New input into this side's window.
            let ended = inputEnded.load(ordering: .sequentiallyConsistent)
            let pushedNow = bytesPushed.load(ordering: .sequentiallyConsistent)
            while taken < pushedNow {
                let at = taken & (cap - 1)
                let n = engine.fill(input + at, count: min(pushedNow - taken, cap - at))
                if n == 0 { break }
                taken += n
                progressed = true
            }
            if progressed {
                bytesTaken.store(taken, ordering: .sequentiallyConsistent)
                if encoderWaiting.load(ordering: .sequentiallyConsistent)
                    && encoderWantsInput.load(ordering: .sequentiallyConsistent) { await encoderBaton.post() }
            }
            let atEnd = ended && taken == pushedNow
            engine.isFinishing = atEnd
            // 2. Search what has its look-ahead, while the queue has room.
            let limit = atEnd ? engine.writePos : engine.writePos - margin
            var readSeen = wordsRead.load(ordering: .sequentiallyConsistent)
            var room = ringCapacity - (written - readSeen)
            var batch = 0
            while engine.readPos < limit {
                if room < maxEntryWords {
                    readSeen = wordsRead.load(ordering: .sequentiallyConsistent)
                    room = ringCapacity - (written - readSeen)
                    if room < maxEntryWords { break }
                }
                let (count, longest): (Int, Int)
                if encoderHashes {
                    let slot = (found & hashMask) &* 3
                    (count, longest) = engine.findBT4(matches) { (hashed[slot], hashed[slot &+ 1], hashed[slot &+ 2]) }
                } else {
                    (count, longest) = engine.find(matches)
                }
                ring[written & mask] = UInt32(truncatingIfNeeded: count) | UInt32(truncatingIfNeeded: longest) << 16
                var i = 0
                while i < count {
                    ring[(written &+ 1 &+ 2 &* i) & mask] = matches[i].len
                    ring[(written &+ 2 &+ 2 &* i) & mask] = matches[i].dist
                    i &+= 1
                }
                let words = 1 &+ 2 &* count
                written &+= words
                room &-= words
                found &+= 1
                batch &+= 1
                if batch == MatchFeed.batch {
                    positionsFound.store(found, ordering: .sequentiallyConsistent)
                    batch = 0
                    progressed = true
                    if encoderWaiting.load(ordering: .sequentiallyConsistent)
                        && found >= encoderNeeds.load(ordering: .sequentiallyConsistent) { await encoderBaton.post() }
                }
            }
            if batch > 0 {
                positionsFound.store(found, ordering: .sequentiallyConsistent)
                progressed = true
            }
            if atEnd && engine.readPos >= engine.writePos {
                finderDone.store(true, ordering: .sequentiallyConsistent)
                await encoderBaton.post()
                return
            }
            if progressed {
                // The input has ended before the wake-up mark, or the
                // finder is about to wait (the queue is full): the encoder
                // must not wait for more than there will be.
                if encoderWaiting.load(ordering: .sequentiallyConsistent)
                    && (atEnd || found >= encoderNeeds.load(ordering: .sequentiallyConsistent)
                        || room < maxEntryWords) { await encoderBaton.post() }
                continue
            }
            if encoderWaiting.load(ordering: .sequentiallyConsistent) { await encoderBaton.post() }
            // 3. Nothing to do until the encoder gives input, room or the end.
            finderWaiting.store(true, ordering: .sequentiallyConsistent)
            if bytesPushed.load(ordering: .sequentiallyConsistent) == pushedNow
                && inputEnded.load(ordering: .sequentiallyConsistent) == ended
                && wordsRead.load(ordering: .sequentiallyConsistent) == readSeen
                && !cancelled.load(ordering: .sequentiallyConsistent) {
                await finderBaton.wait()
            }
            finderWaiting.store(false, ordering: .sequentiallyConsistent)
        }
    }
}
#endif
