// swiftlzma: a drop-in for `xz` on .xz and .lzma files.
// See Options.swift for the accepted options and `swiftlzma --help`.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

CleanupOnSignal.install()

let arguments = CommandLine.arguments
let outcome: ParseOutcome
do {
    outcome = try parseCommandLine(Array(arguments.dropFirst()), programName: arguments.first ?? "swiftlzma")
} catch {
    writeStderr("swiftlzma: \(error.message)\n")
    if error.suggestHelp { writeStderr("swiftlzma: Try `swiftlzma --help' for more information.\n") }
    exit(ExitStatus.error.rawValue)
}

switch outcome {
case .help:
    _ = writeStdout(helpText + "\n")
    exit(0)
case .version:
    _ = writeStdout(versionText + "\n")
    exit(0)
case .run(let options):
    let reporter = Reporter(verbosity: options.verbosity, noWarn: options.noWarn)
    let context = RunContext(options: options, reporter: reporter)
    if options.operation == .list && !options.sha1 && !options.roundtrip {
        runList(context)
    } else if options.roundtrip {
        runRoundtrip(context)
    } else if options.sha1 {
        runSHA1(context)
    } else {
        // Options that make coding impossible are reported once, up front.
        if options.format == .raw && options.chain.isEmpty && options.verbosity >= 2 {
            // As xz (a message, not a warning: the exit status stays 0).
            writeStderr("swiftlzma: Using a preset in raw mode is discouraged.\n")
            writeStderr("swiftlzma: The exact options of the presets may vary between software versions.\n")
        }
        do {
            if options.operation == .compress {
                _ = try makeEncoder(options)
            } else {
                _ = try makeDecompressor(options)
            }
        } catch {
            reporter.error(nil, error.message)
            exit(reporter.status.rawValue)
        }
        for (i, path) in options.files.enumerated() {
            if options.operation == .compress {
                compressFile(path, index: i + 1, count: options.files.count, context: context)
            } else {
                decompressFile(path, index: i + 1, count: options.files.count, context: context)
            }
        }
    }
    exit(reporter.status.rawValue)
}
