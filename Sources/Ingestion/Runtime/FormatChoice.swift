import FileFormats

/// A configured format name as the readers' format (nil: detect from the bytes). Kept apart from
/// the configuration's own enum, whose name the readers' enum shares.
struct FormatChoice {
    let inputFormat: InputFormat?

    init(_ name: String) {
        switch name {
        case "json": inputFormat = .json
        case "csv": inputFormat = .csv
        case "parquet": inputFormat = .parquet
        case "avro": inputFormat = .avro
        default: inputFormat = nil
        }
    }
}
