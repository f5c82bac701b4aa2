// What the tool says about itself, as xz 5.8 says it: `--robot --version`,
// `--info-memory` (human and `--robot`), and the short help of `-h` (the
// long one, `-H`, is Options.swift's helpText).

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The xz release whose command line swiftlzma follows, in the manual's
/// XYYYZZZS form (5.8.1 stable), printed as both `XZ_VERSION` and
/// `LIBLZMA_VERSION` so that scripts testing for xz features find them.
let followedXZVersion = "50080012"
/// swiftlzma's own version (0.1.0) in the same XYYYZZZS form.
let swiftlzmaRobotVersion = "00010002"

/// `--robot --version`: xz 5.8's two lines, then swiftlzma's own.
let robotVersionText = "XZ_VERSION=\(followedXZVersion)\nLIBLZMA_VERSION=\(followedXZVersion)\n"
    + "SWIFTLZMA_VERSION=\(swiftlzmaRobotVersion)\n"

/// The limits `--info-memory` shows, as xz computes them: 0 = no limit
/// (compression and decompression); multithreaded decompression defaults to
/// the -T0 default (a quarter of the RAM) and is never above the
/// decompression limit.
struct MemoryInfo {
    var ram: UInt64
    var compress: UInt64
    var decompress: UInt64
    var mtDecompress: UInt64
    var threadingDefault: UInt64
    var threads: Int

    init(_ options: Options) {
        ram = physicalMemory()
        compress = options.memlimitCompress ?? 0
        decompress = options.memoryLimit ?? 0
        threadingDefault = defaultThreadingMemoryLimit()
        mtDecompress = options.memlimitMTDecompress ?? threadingDefault
        if decompress != 0 { mtDecompress = min(mtDecompress, decompress) }
        threads = processorCount()
    }
}

/// `--info-memory`: xz's table, or with `--robot` its one tab-separated line.
func infoMemoryText(_ options: Options) -> String {
    let info = MemoryInfo(options)
    if options.robot {
        return [String(info.ram), String(info.compress), String(info.decompress), String(info.mtDecompress),
                String(info.threadingDefault), String(info.threads)].joined(separator: "\t") + "\n"
    }
    // MiB rounded up, then the exact bytes; 0 means "Disabled".
    func amount(_ v: UInt64) -> String {
        v == 0 ? "Disabled" : "\((v + (1 << 20) - 1) >> 20) MiB (\(v) B)"
    }
    func row(_ label: String, _ value: String) -> String {
        "  " + label + String(repeating: " ", count: max(1, 34 - label.count)) + value + "\n"
    }
    return "Hardware information:\n"
        + row("Amount of physical memory (RAM):", amount(info.ram))
        + row("Number of processor threads:", String(info.threads))
        + "\nMemory usage limits:\n"
        + row("Compression:", amount(info.compress))
        + row("Decompression:", amount(info.decompress))
        + row("Multi-threaded decompression:", amount(info.mtDecompress))
        + row("Default for -T0:", amount(info.threadingDefault))
}

/// `-h`: the basic options only, as xz's short help; `-H` shows them all.
let shortHelpText = """
Usage: swiftlzma [OPTION]... [FILE]...
Compress or decompress FILEs in the .xz format, like xz.

  -z, --compress      force compression
  -d, --decompress    force decompression
  -t, --test          test compressed file integrity
  -l, --list          list information about .xz files
  -k, --keep          keep (don't delete) input files
  -f, --force         force overwrite of output file and (de)compress links
  -c, --stdout        write to standard output and don't delete input files
  -0 ... -9           compression preset; default is 6
  -e, --extreme       use more CPU time to compress a little better
  -T, --threads=NUM   use at most NUM threads; 0 (the default) = one per
                      processor; 1 = single-threaded mode
  -q, --quiet         suppress warnings; specify twice to suppress errors too
  -v, --verbose       be verbose; specify twice for even more verbose
  -h, --help          display this short help and exit
  -H, --long-help     display the long help (lists also the advanced options)
  -V, --version       display the version number and exit

With no FILE, or when FILE is -, read standard input.
"""
