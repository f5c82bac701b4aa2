// What the self-test needs from the platform: command-line arguments, reading
// files, writing to stdout, exiting. Natively through libc; on
// wasm32-unknown-none-wasm through WASI (wasi_snapshot_preview1) imports.
// Everything is declared here in Swift; no C is compiled.

#if arch(wasm32)

@_extern(wasm, module: "wasi_snapshot_preview1", name: "fd_write")
@_extern(c)
func wasi_fd_write(_ fd: Int32, _ iovs: UnsafeRawPointer, _ iovsCount: Int32, _ written: UnsafeMutablePointer<UInt32>) -> UInt16

@_extern(wasm, module: "wasi_snapshot_preview1", name: "fd_read")
@_extern(c)
func wasi_fd_read(_ fd: Int32, _ iovs: UnsafeRawPointer, _ iovsCount: Int32, _ read: UnsafeMutablePointer<UInt32>) -> UInt16

@_extern(wasm, module: "wasi_snapshot_preview1", name: "path_open")
@_extern(c)
func wasi_path_open(_ dirFD: Int32, _ dirFlags: UInt32, _ path: UnsafePointer<UInt8>, _ pathLength: UInt32,
                    _ openFlags: UInt16, _ rightsBase: UInt64, _ rightsInheriting: UInt64, _ fdFlags: UInt16,
                    _ fd: UnsafeMutablePointer<Int32>) -> UInt16

@_extern(wasm, module: "wasi_snapshot_preview1", name: "fd_close")
@_extern(c)
func wasi_fd_close(_ fd: Int32) -> UInt16

@_extern(wasm, module: "wasi_snapshot_preview1", name: "args_sizes_get")
@_extern(c)
func wasi_args_sizes_get(_ argc: UnsafeMutablePointer<UInt32>, _ bufferSize: UnsafeMutablePointer<UInt32>) -> UInt16

@_extern(wasm, module: "wasi_snapshot_preview1", name: "args_get")
@_extern(c)
func wasi_args_get(_ argv: UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>, _ buffer: UnsafeMutablePointer<UInt8>) -> UInt16

@_extern(wasm, module: "wasi_snapshot_preview1", name: "proc_exit")
@_extern(c)
func wasi_proc_exit(_ code: Int32)

/// Writes all of `bytes` to file descriptor `fd` through WASI.
func writeAll(_ fd: Int32, _ bytes: UnsafeBufferPointer<UInt8>) {
    var base = bytes.baseAddress
    var left = bytes.count
    while left > 0, let b = base {
        var iov: (UInt32, UInt32) = (UInt32(UInt(bitPattern: b)), UInt32(left))
        var written: UInt32 = 0
        let err = withUnsafeBytes(of: &iov) { wasi_fd_write(fd, $0.baseAddress!, 1, &written) }
        if err != 0 || written == 0 { return }
        left -= Int(written)
        base = b + Int(written)
    }
}

/// Stdout, line-buffered: Embedded Swift's `print` goes through `putchar`.
var stdoutBuffer = (count: 0, bytes: UnsafeMutablePointer<UInt8>?.none)

func flushStdout() {
    guard let b = stdoutBuffer.bytes, stdoutBuffer.count > 0 else { return }
    writeAll(1, UnsafeBufferPointer(start: b, count: stdoutBuffer.count))
    stdoutBuffer.count = 0
}

@_cdecl("putchar")
func putchar(_ c: Int32) -> Int32 {
    if stdoutBuffer.bytes == nil { stdoutBuffer.bytes = .allocate(capacity: 1024) }
    stdoutBuffer.bytes![stdoutBuffer.count] = UInt8(truncatingIfNeeded: c)
    stdoutBuffer.count += 1
    if c == 10 || stdoutBuffer.count == 1024 { flushStdout() }
    return c
}

func exitProcess(_ code: Int32) -> Never {
    flushStdout()
    wasi_proc_exit(code)
    while true {}  // proc_exit does not return
}

/// The WASI entry point (`wasm-ld --export=_start`).
@_cdecl("_start")
func wasiStart() {
    exitProcess(runMain())
}

/// The program's arguments (argv[0] included).
func commandLine() -> [String] {
    var argc: UInt32 = 0, size: UInt32 = 0
    guard wasi_args_sizes_get(&argc, &size) == 0, argc > 0 else { return [] }
    let argv = UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>.allocate(capacity: Int(argc))
    let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: Int(size) + 1)
    defer { argv.deallocate(); buffer.deallocate() }
    guard wasi_args_get(argv, buffer) == 0 else { return [] }
    var result: [String] = []
    for i in 0..<Int(argc) {
        guard let p = argv[i] else { continue }
        var n = 0
        while p[n] != 0 { n += 1 }
        result.append(String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self))
    }
    return result
}

/// An open file for reading.
struct InputFile {
    let fd: Int32

    /// Opens `path`, relative to the first preopened directory (fd 3: the
    /// first `--dir` given to `wasmkit run`).
    init?(_ path: String) {
        var path = path
        var fd: Int32 = -1
        let fdRead: UInt64 = 1 << 1
        let err = path.withUTF8 { p in
            wasi_path_open(3, 1 /* follow symlinks */, p.baseAddress!, UInt32(p.count), 0, fdRead, 0, 0, &fd)
        }
        guard err == 0 else { return nil }
        self.fd = fd
    }

    /// Reads up to `buffer.count` bytes; 0 at the end (or on an error).
    func read(into buffer: UnsafeMutableBufferPointer<UInt8>) -> Int {
        guard let b = buffer.baseAddress, buffer.count > 0 else { return 0 }
        var iov: (UInt32, UInt32) = (UInt32(UInt(bitPattern: b)), UInt32(buffer.count))
        var n: UInt32 = 0
        let err = withUnsafeBytes(of: &iov) { wasi_fd_read(fd, $0.baseAddress!, 1, &n) }
        return err == 0 ? Int(n) : 0
    }

    func close() { _ = wasi_fd_close(fd) }
}

#else

@_extern(c, "fopen") func c_fopen(_ path: UnsafePointer<UInt8>, _ mode: UnsafePointer<UInt8>) -> OpaquePointer?
@_extern(c, "fread") func c_fread(_ p: UnsafeMutableRawPointer, _ size: Int, _ count: Int, _ f: OpaquePointer) -> Int
@_extern(c, "fclose") func c_fclose(_ f: OpaquePointer) -> Int32
@_extern(c, "fflush") func c_fflush(_ f: OpaquePointer?) -> Int32
@_extern(c, "exit") func c_exit(_ code: Int32)

func flushStdout() { _ = c_fflush(nil) }

func exitProcess(_ code: Int32) -> Never {
    flushStdout()
    c_exit(code)
    while true {}  // exit does not return
}

/// Set by `main` below.
var arguments: [String] = []

func commandLine() -> [String] { arguments }

@_cdecl("main")
func cMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>) -> Int32 {
    for i in 0..<Int(argc) {
        guard let p = argv[i] else { continue }
        var n = 0
        while p[n] != 0 { n += 1 }
        arguments.append(String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self))
    }
    exitProcess(runMain())
}

/// An open file for reading.
struct InputFile {
    let file: OpaquePointer

    /// Opens `path` (relative to the current directory or absolute).
    init?(_ path: String) {
        var path = path + "\0"
        guard let f = path.withUTF8({ p in c_fopen(p.baseAddress!, "rb") }) else { return nil }
        file = f
    }

    /// Reads up to `buffer.count` bytes; 0 at the end (or on an error).
    func read(into buffer: UnsafeMutableBufferPointer<UInt8>) -> Int {
        guard let b = buffer.baseAddress, buffer.count > 0 else { return 0 }
        return c_fread(b, 1, buffer.count, file)
    }

    func close() { _ = c_fclose(file) }
}

#endif

/// All of a file's bytes, or nil if it cannot be opened.
func readWholeFile(_ path: String) -> [UInt8]? {
    guard let f = InputFile(path) else { return nil }
    defer { f.close() }
    var result: [UInt8] = []
    let chunk = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: 1 << 16)
    defer { chunk.deallocate() }
    while true {
        let n = f.read(into: chunk)
        if n == 0 { break }
        result.append(contentsOf: UnsafeBufferPointer(rebasing: chunk[0..<n]))
    }
    return result
}
