/// Where the compressor gets its large tables: the match finder's hash and
/// son tables and the input window (together tens to hundreds of MiB).
///
/// The hash table must start zeroed. The standard allocator zeroes it by
/// writing, which makes every page resident at once. An allocator that takes
/// already-zeroed pages from the operating system (C's `calloc`, `mmap`)
/// leaves the pages a small input never touches unbacked, as liblzma does; the
/// library itself uses only the Swift standard library, so the caller supplies
/// such an allocator:
///
/// ```swift
/// let calloced = LZMAAllocator(
///     allocateZeroed: { n in
///         guard let p = calloc(n, 1) else { fatalError("out of memory") }
///         return p
///     },
///     deallocate: { free($0) })
/// let c = try LZMACompressor(options: .preset(9), allocator: calloced)
/// ```
public struct LZMAAllocator: Sendable {
    /// Returns at least `byteCount` bytes, all zero, aligned to 16 bytes.
    /// It must not return nil (trap if memory is exhausted, as Swift's
    /// allocation does).
    public var allocateZeroed: @Sendable (_ byteCount: Int) -> UnsafeMutableRawPointer
    /// Frees memory returned by `allocateZeroed`.
    public var deallocate: @Sendable (UnsafeMutableRawPointer) -> Void

    /// True for `standard`: zeroing there costs writes, so tables that need
    /// no zeros (the son table, the window) skip it.
    let zeroesByWriting: Bool

    /// - Parameters:
    ///   - allocateZeroed: returns `byteCount` zeroed bytes, 16-byte aligned.
    ///   - deallocate: frees a block from `allocateZeroed`.
    public init(allocateZeroed: @escaping @Sendable (_ byteCount: Int) -> UnsafeMutableRawPointer,
                deallocate: @escaping @Sendable (UnsafeMutableRawPointer) -> Void) {
        self.allocateZeroed = allocateZeroed
        self.deallocate = deallocate
        zeroesByWriting = false
    }

    private init(swiftAllocator: ()) {
        allocateZeroed = { n in
            let p = LZMAAllocator.allocateUninitialized(n)
            p.initializeMemory(as: UInt8.self, repeating: 0, count: n)
            return p
        }
        deallocate = { $0.deallocate() }
        zeroesByWriting = true
    }

    /// Swift's allocator followed by writing zeros: costs O(n) time and makes
    /// the zeroed bytes resident. Only the hash table is zeroed this way (the
    /// other tables need no initial contents), so the resident memory right
    /// after creation is the hash table: 1 MiB at preset 0, 16 MiB at 6,
    /// 64 MiB at 9.
    public static let standard = LZMAAllocator(swiftAllocator: ())

    static func allocateUninitialized(_ n: Int) -> UnsafeMutableRawPointer {
        UnsafeMutableRawPointer.allocate(byteCount: max(n, 1), alignment: 16)
    }

    /// `count` zeroed values of `T` (a trivial type).
    func allocate<T>(_: T.Type, count: Int) -> UnsafeMutablePointer<T> {
        allocateZeroed(count * MemoryLayout<T>.stride).bindMemory(to: T.self, capacity: count)
    }

    /// `count` values of `T` whose initial contents do not matter: zeroed
    /// pages from a custom allocator, uninitialized memory from `standard`.
    func allocateScratch<T>(_: T.Type, count: Int) -> UnsafeMutablePointer<T> {
        let bytes = count * MemoryLayout<T>.stride
        let raw = zeroesByWriting ? LZMAAllocator.allocateUninitialized(bytes) : allocateZeroed(bytes)
        return raw.bindMemory(to: T.self, capacity: count)
    }

    func free<T>(_ p: UnsafeMutablePointer<T>) {
        deallocate(UnsafeMutableRawPointer(p))
    }
}
