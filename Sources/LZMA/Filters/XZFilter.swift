/// One non-LZMA filter of an `.xz` filter chain: Delta or one of the BCJ
/// (branch/call/jump) converters for executables.
///
/// These filters never change the data size; they only rewrite bytes so that
/// the LZMA2 filter that follows them finds more repetition. A chain holds up
/// to three of them before the LZMA2 filter (xz file format, section 5.3).
///
/// The value only describes the filter; ``FilterTransformer`` runs it.
public enum XZFilter: Sendable, Hashable {
    /// Delta filter: each byte is stored as its difference from the byte
    /// `distance` positions earlier. `distance` must be in 1...256.
    case delta(distance: Int)
    /// x86 (32- and 64-bit) CALL/JMP converter. Any `start` is valid.
    case x86(start: UInt32)
    /// PowerPC (big endian) branch converter. `start` must be a multiple of 4.
    case powerPC(start: UInt32)
    /// Itanium (IA-64) branch converter. `start` must be a multiple of 16.
    case ia64(start: UInt32)
    /// ARM (little-endian instruction encoding) BL converter. `start` must be a multiple of 4.
    case arm(start: UInt32)
    /// ARM Thumb BL converter. `start` must be a multiple of 2.
    case armThumb(start: UInt32)
    /// SPARC CALL converter. `start` must be a multiple of 4.
    case sparc(start: UInt32)
    /// ARM64 BL and ADRP converter. `start` must be a multiple of 4.
    case arm64(start: UInt32)
    /// RISC-V (RV32/RV64, either endianness) JAL and AUIPC-pair converter
    /// (xz 5.6 and later). `start` must be a multiple of 2.
    case riscv(start: UInt32)

    /// Filter IDs as stored in an `.xz` block header.
    enum ID {
        static let delta: UInt64 = 0x03
        static let x86: UInt64 = 0x04
        static let powerPC: UInt64 = 0x05
        static let ia64: UInt64 = 0x06
        static let arm: UInt64 = 0x07
        static let armThumb: UInt64 = 0x08
        static let sparc: UInt64 = 0x09
        static let arm64: UInt64 = 0x0A
        static let riscv: UInt64 = 0x0B
        static let lzma2: UInt64 = 0x21
    }

    /// The filter ID stored in the block header.
    public var id: UInt64 {
        switch self {
        case .delta: return ID.delta
        case .x86: return ID.x86
        case .powerPC: return ID.powerPC
        case .ia64: return ID.ia64
        case .arm: return ID.arm
        case .armThumb: return ID.armThumb
        case .sparc: return ID.sparc
        case .arm64: return ID.arm64
        case .riscv: return ID.riscv
        }
    }

    /// The BCJ start offset (the address the first byte is assumed to sit at),
    /// or `nil` for Delta.
    public var startOffset: UInt32? {
        switch self {
        case .delta: return nil
        case .x86(let s), .powerPC(let s), .ia64(let s), .arm(let s),
             .armThumb(let s), .sparc(let s), .arm64(let s), .riscv(let s):
            return s
        }
    }

    /// Instruction alignment in bytes: the BCJ start offset must be a multiple
    /// of it (liblzma refuses other offsets), and the converter steps by it.
    /// 1 for Delta and x86.
    public var alignment: UInt32 {
        switch self {
        case .delta, .x86: return 1
        case .armThumb, .riscv: return 2
        case .powerPC, .arm, .sparc, .arm64: return 4
        case .ia64: return 16
        }
    }

    /// The Filter Properties field as stored in the block header: one byte
    /// `distance - 1` for Delta; for BCJ nothing when the start offset is 0,
    /// else the offset as 4 bytes little endian (what xz writes).
    public var propertiesBytes: [UInt8] {
        switch self {
        case .delta(let distance):
            return [UInt8(truncatingIfNeeded: distance &- 1)]
        default:
            let s = startOffset!
            if s == 0 { return [] }
            return littleEndianBytes(UInt64(s), count: 4)
        }
    }

    /// Checks the values a caller put in the case (the enum cannot).
    ///
    /// - Throws: `LZMAError.invalidOptions` if the Delta distance is outside
    ///   1...256 or a BCJ start offset is not a multiple of ``alignment``.
    public func validate() throws(LZMAError) {
        if case .delta(let distance) = self {
            guard (1...256).contains(distance) else {
                throw LZMAError.invalidOptions("delta distance \(distance) is not in 1...256")
            }
        } else if let s = startOffset, s % alignment != 0 {
            throw LZMAError.invalidOptions("\(name) start offset \(s) is not a multiple of \(alignment)")
        }
    }

    /// The name xz uses for the filter on its command line (`--x86`, `--delta`, ...).
    public var name: String {
        switch self {
        case .delta: return "delta"
        case .x86: return "x86"
        case .powerPC: return "powerpc"
        case .ia64: return "ia64"
        case .arm: return "arm"
        case .armThumb: return "armthumb"
        case .sparc: return "sparc"
        case .arm64: return "arm64"
        case .riscv: return "riscv"
        }
    }

    /// Decodes a filter from its block-header ID and Filter Properties, with
    /// liblzma 5.4's rules.
    ///
    /// - Throws: `LZMAError.unsupported` for an ID that is not one of these
    ///   filters (LZMA2 included: it is handled by the container);
    ///   `LZMAError.invalidProperties` if Delta's properties are not exactly one
    ///   byte, BCJ properties are neither empty nor 4 bytes, or the BCJ start
    ///   offset is not a multiple of the filter's alignment.
    /// - Complexity: O(1).
    public init(id: UInt64, properties: [UInt8]) throws(LZMAError) {
        if id == ID.delta {
            guard properties.count == 1 else {
                throw LZMAError.invalidProperties("delta filter properties must be 1 byte, got \(properties.count)")
            }
            self = .delta(distance: Int(properties[0]) + 1)
            return
        }
        var start: UInt32 = 0
        switch properties.count {
        case 0: break
        case 4:
            start = UInt32(readLittleEndian(properties, at: 0, count: 4))
        default:
            if (ID.x86...ID.riscv).contains(id) {
                throw LZMAError.invalidProperties("BCJ filter properties must be 0 or 4 bytes, got \(properties.count)")
            }
        }
        switch id {
        case ID.x86: self = .x86(start: start)
        case ID.powerPC: self = .powerPC(start: start)
        case ID.ia64: self = .ia64(start: start)
        case ID.arm: self = .arm(start: start)
        case ID.armThumb: self = .armThumb(start: start)
        case ID.sparc: self = .sparc(start: start)
        case ID.arm64: self = .arm64(start: start)
        case ID.riscv: self = .riscv(start: start)
        case ID.lzma2:
            throw LZMAError.unsupported("filter ID 0x21 (LZMA2) is only valid as the last filter")
        default:
            throw LZMAError.unsupported("filter ID 0x\(String(id, radix: 16))")
        }
        guard start % alignment == 0 else {
            throw LZMAError.invalidProperties("\(name) start offset \(start) is not a multiple of \(alignment)")
        }
    }

    /// Parses one filter as written on xz's command line: the option name
    /// without dashes and its value, e.g. `("delta", "dist=4")`,
    /// `("x86", "start=0")`, `("arm64", nil)`.
    ///
    /// Options are `dist=1...256` for Delta and `start=N` for BCJ (`N` as
    /// ``XZOptionParsing/parseSize(_:option:in:)`` reads it: decimal with xz's
    /// optional KiB/MiB/GiB suffixes, or `max`); several may be given
    /// separated by commas, the last wins.
    ///
    /// - Throws: `LZMAError.invalidOptions` for an unknown filter or option
    ///   name, a malformed or out-of-range number, or a misaligned start offset.
    public init(xzOption name: String, value: String?) throws(LZMAError) {
        let lower = name.lowercased()
        let isDelta = lower == "delta"
        var number: UInt64 = isDelta ? 1 : 0
        let key = isDelta ? "dist" : "start"
        for item in (value ?? "").split(separator: ",", omittingEmptySubsequences: true) {
            // xz's messages: a pair without `=` or value names the whole list.
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[1].isEmpty else {
                throw LZMAError.invalidOptions("\(value ?? ""): Options must be `name=value' pairs separated with commas")
            }
            guard parts[0] == Substring(key) else { throw LZMAError.invalidOptions("\(parts[0]): Invalid option name") }
            number = try XZOptionParsing.parseSize(String(parts[1]), option: key, in: isDelta ? 1...256 : 0...UInt64(UInt32.max))
        }
        let start = UInt32(truncatingIfNeeded: number)
        switch lower {
        case "delta":
            self = .delta(distance: Int(number))
        case "x86": self = .x86(start: start)
        case "powerpc": self = .powerPC(start: start)
        case "ia64": self = .ia64(start: start)
        case "arm": self = .arm(start: start)
        case "armthumb": self = .armThumb(start: start)
        case "sparc": self = .sparc(start: start)
        case "arm64": self = .arm64(start: start)
        case "riscv": self = .riscv(start: start)
        default: throw LZMAError.invalidOptions("unknown filter \(name)")
        }
        try validate()
    }
}
