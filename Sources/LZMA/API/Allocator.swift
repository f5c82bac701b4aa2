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
    /// Returns at least `byteCount` bytes whose contents do not matter,
    /// aligned to 16 bytes, for the tables the encoder fills front to back
    /// before it reads them: the input window and the match finder's son
    /// table (binary trees or hash chains). Their pages become resident in
    /// order, never at random, so an allocator may back them with huge pages
    /// (on Linux, `madvise(MADV_HUGEPAGE)`) at a cost of at most one huge page
    /// each; the binary-tree search then misses the TLB far less often. The
    /// hash table, touched at random, comes from `allocateZeroed`.
    public var allocateUninitialized: @Sendable (_ byteCount: Int) -> UnsafeMutableRawPointer
    /// Frees memory returned by `allocateZeroed` or `allocateUninitialized`.
    public var deallocate: @Sendable (UnsafeMutableRawPointer) -> Void

    /// An allocator whose every table comes from `allocateZeroed`.
    /// - Parameters:
    ///   - allocateZeroed: returns `byteCount` zeroed bytes, 16-byte aligned.
    ///   - deallocate: frees a block from `allocateZeroed`.
    public init(allocateZeroed: @escaping @Sendable (_ byteCount: Int) -> UnsafeMutableRawPointer,
                deallocate: @escaping @Sendable (UnsafeMutableRawPointer) -> Void) {
        self.init(allocateZeroed: allocateZeroed, allocateUninitialized: allocateZeroed, deallocate: deallocate)
    }

    /// An allocator with a separate source for the tables filled in order.
    /// - Parameters:
    ///   - allocateZeroed: returns `byteCount` zeroed bytes, 16-byte aligned
    ///     (the hash table).
    ///   - allocateUninitialized: returns `byteCount` bytes of any contents,
    ///     16-byte aligned (the window and the son table; see
    ///     ``allocateUninitialized``).
    ///   - deallocate: frees a block from either.
    public init(allocateZeroed: @escaping @Sendable (_ byteCount: Int) -> UnsafeMutableRawPointer,
                allocateUninitialized: @escaping @Sendable (_ byteCount: Int) -> UnsafeMutableRawPointer,
                deallocate: @escaping @Sendable (UnsafeMutableRawPointer) -> Void) {
        self.allocateZeroed = allocateZeroed
        self.allocateUninitialized = allocateUninitialized
        self.deallocate = deallocate
    }

    /// Swift's allocator followed by writing zeros: costs O(n) time and makes
    /// the zeroed bytes resident. Only the hash table is zeroed this way (the
    /// other tables need no initial contents), so the resident memory right
    /// after creation is the hash table: 1 MiB at preset 0, 16 MiB at 6,
    /// 64 MiB at 9.
    public static let standard = LZMAAllocator(
        allocateZeroed: { n in
            let p = swiftAllocate(n)
            p.initializeMemory(as: UInt8.self, repeating: 0, count: n)
            return p
        },
        allocateUninitialized: swiftAllocate,
        deallocate: { $0.deallocate() })

    @Sendable
    private static func swiftAllocate(_ n: Int) -> UnsafeMutableRawPointer {
        UnsafeMutableRawPointer.allocate(byteCount: max(n, 1), alignment: 16)
    }

    /// `count` zeroed values of `T` (a trivial type).
    func allocate<T>(_: T.Type, count: Int) -> UnsafeMutablePointer<T> {
        allocateZeroed(count * MemoryLayout<T>.stride).bindMemory(to: T.self, capacity: count)
    }

    /// `count` values of `T` whose initial contents do not matter, for a
    /// table filled front to back (`allocateUninitialized`).
    func allocateScratch<T>(_: T.Type, count: Int) -> UnsafeMutablePointer<T> {
        allocateUninitialized(count * MemoryLayout<T>.stride).bindMemory(to: T.self, capacity: count)
    }

    func free<T>(_ p: UnsafeMutablePointer<T>) {
        deallocate(UnsafeMutableRawPointer(p))
    }
}
