/// Every error the library throws: all throwing functions are `throws(LZMAError)`.
///
/// Each case says what is wrong; where a position is known it carries the byte
/// offset in the compressed input (counted from the first byte given to the
/// decoder), so a message can say *where* the data went bad. ``description``
/// is one line, starting with the words xz uses for the same problem.
///
/// `LZMAError` is `Sendable` and `Equatable`; the `String` in a case is a
/// human-readable detail, not meant for matching.
public enum LZMAError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The data is not in any format this decoder was asked to recognise
    /// (auto-detection found neither `.xz`, `.lzma` nor `.lz`). Always at offset 0.
    case unknownFormat
    /// The file or stream header is not valid for the format (wrong magic,
    /// impossible field value) at `offset`.
    case invalidHeader(String, offset: UInt64)
    /// Coder properties (lc/lp/pb, dictionary size, filter properties) read
    /// from the data or given by the caller are invalid.
    case invalidProperties(String)
    /// The compressed data is corrupt; `offset` is the input position at which
    /// it was detected.
    case corruptData(String, offset: UInt64)
    /// The input ended (after `offset` bytes) before the end of the stream.
    case truncatedInput(String, offset: UInt64)
    /// A size stated by the container (or declared by the caller when
    /// compressing) does not match the data; `offset` is where it was found
    /// (for compression: the uncompressed input position).
    case sizeMismatch(String, expected: UInt64, actual: UInt64, offset: UInt64)
    /// Decoding (or encoding) would need more memory than the caller allowed.
    case memoryLimitExceeded(required: UInt64, limit: UInt64)
    /// A valid file uses a feature this library does not support
    /// (unknown filter, reserved flags, a newer format version).
    case unsupported(String)
    /// An integrity check (CRC32, CRC64, SHA-256) does not match the data;
    /// `offset` is the position of the check field.
    case checkMismatch(String, offset: UInt64)
    /// Options given by the caller are invalid (for example lc + lp > 4 for `.lzma`).
    case invalidOptions(String)
    /// A caller-supplied source (a random-access reader) failed to read;
    /// the text is the source's own message.
    case readFailed(String)
    /// The API was used out of order (for example input after `finish()`).
    case programmingError(String)

    /// The input offset the error concerns, when it concerns one.
    public var offset: UInt64? {
        switch self {
        case .unknownFormat: return 0
        case .invalidHeader(_, let o), .corruptData(_, let o), .truncatedInput(_, let o),
             .sizeMismatch(_, _, _, let o), .checkMismatch(_, let o):
            return o
        case .invalidProperties, .memoryLimitExceeded, .unsupported, .invalidOptions, .readFailed, .programmingError:
            return nil
        }
    }

    /// One line: xz's words for the kind of problem, then the detail.
    public var description: String {
        switch self {
        case .unknownFormat: return "File format not recognized: not .xz, .lzma or .lz data"
        case .invalidHeader(let s, let o): return "File format not recognized: \(s) (at input byte \(o))"
        case .invalidProperties(let s): return "Invalid properties: \(s)"
        case .corruptData(let s, let o): return "Compressed data is corrupt: \(s) (at input byte \(o))"
        case .truncatedInput(let s, let o): return "Unexpected end of input: \(s) (after \(o) bytes)"
        case .sizeMismatch(let s, let e, let a, let o):
            return "Compressed data is corrupt: \(s) (expected \(e), got \(a), at byte \(o))"
        case .memoryLimitExceeded(let r, let l):
            return "Memory usage limit reached: \(LZMAError.mib(r)) MiB of memory is required, the limit is \(LZMAError.mib(l)) MiB"
        case .unsupported(let s): return "Unsupported options: \(s)"
        case .checkMismatch(let s, let o): return "Compressed data is corrupt: \(s) (at input byte \(o))"
        case .invalidOptions(let s): return "Invalid options: \(s)"
        case .readFailed(let s): return "Read error: \(s)"
        case .programmingError(let s): return "Internal error: \(s)"
        }
    }

    /// Bytes as xz rounds them in its messages: MiB, rounded up.
    static func mib(_ v: UInt64) -> UInt64 { (v + (1 << 20) - 1) >> 20 }
}
