// Compression, waiting for the encoder. Everything the compress path needs
// from the command line is already parsed (preset, -e, --lzma1, format,
// suffix); `compressFile` is the one function to fill in: mirror
// `decompressFile` with `LZMACompressor(format:options:)` and
// `encode(input:output:finish:)` in the loop, and `compressedName` for the
// output name.

/// Whether this build can compress.
let compressionAvailable = false

/// The output name for compressing `path` (as xz: add `.lzma`, `.xz`, or the
/// `-S` suffix; raw needs `-S`), or nil when no suffix applies.
func compressedName(_ path: String, format: FileFormat, customSuffix: String?) -> String? {
    if let customSuffix { return path + customSuffix }
    switch format {
    case .lzma: return path + ".lzma"
    case .auto, .xz: return path + ".xz"
    case .raw, .lzip: return nil
    }
}

/// Compresses one file; reports problems itself.
func compressFile(_ path: String, index: Int, count: Int, context: RunContext) {
    context.reporter.error(nil, "compression is not available yet")
}

/// `--roundtrip`: compress, decompress and compare (needs the encoder).
func runRoundtrip(_ context: RunContext) {
    context.reporter.error(nil, "--roundtrip is not available yet (it needs the encoder)")
}
