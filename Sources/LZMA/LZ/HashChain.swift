/// Hash-chain match finders (hc3, hc4).
///
/// Small exact hash tables give the most recent position starting with the
/// same 2 (and 3) bytes, so short matches are found at once; the main hash
/// (3 or 4 bytes) starts a chain through `son`, each entry pointing to the
/// previous position with the same hash. The chain is followed for at most
/// `depth` links, or until a match of the length limit is found.
extension MatchFinder {
    /// Walks the chain from `curMatch`, recording each match longer than
    /// the best so far. Also links the current position into the chain.
    @inline(__always)
    func hcWalk(lenLimit: Int, pos: UInt32, cur: UnsafePointer<UInt8>, curMatch start: UInt32,
                matches: UnsafeMutablePointer<LZMatch>, count start0: Int, lenBest best0: Int) -> Int {
        let son = self.son
        let cyclicPos = self.cyclicPos
        let cyclicSize = self.cyclicSize
        var depthLeft = depth
        var curMatch = start
        var count = start0
        var lenBest = best0
        son[Int(cyclicPos)] = curMatch
        while true {
            let delta = pos &- curMatch
            if depthLeft == 0 || delta >= cyclicSize { return count }
            depthLeft &-= 1
            let pb = cur - Int(delta)
            curMatch = son[Int(cyclicPos &- delta &+ (delta > cyclicPos ? cyclicSize : 0))]
            if pb[lenBest] == cur[lenBest] && pb[0] == cur[0] {
                let len = commonLength(pb, cur, 1, lenLimit)
                if lenBest < len {
                    lenBest = len
                    matches[count] = LZMatch(len: UInt32(len), dist: delta &- 1)
                    count &+= 1
                    if len == lenLimit { return count }
                }
            }
        }
    }

    func hc4Find(_ matches: UnsafeMutablePointer<LZMatch>) -> Int {
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
                son[Int(cyclicPos)] = curMatch
                movePos()
                return count
            }
        }
        if lenBest < 3 { lenBest = 3 }
        count = hcWalk(lenLimit: lenLimit, pos: pos, cur: cur, curMatch: curMatch,
                       matches: matches, count: count, lenBest: lenBest)
        movePos()
        return count
    }

    func hc3Find(_ matches: UnsafeMutablePointer<LZMatch>) -> Int {
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
            lenBest = commonLength(cur - Int(delta2), cur, lenBest, lenLimit)
            matches[0] = LZMatch(len: UInt32(lenBest), dist: delta2 &- 1)
            count = 1
            if lenBest == lenLimit {
                son[Int(cyclicPos)] = curMatch
                movePos()
                return 1
            }
        }
        count = hcWalk(lenLimit: lenLimit, pos: pos, cur: cur, curMatch: curMatch,
                       matches: matches, count: count, lenBest: lenBest)
        movePos()
        return count
    }

    /// Enters `amount` positions into the hash chains without searching.
    func hcSkip(_ amount: Int, hashBytes: Int) {
        let hash = self.hash
        let crc = crcTable
        for _ in 0..<amount {
            if available < hashBytes { movePending(); continue }
            let cur = buffer + readPos
            let pos = UInt32(truncatingIfNeeded: readPos) &+ offset
            let t = crc[Int(cur[0])] ^ UInt32(cur[1])
            let h2 = Int(t & UInt32(MatchFinder.hash2Size - 1))
            let curMatch: UInt32
            if hashBytes == 4 {
                let t3 = t ^ (UInt32(cur[2]) << 8)
                let h3 = Int(t3 & UInt32(MatchFinder.hash3Size - 1))
                let h4 = Int((t3 ^ (crc[Int(cur[3])] << 5)) & hashMask)
                curMatch = hash[MatchFinder.fix4 + h4]
                hash[h2] = pos
                hash[MatchFinder.fix3 + h3] = pos
                hash[MatchFinder.fix4 + h4] = pos
            } else {
                let h3 = Int((t ^ (UInt32(cur[2]) << 8)) & hashMask)
                curMatch = hash[MatchFinder.fix3 + h3]
                hash[h2] = pos
                hash[MatchFinder.fix3 + h3] = pos
            }
            son[Int(cyclicPos)] = curMatch
            movePos()
        }
    }
}
