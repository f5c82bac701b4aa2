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

    private func printLine(_ file: String?, _ message: String) {
        if let file {
            writeStderr("swiftlzma: \(file): \(message)\n")
        } else {
            writeStderr("swiftlzma: \(message)\n")
        }
    }
}

/// How a file name is shown in messages: standard input is "(stdin)" as in xz.
func displayName(_ path: String) -> String { path == "-" ? "(stdin)" : path }

/// Writes the whole string to stderr, unbuffered (so it interleaves correctly
/// with progress lines).
func writeStderr(_ text: String) {
    var text = text
    text.withUTF8 { buf in
        _ = writeAll(fd: 2, UnsafeRawBufferPointer(buf))
    }
}

/// Writes the whole string to stdout.
func writeStdout(_ text: String) -> Bool {
    var text = text
    return text.withUTF8 { buf in writeAll(fd: 1, UnsafeRawBufferPointer(buf)) == 0 }
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
