import Columnar

/// How `ParquetFileWriter` lays out and encodes a file.
///
/// The defaults write files that pyarrow, DuckDB and Iceberg readers accept as they are:
/// V1 data pages, dictionary encoding with a PLAIN fallback, Snappy compression (what pyarrow
/// and DuckDB write by default, and the fastest of the codecs), statistics on every leaf.
public struct ParquetWriteOptions: Sendable, Hashable {
    /// The compression codec of every page.
    public enum Codec: Sendable, Hashable {
        case none
        /// Raw Snappy blocks (no framing), Parquet codec 1.
        case snappy
        /// A gzip (RFC 1952) member at zlib `level` 1...9, Parquet codec 2.
        case gzip(level: Int = 6)
        /// A Zstandard frame at `level` (1...22; 3 is zstd's own default), Parquet codec 6.
        case zstd(level: Int = 3)
        /// Raw LZ4 blocks, Parquet codec 7 (never the deprecated Hadoop-framed LZ4).
        case lz4Raw
    }

    /// The data page format. V1 is what every reader handles; V2 keeps levels uncompressed
    /// and starts every page at a row boundary.
    public enum DataPageVersion: Sendable, Hashable {
        case v1, v2
    }

    /// The encoding of INT32/INT64 columns that are not (or no longer) dictionary-encoded.
    public enum IntegerEncoding: Sendable, Hashable {
        case plain
        case deltaBinaryPacked
    }

    public var codec: Codec
    /// Flush a row group once its encoded (compressed) pages, dictionaries and open pages
    /// reach this many bytes. Memory held by the writer is about one row group.
    public var rowGroupBytes: Int
    /// Close a data page once its encoded values and levels reach this many bytes.
    public var pageBytes: Int
    /// Dictionary-encode every column that can be (all but booleans and the null type).
    public var dictionary: Bool
    /// When a column chunk's dictionary grows past this many PLAIN-encoded bytes, the rest of
    /// the chunk is written PLAIN (pages already written stay dictionary-encoded).
    public var dictionaryPageBytes: Int
    public var dataPageVersion: DataPageVersion
    public var integerEncoding: IntegerEncoding
    /// Binary and string min/max statistics longer than this are truncated: the minimum is
    /// cut, the maximum is cut and incremented, and both are marked inexact.
    public var statisticsTruncateLength: Int
    /// Write a CRC-32 of each page's stored bytes in its header.
    public var writePageChecksums: Bool
    public var createdBy: String
    /// Extra file key/value metadata, written after the schema's own metadata.
    public var keyValueMetadata: KeyValueMetadata

    public init(
        codec: Codec = .snappy,
        rowGroupBytes: Int = 64 << 20,
        pageBytes: Int = 1 << 20,
        dictionary: Bool = true,
        dictionaryPageBytes: Int = 1 << 20,
        dataPageVersion: DataPageVersion = .v1,
        integerEncoding: IntegerEncoding = .plain,
        statisticsTruncateLength: Int = 64,
        writePageChecksums: Bool = false,
        createdBy: String = "lakegate version 0.1.0",
        keyValueMetadata: KeyValueMetadata = [:]
    ) {
        self.codec = codec
        self.rowGroupBytes = rowGroupBytes
        self.pageBytes = pageBytes
        self.dictionary = dictionary
        self.dictionaryPageBytes = dictionaryPageBytes
        self.dataPageVersion = dataPageVersion
        self.integerEncoding = integerEncoding
        self.statisticsTruncateLength = statisticsTruncateLength
        self.writePageChecksums = writePageChecksums
        self.createdBy = createdBy
        self.keyValueMetadata = keyValueMetadata
    }
}
