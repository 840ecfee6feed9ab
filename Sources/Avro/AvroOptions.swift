import Columnar
import Compression

/// A block codec of Avro object container files (the header's `avro.codec`).
public enum AvroCodec: Sendable, Hashable, CustomStringConvertible {
    /// No compression (`null`).
    case null
    /// Raw RFC 1951 deflate without a zlib header (`deflate`). Levels 0...9, -1 for zlib's default.
    case deflate(level: Int32 = 6)
    /// A raw Snappy block followed by the big-endian CRC-32 of the uncompressed bytes (`snappy`).
    case snappy
    /// One Zstandard frame (`zstandard`).
    case zstandard(level: Int32 = 3)

    /// The name written to and read from `avro.codec`.
    public var name: String {
        switch self {
        case .null: "null"
        case .deflate: "deflate"
        case .snappy: "snappy"
        case .zstandard: "zstandard"
        }
    }

    public var description: String { name }

    /// Parses a codec name as written in files (`null`, `deflate`, `snappy`, `zstandard`) or
    /// as spelled on command lines (`none`, `uncompressed`, `zstd`), case-insensitively, with
    /// default levels. Nil for anything else (including `bzip2` and `xz`, not supported).
    public init?(name: String) {
        switch name.lowercased() {
        case "null", "none", "uncompressed": self = .null
        case "deflate": self = .deflate()
        case "snappy": self = .snappy
        case "zstandard", "zstd": self = .zstandard()
        default: return nil
        }
    }

    var compressionCodec: CompressionCodec {
        switch self {
        case .null: .none
        case .deflate(let level): .deflateRaw(level: level)
        case .snappy: .snappy
        case .zstandard(let level): .zstd(level: level)
        }
    }
}

/// How `AvroFileReader` reads a file: batch size, checks, and bounds that protect against
/// hostile input. Every length and count taken from a file is checked against the bytes that
/// remain and against these limits before anything is allocated for it.
public struct AvroReadOptions: Sendable, Hashable {
    /// Most rows in one returned `RecordBatch` (a block with more rows is split over batches;
    /// smaller blocks are combined).
    public var batchRows: Int
    /// A batch also ends once its column buffers reach about this many bytes (at most 512 MiB;
    /// a single row may take up to this much again before it is refused as `limitExceeded`).
    public var batchBytes: Int
    /// Check the CRC-32 that follows each snappy block; a mismatch throws `checksumMismatch`.
    public var verifyChecksums: Bool
    public var limits: Limits

    public struct Limits: Sendable, Hashable {
        /// Largest header (magic, metadata map, sync marker) in bytes.
        public var maxHeaderSize: Int
        /// Deepest nesting of the schema (records, arrays, maps, unions), counting the top record;
        /// also bounds the JSON's bracket depth (twice this).
        public var maxSchemaDepth: Int
        /// Most type nodes the schema may expand to once named types are substituted.
        public var maxSchemaNodes: Int
        /// Largest block as stored (after the codec), in bytes.
        public var maxBlockSize: Int
        /// Largest block after decompression, in bytes: a block that inflates past this is
        /// an error (`limitExceeded`) and never allocates beyond it.
        public var maxUncompressedBlockSize: Int
        /// Most objects (rows) one block may declare.
        public var maxBlockRows: Int
        /// Most items of one array or map value whose items take no bytes to encode (nulls,
        /// empty records); items that take bytes are bounded by the block's bytes.
        public var maxZeroSizeItems: Int

        public init(
            maxHeaderSize: Int = 16 << 20,
            maxSchemaDepth: Int = 64,
            maxSchemaNodes: Int = 100_000,
            maxBlockSize: Int = 512 << 20,
            maxUncompressedBlockSize: Int = 512 << 20,
            maxBlockRows: Int = 1 << 31,
            maxZeroSizeItems: Int = 1 << 20
        ) {
            self.maxHeaderSize = maxHeaderSize
            self.maxSchemaDepth = maxSchemaDepth
            self.maxSchemaNodes = maxSchemaNodes
            self.maxBlockSize = maxBlockSize
            self.maxUncompressedBlockSize = maxUncompressedBlockSize
            self.maxBlockRows = maxBlockRows
            self.maxZeroSizeItems = maxZeroSizeItems
        }
    }

    public init(
        batchRows: Int = 65_536, batchBytes: Int = 64 << 20, verifyChecksums: Bool = true, limits: Limits = Limits()
    ) {
        self.batchRows = batchRows
        self.batchBytes = batchBytes
        self.verifyChecksums = verifyChecksums
        self.limits = limits
    }
}

/// How `AvroFileWriter` writes a file.
public struct AvroWriteOptions: Sendable, Hashable {
    public var codec: AvroCodec
    /// A block is compressed and written once its encoded (uncompressed) rows reach this many
    /// bytes; memory is bounded by about one block.
    public var blockBytes: Int
    /// Extra header metadata (keys starting with `avro.` are reserved and rejected). The
    /// schema's own metadata is written too; these pairs win on equal keys.
    public var metadata: KeyValueMetadata
    /// The full name of the top-level record (`name` or `namespace.name`).
    public var recordName: String
    /// The 16-byte sync marker; nil draws a random one (set it for reproducible files).
    public var syncMarker: [UInt8]?
    /// Writes timestamps and uuids as Iceberg's Avro mapping wants them (its readers reject
    /// the standard forms): a timestamp of any unit as `timestamp-micros` (or `-millis`,
    /// `-nanos`) with `"adjust-to-utc": true` or `false` instead of `local-timestamp-*`,
    /// and a uuid as a 16-byte `fixed` with logicalType uuid instead of a string.
    public var icebergTypes: Bool

    public init(
        codec: AvroCodec = .null, blockBytes: Int = 1 << 20, metadata: KeyValueMetadata = [:],
        recordName: String = "Record", syncMarker: [UInt8]? = nil, icebergTypes: Bool = false
    ) {
        self.codec = codec
        self.blockBytes = blockBytes
        self.metadata = metadata
        self.recordName = recordName
        self.syncMarker = syncMarker
        self.icebergTypes = icebergTypes
    }
}
