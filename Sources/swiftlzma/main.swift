// swiftlzma: a drop-in for `xz` on .lzma files.
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
    if options.roundtrip {
        runRoundtrip(context)
    } else if options.sha1 {
        runSHA1(context)
    } else {
        // Options that make coding impossible are reported once, up front.
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
