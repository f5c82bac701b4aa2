// Messages on stderr and the exit status, following xz's rules: errors set
// status 1, warnings status 2 (unless -Q), the worst status wins; -q hides
// warnings, -qq hides errors too.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

enum ExitStatus: Int32 {
    case success = 0
    case error = 1
    case warning = 2
}

/// Where diagnostics go; one per run.
final class Reporter {
    let verbosity: Int
    let noWarn: Bool
    private(set) var status: ExitStatus = .success

    init(verbosity: Int, noWarn: Bool) {
        self.verbosity = verbosity
        self.noWarn = noWarn
    }

    /// `swiftlzma: <file>: <message>`, exit status 1.
    func error(_ file: String?, _ message: String) {
        raise(.error)
        if verbosity >= 1 { printLine(file, message) }
    }

    /// `swiftlzma: <file>: <message>`, exit status 2 unless -Q.
    func warning(_ file: String?, _ message: String) {
        if !noWarn { raise(.warning) }
        if verbosity >= 2 { printLine(file, message) }
    }

    private func raise(_ s: ExitStatus) {
        // Error (1) is worse than warning (2).
        switch (status, s) {
        case (.error, _): break
        case (_, .error): status = .error
        case (.success, .warning): status = .warning
        default: break
        }
    }

    /// A message of several lines names the file on the first only, as xz
    /// does for "Memory usage limit reached".
    private func printLine(_ file: String?, _ message: String) {
        Progress.flushBeforeMessage()
        var text = ""
        for (i, line) in message.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if i == 0, let file {
                text += "swiftlzma: \(file): \(line)\n"
            } else {
                text += "swiftlzma: \(line)\n"
            }
        }
        writeStderr(text)
    }
}

/// How a file name is shown in messages: standard input is "(stdin)" as in xz.
func displayName(_ path: String) -> String { path == "-" ? "(stdin)" : path }

/// What went wrong writing to standard output and error; checked at exit
/// (`exitChecked`), as xz checks its streams when it closes them.
enum StandardStreams {
    /// The errno of the first failed write to stdout (0: none).
    nonisolated(unsafe) static var stdoutError: Int32 = 0
    /// A write to stderr failed.
    nonisolated(unsafe) static var stderrFailed = false

    /// As xz: a standard descriptor that is closed at startup is opened on
    /// /dev/null, stdin for writing and stdout/stderr for reading, so that no
    /// file the tool opens takes its number and every use of it fails
    /// (reported at exit) instead of going somewhere unexpected.
    static func openClosedDescriptors() {
        for fd: Int32 in 0...2 where fcntl(fd, F_GETFD) == -1 && errno == EBADF {
            let opened = open("/dev/null", O_NOCTTY | (fd == 0 ? O_WRONLY : O_RDONLY))
            if opened != fd {
                // Nothing sensible can be done: not even a message can be shown.
                exit(ExitStatus.error.rawValue)
            }
        }
    }
}

/// Writes the whole string to stderr, unbuffered (so it interleaves correctly
/// with progress lines). A failure is remembered for the exit status.
func writeStderr(_ text: String) {
    var text = text
    let code = text.withUTF8 { buf in writeAll(fd: 2, UnsafeRawBufferPointer(buf)) }
    if code != 0 { StandardStreams.stderrFailed = true }
}

/// Writes the whole string to stdout. After a failure nothing more is
/// written; the failure is reported at exit (`exitChecked`).
@discardableResult
func writeStdout(_ text: String) -> Bool {
    guard StandardStreams.stdoutError == 0 else { return false }
    var text = text
    let code = text.withUTF8 { buf in writeAll(fd: 1, UnsafeRawBufferPointer(buf)) }
    if code != 0 { StandardStreams.stdoutError = code }
    return code == 0
}

/// Writes bytes to stdout, as `writeStdout(_:)`.
@discardableResult
func writeStdout(bytes: UnsafeRawBufferPointer) -> Bool {
    guard StandardStreams.stdoutError == 0 else { return false }
    let code = writeAll(fd: 1, bytes)
    if code != 0 { StandardStreams.stdoutError = code }
    return code == 0
}

/// Ends the process as xz does (tuklib_exit): unless the status is already
/// an error, stdout is closed and a failed write or close is reported as
/// "Writing to standard output failed: <reason>" with status 1; then stderr
/// is closed and a failure there, which cannot be reported, makes the
/// status 1 too.
func exitChecked(_ status: ExitStatus) -> Never {
    var status = status
    if status != .error {
        var code = StandardStreams.stdoutError
        if close(1) != 0 && code == 0 { code = errno }
        if code != 0 {
            status = .error
            writeStderr("swiftlzma: Writing to standard output failed: \(errnoText(code))\n")
        }
    }
    if status != .error {
        if close(2) != 0 || StandardStreams.stderrFailed { status = .error }
    }
    exit(status.rawValue)
}

/// Writes all of `buffer` to `fd`, retrying after EINTR and short writes.
/// - Returns: 0 on success, otherwise the errno value.
@discardableResult
func writeAll(fd: Int32, _ buffer: UnsafeRawBufferPointer) -> Int32 {
    guard var p = buffer.baseAddress else { return 0 }
    var left = buffer.count
    while left > 0 {
        let n = write(fd, p, left)
        if n < 0 {
            if errno == EINTR { continue }
            return errno
        }
        p += n
        left -= n
    }
    return 0
}

/// The text for an errno value.
func errnoText(_ code: Int32) -> String {
    String(cString: strerror(code))
}
