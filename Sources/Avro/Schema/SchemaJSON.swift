/// Prints Avro schemas (and small JSON values) as compact JSON text.
enum AvroJSON {
    /// A JSON string literal.
    static func string(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// A JSON array of strings.
    static func array(_ items: [String]) -> String {
        "[" + items.map(string).joined(separator: ",") + "]"
    }

    /// The schema as JSON. A named type is defined where it first appears and referred to by
    /// name after that.
    static func schema(_ schema: AvroSchema) -> String {
        var printed: Set<String> = []
        var out = ""
        print(schema, into: &out, printed: &printed)
        return out
    }

    private static func print(_ schema: AvroSchema, into out: inout String, printed: inout Set<String>) {
        if let name = schema.name {
            if printed.contains(name) {
                out += string(name)
                return
            }
            printed.insert(name)
        }
        var attributes: [(String, String)] = []
        if let logical = schema.logicalType { attributes.append(("logicalType", string(logical))) }
        if let precision = schema.precision { attributes.append(("precision", String(precision))) }
        if let scale = schema.scale { attributes.append(("scale", String(scale))) }
        if let adjust = schema.adjustToUTC { attributes.append(("adjust-to-utc", adjust ? "true" : "false")) }
        func object(_ type: String, _ members: [(String, String)]) {
            out += "{\"type\":" + string(type)
            for (key, value) in members + attributes { out += "," + string(key) + ":" + value }
            out += "}"
        }
        switch schema.kind {
        case .null, .boolean, .int, .long, .float, .double, .bytes, .string:
            if attributes.isEmpty {
                out += string(schema.typeName)
            } else {
                object(schema.typeName, [])
            }
        case .fixed(let size):
            object("fixed", [("name", string(schema.name ?? "fixed")), ("size", String(size))])
        case .enumeration(let symbols):
            object("enum", [("name", string(schema.name ?? "enum")), ("symbols", array(symbols))])
        case .record(let fields):
            out += "{\"type\":\"record\",\"name\":" + string(schema.name ?? "record") + ",\"fields\":["
            for (index, field) in fields.enumerated() {
                if index > 0 { out += "," }
                out += "{\"name\":" + string(field.name) + ",\"type\":"
                print(field.type, into: &out, printed: &printed)
                if field.nullDefault { out += ",\"default\":null" }
                if let id = field.fieldId { out += ",\"field-id\":\(id)" }
                out += "}"
            }
            out += "]"
            for (key, value) in attributes { out += "," + string(key) + ":" + value }
            out += "}"
        case .array(let items):
            out += "{\"type\":\"array\",\"items\":"
            print(items, into: &out, printed: &printed)
            if let id = schema.elementId { out += ",\"element-id\":\(id)" }
            for (key, value) in attributes { out += "," + string(key) + ":" + value }
            out += "}"
        case .map(let values):
            out += "{\"type\":\"map\",\"values\":"
            print(values, into: &out, printed: &printed)
            if let id = schema.keyId { out += ",\"key-id\":\(id)" }
            if let id = schema.valueId { out += ",\"value-id\":\(id)" }
            for (key, value) in attributes { out += "," + string(key) + ":" + value }
            out += "}"
        case .union(let branches):
            out += "["
            for (index, branch) in branches.enumerated() {
                if index > 0 { out += "," }
                print(branch, into: &out, printed: &printed)
            }
            out += "]"
        }
    }
}
