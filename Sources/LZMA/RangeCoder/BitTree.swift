/// Bit trees: how LZMA codes a multi-bit symbol with adaptive bits.
///
/// A `numBits`-bit symbol is coded most significant bit first; the
/// probability for each bit is chosen by the bits already seen, so the tree
/// has `1 << numBits` probabilities (index 0 unused, the root at 1). The
/// *reverse* tree codes the least significant bit first; LZMA uses it for the
/// low bits of distances, whose high bits have already been coded.
///
/// Two things make the walk fast:
/// - Each step loads the probabilities of both children before its bit is
///   known and then picks one, so the load is not on the chain from one bit
///   to the next (that chain is multiply, subtract, select: about half the
///   latency with a dependent load in it). The last step reads one level
///   past the tree; every tree is followed by other probabilities in the one
///   array (see `ProbabilityLayout`), so the read stays inside it, and the
///   values are not used.
/// - The fixed-size trees are spelled out bit by bit: the compiler does not
///   unroll the loop once the bit decoder is branch-free, and the loop costs
///   a compare and a (badly predicted) exit branch per tree.
extension LZMABitSource {
    /// One step down a tree: `m` becomes `2m + bit`, `prob` the probability
    /// of the new node.
    @inline(__always)
    mutating func treeStep(_ probs: UnsafeMutablePointer<UInt16>, _ m: inout UInt32, _ prob: inout UInt32,
                           root: Bool = false) {
        // Both children in one load: as two loads, the compiler moves each
        // into its own arm of the select and the branch is back (so it is
        // also with a shift by 16 * bit). At the root (m = 1) the children
        // are at the constant index 2, so their load need not wait for
        // `treeRoot`'s value (see there), which waits for the root's
        // probability: dickens.6 and dickens.0 take 3.5-3.9% less time
        // (ABBA, 15 rounds), Ir -1.1%.
        let children = UInt32(littleEndian: UnsafeRawPointer(probs + (root ? 2 : Int(m &<< 1)))
            .loadUnaligned(as: UInt32.self))
        let bit = treeBit(probs + Int(m), prob)
        m = (m &<< 1) &+ bit
        prob = bit != 0 ? children &>> 16 : children & 0xFFFF
    }

    /// The root's index, 1, spelled so that the compiler cannot see it is a
    /// constant: `prob >> 11` is 0 (probabilities stay below 2048), which
    /// the compiler cannot know. With a literal 1 the first step picks
    /// between the constants 2 and 3, and LLVM turns that step's selects
    /// back into a branch, a coin flip per tree (dickens: +1.6M mispredicts).
    @inline(__always)
    func treeRoot(_ prob: UInt32) -> UInt32 { 1 | (prob &>> 11) }

    /// Decodes a 3-bit symbol (lengths 2-17) from the tree at `probs`.
    @inline(__always)
    mutating func bitTree3(_ probs: UnsafeMutablePointer<UInt16>) -> UInt32 {
        var prob = UInt32(probs[1])
        var m = treeRoot(prob)
        treeStep(probs, &m, &prob, root: true); treeStep(probs, &m, &prob); treeStep(probs, &m, &prob)
        return m &- 8
    }

    /// Decodes a 6-bit symbol (distance slots) from the tree at `probs`.
    @inline(__always)
    mutating func bitTree6(_ probs: UnsafeMutablePointer<UInt16>) -> UInt32 {
        var prob = UInt32(probs[1])
        var m = treeRoot(prob)
        treeStep(probs, &m, &prob, root: true); treeStep(probs, &m, &prob); treeStep(probs, &m, &prob)
        treeStep(probs, &m, &prob); treeStep(probs, &m, &prob); treeStep(probs, &m, &prob)
        return m &- 64
    }

    /// Decodes an 8-bit symbol (long lengths, plain literals) from the tree at `probs`.
    @inline(__always)
    mutating func bitTree8(_ probs: UnsafeMutablePointer<UInt16>) -> UInt32 {
        var top3: UInt32 = 0
        return bitTree8(probs, top3: &top3)
    }

    /// `bitTree8`, and `top3` set to the walk's node after three steps: 8 +
    /// the symbol's three high bits, known five steps before the symbol is.
    @inline(__always)
    mutating func bitTree8(_ probs: UnsafeMutablePointer<UInt16>, top3: inout UInt32) -> UInt32 {
        var prob = UInt32(probs[1])
        var m = treeRoot(prob)
        treeStep(probs, &m, &prob, root: true); treeStep(probs, &m, &prob); treeStep(probs, &m, &prob)
        top3 = m
        treeStep(probs, &m, &prob); treeStep(probs, &m, &prob)
        treeStep(probs, &m, &prob); treeStep(probs, &m, &prob); treeStep(probs, &m, &prob)
        return m &- 256
    }

    /// Decodes a symbol of `numBits` (1...5) bits, least significant bit first.
    @inline(__always)
    mutating func reverseBitTree(_ probs: UnsafeMutablePointer<UInt16>, numBits: Int) -> UInt32 {
        var prob = UInt32(probs[1])
        var m = treeRoot(prob)
        var symbol: UInt32 = 0
        var i: UInt32 = 0
        repeat {
            let before = m
            treeStep(probs, &m, &prob)
            symbol |= (m &- (before &<< 1)) &<< i
            i &+= 1
        } while i < UInt32(numBits)
        return symbol
    }

    /// Decodes a 4-bit symbol (the align bits of long distances), least
    /// significant bit first: the bits read are the symbol's in reverse, and
    /// `reversed` (16 bytes, byte i = i with its 4 bits reversed) turns them
    /// round. One load: spelled as shifts and masks, the last bit stood alone
    /// as a choice between 0 and 8, and LLVM made that step a branch again
    /// (dickens: 0.44M mispredicts).
    @inline(__always)
    mutating func reverseBitTree4(_ probs: UnsafeMutablePointer<UInt16>, reversed: UnsafeRawPointer) -> UInt32 {
        var prob = UInt32(probs[1])
        var m = treeRoot(prob)
        treeStep(probs, &m, &prob, root: true); treeStep(probs, &m, &prob); treeStep(probs, &m, &prob); treeStep(probs, &m, &prob)
        // m = 1 b0 b1 b2 b3 (b0 read first); the symbol is b3 b2 b1 b0.
        return UInt32(reversed.load(fromByteOffset: Int(m &- 16), as: UInt8.self))
    }
}
