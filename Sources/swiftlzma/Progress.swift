// Progress reporting for -v, in xz's format. On a terminal: a header line per
// file, then a line rewritten about once a second
// ("  24.0 %   7.0 MiB / 6.9 MiB = 1.015   7.2 MiB/s   0:03"), finished with
// a newline. Elsewhere: one summary line per file
// ("name: 29.0 MiB / 28.6 MiB = 1.015, 9.8 MiB/s, 0:03").

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

final class Progress {
    private let name: String
    private let inputSize: UInt64?
    private let onTerminal: Bool
    private let start: UInt64
    private var nextUpdate: UInt64
    private var printedLine = false

    /// Starts reporting on one file; prints the header line on a terminal.
    init(name: String, fileIndex: Int, fileCount: Int, inputSize: UInt64?) {
        self.name = name
        self.inputSize = inputSize
        onTerminal = isatty(2) != 0
        start = Progress.nowMilliseconds()
        nextUpdate = start + 1000
        if onTerminal { writeStderr("\(name) (\(fileIndex)/\(fileCount))\n") }
    }

    /// Call often (once per buffer); prints at most once a second.
    /// - Parameters:
    ///   - inputPosition: bytes read from the input (for the percentage).
    ///   - compressed, uncompressed: sizes so far.
    @inline(__always)
    func update(inputPosition: UInt64, compressed: UInt64, uncompressed: UInt64) {
        guard onTerminal else { return }
        let now = Progress.nowMilliseconds()
        guard now >= nextUpdate else { return }
        nextUpdate = now + 1000
        printLine(inputPosition: inputPosition, compressed: compressed, uncompressed: uncompressed,
                  elapsed: now - start, final: false)
    }

    /// Prints the final line (on a terminal also after a failure, to end the
    /// progress line before the error message).
    func finish(compressed: UInt64, uncompressed: UInt64, success: Bool) {
        let elapsed = Progress.nowMilliseconds() - start
        if onTerminal {
            printLine(inputPosition: success ? (inputSize ?? compressed) : compressed,
                      compressed: compressed, uncompressed: uncompressed, elapsed: elapsed, final: true)
            writeStderr("\n")
        } else if success {
            var line = "\(name): \(Progress.sizes(compressed, uncompressed, final: true))"
            let speed = Progress.speed(uncompressed, elapsed)
            if !speed.isEmpty { line += ", \(speed)" }
            let time = Progress.time(elapsed)
            if !time.isEmpty { line += ", \(time)" }
            writeStderr(line + "\n")
        }
    }

    private func printLine(inputPosition: UInt64, compressed: UInt64, uncompressed: UInt64,
                           elapsed: UInt64, final: Bool) {
        var percent = ""
        if let size = inputSize, size > 0 {
            let p = Double(inputPosition) / Double(size) * 100
            percent = p >= 99.95 ? "100 %" : "\(Progress.decimals(p, 1)) %"
        }
        let line = "\r " + Progress.pad(percent, 6) + " " + Progress.pad(Progress.sizes(compressed, uncompressed, final: final), 35)
            + "   " + Progress.pad(Progress.speed(uncompressed, elapsed), 9) + " " + Progress.pad(Progress.time(elapsed), 10)
            + (final ? "" : "\r")
        writeStderr(line)
    }

    // MARK: - Formatting as xz does

    /// "7.0 MiB / 6.9 MiB = 1.015".
    static func sizes(_ compressed: UInt64, _ uncompressed: UInt64, final: Bool) -> String {
        var ratio = "---"
        if uncompressed > 0 {
            let r = Double(compressed) / Double(uncompressed)
            if r <= 9.999 { ratio = decimals(r, 3) }
        }
        return "\(nice(compressed, bytesAllowed: final)) / \(nice(uncompressed, bytesAllowed: final)) = \(ratio)"
    }

    /// A size in B (below 10000, final lines only), KiB, MiB, GiB or TiB.
    static func nice(_ value: UInt64, bytesAllowed: Bool) -> String {
        if bytesAllowed && value < 10000 { return "\(value) B" }
        let units = ["KiB", "MiB", "GiB", "TiB"]
        var d = Double(value) / 1024
        var unit = 0
        while d > 9999.9 && unit < units.count - 1 {
            d /= 1024
            unit += 1
        }
        return "\(decimals(d, 1)) \(units[unit])"
    }

    /// Speed of the uncompressed data; empty during the first 3 seconds.
    static func speed(_ uncompressed: UInt64, _ elapsed: UInt64) -> String {
        guard elapsed >= 3000 else { return "" }
        let units = ["KiB/s", "MiB/s", "GiB/s", "TiB/s"]
        var s = Double(uncompressed) / Double(elapsed) * (1000.0 / 1024.0)
        var unit = 0
        while s > 999 && unit < units.count - 1 {
            s /= 1024
            unit += 1
        }
        return "\(decimals(s, s > 9.9 ? 0 : 1)) \(units[unit])"
    }

    /// "m:ss" or "h:mm:ss"; empty below one second.
    static func time(_ milliseconds: UInt64) -> String {
        let seconds = milliseconds / 1000
        guard seconds > 0 else { return "" }
        let s = seconds % 60, m = seconds / 60 % 60, h = seconds / 3600
        let ss = s < 10 ? "0\(s)" : "\(s)"
        if h == 0 { return "\(m):\(ss)" }
        return "\(h):\(m < 10 ? "0\(m)" : "\(m)"):\(ss)"
    }

    /// `value` rounded to `places` decimals, like printf("%.*f").
    static func decimals(_ value: Double, _ places: Int) -> String {
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        let scaled = UInt64((value * scale).rounded())
        if places == 0 { return "\(scaled)" }
        let whole = scaled / UInt64(scale)
        var frac = String(scaled % UInt64(scale))
        while frac.count < places { frac = "0" + frac }
        return "\(whole).\(frac)"
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
