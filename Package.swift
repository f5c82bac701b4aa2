// swift-tools-version:6.0
import PackageDescription

// No dependencies: the library imports only the Swift standard library; the
// command-line tool may use Foundation.
let package = Package(
    name: "SwiftLZMA",
    products: [
        .library(name: "LZMA", targets: ["LZMA"]),
        .executable(name: "swiftlzma", targets: ["swiftlzma"]),
    ],
    targets: [
        .target(name: "LZMA"),
        .executableTarget(name: "swiftlzma", dependencies: ["LZMA"]),
        .testTarget(name: "LZMATests", dependencies: ["LZMA"]),
        // Runs the built `swiftlzma` binary; depending on it makes `swift test` build it.
        .testTarget(name: "CLITests", dependencies: ["swiftlzma"]),
    ],
    swiftLanguageModes: [.v6]
)
