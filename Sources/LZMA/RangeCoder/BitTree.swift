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
    mutating func treeStep(_ probs: UnsafeMutablePointer<UInt16>, _ m: inout UInt32, _ prob: inout UInt32) {
        // Both children in one load: as two loads, the compiler moves each
        // into its own arm of the select and the branch is back (so it is
        // also with a shift by 16 * bit).
        let children = UInt32(littleEndian: UnsafeRawPointer(probs + Int(m &<< 1)).loadUnaligned(as: UInt32.self))
        let bit = treeBit(probs + Int(m), prob)
        m = (m &<< 1) &+ bit
        prob = bit != 0 ? children &>> 16 : children & 0xFFFF
    }

    /// Decodes a 3-bit symbol (lengths 2-17) from the tree at `probs`.
    @inline(__always)
    mutating func bitTree3(_ probs: UnsafeMutablePointer<UInt16>) -> UInt32 {
        var m: UInt32 = 1
        var prob = UInt32(probs[1])
        treeStep(probs, &m, &prob); treeStep(probs, &m, &prob); treeStep(probs, &m, &prob)
        return m &- 8
    }

    /// Decodes a 6-bit symbol (distance slots) from the tree at `probs`.
    @inline(__always)
    mutating func bitTree6(_ probs: UnsafeMutablePointer<UInt16>) -> UInt32 {
        var m: UInt32 = 1
        var prob = UInt32(probs[1])
        treeStep(probs, &m, &prob); treeStep(probs, &m, &prob); treeStep(probs, &m, &prob)
        treeStep(probs, &m, &prob); treeStep(probs, &m, &prob); treeStep(probs, &m, &prob)
        return m &- 64
    }

    /// Decodes an 8-bit symbol (long lengths, plain literals) from the tree at `probs`.
    @inline(__always)
    mutating func bitTree8(_ probs: UnsafeMutablePointer<UInt16>) -> UInt32 {
        var m: UInt32 = 1
        var prob = UInt32(probs[1])
        treeStep(probs, &m, &prob); treeStep(probs, &m, &prob); treeStep(probs, &m, &prob); treeStep(probs, &m, &prob)
        treeStep(probs, &m, &prob); treeStep(probs, &m, &prob); treeStep(probs, &m, &prob); treeStep(probs, &m, &prob)
        return m &- 256
    }

    /// Decodes a symbol of `numBits` (1...5) bits, least significant bit first.
    @inline(__always)
    mutating func reverseBitTree(_ probs: UnsafeMutablePointer<UInt16>, numBits: Int) -> UInt32 {
        var m: UInt32 = 1
        var prob = UInt32(probs[1])
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
    /// significant bit first: the bits read are the symbol's in reverse.
    @inline(__always)
    mutating func reverseBitTree4(_ probs: UnsafeMutablePointer<UInt16>) -> UInt32 {
        var m: UInt32 = 1
        var prob = UInt32(probs[1])
        treeStep(probs, &m, &prob); treeStep(probs, &m, &prob); treeStep(probs, &m, &prob); treeStep(probs, &m, &prob)
        // m = 1 b0 b1 b2 b3 (b0 read first); the symbol is b3 b2 b1 b0.
        let b = m &- 16
        return ((b & 1) &<< 3) | ((b & 2) &<< 1) | ((b & 4) &>> 1) | ((b & 8) &>> 3)
    }
}
