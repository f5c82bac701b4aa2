// swift-tools-version:6.0
import PackageDescription

// No dependencies: the library imports only the Swift standard library; the
// command-line tool may use Foundation.
let package = Package(
    name: "SwiftLZMA",
    products: [
        .library(name: "LZMA", targets: ["LZMA"]),
        // Optional: `Data` in and out, files as random-access sources.
        .library(name: "LZMAFoundation", targets: ["LZMAFoundation"]),
        .executable(name: "swiftlzma", targets: ["swiftlzma"]),
    ],
    targets: [
        .target(name: "LZMA"),
        .target(name: "LZMAFoundation", dependencies: ["LZMA"]),
        .executableTarget(name: "swiftlzma", dependencies: ["LZMA"]),
        .testTarget(name: "LZMATests", dependencies: ["LZMA"]),
        // The public API only (no @testable): the README's examples, stream
        // semantics against Python's lzma, the Foundation product.
        .testTarget(name: "APITests", dependencies: ["LZMA", "LZMAFoundation"]),
        // Runs the built `swiftlzma` binary; depending on it makes `swift test` build it.
        .testTarget(name: "CLITests", dependencies: ["swiftlzma"]),
    ],
    swiftLanguageModes: [.v6]
)
