/// Decompresses whole buffers with one codec, reusing the native context
/// (zstd's DCtx, zlib's z_stream) from call to call.
///
/// Two ways to call it:
/// - ``decompress(_:uncompressedSize:into:)`` when the size is known (Parquet
///   pages): the output must come out exactly that size.
/// - ``decompress(_:maxOutput:)`` when it is not (Avro blocks): the output grows
///   but never past `maxOutput`, so a decompression bomb becomes a
///   `limitExceeded` error instead of an allocation.
///
/// Every malformed input throws a ``CompressionError``; none makes it crash or
/// write out of bounds. An empty input decodes to zero bytes with every codec
/// (writers may leave an empty page section uncompressed).
///
/// Copies share the native context, and the type is not `Sendable`: keep one
/// per task or isolation domain.
public struct Decompressor {
    public let codec: CompressionCodec
    private let engine: Engine

    private enum Engine {
        case none
        case snappy
        case lz4Raw
        case lz4Hadoop
        case zlib(ZlibInflater)
        case zstd(ZstdDecoder)
        case brotli(BrotliDecoder)
    }

    /// Makes the native context for `codec` (levels are ignored).
    public init(codec: CompressionCodec) throws(CompressionError) {
        self.codec = codec
        switch codec {
        case .none: engine = .none
        case .snappy: engine = .snappy
        case .lz4Raw: engine = .lz4Raw
        case .lz4Hadoop: engine = .lz4Hadoop
        case .gzip:
            engine = .zlib(try ZlibInflater(framing: .gzipOrZlib, multiMember: true, codecName: codec.name))
        case .deflateRaw:
            engine = .zlib(try ZlibInflater(framing: .raw, multiMember: false, codecName: codec.name))
        case .zstd:
            engine = .zstd(try ZstdDecoder(codecName: codec.name))
        case .brotli:
            engine = .brotli(try BrotliDecoder(codecName: codec.name))
        }
    }

    /// Decompresses `input` into the first `uncompressedSize` bytes of `output`.
    ///
    /// Throws `sizeMismatch` unless the input decodes to exactly
    /// `uncompressedSize` bytes (or when `output` is smaller than that), and
    /// `corrupt` for malformed or truncated input. On error the contents of
    /// `output` are unspecified.
    public mutating func decompress(
        _ input: UnsafeRawBufferPointer,
        uncompressedSize: Int,
        into output: UnsafeMutableRawBufferPointer
    ) throws(CompressionError) {
        guard uncompressedSize >= 0 else {
            throw CompressionError(.sizeMismatch, codec: codec.name, "negative expected size \(uncompressedSize)")
        }
        guard output.count >= uncompressedSize else {
            throw CompressionError(.sizeMismatch, codec: codec.name, "the output holds \(output.count) bytes, fewer than the expected \(uncompressedSize)")
        }
        let output = output.prefix(upTo: uncompressedSize)
        if input.isEmpty && uncompressedSize == 0 { return }
        switch engine {
        case .none:
            guard input.count == uncompressedSize else {
                throw CompressionError(.sizeMismatch, codec: codec.name, "holds \(input.count) bytes, expected \(uncompressedSize)")
            }
            output.copyMemory(from: input)
        case .snappy:
            try SnappyBlock.decompress(input, into: output)
        case .lz4Raw:
            try LZ4Block.decompress(input, into: output)
        case .lz4Hadoop:
            try HadoopLZ4.decompress(input, into: output)
        case .zlib(let inflater):
            try inflater.decodeExact(input, into: output)
        case .zstd(let decoder):
            try decoder.decompressExact(input, into: output)
        case .brotli(let decoder):
            try decoder.decodeExact(input, into: output)
        }
    }

    /// Decompresses `input` into a new array of exactly `uncompressedSize` bytes.
    public mutating func decompress(_ input: UnsafeRawBufferPointer, uncompressedSize: Int) throws(CompressionError) -> [UInt8] {
        guard uncompressedSize >= 0 else {
            throw CompressionError(.sizeMismatch, codec: codec.name, "negative expected size \(uncompressedSize)")
        }
        var output: [UInt8] = []
        _ = try output.appendWriting(capacity: uncompressedSize, codec: codec.name) { (buffer) throws(CompressionError) -> Int in
            try decompress(input, uncompressedSize: uncompressedSize, into: buffer)
            return uncompressedSize
        }
        return output
    }

    /// Decompresses `input`, whose decompressed size is unknown, into a new array
    /// of at most `maxOutput` bytes.
    ///
    /// Throws `limitExceeded` as soon as the output would pass `maxOutput`
    /// (memory stays bounded by it), and `corrupt` for malformed or truncated input.
    public mutating func decompress(_ input: UnsafeRawBufferPointer, maxOutput: Int) throws(CompressionError) -> [UInt8] {
        if input.isEmpty { return [] }
        switch engine {
        case .none:
            guard input.count <= maxOutput else {
                throw CompressionError(.limitExceeded, codec: codec.name, "holds \(input.count) bytes, more than the maximum of \(maxOutput)")
            }
            return Array(input)
        case .snappy:
            return try SnappyBlock.decompress(input, maxOutput: maxOutput)
        case .lz4Raw:
            return try LZ4Block.decompress(input, maxOutput: maxOutput)
        case .lz4Hadoop:
            return try HadoopLZ4.decompress(input, maxOutput: maxOutput)
        case .zlib(let inflater):
            return try inflater.decodeBounded(input, maxOutput: maxOutput, sizeHint: nil)
        case .zstd(let decoder):
            return try decoder.decodeBounded(input, maxOutput: maxOutput, sizeHint: ZstdDecoder.declaredSize(of: input))
        case .brotli(let decoder):
            return try decoder.decodeBounded(input, maxOutput: maxOutput, sizeHint: nil)
        }
    }

    /// Decompresses `input` into a new array of exactly `uncompressedSize` bytes.
    public mutating func decompress(_ input: [UInt8], uncompressedSize: Int) throws(CompressionError) -> [UInt8] {
        let result: Result<[UInt8], CompressionError> = input.withUnsafeBytes { bytes in
            Result { () throws(CompressionError) in try decompress(bytes, uncompressedSize: uncompressedSize) }
        }
        return try result.get()
    }

    /// Decompresses `input` into a new array of at most `maxOutput` bytes.
    public mutating func decompress(_ input: [UInt8], maxOutput: Int) throws(CompressionError) -> [UInt8] {
        let result: Result<[UInt8], CompressionError> = input.withUnsafeBytes { bytes in
            Result { () throws(CompressionError) in try decompress(bytes, maxOutput: maxOutput) }
        }
        return try result.get()
    }
}

@available(*, unavailable, message: "a Decompressor shares its native context between copies; make one per task")
extension Decompressor: Sendable {}
