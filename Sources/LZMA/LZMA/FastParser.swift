/// The fast parser (xz's "fast" mode): greedy with simple heuristics.
///
/// It takes a rep match or the longest match when it reaches `nice`, prefers
/// a rep match that is nearly as long as the best new match (reps are cheap),
/// drops a longest match for a one-shorter one that is much closer, and looks
/// one byte ahead: if the next position has a clearly better match, it emits
/// a literal now (lazy matching).
extension LZMAEncoder {
    /// True when `big` is so much farther than `small` that a match one
    /// byte shorter at `small` is the better deal.
    @inline(__always)
    static func changePair(_ small: UInt32, _ big: UInt32) -> Bool { (big >> 7) > small }

    /// Chooses the symbol at the encoder's position: (back, len).
    func optimumFast() -> (UInt32, Int) {
        let mf = self.mf
        let matches = self.matches
        let nice = niceLength
        var (matchesCount, lenMain) = matchesAtReadPosition(keep: false)
        var buf = UnsafePointer(mf.buffer + mf.readPos - 1)
        let bufAvail = min(mf.available + 1, LZMAConstants.matchLenMax)
        if bufAvail < 2 { return (LZMAEncoder.literalBack, 1) }

        // The longest of the four repeated distances.
        var repLen = 0
        var repIndex = 0
        for i in 0..<4 {
            let back = buf - Int(reps[i]) - 1
            if buf[0] != back[0] || buf[1] != back[1] { continue }
            let len = commonLength(buf, back, 2, bufAvail)
            if len >= nice {
                mf.skip(len - 1)
                return (UInt32(i), len)
            }
            if len > repLen {
                repIndex = i
                repLen = len
            }
        }
        if lenMain >= nice {
            mf.skip(lenMain - 1)
            return (matches[matchesCount - 1].dist &+ 4, lenMain)
        }

        var backMain: UInt32 = 0
        if lenMain >= 2 {
            backMain = matches[matchesCount - 1].dist
            while matchesCount > 1 && lenMain == Int(matches[matchesCount - 2].len) + 1 {
                if !LZMAEncoder.changePair(matches[matchesCount - 2].dist, backMain) { break }
                matchesCount -= 1
                lenMain = Int(matches[matchesCount - 1].len)
                backMain = matches[matchesCount - 1].dist
            }
            if lenMain == 2 && backMain >= 0x80 { lenMain = 1 }
        }

        if repLen >= 2 {
            if repLen + 1 >= lenMain
                || (repLen + 2 >= lenMain && backMain > (1 << 9))
                || (repLen + 3 >= lenMain && backMain > (1 << 15)) {
                mf.skip(repLen - 1)
                return (UInt32(repIndex), repLen)
            }
        }
        if lenMain < 2 || bufAvail <= 2 { return (LZMAEncoder.literalBack, 1) }

        // Look one byte ahead; a better match there makes this a literal.
        let next = mf.find(matches)
        self.matchesCount = next.count
        longestMatchLength = next.longest
        if next.longest >= 2 {
            let newDist = matches[next.count - 1].dist
            if (next.longest >= lenMain && newDist < backMain)
                || (next.longest == lenMain + 1 && !LZMAEncoder.changePair(backMain, newDist))
                || (next.longest > lenMain + 1)
                || (next.longest + 1 >= lenMain && lenMain >= 3 && LZMAEncoder.changePair(newDist, backMain)) {
                return (LZMAEncoder.literalBack, 1)
            }
        }
        // If a rep match covers (almost) the same bytes next, a literal now
        // and the rep after is cheaper.
        buf += 1
        let limit = max(2, lenMain - 1)
        for i in 0..<4 {
            let back = buf - Int(reps[i]) - 1
            if commonLength(buf, back, 0, limit) == limit { return (LZMAEncoder.literalBack, 1) }
        }
        mf.skip(lenMain - 2)
        return (backMain &+ 4, lenMain)
    }
}
