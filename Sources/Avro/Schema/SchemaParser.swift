import Foundation

/// Parses an Avro schema from its JSON text (the header's `avro.schema`).
///
/// Named types (record, enum, fixed) are registered under their full names, with namespaces
/// inherited as the specification says, and substituted where referenced. A reference to a
/// type that is still being defined (a recursive type) is rejected: recursive data cannot be
/// mapped to columns. Aliases, docs, defaults and orders are ignored.
struct AvroSchemaParser {
    let maxDepth: Int
    let maxNodes: Int
    private var defined: [String: AvroSchema] = [:]
    /// Nodes each named type expands to, counted again wherever it is referenced.
    private var sizes: [String: Int] = [:]
    private var inProgress: [String: Int] = [:]
    private var nodes = 0

    init(maxDepth: Int, maxNodes: Int) {
        self.maxDepth = maxDepth
        self.maxNodes = maxNodes
    }

    /// Parses `json` (UTF-8 bytes).
    static func parse(_ json: [UInt8], maxDepth: Int = 64, maxNodes: Int = 100_000) throws(AvroError) -> AvroSchema {
        // Foundation's parser recurses without a bound: refuse deep nesting before it runs.
        try checkNesting(json, limit: maxDepth * 4 + 8)
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(json), options: [.fragmentsAllowed])
        } catch {
            throw AvroError(.invalidSchema, "the schema is not valid JSON", underlying: "\(error)")
        }
        var parser = AvroSchemaParser(maxDepth: maxDepth, maxNodes: maxNodes)
        let schema = try parser.parse(object, namespace: "", depth: 0)
        // References put whole types at the depth where they are used: check the result.
        try checkDepth(schema, depth: 0, limit: maxDepth)
        return schema
    }

    private static func checkDepth(_ schema: AvroSchema, depth: Int, limit: Int) throws(AvroError) {
        guard depth <= limit else {
            throw AvroError(.limitExceeded, "the schema nests deeper than \(limit) levels")
        }
        switch schema.kind {
        case .record(let fields):
            for field in fields { try checkDepth(field.type, depth: depth + 1, limit: limit) }
        case .array(let items):
            try checkDepth(items, depth: depth + 1, limit: limit)
        case .map(let values):
            try checkDepth(values, depth: depth + 1, limit: limit)
        case .union(let branches):
            for branch in branches { try checkDepth(branch, depth: depth + 1, limit: limit) }
        default:
            break
        }
    }

    /// Throws when brackets nest deeper than `limit` (outside strings).
    static func checkNesting(_ json: [UInt8], limit: Int) throws(AvroError) {
        var depth = 0
        var inString = false
        var escaped = false
        for byte in json {
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                if depth > limit {
                    throw AvroError(.limitExceeded, "the schema JSON nests deeper than \(limit) levels")
                }
            case UInt8(ascii: "]"), UInt8(ascii: "}"): depth -= 1
            default: break
            }
        }
    }

    private mutating func count() throws(AvroError) {
        nodes += 1
        if nodes > maxNodes {
            throw AvroError(.limitExceeded, "the schema expands to more than \(maxNodes) types")
        }
    }

    private static func fullName(_ name: String, namespace: String) -> String {
        if name.contains(".") || namespace.isEmpty { return name }
        return namespace + "." + name
    }

    /// The namespace part of a full name.
    private static func namespace(of fullName: String) -> String {
        guard let dot = fullName.lastIndex(of: ".") else { return "" }
        return String(fullName[..<dot])
    }

    mutating func parse(_ json: Any, namespace: String, depth: Int) throws(AvroError) -> AvroSchema {
        guard depth <= maxDepth else {
            throw AvroError(.limitExceeded, "the schema nests deeper than \(maxDepth) levels")
        }
        try count()
        if let name = json as? String {
            return try reference(name, namespace: namespace)
        }
        if let branches = json as? [Any] {
            var parsed: [AvroSchema] = []
            for branch in branches {
                let schema = try parse(branch, namespace: namespace, depth: depth + 1)
                if case .union = schema.kind {
                    throw AvroError(.invalidSchema, "a union may not directly contain a union")
                }
                parsed.append(schema)
            }
            return AvroSchema(.union(parsed))
        }
        guard let object = json as? [String: Any] else {
            throw AvroError(.invalidSchema, "a schema must be a string, an array or an object")
        }
        guard let typeValue = object["type"] else {
            throw AvroError(.invalidSchema, "a schema object has no \"type\"")
        }
        guard let type = typeValue as? String else {
            // {"type": {...}} or {"type": [...]}: the nested schema is the type.
            return try parse(typeValue, namespace: namespace, depth: depth + 1)
        }
        let logicalType = object["logicalType"] as? String
        switch type {
        case "record", "error":
            let (full, inner) = try Self.name(of: object, namespace: namespace, kind: type)
            try begin(full)
            guard let fieldList = object["fields"] as? [Any] else {
                throw AvroError(.invalidSchema, "record \(full) has no \"fields\" array")
            }
            var fields: [AvroField] = []
            var seen: Set<String> = []
            for entry in fieldList {
                guard let fieldObject = entry as? [String: Any], let fieldName = fieldObject["name"] as? String else {
                    throw AvroError(.invalidSchema, "a field of record \(full) has no name")
                }
                guard seen.insert(fieldName).inserted else {
                    throw AvroError(.invalidSchema, "record \(full) has two fields named \(fieldName)")
                }
                guard let fieldType = fieldObject["type"] else {
                    throw AvroError(.invalidSchema, "field \(fieldName) of record \(full) has no type")
                }
                let parsed: AvroSchema
                do {
                    parsed = try parse(fieldType, namespace: inner, depth: depth + 1)
                } catch {
                    throw error.with(field: fieldName)
                }
                let id = try Self.id(fieldObject["field-id"], "field-id")
                let nullDefault = fieldObject["default"] is NSNull
                fields.append(AvroField(name: fieldName, type: parsed, fieldId: id, nullDefault: nullDefault))
            }
            let schema = AvroSchema(.record(fields: fields), name: full, logicalType: logicalType)
            finish(full, schema)
            return schema
        case "enum":
            let (full, _) = try Self.name(of: object, namespace: namespace, kind: type)
            try begin(full)
            guard let symbols = object["symbols"] as? [Any] else {
                throw AvroError(.invalidSchema, "enum \(full) has no \"symbols\" array")
            }
            var names: [String] = []
            for symbol in symbols {
                guard let text = symbol as? String else {
                    throw AvroError(.invalidSchema, "enum \(full) has a symbol that is not a string")
                }
                names.append(text)
            }
            guard Set(names).count == names.count else {
                throw AvroError(.invalidSchema, "enum \(full) repeats a symbol")
            }
            let schema = AvroSchema(.enumeration(symbols: names), name: full, logicalType: logicalType)
            finish(full, schema)
            return schema
        case "fixed":
            let (full, _) = try Self.name(of: object, namespace: namespace, kind: type)
            try begin(full)
            guard let size = Self.integer(object["size"]), size >= 0 else {
                throw AvroError(.invalidSchema, "fixed \(full) has no valid \"size\"")
            }
            let schema = AvroSchema(
                .fixed(size: size), name: full, logicalType: logicalType,
                precision: Self.integer(object["precision"]), scale: Self.integer(object["scale"]))
            finish(full, schema)
            return schema
        case "array":
            guard let items = object["items"] else {
                throw AvroError(.invalidSchema, "an array has no \"items\"")
            }
            let parsed = try parse(items, namespace: namespace, depth: depth + 1)
            return AvroSchema(
                .array(items: parsed), logicalType: logicalType,
                elementId: try Self.id(object["element-id"], "element-id"))
        case "map":
            guard let values = object["values"] else {
                throw AvroError(.invalidSchema, "a map has no \"values\"")
            }
            let parsed = try parse(values, namespace: namespace, depth: depth + 1)
            return AvroSchema(
                .map(values: parsed), logicalType: logicalType,
                keyId: try Self.id(object["key-id"], "key-id"), valueId: try Self.id(object["value-id"], "value-id"))
        default:
            guard let kind = AvroSchema.primitiveNames[type] else {
                // {"type": "SomeNamedType"} refers to a named type.
                return try reference(type, namespace: namespace)
            }
            return AvroSchema(
                kind, logicalType: logicalType, precision: Self.integer(object["precision"]),
                scale: Self.integer(object["scale"]))
        }
    }

    private mutating func reference(_ name: String, namespace: String) throws(AvroError) -> AvroSchema {
        if let kind = AvroSchema.primitiveNames[name] { return AvroSchema(kind) }
        for candidate in [Self.fullName(name, namespace: namespace), name] {
            if inProgress[candidate] != nil {
                throw AvroError(
                    .unsupported, "recursive type \(candidate) refers to itself; recursive data cannot be mapped to columns")
            }
            if let schema = defined[candidate] {
                // The reference expands to a copy of the whole type: count it again.
                nodes += sizes[candidate] ?? 0
                if nodes > maxNodes {
                    throw AvroError(.limitExceeded, "the schema expands to more than \(maxNodes) types")
                }
                return schema
            }
        }
        throw AvroError(.invalidSchema, "unknown type \(name)")
    }

    private mutating func begin(_ full: String) throws(AvroError) {
        guard defined[full] == nil, inProgress[full] == nil else {
            throw AvroError(.invalidSchema, "type \(full) is defined twice")
        }
        inProgress[full] = nodes
    }

    private mutating func finish(_ full: String, _ schema: AvroSchema) {
        let start = inProgress.removeValue(forKey: full) ?? nodes
        sizes[full] = nodes - start + 1
        defined[full] = schema
    }

    /// The full name of a named type and the namespace its children inherit.
    private static func name(of object: [String: Any], namespace: String, kind: String) throws(AvroError) -> (String, String) {
        guard let name = object["name"] as? String, !name.isEmpty else {
            throw AvroError(.invalidSchema, "a \(kind) has no name")
        }
        var space = namespace
        if let explicit = object["namespace"] as? String { space = explicit }
        let full = fullName(name, namespace: space)
        return (full, Self.namespace(of: full))
    }

    private static func integer(_ value: Any?) -> Int? {
        guard let value else { return nil }
        if let int = value as? Int { return int }
        if let text = value as? String { return Int(text) }
        return nil
    }

    private static func id(_ value: Any?, _ key: String) throws(AvroError) -> Int32? {
        guard let value else { return nil }
        guard let int = integer(value), let id = Int32(exactly: int) else {
            throw AvroError(.invalidSchema, "\"\(key)\" is not a 32-bit integer")
        }
        return id
    }
}
