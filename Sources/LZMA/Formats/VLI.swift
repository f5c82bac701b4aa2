/// Variable-length integers of the `.xz` format (spec section 1.2).
///
/// Seven bits per byte, least significant first; the high bit of a byte says
/// another byte follows. At most 9 bytes, so values are below 2^63. The
/// encoding must be the shortest one: a last byte of zero (after the first)
/// is invalid, which keeps every value to exactly one encoding.
enum VLI {
    /// The largest value: 2^63 - 1.
    static let max: UInt64 = UInt64.max >> 1
    /// The longest encoding.
    static let maxBytes = 9

    /// Decodes one integer from `buf[pos..<end]` and advances `pos`.
    ///
    /// - Returns: the value, or a reason it is invalid (running past `end`,
    ///   more than 9 bytes, or a non-minimal encoding); the caller turns the
    ///   reason into an error with its position.
    static func decode(_ buf: UnsafePointer<UInt8>, pos: inout Int, end: Int) -> Result<UInt64, VLIError> {
        var value: UInt64 = 0
        var i = 0
        while true {
            guard pos < end else { return .failure(.truncated) }
            let b = buf[pos]
            pos += 1
            value |= UInt64(b & 0x7F) << UInt64(7 * i)
            i += 1
            if b & 0x80 == 0 {
                if b == 0 && i > 1 { return .failure(.notMinimal) }
                return .success(value)
            }
            if i == maxBytes { return .failure(.tooLong) }
        }
    }

    /// The encoding of `value` (which must be at most ``max``).
    static func encode(_ value: UInt64) -> [UInt8] {
        var out = [UInt8]()
        var v = value
        while v >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
        return out
    }

    /// How many bytes the encoding of `value` takes.
    static func size(_ value: UInt64) -> Int {
        var n = 1
        var v = value >> 7
        while v != 0 { n += 1; v >>= 7 }
        return n
    }
}

/// Why a variable-length integer is invalid.
enum VLIError: Error, Equatable, CustomStringConvertible {
    case truncated, tooLong, notMinimal

    var description: String {
        switch self {
        case .truncated: return "integer runs past the end of its field"
        case .tooLong: return "integer is longer than 9 bytes"
        case .notMinimal: return "integer is not in its shortest encoding"
        }
    }
}

/// Decodes a variable-length integer one byte at a time (for fields read
/// straight from the input, like the Index records).
struct VLIReader {
    private var value: UInt64 = 0
    private var count = 0

    /// Feeds one byte; returns the value once its last byte has been fed.
    /// - Throws: `VLIError` for a too long or non-minimal encoding.
    mutating func feed(_ b: UInt8) throws(VLIError) -> UInt64? {
        value |= UInt64(b & 0x7F) << UInt64(7 * count)
        count += 1
        if b & 0x80 == 0 {
            if b == 0 && count > 1 { throw .notMinimal }
            let v = value
            self = VLIReader()
            return v
        }
        if count == VLI.maxBytes { throw .tooLong }
        return nil
    }
}
