// TEMPORARY SKELETON: the real decoder lands in the next commit; the
// signatures below are the public API the CLI and tests code against.

/// Which container a decompressor expects.
public enum DecompressionFormat: Sendable, Equatable {
    /// Detect from the first bytes (`.xz` or `.lzma`, by xz's rules).
    case auto
    /// `.lzma` ("LZMA_alone"): 13-byte header, then LZMA data.
    case lzma
    /// Raw LZMA1 data with properties supplied by the caller, and optionally the
    /// uncompressed size (without it, the data must end with an end marker).
    case rawLZMA1(LZMAProperties, uncompressedSize: UInt64?)
}

/// What a call to `LZMADecompressor.decode(input:output:)` stopped on.
public enum CodingStatus: Sendable, Equatable {
    /// All input was consumed; more is needed to go on.
    case needsInput
    /// The output buffer is full; call again (with the rest of the input).
    case outputFull
    /// The end of the stream was reached; input after it was not consumed.
    case streamEnd
}

/// A streaming decompressor.
public final class LZMADecompressor {
    public init(format: DecompressionFormat = .auto, memoryLimit: UInt64? = nil) {}
    public func decode(input: UnsafeBufferPointer<UInt8>, output: UnsafeMutableBufferPointer<UInt8>) throws -> (consumed: Int, produced: Int, status: CodingStatus) {
        throw LZMAError.unsupported("decoder not yet implemented")
    }
    public func decompress<C: Collection>(_ data: C, maxLength: Int = .max) throws -> [UInt8] where C.Element == UInt8 {
        throw LZMAError.unsupported("decoder not yet implemented")
    }
    public var needsInput: Bool { true }
    public var isFinished: Bool { false }
    public var unusedData: [UInt8] { [] }
    public var totalIn: UInt64 { 0 }
    public var totalOut: UInt64 { 0 }
    public var expectedOutputSize: UInt64? { nil }
    public func finish() throws {}
}
