/// Binary-tree match finders (bt2, bt3, bt4).
///
/// Each position of the cyclic dictionary has two children in `son`: the
/// positions whose following bytes sort lower and higher. Inserting the
/// current position walks down from the newest position with the same hash,
/// re-hanging the visited nodes to the left or right of the new root; along
/// the way every node visited is a candidate match, and the common prefix
/// known on each side (`len0`, `len1`) lets the comparison skip bytes.
extension MatchFinder {
    /// Inserts the current position and collects matches longer than `lenBest`.
    /// With `matches == nil` it only inserts (skipping).
    @inline(__always)
    func btWalk(lenLimit: Int, pos: UInt32, cur: UnsafePointer<UInt8>, curMatch start: UInt32,
                matches: UnsafeMutablePointer<LZMatch>?, count start0: Int, lenBest best0: Int) -> Int {
        let son = self.son
        let cyclicPos = self.cyclicPos
        let cyclicSize = self.cyclicSize
        var depthLeft = depth
        var curMatch = start
        var count = start0
        var lenBest = best0
        var ptr0 = son + (Int(cyclicPos) << 1) + 1
        var ptr1 = son + (Int(cyclicPos) << 1)
        var len0 = 0
        var len1 = 0
        while true {
            let delta = pos &- curMatch
            if depthLeft == 0 || delta >= cyclicSize {
                ptr0.pointee = 0
                ptr1.pointee = 0
                return count
            }
            depthLeft &-= 1
            let pair = son + (Int(cyclicPos &- delta &+ (delta > cyclicPos ? cyclicSize : 0)) << 1)
            let pb = cur - Int(delta)
            var len = len0 < len1 ? len0 : len1
            if pb[len] == cur[len] {
                len = commonLength(pb, cur, len &+ 1, lenLimit)
                if let matches = matches {
                    if lenBest < len {
                        lenBest = len
                        matches[count] = LZMatch(len: UInt32(len), dist: delta &- 1)
                        count &+= 1
                    }
                }
                if len == lenLimit {
                    ptr1.pointee = pair[0]
                    ptr0.pointee = pair[1]
                    return count
                }
            }
            if pb[len] < cur[len] {
                ptr1.pointee = curMatch
                ptr1 = pair + 1
                curMatch = ptr1.pointee
                len1 = len
            } else {
                ptr0.pointee = curMatch
                ptr0 = pair
                curMatch = ptr0.pointee
                len0 = len
            }
        }
    }

    func bt4Find(_ matches: UnsafeMutablePointer<LZMatch>) -> Int {
        let hashes = self.hashes, mask = hashMask
        return bt4Find(matches) { hashes.insert4($0, $1, mask: mask) }
    }

    /// bt4 with the hash step given (`insert4` as in `findHashed`).
    @inline(__always)
    func bt4Find(_ matches: UnsafeMutablePointer<LZMatch>,
                 insert4: (UnsafePointer<UInt8>, UInt32) -> (UInt32, UInt32, UInt32)) -> Int {
        findHashed(matches, hashBytes: 4, insert4: insert4, link: { btInsert($0, $1, $2, $3) }) {
            btWalk(lenLimit: $3, pos: $0, cur: $1, curMatch: $2, matches: matches, count: $4, lenBest: $5)
        }
    }

    func bt3Find(_ matches: UnsafeMutablePointer<LZMatch>) -> Int {
        findHashed(matches, hashBytes: 3, insert4: { _, _ in (0, 0, 0) }, link: { btInsert($0, $1, $2, $3) }) {
            btWalk(lenLimit: $3, pos: $0, cur: $1, curMatch: $2, matches: matches, count: $4, lenBest: $5)
        }
    }

    /// Inserts the position into the tree without collecting matches.
    @inline(__always)
    func btInsert(_ pos: UInt32, _ cur: UnsafePointer<UInt8>, _ head: UInt32, _ lenLimit: Int) {
        _ = btWalk(lenLimit: lenLimit, pos: pos, cur: cur, curMatch: head, matches: nil, count: 0, lenBest: 0)
    }

    func bt2Find(_ matches: UnsafeMutablePointer<LZMatch>) -> Int {
        guard let lenLimit = lengthLimit(minimum: 2) else { movePending(); return 0 }
        let cur = UnsafePointer(buffer + readPos)
        let pos = UInt32(truncatingIfNeeded: readPos) &+ offset
        let curMatch = hashes.insert2(cur, pos)
        let count = btWalk(lenLimit: lenLimit, pos: pos, cur: cur, curMatch: curMatch,
                           matches: matches, count: 0, lenBest: 1)
        movePos()
        return count
    }

    /// Enters `amount` positions into the trees without collecting matches.
    func btSkip(_ amount: Int) {
        let hashes = self.hashes
        switch hashBytes {
        case 2: btSkip(amount, hashBytes: 2) { hashes.insert2($0, $1) }
        case 3: btSkip(amount, hashBytes: 3) { hashes.insert3($0, $1, mask: self.hashMask).curMatch }
        default: btSkip(amount, hashBytes: 4) { hashes.insert4($0, $1, mask: self.hashMask).curMatch }
        }
    }

    /// The loop of `btSkip`, for one hash (`insert` enters a position and
    /// returns the tree's root).
    @inline(__always)
    private func btSkip(_ amount: Int, hashBytes: Int, _ insert: (UnsafePointer<UInt8>, UInt32) -> UInt32) {
        for _ in 0..<amount {
            guard let lenLimit = lengthLimit(minimum: hashBytes) else { movePending(); continue }
            let cur = UnsafePointer(buffer + readPos)
            let pos = UInt32(truncatingIfNeeded: readPos) &+ offset
            btInsert(pos, cur, insert(cur, pos), lenLimit)
            movePos()
        }
    }
}
