/// A table schema: top-level fields with ids, the schema's own id, and the identifier fields
/// (the row key some engines use for upserts; optional).
public struct IcebergSchema: Sendable, Hashable {
    public var schemaId: Int
    public var fields: [NestedField]
    public var identifierFieldIds: [Int]

    public init(schemaId: Int = 0, fields: [NestedField], identifierFieldIds: [Int] = []) {
        self.schemaId = schemaId
        self.fields = fields
        self.identifierFieldIds = identifierFieldIds
    }

    public var structType: IcebergType { .structure(fields) }

    /// One entry per field at any depth, parents before children (list elements and map
    /// keys and values included, named `element`, `key` and `value`).
    public struct FieldInfo: Sendable, Hashable {
        public var id: Int
        /// Names from the top, e.g. `["attrs", "value"]` or `["loc", "lat"]`.
        public var path: [String]
        public var type: IcebergType
        public var required: Bool
        /// Whether the field sits inside a list or a map (so it has no single value per row).
        public var isRepeated: Bool
        /// The dotted name Iceberg uses for the column (`loc.lat`, `tags.element`).
        public var dottedName: String { path.joined(separator: ".") }
    }

    /// Every field, depth-first, parents first.
    public var allFields: [FieldInfo] {
        var out: [FieldInfo] = []
        func visit(_ type: IcebergType, path: [String], repeated: Bool) {
            switch type {
            case .structure(let fields):
                for field in fields {
                    out.append(FieldInfo(id: field.id, path: path + [field.name], type: field.type, required: field.required, isRepeated: repeated))
                    visit(field.type, path: path + [field.name], repeated: repeated)
                }
            case .list(let elementId, let elementRequired, let element):
                out.append(FieldInfo(id: elementId, path: path + ["element"], type: element, required: elementRequired, isRepeated: true))
                visit(element, path: path + ["element"], repeated: true)
            case .map(let keyId, let key, let valueId, let valueRequired, let value):
                out.append(FieldInfo(id: keyId, path: path + ["key"], type: key, required: true, isRepeated: true))
                visit(key, path: path + ["key"], repeated: true)
                out.append(FieldInfo(id: valueId, path: path + ["value"], type: value, required: valueRequired, isRepeated: true))
                visit(value, path: path + ["value"], repeated: true)
            default:
                break
            }
        }
        visit(structType, path: [], repeated: false)
        return out
    }

    /// The field with `id` at any depth.
    public func field(id: Int) -> FieldInfo? { allFields.first { $0.id == id } }

    /// The field at a dotted Iceberg name (`loc.lat`, `tags.element`).
    public func field(named dotted: String) -> FieldInfo? { allFields.first { $0.dottedName == dotted } }

    /// The largest field id in use (0 for an empty schema).
    public var highestFieldId: Int { allFields.map(\.id).max() ?? 0 }

    /// Checks that ids are positive and unique and that identifier fields exist and are
    /// required primitives outside lists and maps.
    public func validate() throws(IcebergError) {
        var seen: Set<Int> = []
        var names: [[String]: Int] = [:]
        for info in allFields {
            guard info.id > 0 else {
                throw IcebergError(.invalidSchema, "field ids must be positive", field: info.dottedName)
            }
            guard seen.insert(info.id).inserted else {
                throw IcebergError(.invalidSchema, "field id \(info.id) is used twice", field: info.dottedName)
            }
            if let other = names.updateValue(info.id, forKey: info.path), other != info.id {
                throw IcebergError(.invalidSchema, "two fields have the same name", field: info.dottedName)
            }
        }
        for id in identifierFieldIds {
            guard let info = field(id: id) else {
                throw IcebergError(.invalidSchema, "identifier field \(id) is not in the schema")
            }
            guard info.type.isPrimitive, info.required, !info.isRepeated else {
                throw IcebergError(
                    .invalidSchema, "an identifier field must be a required primitive outside lists and maps",
                    field: info.dottedName)
            }
        }
    }

    /// The same fields, ignoring the schema id (to find an existing schema equal to a new one).
    public func sameStructure(as other: IcebergSchema) -> Bool {
        fields == other.fields && identifierFieldIds == other.identifierFieldIds
    }
}

// MARK: - JSON

extension IcebergType {
    public var json: IcebergJSON {
        switch self {
        case .structure(let fields):
            return .object([("type", .string("struct")), ("fields", .array(fields.map(\.json)))])
        case .list(let elementId, let elementRequired, let element):
            return .object([
                ("type", .string("list")), ("element-id", .int(elementId)), ("element", element.json),
                ("element-required", .bool(elementRequired)),
            ])
        case .map(let keyId, let key, let valueId, let valueRequired, let value):
            return .object([
                ("type", .string("map")), ("key-id", .int(keyId)), ("key", key.json), ("value-id", .int(valueId)),
                ("value", value.json), ("value-required", .bool(valueRequired)),
            ])
        default:
            return .string(primitiveName!)
        }
    }

    public init(json: IcebergJSON, path: String = "type") throws(IcebergError) {
        if let name = json.stringValue {
            guard let type = IcebergType(primitiveName: name) else {
                throw IcebergError(.unsupported, "type \(name) is not an Iceberg v2 type", field: path)
            }
            self = type
            return
        }
        let object = try JSONObjectReader(json, path: path)
        let kind = try object.string("type")
        switch kind {
        case "struct":
            var fields: [NestedField] = []
            for (index, item) in try object.array("fields").enumerated() {
                fields.append(try NestedField(json: item, path: object.memberPath("fields[\(index)]")))
            }
            self = .structure(fields)
        case "list":
            self = .list(
                elementId: try object.int("element-id"), elementRequired: try object.bool("element-required"),
                element: try IcebergType(json: try object.required("element"), path: object.memberPath("element")))
        case "map":
            self = .map(
                keyId: try object.int("key-id"),
                key: try IcebergType(json: try object.required("key"), path: object.memberPath("key")),
                valueId: try object.int("value-id"), valueRequired: try object.bool("value-required"),
                value: try IcebergType(json: try object.required("value"), path: object.memberPath("value")))
        default:
            throw IcebergError(.unsupported, "nested type \(kind) is not an Iceberg v2 type", field: path)
        }
    }
}

extension NestedField {
    public var json: IcebergJSON {
        var members: [(key: String, value: IcebergJSON)] = [
            ("id", .int(id)), ("name", .string(name)), ("type", type.json), ("required", .bool(required)),
        ]
        if let doc { members.append(("doc", .string(doc))) }
        return .object(members)
    }

    public init(json: IcebergJSON, path: String) throws(IcebergError) {
        let object = try JSONObjectReader(json, path: path)
        self.init(
            id: try object.int("id"), name: try object.string("name"),
            type: try IcebergType(json: try object.required("type"), path: object.memberPath("type")),
            required: try object.bool("required"), doc: try object.optionalString("doc"))
    }
}

extension IcebergSchema {
    /// `{"type":"struct","fields":[…],"schema-id":0,"identifier-field-ids":[…]}`, as pyiceberg writes it.
    public var json: IcebergJSON {
        .object([
            ("type", .string("struct")), ("fields", .array(fields.map(\.json))), ("schema-id", .int(schemaId)),
            ("identifier-field-ids", .array(identifierFieldIds.map { .int($0) })),
        ])
    }

    public init(json: IcebergJSON, path: String = "schema") throws(IcebergError) {
        let object = try JSONObjectReader(json, path: path)
        guard case .structure(let fields) = try IcebergType(json: json, path: path) else {
            throw IcebergError(.invalidMetadata, "a schema must be a struct", field: path)
        }
        var identifiers: [Int] = []
        for (index, item) in try object.array("identifier-field-ids", required: false).enumerated() {
            guard let id = item.int64Value, let small = Int(exactly: id) else {
                throw IcebergError(.invalidMetadata, "expected an integer", field: object.memberPath("identifier-field-ids[\(index)]"))
            }
            identifiers.append(small)
        }
        self.init(schemaId: try object.optionalInt("schema-id") ?? 0, fields: fields, identifierFieldIds: identifiers)
    }
}
