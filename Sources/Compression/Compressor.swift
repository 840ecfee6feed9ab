/// Compresses whole buffers (Parquet pages, Avro blocks) with one codec,
/// reusing the native context (zstd's CCtx, zlib's z_stream) from call to call.
///
/// Copies share that context, and the type is not `Sendable`: keep one per
/// task or isolation domain (they are cheap to make).
///
/// ```swift
/// var compressor = try Compressor(codec: .zstd())
/// var page: [UInt8] = header
/// let written = try body.withUnsafeBytes { try compressor.compress($0, appendingTo: &page) }
/// ```
public struct Compressor {
    public let codec: CompressionCodec
    private let engine: Engine

    private enum Engine {
        case none
        case snappy
        case lz4Raw
        case zlib(ZlibDeflater)
        case zstd(ZstdCompressContext)
        case brotli(quality: Int32)
    }

    /// Makes the native context for `codec`. Throws `unsupported` for
    /// `.lz4Hadoop` (never written) and for a level out of the codec's range.
    public init(codec: CompressionCodec) throws(CompressionError) {
        self.codec = codec
        switch codec {
        case .none: engine = .none
        case .snappy: engine = .snappy
        case .lz4Raw: engine = .lz4Raw
        case .lz4Hadoop:
            throw CompressionError(.unsupported, codec: codec.name, "Hadoop-framed LZ4 is deprecated and never written; use lz4Raw")
        case .gzip(let level):
            engine = .zlib(try ZlibDeflater(level: level, framing: .gzip, codecName: codec.name))
        case .deflateRaw(let level):
            engine = .zlib(try ZlibDeflater(level: level, framing: .raw, codecName: codec.name))
        case .zstd(let level):
            engine = .zstd(try ZstdCompressContext(level: level, codecName: codec.name))
        case .brotli(let quality):
            guard BrotliEncoding.qualities.contains(quality) else {
                throw CompressionError(.unsupported, codec: codec.name, "quality \(quality) is outside \(BrotliEncoding.qualities)")
            }
            engine = .brotli(quality: quality)
        }
    }

    /// Compresses `input` as one complete stream (one gzip member, one zstd
    /// frame, one snappy or LZ4 block) appended to `output`, whose existing
    /// bytes (a header, say) are kept. Returns the number of bytes appended.
    /// On error `output` is left unchanged.
    @discardableResult
    public mutating func compress(_ input: UnsafeRawBufferPointer, appendingTo output: inout [UInt8]) throws(CompressionError) -> Int {
        switch engine {
        case .none:
            output.append(contentsOf: input)
            return input.count
        case .snappy:
            return try SnappyBlock.compress(input, appendingTo: &output)
        case .lz4Raw:
            return try LZ4Block.compress(input, appendingTo: &output)
        case .zlib(let deflater):
            return try deflater.compress(input, appendingTo: &output)
        case .zstd(let context):
            return try context.compress(input, appendingTo: &output)
        case .brotli(let quality):
            return try BrotliEncoding.compress(input, quality: quality, appendingTo: &output, codecName: codec.name)
        }
    }

    /// Compresses `input` into a new array.
    public mutating func compress(_ input: [UInt8]) throws(CompressionError) -> [UInt8] {
        var output: [UInt8] = []
        let result: Result<Int, CompressionError> = input.withUnsafeBytes { bytes in
            Result { () throws(CompressionError) in try compress(bytes, appendingTo: &output) }
        }
        _ = try result.get()
        return output
    }
}

@available(*, unavailable, message: "a Compressor shares its native context between copies; make one per task")
extension Compressor: Sendable {}
