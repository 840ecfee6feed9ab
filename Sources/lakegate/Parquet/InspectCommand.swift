import ArgumentParser
import Columnar
import Foundation
import Parquet
import ParquetFormat

struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show a file's schema, row groups, and each column chunk's encodings, codec, sizes and statistics.",
        discussion: """
            The schema is shown as Parquet stores it (physical type, logical type, repetition, field id) \
            and as the columns Lakegate reads from it. --json prints the same facts as one JSON document.
            """
    )

    @OptionGroup var input: ParquetReadArguments

    @Flag(help: "Print one JSON document instead of text.")
    var json = false

    func run() throws {
        try reportingErrors {
            let reader = try input.openReader()
            let report = InspectReport(reader: reader, path: input.file, fileSize: input.fileSize)
            if json {
                let data = try JSONSerialization.data(withJSONObject: report.json(), options: [.prettyPrinted, .sortedKeys])
                var output = StandardOutput()
                output.append(Array(data) + [0x0A])
                output.flush()
            } else {
                print(report.text(), terminator: "")
            }
        }
    }
}

/// The facts `inspect` shows, rendered as text or JSON.
struct InspectReport {
    let reader: ParquetFileReader
    let path: String
    let fileSize: Int
    var metadata: FileMetaData { reader.metadata }

    /// Leaf schema elements by their dotted path, to decode statistics with their logical types.
    var leaves: [String: SchemaElement] {
        var result: [String: SchemaElement] = [:]
        var index = 1
        func walk(_ prefix: [String], count: Int) {
            for _ in 0..<count where index < metadata.schema.count {
                let element = metadata.schema[index]
                index += 1
                let path = prefix + [element.name]
                if let children = element.numChildren, children > 0, element.type == nil {
                    walk(path, count: Int(children))
                } else {
                    result[path.joined(separator: ".")] = element
                }
            }
        }
        walk([], count: Int(metadata.schema.first?.numChildren ?? 0))
        return result
    }

    func text() -> String {
        var out = ""
        out += "file        \(path) (\(formatBytes(fileSize)))\n"
        out += "created by  \(metadata.createdBy ?? "unknown")\n"
        out += "version     \(metadata.version)\n"
        out += "rows        \(metadata.numRows) in \(metadata.rowGroups.count) row group\(metadata.rowGroups.count == 1 ? "" : "s")\n"
        for pair in metadata.keyValueMetadata ?? [] {
            let value = pair.value ?? ""
            let shown = value.count > 80 ? "(\(formatBytes(value.utf8.count)))" : value
            out += "metadata    \(pair.key) = \(shown)\n"
        }
        out += "\ncolumns (as Lakegate reads them)\n"
        for field in reader.schema.fields {
            out += "  \(field.name): \(field.type)\(field.nullable ? "" : " not null")\(field.id.map { "  [field id \($0)]" } ?? "")\n"
        }
        out += "\nparquet schema\n"
        var index = 1
        func walk(depth: Int, count: Int) {
            for _ in 0..<count where index < metadata.schema.count {
                let element = metadata.schema[index]
                index += 1
                out += String(repeating: " ", count: depth * 2) + describe(element) + "\n"
                if let children = element.numChildren, children > 0, element.type == nil {
                    walk(depth: depth + 1, count: Int(children))
                }
            }
        }
        walk(depth: 1, count: Int(metadata.schema.first?.numChildren ?? 0))
        let leaves = self.leaves
        for (number, group) in metadata.rowGroups.enumerated() {
            let compressed = group.totalCompressedSize ?? group.columns.reduce(0) { $0 + ($1.metaData?.totalCompressedSize ?? 0) }
            out += "\nrow group \(number): \(group.numRows) rows, \(formatBytes(Int(compressed))) compressed, "
            out += "\(formatBytes(Int(group.totalByteSize))) uncompressed\n"
            for chunk in group.columns {
                guard let meta = chunk.metaData else {
                    out += "  (column chunk without metadata)\n"
                    continue
                }
                let path = meta.pathInSchema.joined(separator: ".")
                out += "  \(path)\n"
                out += "    \(meta.type) \(meta.codec), encodings \(meta.encodings.map(\.description).joined(separator: ",")), "
                out += "\(formatBytes(Int(meta.totalCompressedSize))) / \(formatBytes(Int(meta.totalUncompressedSize))), \(meta.numValues) values\n"
                if let stats = meta.statistics {
                    let element = leaves[path]
                    var parts: [String] = []
                    if let nulls = stats.nullCount { parts.append("nulls \(nulls)") }
                    if let nan = stats.nanCount { parts.append("NaNs \(nan)") }
                    if let distinct = stats.distinctCount { parts.append("distinct \(distinct)") }
                    if let min = StatisticsText.minimum(stats, element: element) { parts.append("min \(min)") }
                    if let max = StatisticsText.maximum(stats, element: element) { parts.append("max \(max)") }
                    if stats.isMaxValueExact == false || stats.isMinValueExact == false { parts.append("(truncated)") }
                    if !parts.isEmpty { out += "    " + parts.joined(separator: ", ") + "\n" }
                }
            }
        }
        return out
    }

    func describe(_ element: SchemaElement) -> String {
        var parts: [String] = []
        parts.append(element.repetitionType?.description.lowercased() ?? "required")
        if let type = element.type {
            var physical = type.description
            if let length = element.typeLength, type == .fixedLenByteArray { physical += "(\(length))" }
            parts.append(physical)
        } else {
            parts.append("group")
        }
        parts.append(element.name)
        if let logical = element.logicalType {
            parts.append(String(describing: logical))
        } else if let converted = element.convertedType {
            parts.append("(\(converted))")
        }
        if let id = element.fieldId { parts.append("[field id \(id)]") }
        return parts.joined(separator: " ")
    }

    func json() -> [String: Any] {
        let leaves = self.leaves
        var schema: [[String: Any]] = []
        for element in metadata.schema {
            var node: [String: Any] = ["name": element.name]
            if let type = element.type { node["physical_type"] = type.description }
            if let length = element.typeLength { node["type_length"] = Int(length) }
            if let repetition = element.repetitionType { node["repetition"] = repetition.description }
            if let children = element.numChildren { node["num_children"] = Int(children) }
            if let logical = element.logicalType { node["logical_type"] = String(describing: logical) }
            if let converted = element.convertedType { node["converted_type"] = converted.description }
            if let id = element.fieldId { node["field_id"] = Int(id) }
            if let scale = element.scale { node["scale"] = Int(scale) }
            if let precision = element.precision { node["precision"] = Int(precision) }
            schema.append(node)
        }
        let columns: [[String: Any]] = reader.schema.fields.map { field in
            var column: [String: Any] = ["name": field.name, "type": field.type.description, "nullable": field.nullable]
            if let id = field.id { column["field_id"] = Int(id) }
            return column
        }
        let groups: [[String: Any]] = metadata.rowGroups.enumerated().map { number, group in
            let chunks: [[String: Any]] = group.columns.compactMap { chunk in
                guard let meta = chunk.metaData else { return nil }
                let path = meta.pathInSchema.joined(separator: ".")
                var entry: [String: Any] = [
                    "path": path,
                    "physical_type": meta.type.description,
                    "codec": meta.codec.description,
                    "encodings": meta.encodings.map(\.description),
                    "num_values": Int(meta.numValues),
                    "total_compressed_size": Int(meta.totalCompressedSize),
                    "total_uncompressed_size": Int(meta.totalUncompressedSize),
                    "data_page_offset": Int(meta.dataPageOffset),
                ]
                if let offset = meta.dictionaryPageOffset { entry["dictionary_page_offset"] = Int(offset) }
                if let stats = meta.statistics {
                    var statistics: [String: Any] = [:]
                    if let nulls = stats.nullCount { statistics["null_count"] = Int(nulls) }
                    if let nan = stats.nanCount { statistics["nan_count"] = Int(nan) }
                    if let distinct = stats.distinctCount { statistics["distinct_count"] = Int(distinct) }
                    if let min = StatisticsText.minimum(stats, element: leaves[path]) { statistics["min"] = min }
                    if let max = StatisticsText.maximum(stats, element: leaves[path]) { statistics["max"] = max }
                    if let exact = stats.isMinValueExact { statistics["is_min_value_exact"] = exact }
                    if let exact = stats.isMaxValueExact { statistics["is_max_value_exact"] = exact }
                    entry["statistics"] = statistics
                }
                return entry
            }
            return [
                "index": number, "num_rows": Int(group.numRows), "total_byte_size": Int(group.totalByteSize),
                "total_compressed_size": Int(group.totalCompressedSize ?? 0), "columns": chunks,
            ]
        }
        var document: [String: Any] = [
            "file": path, "file_size": fileSize, "num_rows": Int(metadata.numRows), "version": Int(metadata.version),
            "schema": schema, "columns": columns, "row_groups": groups,
        ]
        if let createdBy = metadata.createdBy { document["created_by"] = createdBy }
        document["key_value_metadata"] = Dictionary(
            (metadata.keyValueMetadata ?? []).map { ($0.key, $0.value ?? "") }, uniquingKeysWith: { $1 })
        return document
    }
}
