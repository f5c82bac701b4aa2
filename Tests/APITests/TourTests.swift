// Docs/Tour.md names files and declarations of the library; this test keeps
// those names true. It reads the tour and checks that
// - every backticked path starting with Sources/, Tests/ or Scripts/ exists;
// - every backticked name on a "**Names:**" line, and every backticked
//   `Type.member` name anywhere in the text, is declared somewhere under
//   Sources/ (func, var, let, case, class, struct, enum, protocol, typealias,
//   actor, init); for `Type.member` each part must be declared.
// Fenced code blocks are skipped (they hold hex dumps and shell commands).
import Foundation
import XCTest

final class TourTests: XCTestCase {
    /// The package root: three levels above this file (Tests/APITests/TourTests.swift).
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The tour's text without its fenced code blocks.
    static func tourProse() throws -> String {
        let text = try String(contentsOf: root.appendingPathComponent("Docs/Tour.md"), encoding: .utf8)
        var out: [Substring] = []
        var inFence = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.trimmingCharacters(in: .whitespaces).hasPrefix("```") { inFence.toggle(); continue }
            if !inFence { out.append(line) }
        }
        return out.joined(separator: "\n")
    }

    /// The contents of every inline code span (`...`) in `text`.
    static func codeSpans(_ text: String) -> [String] {
        var spans: [String] = []
        var current: String?
        for ch in text {
            if ch == "`" {
                if let c = current { spans.append(c); current = nil } else { current = "" }
            } else if ch == "\n" {
                current = nil   // spans stay on one line; a lone backtick opens none
            } else if current != nil {
                current!.append(ch)
            }
        }
        return spans
    }

    /// The paragraphs that start with "**Names:**" (they may wrap over lines).
    static func namesParagraphs(_ text: String) -> [String] {
        text.components(separatedBy: "\n\n").compactMap { paragraph in
            let p = paragraph.trimmingCharacters(in: .whitespacesAndNewlines)
            return p.hasPrefix("**Names:**") ? p : nil
        }
    }

    static func isIdentifier(_ s: Substring) -> Bool {
        guard let first = s.first, first.isLetter || first == "_" else { return false }
        return s.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" }
    }

    /// `Name`, `Type.member`, `A.B.member` or any of them followed by an
    /// argument-label list such as `(header:)`: the dotted parts, else nil.
    static func symbolParts(_ span: String) -> [Substring]? {
        var s = Substring(span)
        if let paren = s.firstIndex(of: "("), s.hasSuffix(")") { s = s[..<paren] }
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard !parts.isEmpty, parts.allSatisfy(isIdentifier) else { return nil }
        return parts
    }

    /// File extensions, so that `Package.swift`-like spans are not taken for members.
    static let fileExtensions: Set<Substring> = ["swift", "md", "txt", "xz", "lzma", "lz", "sh", "py", "json", "html"]

    /// All the Swift source under Sources/, one string.
    static func allSources() throws -> String {
        let sources = root.appendingPathComponent("Sources")
        guard let walker = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil) else {
            throw NSError(domain: "TourTests", code: 1, userInfo: [NSLocalizedDescriptionKey: "cannot list \(sources.path)"])
        }
        var text = ""
        for case let url as URL in walker where url.pathExtension == "swift" {
            text += try String(contentsOf: url, encoding: .utf8)
            text += "\n"
        }
        return text
    }

    /// Every name declared in `source`: after func, var, let, class, struct,
    /// enum, protocol, typealias or actor; every name of a `case a, b(Int), c = 3`
    /// list; and `init` if there is an initializer.
    static func declaredNames(in source: String) -> Set<Substring> {
        var names: Set<Substring> = []
        let whole = NSRange(source.startIndex..., in: source)
        let keyword = try! NSRegularExpression(pattern: #"\b(?:func|var|let|class|struct|enum|protocol|typealias|actor)\s+(\w+)"#)
        for m in keyword.matches(in: source, range: whole) {
            names.insert(source[Range(m.range(at: 1), in: source)!])
        }
        let caseList = try! NSRegularExpression(pattern: #"\bcase\s+((?:\w+(?:\([^)]*\))?(?:\s*=\s*[^,\n]+)?\s*,\s*)*\w+)"#)
        let caseName = try! NSRegularExpression(pattern: #"(?:^|,)\s*(\w+)"#)
        for m in caseList.matches(in: source, range: whole) {
            // Drop the associated values and raw values, then take each name.
            let list = String(source[Range(m.range(at: 1), in: source)!])
                .replacingOccurrences(of: #"\([^)]*\)"#, with: "", options: .regularExpression)
                .replacingOccurrences(of: #"=\s*[^,\n]+"#, with: "", options: .regularExpression)
            for n in caseName.matches(in: list, range: NSRange(list.startIndex..., in: list)) {
                names.insert(Substring(list[Range(n.range(at: 1), in: list)!]))
            }
        }
        if source.range(of: #"\binit\s*[?!]?\s*[(<]"#, options: .regularExpression) != nil { names.insert("init") }
        return names
    }

    func testEveryPathInTheTourExists() throws {
        let spans = Self.codeSpans(try Self.tourProse())
        let paths = spans.filter { $0.hasPrefix("Sources/") || $0.hasPrefix("Tests/") || $0.hasPrefix("Scripts/") }
        // The tour names dozens of files; far fewer means the extraction broke.
        XCTAssertGreaterThan(paths.count, 30, "too few paths found in Docs/Tour.md: \(paths)")
        var missing: [String] = []
        for path in Set(paths).sorted() where !FileManager.default.fileExists(atPath: Self.root.appendingPathComponent(path).path) {
            missing.append(path)
        }
        XCTAssertEqual(missing, [], "Docs/Tour.md names paths that do not exist")
    }

    func testEverySymbolInTheTourIsDeclared() throws {
        let prose = try Self.tourProse()
        var names: [[Substring]] = []
        for paragraph in Self.namesParagraphs(prose) {
            for span in Self.codeSpans(paragraph) {
                guard let parts = Self.symbolParts(span) else {
                    XCTFail("a Names line holds `\(span)`, which is not a Swift name")
                    continue
                }
                names.append(parts)
            }
        }
        XCTAssertGreaterThan(Self.namesParagraphs(prose).count, 10, "the tour's stops should each have a Names line")
        // Dotted names in the running text are symbols too.
        for span in Self.codeSpans(prose) {
            guard let parts = Self.symbolParts(span), parts.count > 1,
                  parts[0].first!.isUppercase, !Self.fileExtensions.contains(parts.last!) else { continue }
            names.append(parts)
        }
        XCTAssertGreaterThan(names.count, 150, "too few names found in Docs/Tour.md")

        let declared = Self.declaredNames(in: try Self.allSources())
        var missing: [String] = []
        for parts in names {
            for part in parts where !declared.contains(part) {
                missing.append("\(part) (in `\(parts.joined(separator: "."))`)")
            }
        }
        XCTAssertEqual(Array(Set(missing)).sorted(), [], "Docs/Tour.md names declarations that Sources/ does not have")
    }

    /// The checks above must be able to fail: a made-up path and name are caught.
    func testTheChecksCatchWhatDoesNotExist() throws {
        let declared = Self.declaredNames(in: try Self.allSources())
        XCTAssertTrue(declared.contains("decodeSymbols"))
        XCTAssertTrue(declared.contains("LZMAState"))
        XCTAssertTrue(declared.contains("shortRep"))        // a case in a list: `case literal, match, rep, shortRep`
        XCTAssertTrue(declared.contains("blockPadding"))    // the same, over two lines
        XCTAssertTrue(declared.contains("corruptData"))     // a case with associated values
        XCTAssertFalse(declared.contains("decodeSymbolsAndDance"))
        XCTAssertFalse(declared.contains("decodeSymbol"))   // a prefix of a real name is not a name
        let sample = Self.declaredNames(in: "enum E { case a, b(Int), c = 3\n  case d }\nfunc f() {}\nstruct S { init() {} }")
        XCTAssertEqual(sample, ["E", "a", "b", "c", "d", "f", "S", "init"])
        XCTAssertEqual(Self.symbolParts("LZMAAlone.recognizes(header:)"), ["LZMAAlone", "recognizes"])
        XCTAssertNil(Self.symbolParts("xz --format=lzma"))
        XCTAssertEqual(Self.codeSpans("a `b` c `d.e` f"), ["b", "d.e"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: Self.root.appendingPathComponent("Sources/LZMA/NoSuchFile.swift").path))
    }
}
