/// The integrity check of an `.xz` stream (spec section 3.4): computed over
/// the uncompressed data of each block and stored after the block.
///
/// The stream flags hold a 4-bit Check ID. Only the four cases here are
/// defined; the other IDs are reserved, but their field sizes are fixed by
/// the spec, so a decoder can still skip them (see ``XZCheck/fieldSize(id:)``).
public enum XZCheck: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// No check (xz `-C none`).
    case none = 0x00
    /// CRC32 (IEEE 802.3), stored little endian (xz `-C crc32`).
    case crc32 = 0x01
    /// CRC64 (ECMA-182), stored little endian; xz's default (`-C crc64`).
    case crc64 = 0x04
    /// SHA-256, the 32-byte digest (xz `-C sha256`).
    case sha256 = 0x0A

    /// Size in bytes of the Check field.
    public var size: Int { XZCheck.fieldSize(id: rawValue) }

    /// Size of the Check field for any Check ID 0...15 (the spec reserves
    /// sizes for IDs not defined yet: 0, 4, 4, 4, 8, 8, 8, 16, 16, 16, 32...).
    public static func fieldSize(id: UInt8) -> Int {
        let id = Int(id & 0x0F)
        return id == 0 ? 0 : 4 << ((id - 1) / 3)
    }

    /// The name xz uses (`None`, `CRC32`, `CRC64`, `SHA-256`).
    public var description: String {
        switch self {
        case .none: return "None"
        case .crc32: return "CRC32"
        case .crc64: return "CRC64"
        case .sha256: return "SHA-256"
        }
    }
}

/// Computes one block's check: a dispatcher over the checksum structs, so the
/// container code need not care which one the stream uses.
///
/// The structs live inline in this class and are updated in place (no copy
/// of the SHA-256 state per update). Cost: that of the checksum, O(n).
final class CheckCalculator {
    let check: XZCheck
    private var crc32 = CRC32()
    private var crc64 = CRC64()
    private var sha256 = SHA256()

    init(_ check: XZCheck) { self.check = check }

    /// Starts over for the next block.
    func reset() {
        switch check {
        case .none: break
        case .crc32: crc32 = CRC32()
        case .crc64: crc64 = CRC64()
        case .sha256: sha256 = SHA256()
        }
    }

    /// Adds `count` bytes at `p`.
    @inline(__always)
    func update(_ p: UnsafePointer<UInt8>, count: Int) {
        guard count > 0 else { return }
        let raw = UnsafeRawBufferPointer(start: p, count: count)
        switch check {
        case .none: break
        case .crc32: crc32.update(raw)
        case .crc64: crc64.update(raw)
        case .sha256: sha256.update(raw)
        }
    }

    /// The Check field as stored in the file; call once per block, then `reset()`.
    func finalize() -> [UInt8] {
        switch check {
        case .none: return []
        case .crc32: return littleEndianBytes(UInt64(crc32.value), count: 4)
        case .crc64: return littleEndianBytes(crc64.value, count: 8)
        case .sha256: return sha256.finalize()
        }
    }
}
