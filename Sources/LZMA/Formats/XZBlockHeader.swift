/// The Block Header of an `.xz` block (spec section 3.1).
///
///     Block Header Size   1 byte: real size = (value + 1) * 4, 8...1024
///                         (0 here would be the Index Indicator instead)
///     Block Flags         bits 0-1: number of filters - 1; bits 2-5 reserved;
///                         bit 6: Compressed Size present; bit 7: Uncompressed Size present
///     Compressed Size     VLI, optional
///     Uncompressed Size   VLI, optional
///     List of Filter Flags  per filter: ID (VLI), size of properties (VLI), properties
///     Header Padding      zero bytes up to the CRC32
///     CRC32               of everything before it
///
/// This library decodes chains of up to three Delta/BCJ filters followed by
/// LZMA2, which is every chain the spec defines.
struct XZBlockHeader: Equatable {
    /// The real header size in bytes (a multiple of 4).
    var headerSize: Int
    var compressedSize: UInt64?
    var uncompressedSize: UInt64?
    /// The filters before LZMA2, in header order (the order the encoder ran them).
    var filters: [XZFilter]
    /// The LZMA2 properties byte (dictionary size code).
    var lzma2Properties: UInt8
    /// The filters as listed, valid chain or not (what `xz -lvv` shows).
    var chain: [XZBlockHeaderInfo.ChainFilter] = []
    /// Whether the chain is one this library decodes (up to 3 Delta/BCJ
    /// filters, then LZMA2); only false for a header parsed with
    /// `requireDecodableChain: false`.
    var isDecodable = true

    /// The largest Unpadded Size (header + compressed data + check): the
    /// largest VLI rounded down to a multiple of 4.
    static let maxUnpaddedSize: UInt64 = VLI.max & ~3

    var dictionarySize: UInt32 { (try? LZMA2Decoder.dictionarySize(propertiesByte: lzma2Properties)) ?? UInt32.max }

    /// Parses and validates a complete header of `b[0] * 4 + 4` bytes at `b`.
    ///
    /// Checks in liblzma 5.4's order: CRC32, reserved flag bits, sizes,
    /// filter flags, padding, then the filter chain.
    /// - Parameters:
    ///   - checkSize: size of the stream's Check field (for the size limits).
    ///   - offset: input position of the header, for errors.
    /// - Throws: `corruptData` for a CRC32 mismatch, a bad or truncated
    ///   integer, a zero or impossible Compressed Size, properties running past
    ///   the header, a reserved filter ID; `unsupported` for reserved flag
    ///   bits, non-zero padding, unknown filters or options, or a chain that
    ///   is not "up to 3 Delta/BCJ filters, then LZMA2".
    ///   - requireDecodableChain: false to accept a chain that is not
    ///     "up to 3 Delta/BCJ filters, then LZMA2" (then `isDecodable` is
    ///     false and `filters` empty), as liblzma's header decoder does.
    init(_ b: UnsafePointer<UInt8>, checkSize: Int, offset: UInt64, requireDecodableChain: Bool = true) throws(LZMAError) {
        headerSize = (Int(b[0]) + 1) * 4
        let end = headerSize - 4
        let stored = UInt32(readLittleEndian(b + end, count: 4))
        guard CRC32.checksum(UnsafeBufferPointer(start: b, count: end)) == stored else {
            throw LZMAError.corruptData("block header CRC32 mismatch", offset: offset + UInt64(end))
        }
        let flags = b[1]
        guard flags & 0x3C == 0 else {
            throw LZMAError.unsupported("reserved bits set in the block flags (0x\(String(flags, radix: 16)))")
        }
        var pos = 2
        func vli(_ what: String) throws(LZMAError) -> UInt64 {
            let at = pos
            switch VLI.decode(b, pos: &pos, end: end) {
            case .success(let v): return v
            case .failure(let e):
                throw LZMAError.corruptData("block header \(what): \(e)", offset: offset + UInt64(at))
            }
        }
        compressedSize = nil
        uncompressedSize = nil
        if flags & 0x40 != 0 {
            let at = pos
            let c = try vli("compressed size")
            guard c > 0, c <= XZBlockHeader.maxUnpaddedSize - UInt64(headerSize) - UInt64(checkSize) else {
                throw LZMAError.corruptData("invalid compressed size \(c) in the block header", offset: offset + UInt64(at))
            }
            compressedSize = c
        }
        if flags & 0x80 != 0 {
            uncompressedSize = try vli("uncompressed size")
        }

        // Filter flags: parse all of them first (as liblzma does), then judge the chain.
        let count = Int(flags & 3) + 1
        var parsed: [(id: UInt64, filter: XZFilter?, lzma2: UInt8?)] = []
        for _ in 0..<count {
            let at = pos
            let id = try vli("filter ID")
            guard id < (1 << 62) else {
                throw LZMAError.corruptData("reserved filter ID 0x\(String(id, radix: 16))", offset: offset + UInt64(at))
            }
            let propsSize = try vli("filter properties size")
            guard propsSize <= UInt64(end - pos) else {
                throw LZMAError.corruptData("filter properties run past the block header", offset: offset + UInt64(pos))
            }
            let props = Array(UnsafeBufferPointer(start: b + pos, count: Int(propsSize)))
            pos += Int(propsSize)
            if id == XZFilter.ID.lzma2 {
                guard props.count == 1 else {
                    throw LZMAError.unsupported("LZMA2 filter properties must be 1 byte, got \(props.count)")
                }
                _ = try LZMA2Decoder.dictionarySize(propertiesByte: props[0])
                parsed.append((id, nil, props[0]))
            } else {
                do {
                    parsed.append((id, try XZFilter(id: id, properties: props), nil))
                } catch LZMAError.invalidProperties(let why) {
                    throw LZMAError.unsupported(why)
                }
            }
        }
        while pos < end {
            guard b[pos] == 0 else { throw LZMAError.unsupported("non-zero byte in the block header padding") }
            pos += 1
        }

        chain = parsed.map { f in
            if let p = f.lzma2 { return .lzma2(dictionarySize: (try? LZMA2Decoder.dictionarySize(propertiesByte: p)) ?? 0) }
            return .filter(f.filter!)
        }

        // The chain: LZMA2 last and only last.
        self.filters = []
        self.lzma2Properties = 0
        var filters: [XZFilter] = []
        var lzma2: UInt8? = nil
        for (i, f) in parsed.enumerated() {
            if let p = f.lzma2 {
                guard i == parsed.count - 1 else {
                    isDecodable = false
                    guard requireDecodableChain else { return }
                    throw LZMAError.unsupported("LZMA2 is filter \(i + 1) of \(parsed.count); it may only be the last")
                }
                lzma2 = p
            } else {
                filters.append(f.filter!)
            }
        }
        guard let lzma2 else {
            isDecodable = false
            guard requireDecodableChain else { return }
            throw LZMAError.unsupported("the filter chain does not end with LZMA2 (\(filters.map { $0.name }.joined(separator: ", ")))")
        }
        self.filters = filters
        self.lzma2Properties = lzma2
    }

    /// What decoding this block is charged against a memory limit
    /// (`DecoderMemory`); `UInt64.max` for a chain that cannot be decoded.
    var decoderMemoryUsage: UInt64 {
        guard isDecodable else { return .max }
        return DecoderMemory.lzma2(dictionarySize: dictionarySize, filters: filters)
    }

    init(compressedSize: UInt64?, uncompressedSize: UInt64?, filters: [XZFilter], lzma2Properties: UInt8) {
        self.compressedSize = compressedSize
        self.uncompressedSize = uncompressedSize
        self.filters = filters
        self.lzma2Properties = lzma2Properties
        chain = filters.map { .filter($0) }
            + [.lzma2(dictionarySize: (try? LZMA2Decoder.dictionarySize(propertiesByte: lzma2Properties)) ?? 0)]
        headerSize = 0
        headerSize = encode().count
    }

    /// The encoded header, padded to a multiple of 4 (and to at least
    /// `minimumSize` bytes) and ending with its CRC32.
    func encode(minimumSize: Int = 0) -> [UInt8] {
        var out: [UInt8] = [0, UInt8(filters.count)]
        if let c = compressedSize { out[1] |= 0x40; out += VLI.encode(c) }
        if let u = uncompressedSize { out[1] |= 0x80; out += VLI.encode(u) }
        for f in filters {
            let p = f.propertiesBytes
            out += VLI.encode(f.id) + VLI.encode(UInt64(p.count)) + p
        }
        out += [0x21, 1, lzma2Properties]
        while (out.count + 4) % 4 != 0 || out.count + 4 < minimumSize { out.append(0) }
        out[0] = UInt8((out.count + 4) / 4 - 1)
        out += littleEndianBytes(UInt64(CRC32.checksum(out)), count: 4)
        return out
    }
}
