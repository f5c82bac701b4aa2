/// Every error the library throws.
///
/// Each case says what is wrong; where a position is known it is the byte
/// offset in the compressed input (counted from the start of the stream or
/// file being decoded), so a message can say *where* the data went bad.
public enum LZMAError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file or stream header is not valid for the format (wrong magic,
    /// impossible field value). Also used when auto-detection finds no known format.
    case invalidHeader(String)
    /// The coder properties (lc/lp/pb, dictionary size, filter options) are invalid.
    case invalidProperties(String)
    /// The compressed data is corrupt; `offset` is the input position at which
    /// it was detected.
    case corruptData(String, offset: UInt64)
    /// The input ended before the end of the stream.
    case truncatedInput(String)
    /// A size stated by the container does not match the data.
    case sizeMismatch(String, expected: UInt64, actual: UInt64)
    /// Decoding (or encoding) would need more memory than the caller allowed.
    case memoryLimitExceeded(required: UInt64, limit: UInt64)
    /// A valid file uses a feature this library does not support
    /// (unknown filter, unknown check type, reserved flags).
    case unsupported(String)
    /// An integrity check (CRC32, CRC64, SHA-256) does not match the data.
    case checkMismatch(String)
    /// Options given by the caller are invalid (for example lc + lp > 4 for `.lzma`).
    case invalidOptions(String)
    /// A caller-supplied source (a random-access reader) failed to read;
    /// the text is the source's own message.
    case readFailed(String)
    /// The API was used out of order (for example input after `finish()`).
    case programmingError(String)

    public var description: String {
        switch self {
        case .invalidHeader(let s): return "File format not recognized: \(s)"
        case .invalidProperties(let s): return "Invalid properties: \(s)"
        case .corruptData(let s, let offset): return "Compressed data is corrupt: \(s) (at input byte \(offset))"
        case .truncatedInput(let s): return "Unexpected end of input: \(s)"
        case .sizeMismatch(let s, let e, let a): return "Compressed data is corrupt: \(s) (expected \(e), got \(a))"
        case .memoryLimitExceeded(let r, let l):
            return "Memory usage limit reached: \(LZMAError.mib(r)) MiB of memory is required, the limit is \(LZMAError.mib(l)) MiB"
        case .unsupported(let s): return "Unsupported options: \(s)"
        case .checkMismatch(let s): return "Compressed data is corrupt: \(s)"
        case .invalidOptions(let s): return "Invalid options: \(s)"
        case .readFailed(let s): return "Read error: \(s)"
        case .programmingError(let s): return "Internal error: \(s)"
        }
    }

    static func mib(_ v: UInt64) -> UInt64 { (v + (1 << 20) - 1) >> 20 }
}
