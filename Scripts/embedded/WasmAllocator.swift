// The C allocator entry points Embedded Swift needs on wasm32-unknown-none-wasm
// (`posix_memalign` and `free`), written in Swift
// over WebAssembly's `memory.grow`. There is no libc on that target.
//
// Heap: starts at the end of the module's initial memory and grows in 64 KiB
// pages. Each block has a 16-byte header just below the pointer handed out
// (block size, and the distance back to the block start for over-aligned
// requests). Blocks up to 1 MiB use power-of-two size classes with one free
// list each; larger blocks are 64 KiB multiples kept in an address-ordered
// free list with best fit, splitting and coalescing, and a free block that
// ends at the top of the heap lowers the top again. Single-threaded.

#if arch(wasm32)

// LLVM intrinsics, called by name: they compile to the `memory.size` and
// `memory.grow` instructions.
@_extern(c, "llvm.wasm.memory.size.i32") func wasmMemorySize(_ memory: Int32) -> Int32
@_extern(c, "llvm.wasm.memory.grow.i32") func wasmMemoryGrow(_ memory: Int32, _ pages: Int32) -> Int32

enum WasmHeap {
    static let pageSize: UInt = 65536
    static let headerSize: UInt = 16
    static let minClass = 5         // 32-byte blocks (16 of them header)
    static let maxClass = 20        // 1 MiB; above: large blocks
    static let largeUnit: UInt = 65536

    /// Next free address above every block.
    static var top: UInt = 0
    /// End of the linear memory.
    static var end: UInt = 0
    /// Free-list heads of the size classes (minClass...maxClass), in the heap itself.
    static var classHeads: UnsafeMutablePointer<UInt>? = nil
    /// Address-ordered free list of large blocks: each free block starts with (next, size).
    static var largeHead: UInt = 0
    /// Peak of `top`, for reporting.
    static var peak: UInt = 0

    @inline(__always) static func word(_ address: UInt, _ index: Int = 0) -> UnsafeMutablePointer<UInt> {
        UnsafeMutablePointer<UInt>(bitPattern: address)! + index
    }

    static func setUp() {
        end = UInt(wasmMemorySize(0)) * pageSize
        top = end
        peak = top
        let count = maxClass - minClass + 1
        guard let base = rawBump(UInt(count * MemoryLayout<UInt>.stride)) else { return }
        let heads = UnsafeMutablePointer<UInt>(bitPattern: base)!
        heads.initialize(repeating: 0, count: count)
        classHeads = heads
    }

    /// `size` bytes from the top of the heap (growing the memory), 16-aligned.
    static func rawBump(_ size: UInt) -> UInt? {
        let start = (top + 15) & ~15
        let (newTop, overflow) = start.addingReportingOverflow(size)
        guard !overflow else { return nil }
        if newTop > end {
            let pages = (newTop - end + pageSize - 1) / pageSize
            guard pages <= UInt(Int32.max), wasmMemoryGrow(0, Int32(pages)) != -1 else { return nil }
            end += pages * pageSize
        }
        top = newTop
        if top > peak { peak = top }
        return start
    }

    /// A block of at least `total` bytes (header included); returns its start and real size.
    static func allocateBlock(_ total: UInt) -> (start: UInt, size: UInt)? {
        if classHeads == nil { setUp() }
        guard let heads = classHeads else { return nil }
        if total <= (1 << UInt(maxClass)) {
            var k = minClass
            while (1 << UInt(k)) < total { k += 1 }
            let size: UInt = 1 << UInt(k)
            let head = heads + (k - minClass)
            if head.pointee != 0 {
                let start = head.pointee
                head.pointee = word(start).pointee
                return (start, size)
            }
            guard let start = rawBump(size) else { return nil }
            return (start, size)
        }
        let (rounded, overflow) = total.addingReportingOverflow(largeUnit - 1)
        guard !overflow else { return nil }
        let size = rounded & ~(largeUnit - 1)
        // Best fit among the free large blocks.
        var best: UInt = 0, bestPrev: UInt = 0, prev: UInt = 0
        var b = largeHead
        while b != 0 {
            let s = word(b, 1).pointee
            if s >= size && (best == 0 || s < word(best, 1).pointee) { best = b; bestPrev = prev }
            prev = b
            b = word(b).pointee
        }
        if best != 0 {
            let s = word(best, 1).pointee
            let next = word(best).pointee
            if s - size >= largeUnit {
                // Split: the tail stays free, in the same place of the list.
                let rest = best + size
                word(rest).pointee = next
                word(rest, 1).pointee = s - size
                link(bestPrev, rest)
                return (best, size)
            }
            link(bestPrev, next)
            return (best, s)
        }
        // A free block at the top of the heap is extended instead of left behind.
        if prev != 0 && prev + word(prev, 1).pointee == top {
            let s = word(prev, 1).pointee
            top = prev
            var p: UInt = 0, q = largeHead
            while q != prev { p = q; q = word(q).pointee }
            link(p, 0)
            if let start = rawBump(size) { return (start, size) }
            // Out of memory: put the block back.
            top = prev + s
            word(prev).pointee = 0
            word(prev, 1).pointee = s
            link(p, prev)
            return nil
        }
        guard let start = rawBump(size) else { return nil }
        return (start, size)
    }

    @inline(__always) static func link(_ prev: UInt, _ next: UInt) {
        if prev == 0 { largeHead = next } else { word(prev).pointee = next }
    }

    static func freeBlock(_ start: UInt, _ size: UInt) {
        if size <= (1 << UInt(maxClass)) {
            var k = minClass
            while (1 << UInt(k)) < size { k += 1 }
            let head = classHeads! + (k - minClass)
            word(start).pointee = head.pointee
            head.pointee = start
            return
        }
        // Insert in address order, merging with the neighbours.
        var prev: UInt = 0, next = largeHead
        while next != 0 && next < start { prev = next; next = word(next).pointee }
        var blockStart = start, blockSize = size
        if next != 0 && blockStart + blockSize == next {
            blockSize += word(next, 1).pointee
            next = word(next).pointee
        }
        if prev != 0 && prev + word(prev, 1).pointee == blockStart {
            blockStart = prev
            blockSize += word(prev, 1).pointee
            // `prev` is now the merged block; find its predecessor.
            var p: UInt = 0, q = largeHead
            while q != prev { p = q; q = word(q).pointee }
            prev = p
        }
        if blockStart + blockSize == top && next == 0 {
            top = blockStart
            link(prev, 0)
            return
        }
        word(blockStart).pointee = next
        word(blockStart, 1).pointee = blockSize
        link(prev, blockStart)
    }

    /// `size` bytes aligned to `alignment` (a power of two), or nil.
    static func allocate(_ size: UInt, alignment: UInt) -> UnsafeMutableRawPointer? {
        let align = max(alignment, 16)
        let (total, overflow) = size.addingReportingOverflow(headerSize + (align - 16))
        guard !overflow, let (start, blockSize) = allocateBlock(max(total, 1)) else { return nil }
        let user = (start + headerSize + align - 1) & ~(align - 1)
        let header = user - headerSize
        word(header).pointee = blockSize
        word(header, 1).pointee = header - start
        return UnsafeMutableRawPointer(bitPattern: user)
    }

    static func free(_ p: UnsafeMutableRawPointer) {
        let header = UInt(bitPattern: p) - headerSize
        let start = header - word(header, 1).pointee
        freeBlock(start, word(header).pointee)
    }
}

@_cdecl("posix_memalign")
func posix_memalign(_ result: UnsafeMutablePointer<UnsafeMutableRawPointer?>, _ alignment: Int, _ size: Int) -> Int32 {
    guard alignment > 0, alignment & (alignment - 1) == 0,
          let p = WasmHeap.allocate(UInt(size), alignment: UInt(alignment)) else { return 12 /* ENOMEM */ }
    result.pointee = p
    return 0
}

// Embedded Swift frees through `free`, a name the compiler reserves for its
// runtime (defining it in Swift draws a warning that is to become an error).
// So it is defined as `__wrap_free` and linked with `wasm-ld --wrap=free`,
// which sends every reference to `free` here.
@_cdecl("__wrap_free")
func wrappedFree(_ p: UnsafeMutableRawPointer?) {
    guard let p else { return }
    WasmHeap.free(p)
}

/// The highest heap address used so far, in bytes (for the report).
func heapPeakBytes() -> UInt { WasmHeap.peak }

#endif
