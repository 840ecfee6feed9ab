import Columnar

/// One field of a partition spec: a transform of a source column.
public struct PartitionField: Sendable, Hashable {
    /// The id of the source column in the table schema.
    public var sourceId: Int
    /// The partition field's own id (1000 and up), unique across the table's specs.
    public var fieldId: Int
    public var name: String
    public var transform: Transform

    public init(sourceId: Int, fieldId: Int, name: String, transform: Transform) {
        self.sourceId = sourceId
        self.fieldId = fieldId
        self.name = name
        self.transform = transform
    }
}

/// A partition field named by its source column, before ids are known.
public struct UnboundPartitionField: Sendable, Hashable {
    /// The source column's dotted name (`event_time`, `loc.lat`).
    public var sourceName: String
    public var transform: Transform
    /// The partition field's name; nil for pyiceberg's default (`event_time_day`).
    public var name: String?

    public init(_ sourceName: String, _ transform: Transform, name: String? = nil) {
        self.sourceName = sourceName
        self.transform = transform
        self.name = name
    }
}

/// The values of one partition, one per spec field, in spec order (nil is null).
public struct PartitionValues: Sendable, Hashable {
    public var values: [IcebergLiteral?]
    public init(_ values: [IcebergLiteral?]) { self.values = values }
    public static let unpartitioned = PartitionValues([])
}

/// How a table is partitioned: `{"spec-id":0,"fields":[{"source-id","field-id","transform","name"}]}`.
public struct PartitionSpec: Sendable, Hashable {
    public var specId: Int
    public var fields: [PartitionField]

    public init(specId: Int = 0, fields: [PartitionField] = []) {
        self.specId = specId
        self.fields = fields
    }

    public static let unpartitioned = PartitionSpec()

    public var isUnpartitioned: Bool { fields.allSatisfy { $0.transform == .void } }

    /// The id new tables start partition field ids after (so the first is 1000); also the
    /// `last-partition-id` of an unpartitioned table.
    public static let lastIdBeforeFirst = 999

    /// A spec over `schema` from fields named by source column, with field ids from
    /// `lastPartitionId + 1`.
    public init(
        schema: IcebergSchema, fields unbound: [UnboundPartitionField], specId: Int = 0,
        lastPartitionId: Int = PartitionSpec.lastIdBeforeFirst
    ) throws(IcebergError) {
        var fields: [PartitionField] = []
        var next = lastPartitionId
        for field in unbound {
            guard let source = schema.field(named: field.sourceName) else {
                throw IcebergError(.invalidSchema, "the partition source is not a column of the schema", field: field.sourceName)
            }
            next += 1
            fields.append(
                PartitionField(
                    sourceId: source.id, fieldId: next,
                    name: field.name ?? field.transform.defaultFieldName(sourceName: source.path.last ?? field.sourceName),
                    transform: field.transform))
        }
        self.init(specId: specId, fields: fields)
        try validate(schema: schema)
    }

    /// Checks that every source exists, is a primitive outside lists and maps, takes its
    /// transform, and that names and ids are unique.
    public func validate(schema: IcebergSchema) throws(IcebergError) {
        var names: Set<String> = []
        var ids: Set<Int> = []
        for field in fields {
            guard names.insert(field.name).inserted, ids.insert(field.fieldId).inserted else {
                throw IcebergError(.invalidSchema, "partition field names and ids must be unique", field: field.name)
            }
            guard let source = schema.field(id: field.sourceId) else {
                throw IcebergError(.invalidSchema, "partition source id \(field.sourceId) is not in the schema", field: field.name)
            }
            guard !source.isRepeated else {
                throw IcebergError(.invalidSchema, "a partition source cannot be inside a list or map", field: field.name)
            }
            _ = try field.transform.resultType(source: source.type)
        }
    }

    /// The partition struct of manifests: one optional field per spec field, with the field's
    /// id, name and result type. A spec whose source column is gone from `schema` is an error.
    public func partitionType(schema: IcebergSchema) throws(IcebergError) -> [NestedField] {
        var out: [NestedField] = []
        for field in fields {
            guard let source = schema.field(id: field.sourceId) else {
                throw IcebergError(.invalidSchema, "partition source id \(field.sourceId) is not in the schema", field: field.name)
            }
            out.append(
                NestedField(
                    id: field.fieldId, name: field.name, type: try field.transform.resultType(source: source.type),
                    required: false))
        }
        return out
    }

    /// The partition values of one row's source values (keyed by source id).
    public func partition(of sourceValues: [Int: IcebergLiteral?], schema: IcebergSchema) throws(IcebergError) -> PartitionValues {
        var out: [IcebergLiteral?] = []
        for field in fields {
            guard let source = schema.field(id: field.sourceId) else {
                throw IcebergError(.invalidSchema, "partition source id \(field.sourceId) is not in the schema", field: field.name)
            }
            out.append(try field.transform.apply(sourceValues[field.sourceId] ?? nil, source: source.type))
        }
        return PartitionValues(out)
    }

    // MARK: Paths

    /// Hive-style path segments as pyiceberg writes them, e.g.
    /// `event_time_day=2025-01-05/id_bucket_4=3`: names and human values URL-encoded the way
    /// Python's `quote_plus(…, safe="")` does. Empty for an unpartitioned spec.
    public func partitionPath(_ values: PartitionValues, schema: IcebergSchema) throws(IcebergError) -> String {
        guard values.values.count == fields.count else {
            throw IcebergError(.invalidArgument, "\(values.values.count) partition values for \(fields.count) spec fields")
        }
        let types = try partitionType(schema: schema)
        var segments: [String] = []
        for (index, field) in fields.enumerated() {
            let human = field.transform.humanString(values.values[index], resultType: types[index].type)
            segments.append(Self.quotePlus(field.name) + "=" + Self.quotePlus(human))
        }
        return segments.joined(separator: "/")
    }

    /// Python's `urllib.parse.quote_plus(text, safe="")`: letters, digits and `_.-~` stay,
    /// a space becomes `+`, every other UTF-8 byte becomes `%XX`.
    public static func quotePlus(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "-"),
                UInt8(ascii: "~"):
                out.append(byte)
            case UInt8(ascii: " "):
                out.append(UInt8(ascii: "+"))
            default:
                out.append(UInt8(ascii: "%"))
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0x0F)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    // MARK: Batches

    /// The partition values of every row of `batch`, one column per spec field (see
    /// `Transform.apply(to:source:)`). Source columns are found by name (nested struct fields
    /// through their parents), so the batch may or may not carry field ids.
    public func partitionColumns(of batch: RecordBatch, schema: IcebergSchema) throws(IcebergError) -> [Column] {
        var out: [Column] = []
        for field in fields {
            guard let source = schema.field(id: field.sourceId) else {
                throw IcebergError(.invalidSchema, "partition source id \(field.sourceId) is not in the schema", field: field.name)
            }
            let column = try Self.column(at: source.path, in: batch)
            do {
                out.append(try field.transform.apply(to: column, source: source.type))
            } catch {
                throw error.with(field: source.dottedName)
            }
        }
        return out
    }

    /// One group of rows that share a partition.
    public struct RowGroup: Sendable, Hashable {
        public var values: PartitionValues
        /// Row indices in the batch, ascending.
        public var rows: [Int]
    }

    /// Splits a batch's rows by partition, groups in order of first appearance. A writer
    /// takes each group's rows (`RecordBatch` slices or a gather) into that partition's file.
    public func split(_ batch: RecordBatch, schema: IcebergSchema) throws(IcebergError) -> [RowGroup] {
        if fields.isEmpty { return [RowGroup(values: .unpartitioned, rows: Array(0..<batch.rowCount))] }
        let columns = try partitionColumns(of: batch, schema: schema)
        let types = try partitionType(schema: schema).map(\.type)
        var groups: [RowGroup] = []
        var index: [PartitionValues: Int] = [:]
        for row in 0..<batch.rowCount {
            var values: [IcebergLiteral?] = []
            values.reserveCapacity(columns.count)
            for (column, type) in zip(columns, types) {
                values.append(IcebergLiteral(columnar: column.value(at: row), type: type))
            }
            let key = PartitionValues(values)
            if let at = index[key] {
                groups[at].rows.append(row)
            } else {
                index[key] = groups.count
                groups.append(RowGroup(values: key, rows: [row]))
            }
        }
        return groups
    }

    /// The column at a path of names: a top-level column, or a struct child through its parents.
    static func column(at path: [String], in batch: RecordBatch) throws(IcebergError) -> Column {
        guard let first = path.first, let index = batch.schema.index(of: first) else {
            throw IcebergError(.invalidArgument, "the batch has no column for the partition source", field: path.joined(separator: "."))
        }
        var column = batch.columns[index]
        for name in path.dropFirst() {
            guard case .structure(let children) = column.type, let child = children.firstIndex(where: { $0.name == name }) else {
                throw IcebergError(
                    .invalidArgument, "the batch has no column for the partition source", field: path.joined(separator: "."))
            }
            column = column.children[child]
        }
        return column
    }
}

// MARK: - JSON

extension PartitionField {
    public var json: IcebergJSON {
        .object([
            ("source-id", .int(sourceId)), ("field-id", .int(fieldId)), ("transform", .string(transform.description)),
            ("name", .string(name)),
        ])
    }

    public init(json: IcebergJSON, path: String) throws(IcebergError) {
        let object = try JSONObjectReader(json, path: path)
        self.init(
            sourceId: try object.int("source-id"), fieldId: try object.int("field-id"), name: try object.string("name"),
            transform: Transform(parsing: try object.string("transform")))
    }
}

extension PartitionSpec {
    public var json: IcebergJSON {
        .object([("spec-id", .int(specId)), ("fields", fieldsJSON)])
    }

    /// The fields array alone, as manifests' `partition-spec` header holds it.
    public var fieldsJSON: IcebergJSON { .array(fields.map(\.json)) }

    public init(json: IcebergJSON, path: String = "partition-spec") throws(IcebergError) {
        let object = try JSONObjectReader(json, path: path)
        var fields: [PartitionField] = []
        for (index, item) in try object.array("fields").enumerated() {
            fields.append(try PartitionField(json: item, path: object.memberPath("fields[\(index)]")))
        }
        self.init(specId: try object.int("spec-id"), fields: fields)
    }

    /// A spec from a manifest header: its `partition-spec` fields array and `partition-spec-id`.
    public init(fieldsJSON: IcebergJSON, specId: Int) throws(IcebergError) {
        guard let items = fieldsJSON.arrayValue else {
            throw IcebergError(.invalidManifest, "partition-spec is not a JSON array")
        }
        var fields: [PartitionField] = []
        for (index, item) in items.enumerated() {
            fields.append(try PartitionField(json: item, path: "partition-spec[\(index)]"))
        }
        self.init(specId: specId, fields: fields)
    }
}
