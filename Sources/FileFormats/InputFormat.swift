/// The input formats Lakegate reads.
public enum InputFormat: String, Sendable, CaseIterable {
    /// JSON of any layout (NDJSON, an array, one value, records under a root key), detected.
    case json
    /// One JSON value per line.
    case ndjson
    case csv
    case avro
    case parquet

    /// The format of `file`: from its name (a `.gz` or `.zst` suffix is looked through), then
    /// from its first bytes: `PAR1` is Parquet, `Obj\u{1}` Avro, a `{` or `[` (after a byte order
    /// mark and white space) JSON, anything else CSV.
    public static func detect(_ file: InputFile) throws(FileFormatError) -> InputFormat {
        var name = file.path.lowercased()
        for suffix in [".gz", ".gzip", ".zst", ".zstd"] where name.hasSuffix(suffix) {
            name.removeLast(suffix.count)
        }
        if name.hasSuffix(".parquet") || name.hasSuffix(".pq") { return .parquet }
        if name.hasSuffix(".avro") { return .avro }
        if name.hasSuffix(".ndjson") || name.hasSuffix(".jsonl") { return .ndjson }
        if name.hasSuffix(".json") { return .json }
        if name.hasSuffix(".csv") || name.hasSuffix(".tsv") || name.hasSuffix(".psv") { return .csv }
        if file.compression == nil {
            if file.magic.starts(with: Array("PAR1".utf8)) { return .parquet }
            if file.magic.starts(with: [0x4F, 0x62, 0x6A, 0x01]) { return .avro }
        }
        let prefix = try file.decompressedPrefix(4096)
        var index = 0
        if prefix.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
        while index < prefix.count, [0x20, 0x09, 0x0A, 0x0D].contains(prefix[index]) { index += 1 }
        if index < prefix.count, prefix[index] == UInt8(ascii: "{") || prefix[index] == UInt8(ascii: "[") {
            return .json
        }
        return .csv
    }
}
