// `--sha1`: print digests exactly as `sha1sum` does ("<40 hex>  <name>", "-"
// for stdin, names with a backslash, newline or carriage return escaped and the
// line prefixed with a backslash). With -t (or -d) the digest is of each
// file's decompressed content, still named after the compressed file.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LZMA

/// Runs `--sha1` over all files.
func runSHA1(_ context: RunContext) {
    let options = context.options
    for (i, path) in options.files.enumerated() {
        if options.operation == .compress {
            hashFile(path, context: context)
        } else {
            decompressFile(path, index: i + 1, count: options.fileList == nil ? options.files.count : nil, context: context,
                           hashOnly: true)
        }
    }
}

/// Hashes one file as it is (1 MiB reads).
private func hashFile(_ path: String, context: RunContext) {
    let reporter = context.reporter
    var fd: Int32 = 0
    if path != "-" {
        repeat { fd = open(path, O_RDONLY | O_NOCTTY) } while fd < 0 && errno == EINTR
        if fd < 0 {
            reporter.error(path, errnoText(errno))
            return
        }
    }
    defer { if fd != 0 { close(fd) } }
    var sha1 = SHA1()
    let buffer = context.buffers.input
    while true {
        let n = read(fd, buffer, Buffers.size)
        if n < 0 {
            if errno == EINTR { continue }
            // Reading a directory fails here with EISDIR, as in sha1sum.
            reporter.error(path, errnoText(errno))
            return
        }
        if n == 0 { break }
        sha1.update(UnsafeRawBufferPointer(start: buffer, count: n))
    }
    _ = writeStdout(sha1sumLine(hexString(sha1.finalize()), path))
}

/// One output line of `sha1sum`, with its escaping of special names.
func sha1sumLine(_ digest: String, _ name: String) -> String {
    guard name.contains(where: { $0 == "\\" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) else {
        return "\(digest)  \(name)\n"
    }
    var escaped = ""
    for scalar in name.unicodeScalars {
        switch scalar {
        case "\\": escaped += "\\\\"
        case "\n": escaped += "\\n"
        case "\r": escaped += "\\r"
        default: escaped.unicodeScalars.append(scalar)
        }
    }
    return "\\\(digest)  \(escaped)\n"
}
