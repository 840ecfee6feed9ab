// Compression: bounded compression and decompression over Debian's codec
// libraries (zstd, snappy, lz4, brotli, zlib), plus CRC-32.
//
// Map of the module:
//   CompressionCodec        which codec, with its level (levels only matter when compressing)
//   Compressor              one-shot compression, reusing native contexts across calls
//   Decompressor            one-shot decompression to an exact size (Parquet pages) or
//                           bounded by a maximum (Avro blocks; bombs become errors)
//   StreamingDecompressor   chunked decompression of large gzip/zstd inputs
//   CRC32                   zlib's CRC-32 (Parquet page CRCs, Avro snappy blocks)
//   CompressionError        the one error type of the module
// Internals: Engines/ wraps each C library; Drivers.swift runs a streaming
// decoder into an exact or a bounded output.

/// A codec and its compression setting.
///
/// Levels only matter when compressing: a ``Decompressor`` built for
/// `.gzip(level: 1)` reads any gzip stream.
public enum CompressionCodec: Sendable, Hashable {
    /// No compression: bytes are copied.
    case none
    /// A raw Snappy block (no framing), as in Parquet and Avro.
    case snappy
    /// RFC 1952 gzip. Compression writes one member; decompression reads
    /// concatenated members and also accepts a zlib (RFC 1950) stream.
    /// Levels 0...9, or -1 for zlib's default.
    case gzip(level: Int32 = 6)
    /// Zstandard frames. Levels from `ZSTD_minCLevel()` to `ZSTD_maxCLevel()` (0 means 3).
    case zstd(level: Int32 = 3)
    /// A raw LZ4 block (Parquet's LZ4_RAW).
    case lz4Raw
    /// Hadoop-framed LZ4 (Parquet's deprecated LZ4): decompression only.
    /// Input that is not Hadoop-framed is read as one raw LZ4 block, as Arrow does.
    case lz4Hadoop
    /// Brotli. Qualities 0...11 (default 1, see ``defaultBrotliQuality``).
    case brotli(quality: Int32 = 1)
    /// Raw RFC 1951 deflate, no header (Avro's `deflate`). Levels as for gzip.
    case deflateRaw(level: Int32 = 6)

    /// gzip's default level, as zlib and Arrow use.
    public static let defaultGzipLevel: Int32 = 6
    /// zstd's default level (`ZSTD_CLEVEL_DEFAULT`).
    public static let defaultZstdLevel: Int32 = 3
    /// Brotli's default quality here: 1 runs at zstd 3's speed with a similar
    /// ratio (measured on JSON rows: quality 1 about 430 MB/s and 8.9x, 4 about
    /// 56 MB/s and 9.7x, 5 about 39 MB/s and 15x). Choose 5 or more for ratio;
    /// brotli's own default, 11, is two orders of magnitude slower.
    public static let defaultBrotliQuality: Int32 = 1

    /// A short, stable name used in errors and logs.
    public var name: String {
        switch self {
        case .none: "none"
        case .snappy: "snappy"
        case .gzip: "gzip"
        case .zstd: "zstd"
        case .lz4Raw: "lz4_raw"
        case .lz4Hadoop: "lz4_hadoop"
        case .brotli: "brotli"
        case .deflateRaw: "deflate"
        }
    }

    /// Whether ``Compressor`` can write this codec (every one but `lz4Hadoop`).
    public var supportsCompression: Bool {
        if case .lz4Hadoop = self { return false }
        return true
    }

    /// Whether ``StreamingDecompressor`` can read this codec: the stream formats
    /// (none, gzip, deflateRaw, zstd, brotli), not the block formats (snappy, LZ4).
    public var supportsStreaming: Bool {
        switch self {
        case .none, .gzip, .deflateRaw, .zstd, .brotli: true
        case .snappy, .lz4Raw, .lz4Hadoop: false
        }
    }
}

extension CompressionCodec: CustomStringConvertible {
    public var description: String {
        switch self {
        case .gzip(let level), .zstd(let level), .deflateRaw(let level): "\(name)(\(level))"
        case .brotli(let quality): "brotli(\(quality))"
        default: name
        }
    }
}
