// Progress reporting for -v, in xz's format. On a terminal: a header line per
// file ("name (1/2)", after a blank line from the second file on; none for
// standard input alone), then a line rewritten about once a second
// ("  24.0 %   7.0 MiB / 6.9 MiB = 1.015   7.2 MiB/s   0:03   2 min 30 s"),
// ended with a final line ("  100 % ..."). Elsewhere: one summary line per
// file ("name: 29.0 MiB / 28.6 MiB = 1.015, 9.8 MiB/s, 0:03").
//
// As xz, a message printed while a file is being coded first ends the
// progress line (or prints the summary line so far), and a file that fails
// gets its line again after the error; a failure before any data was coded
// prints no progress line at all.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

final class Progress {
    private let name: String
    private let isStandardInput: Bool
    private let compressing: Bool
    private let onTerminal: Bool
    private var inputSize: UInt64 = 0
    private var startTime: UInt64 = 0
    private var nextUpdate: UInt64 = 0
    /// Between `start` and `finish`.
    private var started = false
    /// A progress line is on the terminal without its newline.
    private var active = false
    private var compressed: UInt64 = 0
    private var uncompressed: UInt64 = 0

    /// The file being coded, for `flushBeforeMessage`.
    nonisolated(unsafe) private static var current: Progress?
    /// A header line was printed (the next one gets a blank line before it).
    nonisolated(unsafe) private static var headerPrinted = false

    /// Announces one file: on a terminal prints its header line, as xz does
    /// before it even opens the file.
    /// - Parameters:
    ///   - fileCount: nil when names come from `--files`/`--files0` (xz
    ///     then prints "name (N)").
    ///   - compressing: the input is uncompressed data (for the percentage).
    init(name: String, path: String, fileIndex: Int, fileCount: Int?, compressing: Bool) {
        self.name = name
        isStandardInput = path == "-"
        self.compressing = compressing
        onTerminal = isatty(2) != 0
        guard onTerminal, fileCount != 1 || path != "-" else { return }
        let count = fileCount.map { "\(fileIndex)/\($0)" } ?? "\(fileIndex)"
        writeStderr((Progress.headerPrinted ? "\n" : "") + "\(name) (\(count))\n")
        Progress.headerPrinted = true
    }

    /// Coding starts: the clock starts and `inputSize` (nil or 0: unknown)
    /// is what the percentage and the remaining time are computed against.
    /// As xz, the size of standard input is never looked at.
    func start(inputSize: UInt64?) {
        self.inputSize = isStandardInput ? 0 : inputSize ?? 0
        startTime = Progress.nowMilliseconds()
        nextUpdate = startTime + 1000
        started = true
        Progress.current = self
    }

    /// Call often (once per buffer); prints at most once a second.
    @inline(__always)
    func update(compressed: UInt64, uncompressed: UInt64) {
        self.compressed = compressed
        self.uncompressed = uncompressed
        guard onTerminal else { return }
        let now = Progress.nowMilliseconds()
        guard now >= nextUpdate else { return }
        nextUpdate = now + 1000
        let elapsed = now - startTime
        writeStderr("\r" + Progress.terminalLine(percent: Progress.percentage(inputPosition, of: inputSize),
                                                 compressed: compressed, uncompressed: uncompressed, final: false,
                                                 elapsed: elapsed,
                                                 remaining: Progress.remaining(inputPosition, of: inputSize,
                                                                               elapsedMilliseconds: elapsed))
                    + "\r")
        active = true
    }

    /// The sizes reached, when they changed since the last `update`.
    func record(compressed: UInt64, uncompressed: UInt64) {
        self.compressed = compressed
        self.uncompressed = uncompressed
    }

    /// Coding ended: prints the final line (xz's, also after a failure).
    func finish(success: Bool) {
        guard started else { return }
        flush(finished: success)
        started = false
        if Progress.current === self { Progress.current = nil }
    }

    /// Before any message while a file is being coded: ends the progress
    /// line with the figures so far (on a terminal) or prints the summary
    /// line so far, as xz does.
    static func flushBeforeMessage() {
        current?.flush(finished: false)
    }

    private var inputPosition: UInt64 { compressing ? uncompressed : compressed }

    private func flush(finished: Bool) {
        // An error at the very start shows no figures.
        if !finished && !active && (compressed == 0 || uncompressed == 0) { return }
        active = false
        let elapsed = Progress.nowMilliseconds() - startTime
        if onTerminal {
            let percent = finished ? "100 %" : Progress.percentage(inputPosition, of: inputSize)
            let remaining = finished ? ""
                : Progress.remaining(inputPosition, of: inputSize, elapsedMilliseconds: elapsed)
            writeStderr("\r" + Progress.terminalLine(percent: percent, compressed: compressed, uncompressed: uncompressed,
                                                     final: true, elapsed: elapsed, remaining: remaining) + "\n")
        } else {
            var line = "\(name): "
            if !finished {
                let percent = Progress.percentage(inputPosition, of: inputSize)
                if !percent.hasPrefix("-") { line += percent + ", " }
            }
            line += Progress.sizes(compressed, uncompressed, final: true)
            let speed = Progress.speed(uncompressed, elapsed)
            if !speed.isEmpty { line += ", \(speed)" }
            let time = Progress.time(elapsed)
            if !time.isEmpty { line += ", \(time)" }
            writeStderr(line + "\n")
        }
    }

    // MARK: - Formatting as xz does

    /// The five columns: " %6s %35s   %9s %10s   %10s" (the leading "\r"
    /// and the ending are the caller's).
    static func terminalLine(percent: String, compressed: UInt64, uncompressed: UInt64, final: Bool,
                             elapsed: UInt64, remaining: String) -> String {
        " " + pad(percent, 6) + " " + pad(sizes(compressed, uncompressed, final: final), 35)
            + "   " + pad(speed(uncompressed, elapsed), 9) + " " + pad(time(elapsed), 10)
            + "   " + pad(remaining, 10)
    }

    /// The completion percentage while coding: "--- %" when the input size
    /// is unknown (0) or already exceeded, else position / size x 99.9 with
    /// one decimal, so that 100 % is only ever shown at the end.
    static func percentage(_ position: UInt64, of size: UInt64) -> String {
        guard size > 0, position <= size else { return "--- %" }
        return cFormat("%.1f %%", Double(position) / Double(size) * 99.9)
    }

    /// "7.0 MiB / 6.9 MiB = 1.015"; while coding the sizes are at least in
    /// MiB, on final lines small sizes are in B or KiB. A ratio above 9.999
    /// (or no uncompressed data) is shown as "> 9.999".
    static func sizes(_ compressed: UInt64, _ uncompressed: UInt64, final: Bool) -> String {
        let smallest = final ? 0 : 2
        let ratio = uncompressed > 0 ? Double(compressed) / Double(uncompressed) : 16
        return nice(compressed, smallestUnit: smallest) + " / " + nice(uncompressed, smallestUnit: smallest)
            + (ratio > 9.999 ? " > 9.999" : cFormat(" = %.3f", ratio))
    }

    /// A size in B (below 10000, only if `smallestUnit` is 0), else in the
    /// smallest of KiB, MiB, GiB, TiB (from `smallestUnit`: 1 KiB, 2 MiB)
    /// that keeps it at most 9999.9, with one decimal.
    static func nice(_ value: UInt64, smallestUnit: Int) -> String {
        if smallestUnit == 0 && value < 10000 { return "\(value) B" }
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var d = Double(value)
        var unit = 0
        repeat {
            d /= 1024
            unit += 1
        } while unit < smallestUnit || (d > 9999.9 && unit < units.count - 1)
        return cFormat("%.1f", d) + " " + units[unit]
    }

    /// Speed of the uncompressed data ("1.4 MiB/s", "999 KiB/s"); empty
    /// during the first 3 seconds, and above 999 GiB/s.
    static func speed(_ uncompressed: UInt64, _ elapsed: UInt64) -> String {
        guard elapsed >= 3000 else { return "" }
        let units = ["KiB/s", "MiB/s", "GiB/s"]
        var s = Double(uncompressed) / (Double(elapsed) * (1024.0 / 1000.0))
        var unit = 0
        while s > 999 {
            s /= 1024
            unit += 1
            if unit == units.count { return "" }
        }
        return cFormat(s > 9.9 ? "%.0f" : "%.1f", s) + " " + units[unit]
    }

    /// Elapsed time as "m:ss" or "h:mm:ss"; empty below one second and
    /// above 9999:59:59.
    static func time(_ milliseconds: UInt64) -> String {
        let seconds = milliseconds / 1000
        guard seconds > 0, seconds <= (9999 * 60 + 59) * 60 + 59 else { return "" }
        let s = seconds % 60, m = seconds / 60 % 60, h = seconds / 3600
        if h == 0 { return cFormat("%u:%02u", UInt32(m), UInt32(s)) }
        return cFormat("%u:%02u:%02u", UInt32(h), UInt32(m), UInt32(s))
    }

    /// The estimated remaining time, as xz estimates it: blank unless the
    /// input size is known, at least 512 KiB of it has been read (and not
    /// more than the size) and 8 seconds have passed; else the time the rest
    /// takes at the speed so far (at least 1 s), in `remainingText`'s format.
    static func remaining(_ position: UInt64, of size: UInt64, elapsedMilliseconds elapsed: UInt64) -> String {
        guard size > 0, position <= size, position >= 1 << 19, elapsed >= 8000 else { return "" }
        let estimate = Double(size - position) * (Double(elapsed) / 1000) / Double(position)
        // xz truncates to a 32-bit count of seconds.
        let seconds = estimate >= 4_294_967_295 ? UInt32.max : UInt32(estimate)
        return remainingText(seconds: max(seconds, 1))
    }

    /// An estimate in xz's coarse format, rounded up to its precision:
    /// up to 10 s "N s"; up to 50 s to 5 s ("15 s"); up to 9 min 50 s to
    /// 10 s ("2 min 30 s"); up to 59 min to minutes ("12 min"); up to
    /// 9 h 50 min to 10 min ("1 h 10 min"); up to 23 h to hours ("5 h");
    /// up to 9 d 23 h to hours ("3 d 4 h"); up to 999 d to days ("12 d");
    /// beyond that blank.
    static func remainingText(seconds: UInt32) -> String {
        let r = UInt64(seconds)
        switch r {
        case ...10:
            return "\(r) s"
        case ...50:
            return "\((r + 4) / 5 * 5) s"
        case ...590:
            let t = (r + 9) / 10 * 10
            return "\(t / 60) min \(t % 60) s"
        case ...(59 * 60):
            return "\((r + 59) / 60) min"
        case ...(9 * 3600 + 50 * 60):
            let minutes = (r + 599) / 600 * 10
            return "\(minutes / 60) h \(minutes % 60) min"
        case ...(23 * 3600):
            return "\((r + 3599) / 3600) h"
        case ...(9 * 24 * 3600 + 23 * 3600):
            let hours = (r + 3599) / 3600
            return "\(hours / 24) d \(hours % 24) h"
        case ...(999 * 24 * 3600):
            return "\((r + 24 * 3600 - 1) / (24 * 3600)) d"
        default:
            return ""
        }
    }

    static func pad(_ s: String, _ width: Int) -> String {
        let n = s.count
        return n >= width ? s : String(repeating: " ", count: width - n) + s
    }

    static func nowMilliseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1000 + UInt64(ts.tv_nsec) / 1_000_000
    }
}
