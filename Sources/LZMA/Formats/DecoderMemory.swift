/// What a decoder is charged against a memory limit, in liblzma 5.4's
/// accounting: the numbers `xz --memlimit` compares and `xz --robot -lvv`
/// prints. A limit then means here exactly what it means to xz.
///
/// The charge is the declared dictionary plus liblzma's fixed sizes for its
/// coder states. This library's own need is a little lower (probabilities for
/// the actual lc/lp, a window that grows with the output only up to the
/// dictionary), so the charge is also an upper bound for it.
enum DecoderMemory {
    /// liblzma's LZMA_MEMUSAGE_BASE: stream and block coders, allocator slack.
    static let base: UInt64 = 1 << 15
    /// An LZMA1 decoder beside its dictionary (for `.lzma` and raw LZMA1).
    static let lzma1State: UInt64 = 32_640
    /// An LZMA2 decoder beside its dictionary (LZMA1 state plus chunk state).
    static let lzma2State: UInt64 = 32_824
    /// A Delta filter.
    static let delta: UInt64 = 352
    /// A BCJ filter (liblzma's flat estimate for filters without their own).
    static let bcj: UInt64 = 1024

    /// A `.lzma` file or raw LZMA1 data with this declared dictionary (raw: after `filters`).
    static func lzma1(dictionarySize: UInt32, filters: [XZFilter] = []) -> UInt64 {
        base + lzma1State + UInt64(dictionarySize) + filterCost(filters)
    }

    /// An `.xz` block or raw LZMA2 data: the filters, then LZMA2.
    static func lzma2(dictionarySize: UInt32, filters: [XZFilter] = []) -> UInt64 {
        base + lzma2State + UInt64(dictionarySize) + filterCost(filters)
    }

    private static func filterCost(_ filters: [XZFilter]) -> UInt64 {
        var sum: UInt64 = 0
        for f in filters {
            if case .delta = f { sum += delta } else { sum += bcj }
        }
        return sum
    }
}
