/// The container around the LZMA data, for compressing and decompressing alike.
public enum LZMAFormat: Sendable, Hashable, CustomStringConvertible {
    /// Decompression: detect `.xz`, `.lzma` or `.lz` from the first bytes (by
    /// xz's rules). Compression: not allowed (say which format to write).
    case auto
    /// `.xz`: streams of blocks with integrity checks, filters, an index.
    case xz
    /// `.lzma` ("LZMA_alone"): a 13-byte header, then one LZMA1 stream.
    case lzma
    /// `.lz` (lzip): members of LZMA1 data with a CRC32 and sizes. Read only,
    /// as in xz.
    case lzip
    /// Raw LZMA1 data: no header. The properties come from the options
    /// (``CompressionOptions/lzma``, ``DecompressionOptions/properties``).
    case rawLZMA1
    /// Raw LZMA2 data (an `.xz` block's data without the container), after
    /// the options' filters; the dictionary size comes from the options.
    case rawLZMA2

    public var description: String {
        switch self {
        case .auto: return "auto"
        case .xz: return "xz"
        case .lzma: return "lzma"
        case .lzip: return "lzip"
        case .rawLZMA1: return "raw LZMA1"
        case .rawLZMA2: return "raw LZMA2"
        }
    }
}

/// What one call to a streaming coder stopped on.
public enum CodingStatus: Sendable, Equatable {
    /// All input was consumed and the output buffer has room: more input is needed to go on.
    case needsInput
    /// The output buffer is full; call again (with the rest of the input).
    case outputFull
    /// The end of the stream was reached; input after it was not consumed.
    case streamEnd
}

/// An xz compression preset: level 0...9, optionally "extreme" (xz's `-e`).
///
/// Write one as an integer literal, `6`, or `.extreme(9)`; both are checked
/// at compile time only for being literals, so a literal outside 0...9 stops
/// the program (a programming error). Levels that come from users go through
/// the failable ``init(level:extreme:)``.
public struct LZMAPreset: Sendable, Hashable, ExpressibleByIntegerLiteral, CustomStringConvertible {
    /// 0 (fastest) ... 9 (smallest output).
    public let level: Int
    /// xz's `-e`: a slower search for a little smaller output.
    public let isExtreme: Bool

    /// xz's default, preset 6.
    public static let `default`: LZMAPreset = 6

    /// A level given as a literal; it must be 0...9.
    public init(integerLiteral level: Int) {
        precondition((0...9).contains(level), "an LZMA preset is 0...9")
        self.level = level
        isExtreme = false
    }

    /// A preset from a run-time value; nil when `level` is not 0...9.
    public init?(level: Int, extreme: Bool = false) {
        guard (0...9).contains(level) else { return nil }
        self.level = level
        isExtreme = extreme
    }

    /// The extreme variant of `preset` (xz's `-9e`).
    public static func extreme(_ preset: LZMAPreset) -> LZMAPreset {
        LZMAPreset(level: preset.level, extreme: true)!
    }

    /// "6" or "9e", as xz writes presets.
    public var description: String { "\(level)\(isExtreme ? "e" : "")" }
}

/// Everything a compressor is told: the LZMA settings, and for `.xz` the
/// check, filters and block layout.
///
/// The defaults are xz's (`xz -6 -C crc64`, one block). Values are checked
/// when a compressor is created (``LZMACompressor/init(format:options:allocator:)``).
public struct CompressionOptions: Sendable, Hashable {
    /// The LZMA encoder settings (for `.lzma` and LZMA2, lc + lp must be at most 4).
    public var lzma: LZMASettings
    /// `.xz`: the integrity check of each block. xz's default is CRC64.
    public var check: XZCheck
    /// `.xz` and raw LZMA2: filters run before LZMA2 (Delta, BCJ), at most 3,
    /// in the order xz's command line gives them.
    public var filters: [XZFilter]
    /// `.xz`: start a new block every this many uncompressed bytes (xz's
    /// `--block-size`); nil = one block (or, with ``sizesInBlockHeaders``,
    /// xz's multithreaded default of max(3 × dictionary, 1 MiB)).
    public var blockSize: UInt64?
    /// `.xz`: record each block's compressed and uncompressed sizes in its
    /// header, as xz's multithreaded encoder (`-T0`, `-T2`...) does; a
    /// decoder can then split the work. Costs buffering one block's
    /// compressed data. false (the default): what single-threaded xz (`-T1`) writes.
    public var sizesInBlockHeaders: Bool
    /// `.xz`: where blocks end and which filter chain each uses (xz's
    /// `--block-list`): each item is a block of `size` uncompressed bytes
    /// (0: the rest of the input in one block) with its own chain (nil: the
    /// options' `lzma` and `filters`). When the input is longer than the
    /// items, the last item repeats; an item larger than ``blockSize`` is
    /// split into blocks of at most that size, keeping the item's end.
    public var blockList: [XZBlockListItem] = []
    /// `.lzma` and raw LZMA1: the exact input length, written in the `.lzma`
    /// header with no end marker after the data; the input must then be
    /// exactly this long. nil (the default): "unknown size" and an end
    /// marker, as xz writes.
    public var uncompressedSize: UInt64?

    /// - Parameters: see the properties. Defaults: preset 6, CRC64, no
    ///   filters, one block, unknown size.
    public init(lzma: LZMASettings = LZMASettings(preset: .default), check: XZCheck = .crc64,
                filters: [XZFilter] = [], blockSize: UInt64? = nil, sizesInBlockHeaders: Bool = false,
                uncompressedSize: UInt64? = nil) {
        self.lzma = lzma
        self.check = check
        self.filters = filters
        self.blockSize = blockSize
        self.sizesInBlockHeaders = sizesInBlockHeaders
        self.uncompressedSize = uncompressedSize
    }

    /// xz's preset `p` with the other defaults: `.preset(9)`, `.preset(.extreme(6))`.
    public static func preset(_ p: LZMAPreset) -> CompressionOptions {
        CompressionOptions(lzma: LZMASettings(preset: p))
    }

    /// Checks the values that apply to `format`.
    /// - Throws: `LZMAError.invalidOptions` for invalid LZMA settings, lc + lp > 4
    ///   (`.lzma`, LZMA2), more than 3 filters or invalid filter values,
    ///   filters with a format that has none, a block size of 0, or a format
    ///   this library cannot write (`.auto`, `.lzip`: `.unsupported`).
    public func validate(for format: LZMAFormat) throws(LZMAError) {
        switch format {
        case .auto:
            throw LZMAError.invalidOptions("compression needs a format: .xz, .lzma, .rawLZMA1 or .rawLZMA2")
        case .lzip:
            throw LZMAError.unsupported("writing .lz is not supported (xz reads .lz but does not write it)")
        case .lzma, .rawLZMA1:
            try lzma.validate(lcPlusLpAtMost4: format == .lzma)
            guard filters.isEmpty else {
                throw LZMAError.invalidOptions("the .lzma format supports only the LZMA1 filter")
            }
        case .xz, .rawLZMA2:
            try lzma.validate(lcPlusLpAtMost4: true)
            guard filters.count <= 3 else {
                throw LZMAError.invalidOptions("at most 3 filters may precede LZMA2, got \(filters.count)")
            }
            for f in filters { try f.validate() }
            if let b = blockSize, b == 0 || b > VLI.max {
                throw LZMAError.invalidOptions("block size \(b) is out of range")
            }
            for item in blockList {
                guard item.size <= VLI.max else { throw LZMAError.invalidOptions("block size \(item.size) is out of range") }
                guard let chain = item.chain else { continue }
                guard chain.coder == .lzma2 else { throw LZMAError.invalidOptions("LZMA1 cannot be used with the .xz format") }
                var o = CompressionOptions(lzma: chain.lzma, filters: chain.filters)
                o.blockSize = nil
                try o.validate(for: format)
            }
        }
    }
}

/// Everything a decompressor is told besides the format.
///
/// The defaults decode what `xz -d` decodes, without a memory limit.
public struct DecompressionOptions: Sendable, Hashable {
    /// Fail with ``LZMAError/memoryLimitExceeded(required:limit:)`` instead of
    /// decoding a stream (for `.xz`: a block) that needs more than this many
    /// bytes, counted as xz 5.4 counts them for `--memlimit`: the declared
    /// dictionary plus about 64 KiB of decoder state (and 352 bytes per
    /// Delta, 1 KiB per BCJ filter). nil = no limit.
    public var memoryLimit: UInt64?
    /// `.xz` and `.lz`: after a stream (member) ends, go on with the streams
    /// that follow (and `.xz` stream padding), as `xz -d` does. true is the
    /// default. false stops after the first stream, like Python's
    /// `LZMADecompressor` and xz's `--single-stream`; what follows is
    /// ``LZMADecompressor/unusedData``.
    public var concatenated: Bool
    /// `.xz`: do not verify the blocks' integrity checks (xz's
    /// `--ignore-check`); header, index and footer CRC32s are still verified.
    public var ignoreCheck: Bool
    /// Raw formats only: lc, lp, pb (raw LZMA1) and the dictionary size (both).
    public var properties: LZMAProperties
    /// Raw LZMA1 only: the exact uncompressed size when known; without it the
    /// data must end with an end marker (with it, a marker is still accepted).
    public var uncompressedSize: UInt64?
    /// Raw formats only: the filters the data was compressed with, in the
    /// order xz's command line gives them (they are undone in reverse).
    public var filters: [XZFilter]

    /// - Parameters: see the properties. Defaults: no limit, concatenated
    ///   streams, checks verified; for raw data xz's preset-6 properties
    ///   (lc=3, lp=0, pb=2, 8 MiB), no filters.
    public init(memoryLimit: UInt64? = nil, concatenated: Bool = true, ignoreCheck: Bool = false,
                properties: LZMAProperties = .default, uncompressedSize: UInt64? = nil, filters: [XZFilter] = []) {
        self.memoryLimit = memoryLimit
        self.concatenated = concatenated
        self.ignoreCheck = ignoreCheck
        self.properties = properties
        self.uncompressedSize = uncompressedSize
        self.filters = filters
    }
}

/// One item of ``CompressionOptions/blockList`` (xz's `--block-list`).
public struct XZBlockListItem: Sendable, Hashable {
    /// Uncompressed bytes in the block(s) of this item; 0 = the rest of the input.
    public var size: UInt64
    /// The filter chain of these blocks; nil = the options' default chain.
    public var chain: LZMAFilterChain?

    public init(size: UInt64, chain: LZMAFilterChain? = nil) {
        self.size = size
        self.chain = chain
    }
}
