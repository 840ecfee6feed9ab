import Columnar

/// Conversions between Iceberg schemas and Lakegate's Columnar schemas.
///
/// | Columnar | Iceberg |
/// |---|---|
/// | bool | boolean |
/// | int32 (also int8, int16, uint8, uint16, widened) | int |
/// | int64 (also uint32, widened) | long |
/// | float32 (also float16) / float64 | float / double |
/// | decimal(p, s) | decimal(p, s) |
/// | string / binary / fixedSizeBinary(n) / uuid | string / binary / fixed[n] / uuid |
/// | date | date |
/// | time(any unit) | time (microseconds) |
/// | timestamp(any unit, utc) / timestamp(any unit) | timestamptz / timestamp (microseconds) |
/// | list / struct / map | list / struct / map |
///
/// `null` and `uint64` columns have no Iceberg v2 type and are refused. Iceberg stores only
/// microseconds and the integer widths above, so a batch must be cast to
/// `IcebergSchema.columnarSchema()` (the canonical Columnar form, ids on every field) before
/// its Parquet file is written.
extension IcebergSchema {
    /// The Iceberg type of a Columnar type, with every nested id 0 (ids are assigned after).
    static func unnumberedType(_ type: DataType, path: String) throws(IcebergError) -> IcebergType {
        switch type {
        case .boolean: return .boolean
        case .int8, .int16, .int32, .uint8, .uint16: return .int
        case .int64, .uint32: return .long
        case .float16, .float32: return .float
        case .float64: return .double
        case .decimal(let p, let s):
            guard p >= 1, p <= 38, s >= 0, s <= p else {
                throw IcebergError(.unsupported, "decimal(\(p), \(s)) is not an Iceberg decimal", field: path)
            }
            return .decimal(precision: p, scale: s)
        case .string: return .string
        case .binary: return .binary
        case .fixedSizeBinary(let n): return .fixed(n)
        case .uuid: return .uuid
        case .date: return .date
        case .time: return .time
        case .timestamp(_, let utc): return utc ? .timestamptz : .timestamp
        case .list(let element):
            return .list(
                elementId: 0, elementRequired: !element.nullable,
                element: try unnumberedType(element.type, path: path + ".element"))
        case .structure(let fields):
            var out: [NestedField] = []
            for field in fields {
                out.append(
                    NestedField(
                        id: 0, name: field.name, type: try unnumberedType(field.type, path: path + "." + field.name),
                        required: !field.nullable))
            }
            return .structure(out)
        case .map(let key, let value):
            return .map(
                keyId: 0, key: try unnumberedType(key.type, path: path + ".key"), valueId: 0,
                valueRequired: !value.nullable, value: try unnumberedType(value.type, path: path + ".value"))
        case .null:
            throw IcebergError(
                .unsupported, "a column of the null type has no Iceberg v2 type; give it a type first", field: path)
        case .uint64:
            throw IcebergError(.unsupported, "uint64 has no Iceberg type (long is signed)", field: path)
        }
    }

    /// Gives every id in `type` a fresh number from `next`, the way Java's and pyiceberg's
    /// `assignFreshIds` do: a struct's own fields first, then each field's nested type; a
    /// list's element; a map's key and value, then their nested types.
    static func assignFreshIds(_ type: IcebergType, next: inout Int) -> IcebergType {
        switch type {
        case .structure(var fields):
            for index in fields.indices {
                next += 1
                fields[index].id = next
            }
            for index in fields.indices {
                fields[index].type = assignFreshIds(fields[index].type, next: &next)
            }
            return .structure(fields)
        case .list(_, let required, let element):
            next += 1
            let id = next
            return .list(elementId: id, elementRequired: required, element: assignFreshIds(element, next: &next))
        case .map(_, let key, _, let valueRequired, let value):
            next += 1
            let keyId = next
            next += 1
            let valueId = next
            let newKey = assignFreshIds(key, next: &next)
            let newValue = assignFreshIds(value, next: &next)
            return .map(keyId: keyId, key: newKey, valueId: valueId, valueRequired: valueRequired, value: newValue)
        default:
            return type
        }
    }

    /// The schema of a new table from a Columnar schema, with fresh ids from 1 (the ids on the
    /// Columnar fields are ignored). `identifierFields` names top-level required columns.
    public init(columnar schema: Schema, schemaId: Int = 0, identifierFields: [String] = []) throws(IcebergError) {
        var fields: [NestedField] = []
        for field in schema.fields {
            fields.append(
                NestedField(
                    id: 0, name: field.name, type: try Self.unnumberedType(field.type, path: field.name),
                    required: !field.nullable))
        }
        var next = 0
        guard case .structure(let numbered) = Self.assignFreshIds(.structure(fields), next: &next) else {
            preconditionFailure("a struct stays a struct")
        }
        var identifiers: [Int] = []
        for name in identifierFields {
            guard let field = numbered.first(where: { $0.name == name }) else {
                throw IcebergError(.invalidSchema, "identifier field is not a top-level column", field: name)
            }
            identifiers.append(field.id)
        }
        self.init(schemaId: schemaId, fields: numbered, identifierFieldIds: identifiers)
        try validate()
    }

    /// The Columnar type that holds values of an Iceberg type, ids set on every nested field.
    public static func columnarType(_ type: IcebergType) -> DataType {
        switch type {
        case .boolean: return .boolean
        case .int: return .int32
        case .long: return .int64
        case .float: return .float32
        case .double: return .float64
        case .decimal(let p, let s): return .decimal(precision: p, scale: s)
        case .date: return .date
        case .time: return .time(.microsecond)
        case .timestamp: return .timestamp(.microsecond, utc: false)
        case .timestamptz: return .timestamp(.microsecond, utc: true)
        case .string: return .string
        case .uuid: return .uuid
        case .fixed(let n): return .fixedSizeBinary(n)
        case .binary: return .binary
        case .structure(let fields): return .structure(fields.map(columnarField))
        case .list(let elementId, let elementRequired, let element):
            return .list(Field("element", columnarType(element), nullable: !elementRequired, id: Int32(elementId)))
        case .map(let keyId, let key, let valueId, let valueRequired, let value):
            return .map(
                key: Field("key", columnarType(key), nullable: false, id: Int32(keyId)),
                value: Field("value", columnarType(value), nullable: !valueRequired, id: Int32(valueId)))
        }
    }

    static func columnarField(_ field: NestedField) -> Field {
        Field(field.name, columnarType(field.type), nullable: !field.required, id: Int32(field.id))
    }

    /// The Columnar schema of this table schema: canonical types (see the table above) and the
    /// Iceberg field id on every field, list element, map key and map value, which is where
    /// the Parquet writer takes the `field_id` of each schema element from. The schema's
    /// metadata carries `iceberg.schema` (this schema's JSON), which Java and pyiceberg also
    /// write into their Parquet footers.
    public func columnarSchema() -> Schema {
        Schema(fields.map(Self.columnarField), metadata: ["iceberg.schema": json.text])
    }

    /// The Iceberg field id of every Parquet leaf column, keyed by its `path_in_schema`
    /// (`["tags", "list", "element"]`, `["attrs", "key_value", "key"]`, `["loc", "lat"]`), as
    /// the Parquet writer names leaves. Used to key column sizes and bounds from a footer.
    public func parquetLeafFieldIds() -> [[String]: Int] {
        var out: [[String]: Int] = [:]
        func visit(_ type: IcebergType, id: Int, path: [String]) {
            switch type {
            case .structure(let fields):
                for field in fields { visit(field.type, id: field.id, path: path + [field.name]) }
            case .list(let elementId, _, let element):
                visit(element, id: elementId, path: path + ["list", "element"])
            case .map(let keyId, let key, let valueId, _, let value):
                visit(key, id: keyId, path: path + ["key_value", "key"])
                visit(value, id: valueId, path: path + ["key_value", "value"])
            default:
                out[path] = id
            }
        }
        visit(structType, id: 0, path: [])
        return out
    }
}

// MARK: - Evolution

/// How `IcebergSchema.evolved(toInclude:…)` treats columns of the table that the new
/// Columnar schema lacks.
public enum MissingColumnPolicy: Sendable, Hashable {
    /// Keep them (rows written from now on hold nulls): the table's schema only grows.
    case keep
    /// Drop them from the new schema (their ids are never reused).
    case drop
}

extension IcebergSchema {
    /// The schema that takes in `columnar`: fields are matched by name at every level and
    /// keep their ids; new fields (optional, whatever `columnar` says) get ids from
    /// `lastColumnId + 1` (a new field's own id, then its nested ids); a type may widen as
    /// Iceberg allows (int → long, float → double, decimal precision); a required field may
    /// become optional. A narrower incoming type (int data for a long column) keeps the
    /// table's type: the writer casts up.
    ///
    /// Returns the new schema (`schemaId` unchanged: the metadata decides it), the new
    /// last column id, and whether anything changed.
    public func evolved(
        toInclude columnar: Schema, lastColumnId: Int, missing: MissingColumnPolicy = .keep
    ) throws(IcebergError) -> (schema: IcebergSchema, lastColumnId: Int, changed: Bool) {
        var next = max(lastColumnId, highestFieldId)
        let incoming = columnar.fields.map { (name: $0.name, type: $0.type, nullable: $0.nullable) }
        let merged = try Self.mergeStruct(fields, incoming, next: &next, missing: missing, path: "")
        var schema = self
        schema.fields = merged
        // Identifier fields that were dropped stop being identifiers.
        let ids = Set(schema.allFields.map(\.id))
        schema.identifierFieldIds = identifierFieldIds.filter { ids.contains($0) }
        try schema.validate()
        return (schema, next, schema.fields != fields || schema.identifierFieldIds != identifierFieldIds)
    }

    private static func mergeStruct(
        _ existing: [NestedField], _ incoming: [(name: String, type: DataType, nullable: Bool)], next: inout Int,
        missing: MissingColumnPolicy, path: String
    ) throws(IcebergError) -> [NestedField] {
        var out: [NestedField] = []
        var byName: [String: Int] = [:]
        for (index, field) in incoming.enumerated() { byName[field.name] = index }
        for field in existing {
            let fieldPath = path.isEmpty ? field.name : path + "." + field.name
            guard let index = byName[field.name] else {
                if missing == .keep { out.append(field) }
                continue
            }
            var merged = field
            merged.type = try mergeType(field.type, incoming[index].type, next: &next, missing: missing, path: fieldPath)
            if incoming[index].nullable { merged.required = false }
            out.append(merged)
        }
        let known = Set(existing.map(\.name))
        for field in incoming where !known.contains(field.name) {
            let fieldPath = path.isEmpty ? field.name : path + "." + field.name
            next += 1
            let id = next
            let type = assignFreshIds(try unnumberedType(field.type, path: fieldPath), next: &next)
            // Iceberg adds columns as optional: files written before hold no values for them.
            out.append(NestedField(id: id, name: field.name, type: type, required: false))
        }
        return out
    }

    private static func mergeType(
        _ existing: IcebergType, _ incoming: DataType, next: inout Int, missing: MissingColumnPolicy, path: String
    ) throws(IcebergError) -> IcebergType {
        switch (existing, incoming) {
        case (.structure(let fields), .structure(let children)):
            let merged = try mergeStruct(
                fields, children.map { (name: $0.name, type: $0.type, nullable: $0.nullable) }, next: &next,
                missing: missing, path: path)
            return .structure(merged)
        case (.list(let elementId, let required, let element), .list(let field)):
            let mergedElement = try mergeType(element, field.type, next: &next, missing: missing, path: path + ".element")
            return .list(elementId: elementId, elementRequired: required && !field.nullable, element: mergedElement)
        case (.map(let keyId, let key, let valueId, let valueRequired, let value), .map(let keyField, let valueField)):
            let mergedKey = try mergeType(key, keyField.type, next: &next, missing: missing, path: path + ".key")
            guard mergedKey == key else {
                throw IcebergError(.incompatibleSchema, "a map's key type cannot change", field: path + ".key")
            }
            let mergedValue = try mergeType(value, valueField.type, next: &next, missing: missing, path: path + ".value")
            return .map(
                keyId: keyId, key: key, valueId: valueId, valueRequired: valueRequired && !valueField.nullable,
                value: mergedValue)
        default:
            guard existing.isPrimitive, !incoming.isNested else {
                throw IcebergError(
                    .incompatibleSchema, "a column cannot change between nested and primitive types", field: path)
            }
            let type = try unnumberedType(incoming, path: path)
            if type == existing || type.canPromote(to: existing) { return existing }
            if existing.canPromote(to: type) { return type }
            throw IcebergError(
                .incompatibleSchema,
                "type \(existing.primitiveName ?? "?") cannot change to \(type.primitiveName ?? "?")", field: path)
        }
    }
}
