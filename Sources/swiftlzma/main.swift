// swiftlzma: a drop-in for `xz` on .xz and .lzma files.
// See Options.swift for the accepted options and `swiftlzma --help`.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

StandardStreams.openClosedDescriptors()
CleanupOnSignal.install()

let arguments = CommandLine.arguments
let outcome: ParseOutcome
do {
    outcome = try parseCommandLine(Array(arguments.dropFirst()), programName: arguments.first ?? "swiftlzma")
} catch {
    if !error.message.isEmpty { writeStderr("swiftlzma: \(error.message)\n") }
    if error.suggestHelp { writeStderr("swiftlzma: Try `swiftlzma --help' for more information.\n") }
    exitChecked(.error)
}

switch outcome {
case .help(let long):
    writeStdout((long ? helpText : shortHelpText) + "\n")
    exitChecked(.success)
case .robotVersion:
    writeStdout(robotVersionText)
    exitChecked(.success)
case .infoMemory(let options):
    writeStdout(infoMemoryText(options))
    exitChecked(.success)
case .filtersHelp(let robot):
    writeStdout(filtersHelpText(robot: robot))
    exitChecked(.success)
case .version:
    writeStdout(versionText + "\n")
    exitChecked(.success)
case .run(var options):
    let reporter = Reporter(verbosity: options.verbosity, noWarn: options.noWarn)
    // --files / --files0: the listed names follow the command line's.
    var fileListError: (file: String, message: String)?
    if let list = options.fileList {
        if list.path == nil, options.files.contains("-") {
            reporter.error(nil, "Cannot read data from standard input when reading filenames from standard input")
            options.files.removeAll { $0 == "-" }
        }
        let read = readFileNames(from: list.path, delimiter: list.delimiter)
        switch read {
        case .failure(let e):
            reporter.error(e.file, e.message)
            exitChecked(reporter.status)
        case .success(let (names, error)):
            // A name "-" from the list is a file of that name, not stdin.
            options.files += names.map { $0 == "-" ? "./-" : $0 }
            fileListError = error
        }
    }
    do {
        try applyFlushTimeout(&options)
    } catch {
        reporter.error(nil, error.message)
        exitChecked(reporter.status)
    }
    let context = RunContext(options: options, reporter: reporter)
    if options.operation == .list && !options.sha1 && !options.roundtrip {
        runList(context)
    } else if options.roundtrip {
        runRoundtrip(context)
    } else if options.trace != nil {
        runTrace(context)
    } else if options.explain {
        runExplain(context)
    } else if options.sha1 {
        runSHA1(context)
    } else {
        // Options that make coding impossible are reported once, up front.
        if options.format == .raw && options.chain.isEmpty && options.fullChains[0] == nil && options.verbosity >= 2 {
            // As xz (a message, not a warning: the exit status stays 0).
            writeStderr("swiftlzma: Using a preset in raw mode is discouraged.\n")
            writeStderr("swiftlzma: The exact options of the presets may vary between software versions.\n")
        }
        do {
            if options.operation == .compress {
                _ = try makeEncoder(options)
            } else {
                if options.format == .raw { try checkRawDecoderSettings(options) }
                _ = try makeDecompressor(options)
            }
        } catch {
            reporter.error(nil, error.message)
            exitChecked(reporter.status)
        }
        // As xz: with --files/--files0 the progress headers show no total.
        let fileCount = options.fileList == nil ? options.files.count : nil
        for (i, path) in options.files.enumerated() {
            if options.operation == .compress {
                compressFile(path, index: i + 1, count: fileCount, context: context)
            } else if let range = options.range {
                decompressRange(path, range: range, context: context)
            } else {
                decompressFile(path, index: i + 1, count: fileCount, context: context)
            }
        }
    }
    // As xz: a bad end of the name list is reported once the names before it are done.
    if let e = fileListError { reporter.error(e.file, e.message) }
    exitChecked(reporter.status)
}

/// Reads the names of `--files`/`--files0` from `path` (standard input when nil).
/// Empty names are skipped, as xz does. A missing final delimiter, or a NUL
/// byte in a newline-separated list, ends the list with an error that is
/// reported after the names before it have been processed.
func readFileNames(from path: String?, delimiter: UInt8)
    -> Result<(names: [String], error: (file: String, message: String)?), FileError> {
    let shown = path ?? "(stdin)"
    let fd: Int32 = path.map { open($0, O_RDONLY | O_NOCTTY) } ?? 0
    guard fd >= 0 else { return .failure(FileError(file: shown, message: errnoText(errno))) }
    defer { if fd != 0 { close(fd) } }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
        if n < 0 {
            if errno == EINTR { continue }
            return .failure(FileError(file: shown, message: "Error reading filenames: \(errnoText(errno))"))
        }
        if n == 0 { break }
        bytes += buffer[..<n]
    }
    var names: [String] = []
    var start = 0
    for (i, b) in bytes.enumerated() {
        if b == 0 && delimiter != 0 {
            return .success((names, (shown, "Null character found when reading filenames; "
                                     + "maybe you meant to use `--files0' instead of `--files'?")))
        }
        guard b == delimiter else { continue }
        if i > start { names.append(String(decoding: bytes[start..<i], as: UTF8.self)) }
        start = i + 1
    }
    if start < bytes.count {
        return .success((names, (shown, "Unexpected end of input when reading filenames")))
    }
    return .success((names, nil))
}
