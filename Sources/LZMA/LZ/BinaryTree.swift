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
        guard let lenLimit = lengthLimit(minimum: 4) else { movePending(); return 0 }
        let cur = UnsafePointer(buffer + readPos)
        let pos = UInt32(truncatingIfNeeded: readPos) &+ offset
        let crc = crcTable
        let t = crc[Int(cur[0])] ^ UInt32(cur[1])
        let h2 = Int(t & UInt32(MatchFinder.hash2Size - 1))
        let t3 = t ^ (UInt32(cur[2]) << 8)
        let h3 = Int(t3 & UInt32(MatchFinder.hash3Size - 1))
        let h4 = Int((t3 ^ (crc[Int(cur[3])] << 5)) & hashMask)
        let hash = self.hash
        var delta2 = pos &- hash[h2]
        let delta3 = pos &- hash[MatchFinder.fix3 + h3]
        let curMatch = hash[MatchFinder.fix4 + h4]
        hash[h2] = pos
        hash[MatchFinder.fix3 + h3] = pos
        hash[MatchFinder.fix4 + h4] = pos

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
            if lenBest == lenLimit {
                _ = btWalk(lenLimit: lenLimit, pos: pos, cur: cur, curMatch: curMatch,
                           matches: nil, count: 0, lenBest: 0)
                movePos()
                return count
            }
        }
        if lenBest < 3 { lenBest = 3 }
        count = btWalk(lenLimit: lenLimit, pos: pos, cur: cur, curMatch: curMatch,
                       matches: matches, count: count, lenBest: lenBest)
        movePos()
        return count
    }

    func bt3Find(_ matches: UnsafeMutablePointer<LZMatch>) -> Int {
        guard let lenLimit = lengthLimit(minimum: 3) else { movePending(); return 0 }
        let cur = UnsafePointer(buffer + readPos)
        let pos = UInt32(truncatingIfNeeded: readPos) &+ offset
        let t = crcTable[Int(cur[0])] ^ UInt32(cur[1])
        let h2 = Int(t & UInt32(MatchFinder.hash2Size - 1))
        let h3 = Int((t ^ (UInt32(cur[2]) << 8)) & hashMask)
        let hash = self.hash
        let delta2 = pos &- hash[h2]
        let curMatch = hash[MatchFinder.fix3 + h3]
        hash[h2] = pos
        hash[MatchFinder.fix3 + h3] = pos

        var lenBest = 2
        var count = 0
        if delta2 < cyclicSize && (cur - Int(delta2)).pointee == cur.pointee {
            lenBest = commonLength(cur, cur - Int(delta2), lenBest, lenLimit)
            matches[0] = LZMatch(len: UInt32(lenBest), dist: delta2 &- 1)
            count = 1
            if lenBest == lenLimit {
                _ = btWalk(lenLimit: lenLimit, pos: pos, cur: cur, curMatch: curMatch,
                           matches: nil, count: 0, lenBest: 0)
                movePos()
                return 1
            }
        }
        count = btWalk(lenLimit: lenLimit, pos: pos, cur: cur, curMatch: curMatch,
                       matches: matches, count: count, lenBest: lenBest)
        movePos()
        return count
    }

    func bt2Find(_ matches: UnsafeMutablePointer<LZMatch>) -> Int {
        guard let lenLimit = lengthLimit(minimum: 2) else { movePending(); return 0 }
        let cur = UnsafePointer(buffer + readPos)
        let pos = UInt32(truncatingIfNeeded: readPos) &+ offset
        let h = Int(UInt32(cur[0]) | (UInt32(cur[1]) << 8))
        let curMatch = hash[h]
        hash[h] = pos
        let count = btWalk(lenLimit: lenLimit, pos: pos, cur: cur, curMatch: curMatch,
                           matches: matches, count: 0, lenBest: 1)
        movePos()
        return count
    }

    /// Enters `amount` positions into the trees without collecting matches.
    func btSkip(_ amount: Int) {
        let hb = hashBytes
        let hash = self.hash
        let crc = crcTable
        for _ in 0..<amount {
            guard let lenLimit = lengthLimit(minimum: hb) else { movePending(); continue }
            let cur = UnsafePointer(buffer + readPos)
            let pos = UInt32(truncatingIfNeeded: readPos) &+ offset
            let curMatch: UInt32
            if hb == 2 {
                let h = Int(UInt32(cur[0]) | (UInt32(cur[1]) << 8))
                curMatch = hash[h]
                hash[h] = pos
            } else {
                let t = crc[Int(cur[0])] ^ UInt32(cur[1])
                let h2 = Int(t & UInt32(MatchFinder.hash2Size - 1))
                if hb == 3 {
                    let h3 = Int((t ^ (UInt32(cur[2]) << 8)) & hashMask)
                    curMatch = hash[MatchFinder.fix3 + h3]
                    hash[h2] = pos
                    hash[MatchFinder.fix3 + h3] = pos
                } else {
                    let t3 = t ^ (UInt32(cur[2]) << 8)
                    let h3 = Int(t3 & UInt32(MatchFinder.hash3Size - 1))
                    let h4 = Int((t3 ^ (crc[Int(cur[3])] << 5)) & hashMask)
                    curMatch = hash[MatchFinder.fix4 + h4]
                    hash[h2] = pos
                    hash[MatchFinder.fix3 + h3] = pos
                    hash[MatchFinder.fix4 + h4] = pos
                }
            }
            _ = btWalk(lenLimit: lenLimit, pos: pos, cur: cur, curMatch: curMatch,
                       matches: nil, count: 0, lenBest: 0)
            movePos()
        }
    }
}
