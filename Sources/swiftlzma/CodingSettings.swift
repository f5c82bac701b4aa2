// What xz reports about the coding settings with -vv, and the memory
// accounting behind it (also what the memory usage limits are compared with):
//
//   xz: Filter chain: --lzma2=dict=8MiB,lc=3,lp=0,pb=2,mode=normal,nice=64,mf=bt4,depth=0
//   xz: Using up to 2 threads.
//   xz: 331 MiB of memory is required. The limiter is disabled.
//   xz: Decompression will need 9 MiB of memory.
//
// The first three are printed once per run, before any file, when compressing
// and (the chain and the memory) when decompressing raw data; the lines about
// fewer threads or a smaller dictionary follow (Parallel.swift).

import LZMA

/// liblzma's count of the memory its coders use (its `_memusage`
/// functions): what `xz -vv` prints and compares with
/// `--memlimit-compress` and `--memlimit-decompress`. The sizes of its
/// structures are those of liblzma 5.8.1 on a 64-bit system, measured through
/// its functions (Tests/CLITests/VerboseCLITests.swift holds the figures);
/// liblzma 5.4 counts the same for encoders and 608 bytes less per decoder.
enum XZMemoryUsage {
    /// LZMA_MEMUSAGE_BASE: added once per chain (stream and block coders).
    static let base: UInt64 = 1 << 15
    /// An LZMA1 encoder beside its match finder's buffers.
    static let lzma1Encoder: UInt64 = 249_792
    /// An LZMA2 encoder: LZMA1's, plus its chunk buffer.
    static let lzma2Encoder: UInt64 = 315_496
    /// An LZMA1 or LZMA2 decoder beside its dictionary.
    static let lzma1Decoder: UInt64 = 33_248
    static let lzma2Decoder: UInt64 = 33_432
    /// A Delta filter (encoder or decoder).
    static let delta: UInt64 = 352
    /// A BCJ filter: liblzma's flat figure for filters without their own count.
    static let bcj: UInt64 = 1024
    /// The multithreaded encoder's own state, and per thread its worker and
    /// the headers of its two output buffers.
    static let multithreadedState: UInt64 = 568
    static let perThread: UInt64 = 672

    /// A single-threaded encoder of `chain` (raw, .xz and .lzma alike).
    static func encoder(_ chain: LZMAFilterChain) -> UInt64 {
        base + filterBytes(chain.filters) + matchFinderBytes(chain.lzma)
            + (chain.coder == .lzma1 ? lzma1Encoder : lzma2Encoder)
    }

    /// A decoder of `chain`: its dictionary and state.
    static func decoder(_ chain: LZMAFilterChain) -> UInt64 {
        base + filterBytes(chain.filters) + UInt64(chain.lzma.dictionarySize)
            + (chain.coder == .lzma1 ? lzma1Decoder : lzma2Decoder)
    }

    /// xz's multithreaded .xz encoder: per thread a block of input, an
    /// encoder of `chain` and two output buffers of the block's bound.
    static func multithreadedEncoder(_ chain: LZMAFilterChain, threads: Int, blockSize: UInt64) -> UInt64 {
        let t = UInt64(max(threads, 1))
        let (perBlock, o1) = blockSize.addingReportingOverflow(encoder(chain) + perThread)
        let (buffers, o2) = blockBound(blockSize).multipliedReportingOverflow(by: 2)
        let (each, o3) = perBlock.addingReportingOverflow(buffers)
        let (all, o4) = each.multipliedReportingOverflow(by: t)
        guard !o1 && !o2 && !o3 && !o4 else { return .max }
        return base + multithreadedState + all
    }

    /// The block size xz's multithreaded encoder uses for `chain` by default:
    /// three dictionaries, at least 1 MiB.
    static func defaultBlockSize(_ chain: LZMAFilterChain) -> UInt64 {
        max(3 * UInt64(chain.lzma.dictionarySize), 1 << 20)
    }

    /// The largest .xz block `size` bytes of input can become: the data in
    /// uncompressed LZMA2 chunks of 64 KiB (3 header bytes each, an end
    /// byte), padded to 4, plus the largest block header and check.
    static func blockBound(_ size: UInt64) -> UInt64 {
        guard size <= UInt64.max / 2 else { return .max }
        let lzma2 = size + (size + 0xFFFF) / 0x10000 * 3 + 1
        return 92 + ((lzma2 + 3) & ~3)
    }

    /// The match finder's window (the dictionary, 4 KiB before it, about
    /// half of it as slack, the look-ahead) and its hash and son tables.
    static func matchFinderBytes(_ lzma: LZMASettings) -> UInt64 {
        let dict = UInt64(lzma.dictionarySize)
        let before: UInt64 = 4096, after: UInt64 = 4097, longest: UInt64 = 273
        var reserve = dict / 2
        if reserve > 1 << 30 { reserve /= 2 }
        reserve += (before + longest + after) / 2 + (1 << 19)
        let window = before + dict + reserve + after + longest
        let mf = lzma.matchFinder
        let hashBytes: Int, binaryTree: Bool
        switch mf {
        case .hc3: (hashBytes, binaryTree) = (3, false)
        case .hc4: (hashBytes, binaryTree) = (4, false)
        case .bt2: (hashBytes, binaryTree) = (2, true)
        case .bt3: (hashBytes, binaryTree) = (3, true)
        case .bt4: (hashBytes, binaryTree) = (4, true)
        }
        var hashes: UInt64
        if hashBytes == 2 {
            hashes = 0x10000
        } else {
            // The main hash: the dictionary size rounded up to 2^n, halved,
            // at least 64 Ki entries; above 16 Mi entries halved again (hc3
            // and bt3: 16 Mi).
            var mask = UInt32(max(dict, 1) - 1)
            mask |= mask >> 1; mask |= mask >> 2; mask |= mask >> 4; mask |= mask >> 8; mask |= mask >> 16
            mask >>= 1
            mask |= 0xFFFF
            if mask > 1 << 24 { mask = hashBytes == 3 ? (1 << 24) - 1 : mask >> 1 }
            hashes = UInt64(mask) + 1 + 1024 + (hashBytes == 4 ? 0x10000 : 0)
        }
        let sons = (dict + 1) * (binaryTree ? 2 : 1)
        return window + 4 * (hashes + sons)
    }

    private static func filterBytes(_ filters: [XZFilter]) -> UInt64 {
        var sum: UInt64 = 0
        for f in filters {
            if case .delta = f { sum += delta } else { sum += bcj }
        }
        return sum
    }
}

/// Bytes as whole MiB, rounded up, as xz shows memory figures (its `round_up_to_mib`).
func mebibytesRoundedUp(_ bytes: UInt64) -> UInt64 {
    bytes / (1 << 20) + (bytes % (1 << 20) == 0 ? 0 : 1)
}

/// xz's "N MiB of memory is required." with the limit (nil: none): "The
/// limiter is disabled." or "The limit is L MiB." (in B below 1 MiB).
func memoryRequiredText(_ usage: UInt64, limit: UInt64?) -> String {
    let required = "\(mebibytesRoundedUp(usage)) MiB of memory is required."
    guard let limit, limit != .max else { return required + " The limiter is disabled." }
    return required + " The limit is " + (limit < 1 << 20 ? "\(limit) B" : "\(mebibytesRoundedUp(limit)) MiB") + "."
}

/// A chain as xz's -vv shows it (liblzma's encoder options string in long
/// option form): `--x86 --lzma2=dict=8MiB,lc=3,lp=0,pb=2,mode=normal,nice=64,mf=bt4,depth=0`.
/// A BCJ start offset of 0 is left out, every LZMA option is written, sizes
/// that are whole KiB, MiB or GiB carry that suffix.
func filterChainText(_ chain: LZMAFilterChain) -> String {
    var parts: [String] = []
    for f in chain.filters {
        if case .delta(let distance) = f {
            parts.append("--delta=dist=\(distance)")
        } else if let start = f.startOffset, start != 0 {
            parts.append("--\(f.name)=start=\(sizeWithSuffix(UInt64(start)))")
        } else {
            parts.append("--\(f.name)")
        }
    }
    let l = chain.lzma
    parts.append("--\(chain.coder == .lzma1 ? "lzma1" : "lzma2")=dict=\(sizeWithSuffix(UInt64(l.dictionarySize)))"
                 + ",lc=\(l.lc),lp=\(l.lp),pb=\(l.pb),mode=\(l.mode == .fast ? "fast" : "normal")"
                 + ",nice=\(l.niceLength),mf=\(l.matchFinder.rawValue),depth=\(l.depth)")
    return parts.joined(separator: " ")
}

/// `v` with the largest of KiB, MiB, GiB that divides it ("1536KiB", "12345").
private func sizeWithSuffix(_ v: UInt64) -> String {
    guard v != 0 else { return "0" }
    var n = v
    var unit = 0
    while n % 1024 == 0 && unit < 3 {
        n /= 1024
        unit += 1
    }
    return "\(n)" + ["", "KiB", "MiB", "GiB"][unit]
}

/// The default filter chain of a run: the custom chain (`--filters=`, or
/// `--x86 ... --lzma2=`), else the preset's LZMA2 (LZMA1 for .lzma).
func defaultFilterChain(_ options: Options) throws(UsageError) -> LZMAFilterChain {
    let resolved = try resolveChain(options)
    let lzma = try swiftlzmaEncoderOptions(options, settings: resolved.lzma)
    let coder = resolved.coder ?? (options.format == .lzma ? .lzma1 : .lzma2)
    return LZMAFilterChain(filters: resolved.filters, coder: coder, lzma: lzma)
}

/// The chains a .xz compression uses, as xz counts them for memory: the
/// default chain unless a `--block-list` names only `--filtersN` chains,
/// and each `--filtersN` chain the block list names.
/// - Returns: the chains, and whether the default chain is one of them.
func chainsInUse(_ options: Options, defaultChain: LZMAFilterChain) throws(UsageError)
    -> (chains: [LZMAFilterChain], defaultUsed: Bool) {
    guard !options.blockList.isEmpty else { return ([defaultChain], true) }
    var numbers = Set<Int>()
    var chains: [LZMAFilterChain] = []
    for entry in options.blockList where numbers.insert(entry.chain).inserted {
        if entry.chain == 0 {
            chains.append(defaultChain)
        } else {
            guard let full = options.fullChains[entry.chain] else {
                throw UsageError("filter chain \(entry.chain) used by --block-list but not specified "
                                 + "with --filters\(entry.chain)=")
            }
            chains.append(full.chain)
        }
    }
    return (chains, numbers.contains(0))
}

/// The block size of xz's multithreaded encoder: `--block-size`, else the
/// largest default of the chains in use, but not above the largest
/// `--block-list` block (when every block has a size).
func multithreadedBlockSize(_ options: Options, chains: [LZMAFilterChain]) -> UInt64 {
    if let size = options.blockSize { return size }
    var size: UInt64 = 0
    for c in chains { size = max(size, XZMemoryUsage.defaultBlockSize(c)) }
    if !options.blockList.isEmpty && !options.blockList.contains(where: { $0.size == nil }) {
        let largest = options.blockList.map { $0.size ?? 0 }.max() ?? 0
        if largest > 0 && largest < size { size = largest }
    }
    return size
}

/// `--format=raw` decompression: as xz, the chain and the decoder's memory
/// at -vv, and a decoder over `--memlimit-decompress` is refused before any
/// file is read.
/// - Throws: `UsageError` with xz's two-line message.
func checkRawDecoderSettings(_ options: Options) throws(UsageError) {
    let chain = try defaultFilterChain(options)
    if options.verbosity >= 4 { writeStderr("swiftlzma: Filter chain: \(filterChainText(chain))\n") }
    let usage = XZMemoryUsage.decoder(chain)
    if options.verbosity >= 4 { writeStderr("swiftlzma: \(memoryRequiredText(usage, limit: options.memoryLimit))\n") }
    if let limit = options.memoryLimit, usage > limit {
        throw UsageError("Memory usage limit is too low for the given filter setup.\n"
                         + memoryRequiredText(usage, limit: limit))
    }
}
