import Foundation
import XCTest
import LZMA
@testable import swiftlzma

/// -v and -vv as xz 5.8 prints them: the progress line's columns (with the
/// estimated remaining time) and final line on a terminal, and the settings
/// report of -vv (filter chain, threads, memory needed) with liblzma's
/// memory figures.
final class VerboseCLITests: CLITestCase {
    // MARK: - Remaining time and the other columns

    /// The estimate's rounding, at each boundary of xz's formats.
    func testRemainingTimeFormatRoundsAsXz() {
        let cases: [(UInt32, String)] = [
            (1, "1 s"), (9, "9 s"), (10, "10 s"),
            (11, "15 s"), (15, "15 s"), (16, "20 s"), (46, "50 s"), (50, "50 s"),
            (51, "1 min 0 s"), (60, "1 min 0 s"), (61, "1 min 10 s"), (125, "2 min 10 s"), (589, "9 min 50 s"),
            (590, "9 min 50 s"),
            (591, "10 min"), (600, "10 min"), (601, "11 min"), (3540, "59 min"),
            (3541, "1 h 0 min"), (3600, "1 h 0 min"), (3601, "1 h 10 min"), (35_399, "9 h 50 min"),
            (35_400, "9 h 50 min"),
            (35_401, "10 h"), (36_001, "11 h"), (82_800, "23 h"),
            (82_801, "1 d 0 h"), (86_401, "1 d 1 h"), (860_400, "9 d 23 h"),
            (860_401, "10 d"), (864_001, "11 d"), (86_313_600, "999 d"),
            (86_313_601, ""), (UInt32.max, ""),
        ]
        for (seconds, text) in cases {
            XCTAssertEqual(Progress.remainingText(seconds: seconds), text, "\(seconds) s")
        }
    }

    /// When the estimate is shown, and what it is computed from: the input
    /// position against the input size and the time so far.
    func testRemainingTimeEstimate() {
        let mib: UInt64 = 1 << 20
        // The rest at the speed so far: 9 MiB more at 1 MiB per 10 s.
        XCTAssertEqual(Progress.remaining(mib, of: 10 * mib, elapsedMilliseconds: 10_000), "1 min 30 s")
        // 2 MB more at 1 MB per 8.001 s: 16.002 s, truncated, then up to 5 s.
        XCTAssertEqual(Progress.remaining(1_000_000, of: 3_000_000, elapsedMilliseconds: 8001), "20 s")
        XCTAssertEqual(Progress.remaining(5 * mib, of: 10 * mib, elapsedMilliseconds: 8000), "8 s")
        // Never 0 s: the input may all be in while output is still pending.
        XCTAssertEqual(Progress.remaining(10 * mib, of: 10 * mib, elapsedMilliseconds: 20_000), "1 s")
        // Blank: before 8 s, before 512 KiB, unknown size, input beyond the size.
        XCTAssertEqual(Progress.remaining(5 * mib, of: 10 * mib, elapsedMilliseconds: 7999), "")
        XCTAssertEqual(Progress.remaining(512 * 1024 - 1, of: 10 * mib, elapsedMilliseconds: 60_000), "")
        XCTAssertEqual(Progress.remaining(512 * 1024, of: 10 * mib, elapsedMilliseconds: 8000), "2 min 40 s")
        XCTAssertEqual(Progress.remaining(5 * mib, of: 0, elapsedMilliseconds: 60_000), "")
        XCTAssertEqual(Progress.remaining(11 * mib, of: 10 * mib, elapsedMilliseconds: 60_000), "")
        // Beyond 999 days: blank.
        XCTAssertEqual(Progress.remaining(1 << 19, of: 1 << 40, elapsedMilliseconds: 100_000), "")
    }

    func testOtherColumnsAsXz() {
        // Percentage: scaled to 99.9 so that 100 % only comes at the end.
        XCTAssertEqual(Progress.percentage(3, of: 10), "30.0 %")
        XCTAssertEqual(Progress.percentage(10, of: 10), "99.9 %")
        XCTAssertEqual(Progress.percentage(0, of: 0), "--- %")
        XCTAssertEqual(Progress.percentage(11, of: 10), "--- %")
        // Sizes: MiB at least while coding; B and KiB on final lines.
        XCTAssertEqual(Progress.sizes(1000, 4000, final: false), "0.0 MiB / 0.0 MiB = 0.250")
        XCTAssertEqual(Progress.sizes(9999, 10000, final: true), "9999 B / 9.8 KiB = 1.000")
        XCTAssertEqual(Progress.sizes(32, 0, final: true), "32 B / 0 B > 9.999")
        XCTAssertEqual(Progress.sizes(100_001, 10_000, final: true), "97.7 KiB / 9.8 KiB > 9.999")
        XCTAssertEqual(Progress.nice(10_485_655_142, smallestUnit: 2), "9999.9 MiB")
        XCTAssertEqual(Progress.nice(10_485_760_000, smallestUnit: 2), "9.8 GiB")
        // Speed from 3 s on, one decimal below 10; time from 1 s on.
        XCTAssertEqual(Progress.speed(10_000_000, 2999), "")
        XCTAssertEqual(Progress.speed(3 << 20, 3000), "1.0 MiB/s")
        XCTAssertEqual(Progress.speed(10 << 10, 3000), "3.3 KiB/s")
        XCTAssertEqual(Progress.speed(2_997_000 * 1024 / 1000, 3000), "999 KiB/s")
        XCTAssertEqual(Progress.time(999), "")
        XCTAssertEqual(Progress.time(1000), "0:01")
        XCTAssertEqual(Progress.time(3_599_999), "59:59")
        XCTAssertEqual(Progress.time(3_600_000), "1:00:00")
        XCTAssertEqual(Progress.time(((9999 * 60 + 59) * 60 + 59) * 1000), "9999:59:59")
        XCTAssertEqual(Progress.time(((9999 * 60 + 59) * 60 + 60) * 1000), "")
        // A line xz 5.4.1 printed (xz -v -T1 -9 on a 41 MiB file), column for column.
        XCTAssertEqual(Progress.terminalLine(percent: "20.6 %", compressed: 2_448_635, uncompressed: 8_808_038,
                                             final: false, elapsed: 8400, remaining: "35 s"),
                       " 20.6 %           2.3 MiB / 8.4 MiB = 0.278   1.0 MiB/s       0:08         35 s")
    }

    // MARK: - Progress lines on a terminal

    /// xz's output under a pseudo-terminal byte for byte, except what
    /// depends on timing (lines rewritten while coding are dropped, the speed
    /// and elapsed columns blanked, in both): header lines (a blank line
    /// before the second, none for standard input alone, no total with
    /// --files), the final line with its empty remaining-time column, "--- %"
    /// and "> 9.999", no progress line for a file that fails before any
    /// output, and the line again after an error.
    func testTerminalLinesMatchXz() throws {
        let xz = try xz()
        guard let python = findProgram("python3") else { throw XCTSkip("python3 (for a pseudo-terminal) is missing") }
        try write(sampleText(3000), "a.txt")
        try write(sampleText(500, seed: 3), "b.txt")
        try write(Data(), "empty")
        try write(Data("not compressed\n".utf8), "plain.txt")
        let packed = try run(xz, ["-T1", "-c", "a.txt"]).stdout
        try write(packed, "a.txt.xz")
        try write(packed.prefix(packed.count - 30), "trunc.xz")
        try write(Data("a.txt\nb.txt\n".utf8), "list")
        let cases: [[String]] = [
            ["-v", "-T1", "-c", "a.txt"],
            ["-v", "-T1", "-6e", "-c", "a.txt", "b.txt"],
            ["-v", "-T1", "-c", "--files=list"],
            ["-v", "-T1", "-c", "empty"],
            ["-v", "-T1", "-c", "missing.txt", "b.txt"],
            ["-dv", "-c", "a.txt.xz"],
            ["-dv", "-c", "<a.txt.xz"],
            ["-tv", "a.txt.xz", "trunc.xz"],
            ["-dv", "-c", "<trunc.xz"],
            ["-dv", "-c", "plain.txt"],
            ["-dvcf", "<plain.txt"],
        ]
        for args in cases {
            let theirs = try onTerminal(python, xz, args)
            let ours = try onTerminal(python, CLI.binary, args)
            XCTAssertEqual(ours, theirs, "\(args)")
            XCTAssertTrue(theirs.contains("\r\n"), "\(args): nothing captured: \(theirs.debugDescription)")
        }
    }

    /// Runs `program` with stderr on a pseudo-terminal (stdout to
    /// /dev/null, stdin from the file of a "<NAME" argument) and returns what
    /// the terminal got, with the program name made "PROG" and the speed and
    /// elapsed-time columns blanked.
    private func onTerminal(_ python: URL, _ program: URL, _ args: [String]) throws -> String {
        let script = """
            import os, pty, sys
            args = sys.argv[1:]
            stdin = [a[1:] for a in args if a.startswith("<")]
            args = [a for a in args if not a.startswith("<")]
            pid, fd = pty.fork()
            if pid == 0:
                os.dup2(os.open("/dev/null", os.O_WRONLY), 1)
                if stdin: os.dup2(os.open(stdin[0], os.O_RDONLY), 0)
                os.execv(args[0], args)
            out = b""
            while True:
                try: chunk = os.read(fd, 65536)
                except OSError: break
                if not chunk: break
                out += chunk
            os.waitpid(pid, 0)
            sys.stdout.buffer.write(out)
            """
        let r = try run(python, ["-c", script, program.path] + args)
        var text = String(decoding: r.stdout, as: UTF8.self)
        for prefix in ["\(program.path): ", "swiftlzma: ", "xz: "] {
            text = text.replacingOccurrences(of: "\n" + prefix, with: "\nPROG: ")
            if text.hasPrefix(prefix) { text = "PROG: " + text.dropFirst(prefix.count) }
        }
        // Our messages may add detail after xz's text.
        text = text.replacingOccurrences(of: #"(Unexpected end of input|Compressed data is corrupt)[^\r]*"#,
                                         with: "$1", options: .regularExpression)
        // Lines rewritten while coding (ended by "\r", not "\r\n") and the
        // speed ("1.2 MiB/s") and elapsed ("0:01") columns depend on timing.
        text = text.replacingOccurrences(of: "\r[^\r\n]*\r(?!\n)", with: "", options: .regularExpression)
        for pattern in [#"[0-9.]+ [KMG]iB/s"#, #"(?<= )[0-9]+:[0-9][0-9](:[0-9][0-9])?(?= )"#] {
            while let range = text.range(of: pattern, options: .regularExpression) {
                text.replaceSubrange(range, with: String(repeating: " ", count: text[range].count))
            }
        }
        return text
    }

    // MARK: - -vv

    /// `-vv` compression: xz's lines, in xz's order, for presets, custom
    /// chains, .lzma and raw, one and two threads, and memory limits.
    func testDebugLinesMatchXz() throws {
        let xz = try xz()
        try write(sampleText(3000), "a.txt")
        let cases: [[String]] = [
            ["-T1", "-0"], ["-T1"], ["-T1", "-9"], ["-T1", "-e"], ["-T1", "-3e"], ["-T1", "-9e"],
            ["-T2"], ["-T2", "-0"], ["-T2", "-9"], ["-T2", "-6e"], ["-T2", "--block-size=100000"],
            ["-T1", "--lzma2=preset=3,dict=1MiB"], ["-T1", "--lzma2=dict=64MiB,mf=hc4"],
            ["-T1", "--lzma2=dict=12345,lc=0,lp=4,pb=0,nice=2,mf=bt2,depth=7"],
            ["-T1", "--x86", "--lzma2"], ["-T2", "--delta=dist=4", "--lzma2=preset=1"],
            ["-T1", "--arm64=start=1024", "--lzma2=dict=1536KiB"], ["-T1", "--delta", "--x86=start=16", "--lzma2=preset=0"],
            ["--format=lzma"], ["--format=lzma", "-9"], ["--format=lzma", "-T2", "-0"], ["--format=lzma", "--lzma1=preset=2e"],
            ["--format=raw"], ["--format=raw", "--lzma1=preset=1"],
            // Limits: fewer threads, single-threaded, a smaller dictionary, failures.
            ["-T1", "-9", "-M", "100MiB"], ["-T2", "-M", "200MiB"], ["-T2", "-M", "100MiB"],
            ["-T2", "-M", "100MiB", "--no-adjust"], ["-T1", "-M", "5000", "-1"], ["-F", "lzma", "-9", "-M", "150MiB"],
            ["-F", "raw", "-M", "10MiB"], ["-F", "raw", "--lzma1=preset=6", "-M", "10MiB"],
            ["-T1", "--flush-timeout=100"], ["-T2", "--flush-timeout=100"],
        ]
        for args in cases {
            let theirs = try run(xz, ["-vv", "-c"] + args + ["a.txt"])
            let ours = try swiftlzma(["-vv", "-c"] + args + ["a.txt"])
            XCTAssertEqual(ours.status, theirs.status, "\(args): \(ours.stderr)")
            XCTAssertEqual(messages(ours.stderr), messages(theirs.stderr, program: xz), "\(args)")
            XCTAssertTrue(messages(ours.stderr).contains { $0.hasPrefix("PROG: ") && $0.contains("MiB of memory is required") },
                          "\(args): \(ours.stderr)")
        }
    }

    /// `-vv` decompression: nothing more than -v for .xz and .lzma (xz
    /// prints no settings there); raw data gets the chain and the decoder's
    /// memory, and a limit below it is refused before reading.
    func testDebugLinesWhenDecompressingMatchXz() throws {
        let xz = try xz()
        try write(sampleText(3000), "a.txt")
        for (name, args) in [("a.xz", ["-T1"]), ("a-mt.xz", ["-T2", "-9"]), ("a.lzma", ["-F", "lzma", "-0"]),
                             ("a.raw", ["-F", "raw", "-1"])] {
            try write(try run(xz, ["-c"] + args + ["a.txt"]).stdout, name)
        }
        let cases: [[String]] = [
            ["-dvv", "-c", "a.xz"], ["-dvv", "-c", "-T2", "a-mt.xz"], ["-dvv", "-c", "-T1", "a-mt.xz"], ["-tvv", "a.lzma"],
            ["-dvv", "-c", "-F", "raw", "--lzma2=preset=1", "a.raw"], ["-tvv", "-F", "raw", "--lzma2=preset=1", "a.raw"],
            ["-dvv", "-c", "-F", "raw", "-M", "1MiB", "--lzma2=preset=1", "a.raw"],
            ["-dvv", "-c", "-F", "raw", "-M", "2MiB", "--lzma2=preset=1", "a.raw"],
            ["-dvv", "-c", "-F", "raw", "a.raw"],
        ]
        for args in cases {
            let theirs = try run(xz, args)
            let ours = try swiftlzma(args)
            XCTAssertEqual(ours.status, theirs.status, "\(args): \(ours.stderr)")
            XCTAssertEqual(messages(ours.stderr), messages(theirs.stderr, program: xz), "\(args)")
        }
    }

    /// xz 5.8's figures where xz 5.4 differs: --block-list blocks cap the
    /// multithreaded block size, --filtersN chains count, and the chain line
    /// names the default chain only when a block uses it. The numbers are
    /// liblzma 5.8.1's lzma_stream_encoder_mt_memusage and
    /// lzma_raw_decoder_memusage for these settings.
    func testDebugLinesWithBlockListsAsXz58() throws {
        try write(sampleText(3000), "a.txt")
        let preset6 = "PROG: Filter chain: --lzma2=dict=8MiB,lc=3,lp=0,pb=2,mode=normal,nice=64,mf=bt4,depth=0"
        let cases: [([String], [String])] = [
            (["-T2", "--block-list=1000,5000"],
             [preset6, "PROG: Using up to 2 threads.", "PROG: 187 MiB of memory is required. The limiter is disabled.",
              "PROG: Decompression will need 9 MiB of memory."]),
            (["-T2", "--filters1=delta:dist=2 lzma2:preset=9", "--block-list=1:20000,0"],
             [preset6, "PROG: Using up to 2 threads.", "PROG: 2499 MiB of memory is required. The limiter is disabled.",
              "PROG: Decompression will need 65 MiB of memory."]),
            (["-T2", "--filters1=delta:dist=2 lzma2:preset=9", "--block-list=1:20000"],
             ["PROG: Using up to 2 threads.", "PROG: 1347 MiB of memory is required. The limiter is disabled.",
              "PROG: Decompression will need 65 MiB of memory."]),
        ]
        for (args, expected) in cases {
            let ours = try swiftlzma(["-vv", "-c"] + args + ["a.txt"])
            XCTAssertEqual(ours.status, 0, ours.stderr)
            XCTAssertEqual(messages(ours.stderr), expected + ["a.txt: SIZES"], "\(args)")
        }
    }

    /// The stderr lines with the program name as "PROG" and the sizes of
    /// the final summary line left out (the compressors may differ there).
    private func messages(_ text: String, program: URL? = nil) -> [String] {
        text.split(separator: "\n").map { line -> String in
            for prefix in ["swiftlzma: ", "xz: "] + (program.map { ["\($0.path): "] } ?? []) where line.hasPrefix(prefix) {
                return "PROG: " + line.dropFirst(prefix.count)
            }
            if let colon = line.range(of: ": ") { return line[..<colon.lowerBound] + ": SIZES" }
            return String(line)
        }
    }

    // MARK: - liblzma's memory figures

    /// `XZMemoryUsage` against liblzma 5.8.1's own functions (byte counts
    /// from lzma_raw_encoder_memusage, lzma_raw_decoder_memusage and
    /// lzma_stream_encoder_mt_memusage through ctypes).
    func testMemoryUsageIsLiblzmas() throws {
        let single: [(String, UInt64, UInt64)] = [
            ("lzma2:preset=0", 2_855_431, 328_344), ("lzma2:preset=6", 97_620_491, 8_454_808),
            ("lzma2:preset=9", 705_794_571, 67_175_064), ("lzma1:preset=6", 97_554_787, 8_454_624),
            ("lzma1:preset=0", 2_789_727, 328_160), ("x86 lzma2:preset=6", 97_621_515, 8_455_832),
            ("delta:dist=4 lzma2:preset=1", 9_016_167, 1_115_128), ("lzma2:dict=12345,mf=hc4", 1_481_536, 78_545),
            ("lzma2:dict=4096,mf=bt2,nice=2", 1_186_315, 70_296), ("lzma2:dict=67108865,mf=hc3", 437_096_972, 67_175_065),
            ("lzma2:dict=1610612736,mf=bt4", 17_449_456_139, 1_610_678_936),
            ("lzma1:dict=1610612736,mf=hc4", 11_006_939_487, 1_610_678_752),
        ]
        for (text, encoder, decoder) in single {
            let chain = try LZMAFilterChain(parsing: text)
            XCTAssertEqual(XZMemoryUsage.encoder(chain), encoder, text)
            XCTAssertEqual(XZMemoryUsage.decoder(chain), decoder, text)
        }
        // Threads and block size (0: the default, 3 x the dictionary).
        let parallel: [(String, Int, UInt64, UInt64)] = [
            ("lzma2:preset=6", 1, 0, 173_154_467), ("lzma2:preset=6", 2, 0, 346_275_598),
            ("lzma2:preset=6", 4, 0, 692_517_860), ("lzma2:preset=0", 3, 1000, 8_611_221),
            ("lzma2:preset=9", 2, 0, 2_619_620_622), ("x86 lzma2:preset=3", 2, 65537, 65_647_896),
            ("lzma2:preset=6", 2, 5000, 195_306_046),
        ]
        for (text, threads, block, usage) in parallel {
            let chain = try LZMAFilterChain(parsing: text)
            let size = block == 0 ? XZMemoryUsage.defaultBlockSize(chain) : block
            XCTAssertEqual(XZMemoryUsage.multithreadedEncoder(chain, threads: threads, blockSize: size), usage,
                           "\(text) -T\(threads) block \(block)")
        }
    }

    /// The chain as liblzma's encoder options string names it (checked
    /// against xz -vv above); here the options xz 5.4 cannot take.
    func testFilterChainText() throws {
        XCTAssertEqual(filterChainText(try LZMAFilterChain(parsing: "riscv:start=2048 lzma2:preset=1")),
                       "--riscv=start=2KiB --lzma2=dict=1MiB,lc=3,lp=0,pb=2,mode=fast,nice=128,mf=hc4,depth=8")
        XCTAssertEqual(filterChainText(try LZMAFilterChain(parsing: "lzma1:preset=9e,dict=1610612736")),
                       "--lzma1=dict=1536MiB,lc=3,lp=0,pb=2,mode=normal,nice=273,mf=bt4,depth=512")
    }
}
