import Foundation
import XCTest

/// Locates the `swiftlzma` binary built next to the test bundle.
enum CLI {
    static var binary: URL {
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            return bundle.bundleURL.deletingLastPathComponent().appendingPathComponent("swiftlzma")
        }
        return Bundle.main.bundleURL.appendingPathComponent("swiftlzma")
    }
}

final class CLIBinaryTests: XCTestCase {
    func testBinaryIsBuilt() {
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: CLI.binary.path), CLI.binary.path)
    }
}
