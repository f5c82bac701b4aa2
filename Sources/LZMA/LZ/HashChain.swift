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
        let hashes = self.hashes, mask = hashMask
        return findHashed(matches, hashBytes: 4, insert4: { hashes.insert4($0, $1, mask: mask) },
                          link: { _, _, head, _ in son[Int(cyclicPos)] = head }) {
            hcWalk(lenLimit: $3, pos: $0, cur: $1, curMatch: $2, matches: matches, count: $4, lenBest: $5)
        }
    }

    func hc3Find(_ matches: UnsafeMutablePointer<LZMatch>) -> Int {
        findHashed(matches, hashBytes: 3, insert4: { _, _ in (0, 0, 0) }, link: { _, _, head, _ in son[Int(cyclicPos)] = head }) {
            hcWalk(lenLimit: $3, pos: $0, cur: $1, curMatch: $2, matches: matches, count: $4, lenBest: $5)
        }
    }

    /// Enters `amount` positions into the hash chains without searching.
    func hcSkip(_ amount: Int, hashBytes: Int) {
        let hashes = self.hashes
        if hashBytes == 4 {
            hcSkip(amount, hashBytes: 4) { hashes.insert4($0, $1, mask: self.hashMask).curMatch }
        } else {
            hcSkip(amount, hashBytes: 3) { hashes.insert3($0, $1, mask: self.hashMask).curMatch }
        }
    }

    /// The loop of `hcSkip`, for one hash (`insert` enters a position and
    /// returns the chain head).
    @inline(__always)
    private func hcSkip(_ amount: Int, hashBytes: Int, _ insert: (UnsafePointer<UInt8>, UInt32) -> UInt32) {
        for _ in 0..<amount {
            if available < hashBytes { movePending(); continue }
            let pos = UInt32(truncatingIfNeeded: readPos) &+ offset
            son[Int(cyclicPos)] = insert(buffer + readPos, pos)
            movePos()
        }
    }
}
