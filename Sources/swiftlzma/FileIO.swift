// Opening inputs with xz's checks, and writing outputs safely: the output goes
// to a temporary file next to the target, which is renamed over the final name
// only after everything succeeded. On an error or a signal the temporary file
// is removed, so a failed run never leaves a partial output behind.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A failed file operation: the file it concerns and what went wrong.
struct FileError: Error {
    var file: String
    var message: String
}

/// An open input: a file or standard input.
final class InputFile {
    /// The name as given (`-` for stdin).
    let path: String
    let fd: Int32
    /// The status of the opened file (for its size, permissions and times).
    let status: stat
    var isStdin: Bool { path == "-" }
    /// The size when the input is a regular file (for progress).
    var size: UInt64? { (status.st_mode & S_IFMT) == S_IFREG ? UInt64(status.st_size) : nil }

    private init(path: String, fd: Int32, status: stat) {
        self.path = path
        self.fd = fd
        self.status = status
    }

    deinit { if fd > 2 { close(fd) } }

    /// Opens `path` as xz does. Problems that xz treats as warnings (directory,
    /// symbolic link, special file, setuid/sticky bit, hard links) and errors are
    /// reported here; `nil` means "skip this file".
    ///
    /// - Parameters:
    ///   - regularFilesOnly: true unless writing to stdout or testing; then
    ///     special files are refused and symbolic links followed only with -f.
    ///   - willRemove: the input is deleted after success (no -k/-c), so files
    ///     with extra hard links or special mode bits are refused without -f.
    static func open(_ path: String, regularFilesOnly: Bool, force: Bool, willRemove: Bool,
                     reporter: Reporter) -> InputFile? {
        if path == "-" {
            var st = stat()
            if fstat(0, &st) != 0 { st = stat() }
            return InputFile(path: path, fd: 0, status: st)
        }
        // As xz: a symbolic link is followed unless the input would be removed.
        let followSymlinks = !regularFilesOnly || force || !willRemove
        var flags = O_RDONLY | O_NOCTTY
        if !followSymlinks { flags |= O_NOFOLLOW }
        // Opening a FIFO for reading blocks until a writer appears: avoid that
        // when special files would be refused anyway.
        if regularFilesOnly { flags |= O_NONBLOCK }
        var fd: Int32
        repeat { fd = Glibc.open(path, flags) } while fd < 0 && errno == EINTR
        if fd < 0 {
            let code = errno
            var lst = stat()
            if !followSymlinks && (code == ELOOP || code == EMLINK)
                && lstat(path, &lst) == 0 && (lst.st_mode & S_IFMT) == S_IFLNK {
                reporter.warning(path, "Is a symbolic link, skipping")
            } else {
                reporter.error(path, errnoText(code))
            }
            return nil
        }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            reporter.error(path, errnoText(errno))
            close(fd)
            return nil
        }
        let type = st.st_mode & S_IFMT
        var skip: String?
        if type == S_IFDIR {
            skip = "Is a directory, skipping"
        } else if regularFilesOnly && type != S_IFREG {
            skip = "Not a regular file, skipping"
        } else if regularFilesOnly && willRemove && !force {
            if st.st_mode & (S_ISUID | S_ISGID) != 0 {
                skip = "File has setuid or setgid bit set, skipping"
            } else if st.st_mode & S_ISVTX != 0 {
                skip = "File has sticky bit set, skipping"
            } else if st.st_nlink > 1 {
                skip = "Input file has more than one hard link, skipping"
            }
        }
        if let skip {
            reporter.warning(path, skip)
            close(fd)
            return nil
        }
        if regularFilesOnly {
            let fl = fcntl(fd, F_GETFL)
            if fl >= 0 { _ = fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) }
        }
        return InputFile(path: path, fd: fd, status: st)
    }

    /// Reads up to `capacity` bytes; 0 means end of file.
    func read(into buffer: UnsafeMutablePointer<UInt8>, capacity: Int) throws(FileError) -> Int {
        while true {
            let n = Glibc.read(fd, buffer, capacity)
            if n >= 0 { return n }
            if errno == EINTR { continue }
            throw FileError(file: displayName(path), message: "Read error: \(errnoText(errno))")
        }
    }

    /// Fills `buffer` as far as possible (a pipe may return short reads).
    func readFully(into buffer: UnsafeMutablePointer<UInt8>, capacity: Int) throws(FileError) -> Int {
        var total = 0
        while total < capacity {
            let n = try read(into: buffer + total, capacity: capacity - total)
            if n == 0 { break }
            total += n
        }
        return total
    }
}

/// An output file being written under a temporary name.
final class OutputFile {
    /// The name it will get on success.
    let finalPath: String
    let tempPath: String
    private(set) var fd: Int32
    private var committed = false
    /// Decompression (unless `--no-sparse`): whole 4 KiB blocks of zeros at
    /// 4 KiB-aligned offsets are skipped with a seek instead of written, so
    /// the file gets holes, as xz makes sparse files.
    var sparse = false
    /// xz 5.8 when the input will be removed (unless `--no-sync`): the file is
    /// synchronised before the rename and its folder after it.
    var syncOnCommit = false
    /// Where the next byte goes, and whether the bytes before it end in a hole.
    private var position: Int64 = 0
    private var endsInHole = false

    private init(finalPath: String, tempPath: String, fd: Int32) {
        self.finalPath = finalPath
        self.tempPath = tempPath
        self.fd = fd
    }

    /// If neither `commit` nor `abort` ran (a thrown error), remove the file.
    deinit { abort() }

    /// Creates `.NAME.swiftlzma-XXXXXX` (mode 0600, O_EXCL) in the folder of
    /// `finalPath`.
    /// - Throws: "File exists" when `finalPath` exists and `force` is false.
    static func create(finalPath: String, force: Bool) throws(FileError) -> OutputFile {
        var st = stat()
        if lstat(finalPath, &st) == 0 {
            if !force { throw FileError(file: finalPath, message: "File exists") }
            // xz removes the target first, and unlink() refuses a directory;
            // we rename over it at the end, but refuse what xz refuses, now.
            if st.st_mode & S_IFMT == S_IFDIR {
                throw FileError(file: finalPath, message: "Cannot remove: \(errnoText(EISDIR))")
            }
        }
        let slash = finalPath.lastIndex(of: "/")
        let folder = slash.map { String(finalPath[...$0]) } ?? ""
        var base = slash.map { String(finalPath[finalPath.index(after: $0)...]) } ?? finalPath
        // Keep the temporary name within NAME_MAX (255 bytes).
        while base.utf8.count > 200 { base.removeLast() }
        let template = folder + "." + base + ".swiftlzma-XXXXXX"
        guard let fd = CleanupOnSignal.createTemporary(template) else {
            throw FileError(file: finalPath, message: errnoText(errno))
        }
        return OutputFile(finalPath: finalPath, tempPath: CleanupOnSignal.currentPath, fd: fd)
    }

    func write(_ buffer: UnsafeRawBufferPointer) throws(FileError) {
        guard sparse, let base = buffer.baseAddress else {
            let code = writeAll(fd: fd, buffer)
            if code != 0 { throw FileError(file: finalPath, message: "Write error: \(errnoText(code))") }
            position += Int64(buffer.count)
            return
        }
        let block = 4096
        var runStart = 0  // bytes [runStart, i) are still to be written
        var i = 0
        func flushRun(_ end: Int) throws(FileError) {
            guard end > runStart else { return }
            let code = writeAll(fd: fd, UnsafeRawBufferPointer(start: base + runStart, count: end - runStart))
            if code != 0 { throw FileError(file: finalPath, message: "Write error: \(errnoText(code))") }
            endsInHole = false
        }
        while i < buffer.count {
            // Up to the next 4 KiB boundary of the file.
            let chunk = min(block - Int((position + Int64(i)) % Int64(block)), buffer.count - i)
            if chunk == block && isAllZero(base + i, count: block) {
                try flushRun(i)
                if lseek(fd, off_t(block), SEEK_CUR) < 0 {
                    throw FileError(file: finalPath, message: "Write error: \(errnoText(errno))")
                }
                endsInHole = true
                runStart = i + block
            }
            i += chunk
        }
        try flushRun(buffer.count)
        position += Int64(buffer.count)
    }

    /// Whether `count` bytes (a multiple of 8) at `p` are all zero.
    private func isAllZero(_ p: UnsafeRawPointer, count: Int) -> Bool {
        var acc: UInt64 = 0
        var k = 0
        while k < count {
            acc |= p.loadUnaligned(fromByteOffset: k, as: UInt64.self)
            k &+= 8
        }
        return acc == 0
    }

    /// Gives the output the input's owner (when allowed), permissions and
    /// times, as xz does: setuid/setgid/sticky bits are dropped, and if the
    /// group cannot be set the group/other bits are narrowed to the stricter.
    func copyAttributes(from src: stat) {
        _ = fchown(fd, src.st_uid, gid_t.max)
        var mine = stat()
        _ = fstat(fd, &mine)
        var mode: mode_t
        if mine.st_gid != src.st_gid && fchown(fd, uid_t.max, src.st_gid) != 0 {
            let common = ((src.st_mode & 0o070) >> 3) & (src.st_mode & 0o007)
            mode = (src.st_mode & 0o700) | (common << 3) | common
        } else {
            mode = src.st_mode & 0o777
        }
        _ = fchmod(fd, mode)
        var times = [src.st_atim, src.st_mtim]
        _ = futimens(fd, &times)
    }

    /// Closes the file and moves it to `finalPath`. Without `force` an existing
    /// `finalPath` is never replaced (link() fails atomically if it exists).
    func commit(force: Bool) throws(FileError) {
        let fd = self.fd
        // A final hole: give the file its length (the skipped zeros).
        if endsInHole && ftruncate(fd, off_t(position)) != 0 {
            let code = errno
            abort()
            throw FileError(file: finalPath, message: "Write error: \(errnoText(code))")
        }
        if syncOnCommit && fsync(fd) != 0 {
            let code = errno
            abort()
            throw FileError(file: finalPath, message: "Synchronizing the file failed: \(errnoText(code))")
        }
        self.fd = -1
        if close(fd) != 0 {
            let code = errno
            abort()
            throw FileError(file: finalPath, message: "Write error: \(errnoText(code))")
        }
        if !force {
            if link(tempPath, finalPath) == 0 {
                unlink(tempPath)
                finish()
                try syncFolder()
                return
            }
            let code = errno
            var st = stat()
            if code == EEXIST || lstat(finalPath, &st) == 0 {
                abort()
                throw FileError(file: finalPath, message: "File exists")
            }
            // Hard links unsupported here (some file systems): rename instead.
        }
        if rename(tempPath, finalPath) != 0 {
            let code = errno
            abort()
            throw FileError(file: finalPath, message: errnoText(code))
        }
        finish()
        try syncFolder()
    }

    /// With `syncOnCommit`: makes the new name durable before the input goes.
    /// - Throws: a `FileError` (the input is then kept).
    private func syncFolder() throws(FileError) {
        guard syncOnCommit else { return }
        let folder = finalPath.lastIndex(of: "/").map { String(finalPath[...$0]) } ?? "."
        let dfd = Glibc.open(folder, O_RDONLY | O_DIRECTORY | O_NOCTTY)
        guard dfd >= 0, fsync(dfd) == 0 else {
            let code = errno
            if dfd >= 0 { close(dfd) }
            throw FileError(file: finalPath, message: "Synchronizing the directory of the file failed: \(errnoText(code))")
        }
        close(dfd)
    }

    /// Closes and removes the temporary file.
    func abort() {
        if committed { return }
        if fd >= 0 { close(fd); fd = -1 }
        unlink(tempPath)
        finish()
    }

    private func finish() {
        committed = true
        CleanupOnSignal.clear()
    }
}

/// The temporary output to remove if a signal ends the process. The path is
/// kept in a fixed C buffer so the handler only calls async-signal-safe
/// functions (unlink, signal, raise).
enum CleanupOnSignal {
    nonisolated(unsafe) private static let path = UnsafeMutablePointer<CChar>.allocate(capacity: 4096)
    nonisolated(unsafe) private static var active: sig_atomic_t = 0

    /// Installs the handlers for SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGXCPU
    /// and SIGXFSZ (xz's list), except for those this process inherited as
    /// ignored: as xz, `nohup` and `trap '' HUP` keep working.
    static func install() {
        // Initialize both statics here, not lazily inside a handler.
        path[0] = 0
        active = 0
        for sig in [SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGXCPU, SIGXFSZ] {
            var old = sigaction()
            if sigaction(sig, nil, &old) == 0 && unsafeBitCast(old.__sigaction_handler.sa_handler, to: Int.self)
                == unsafeBitCast(SIG_IGN, to: Int.self) { continue }
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { sig in
                if CleanupOnSignal.active != 0 { unlink(CleanupOnSignal.path) }
                // As xz: die from the same signal, so the parent sees it.
                signal(sig, SIG_DFL)
                raise(sig)
            }
            sigemptyset(&action.sa_mask)
            action.sa_flags = 0
            sigaction(sig, &action, nil)
        }
    }

    /// Runs mkstemp with the signals blocked, so that a signal either comes
    /// before the file exists or finds its name registered.
    static func createTemporary(_ template: String) -> Int32? {
        let bytes = Array(template.utf8CString)
        guard bytes.count <= 4096 else { errno = ENAMETOOLONG; return nil }
        var all = sigset_t(), old = sigset_t()
        sigfillset(&all)
        sigprocmask(SIG_BLOCK, &all, &old)
        defer { sigprocmask(SIG_SETMASK, &old, nil) }
        for (i, b) in bytes.enumerated() { path[i] = b }
        let fd = mkstemp(path)
        if fd < 0 { return nil }
        active = 1
        return fd
    }

    static var currentPath: String { String(cString: path) }

    static func clear() { active = 0 }
}

/// The size of the RAM, for `--memlimit=N%`.
func physicalMemory() -> UInt64 {
    let pages = sysconf(Int32(_SC_PHYS_PAGES))
    let pageSize = sysconf(Int32(_SC_PAGESIZE))
    guard pages > 0, pageSize > 0 else { return 1 << 30 }
    return UInt64(pages) &* UInt64(pageSize)
}
