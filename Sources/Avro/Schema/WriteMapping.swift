import Columnar
import Foundation

/// Maps a Columnar schema to the Avro schema a writer declares, building each column's encoder.
///
/// The inverse of `ReadMapping`, plus the types Avro has no exact match for:
///
/// | Columnar | Avro |
/// |---|---|
/// | int8, int16, uint8, uint16 | `int` |
/// | uint32 | `long` |
/// | uint64 | `long` (a value above Int64.max is an error) |
/// | float16 | `float` |
/// | decimal(p, s) | `fixed` of the fewest bytes that hold p digits, logicalType decimal |
/// | uuid | `string`, logicalType uuid |
/// | time(ms) | `int` time-millis; time(us): `long` time-micros |
/// | time(ns) | `long` with logicalType time-nanos (not in the spec: other readers see a long) |
/// | map with non-string keys | Iceberg's `array` of records {key, value} with logicalType map |
/// | string with metadata `avro.enum.symbols` | `enum` (a value outside the symbols is an error) |
/// | fixedSizeBinary(12) with metadata `avro.logicalType: duration` | `fixed` duration |
///
/// A nullable field is `["null", T]` with `"default": null`. Field ids go to `field-id`,
/// list element ids to `element-id`, map key and value ids to `key-id` and `value-id`.
/// Names that Avro does not allow are made compatible as Iceberg does (`a b` → `a_x20b`,
/// `1x` → `_1x`); named types get unique generated names (`r<field id>` for records when
/// the field has an id, as Iceberg writes them).
struct WriteMapping {
    private var usedNames: Set<String> = []
    /// `AvroWriteOptions.icebergTypes`.
    private let icebergTypes: Bool

    init(topName: String, icebergTypes: Bool = false) {
        usedNames.insert(Self.simpleName(topName))
        self.icebergTypes = icebergTypes
    }

    /// The top-level record and one encoder per field.
    mutating func map(_ schema: Schema, recordName: String) throws(AvroError) -> (AvroSchema, [ColumnEncoder]) {
        let (fields, encoders) = try record(schema.fields, path: nil)
        return (AvroSchema(.record(fields: fields), name: recordName), encoders)
    }

    private mutating func record(_ fields: [Field], path: String?) throws(AvroError) -> ([AvroField], [ColumnEncoder]) {
        var out: [AvroField] = []
        var encoders: [ColumnEncoder] = []
        var names: Set<String> = []
        for field in fields {
            let name = Self.compatibleName(field.name)
            let fieldPath = path.map { $0 + "." + field.name } ?? field.name
            guard names.insert(name).inserted else {
                throw AvroError(.invalidArgument, "two fields are named \(name) once made Avro-compatible", field: fieldPath)
            }
            let (schema, encoder) = try self.field(field, path: fieldPath)
            out.append(AvroField(name: name, type: schema, fieldId: field.id, nullDefault: encoder.nullable))
            encoders.append(encoder)
        }
        return (out, encoders)
    }

    /// The Avro type of a field (a union with null when nullable) and its encoder.
    mutating func field(_ field: Field, path: String) throws(AvroError) -> (AvroSchema, ColumnEncoder) {
        let (schema, kind, children) = try type(field, path: path)
        let nullable = field.nullable && field.type != .null
        let encoder = ColumnEncoder(type: field.type, kind: kind, nullable: nullable, path: path, children: children)
        return (nullable ? AvroSchema(.union([AvroSchema(.null), schema])) : schema, encoder)
    }

    private mutating func type(
        _ field: Field, path: String
    ) throws(AvroError) -> (AvroSchema, ColumnEncoder.Kind, [ColumnEncoder]) {
        switch field.type {
        case .null: return (AvroSchema(.null), .null, [])
        case .boolean: return (AvroSchema(.boolean), .boolean, [])
        case .int8: return (AvroSchema(.int), .int8, [])
        case .int16: return (AvroSchema(.int), .int16, [])
        case .int32: return (AvroSchema(.int), .int32, [])
        case .uint8: return (AvroSchema(.int), .uint8, [])
        case .uint16: return (AvroSchema(.int), .uint16, [])
        case .int64: return (AvroSchema(.long), .int64, [])
        case .uint32: return (AvroSchema(.long), .uint32, [])
        case .uint64: return (AvroSchema(.long), .uint64, [])
        case .float16: return (AvroSchema(.float), .float16, [])
        case .float32: return (AvroSchema(.float), .float32, [])
        case .float64: return (AvroSchema(.double), .float64, [])
        case .decimal(let precision, let scale):
            guard precision >= 1, precision <= 38, scale >= 0, scale <= precision else {
                throw AvroError(.invalidArgument, "decimal(\(precision), \(scale)) is not a valid decimal", field: path)
            }
            let size = Self.decimalBytes(precision: precision)
            let schema = AvroSchema(
                .fixed(size: size), name: uniqueName("decimal_", path), logicalType: "decimal", precision: precision,
                scale: scale)
            return (schema, .decimal(size), [])
        case .string:
            if let text = field.metadata["avro.enum.symbols"], let symbols = Self.symbols(text) {
                let schema = AvroSchema(.enumeration(symbols: symbols), name: uniqueName("enum_", path))
                var lookup: [String: Int] = [:]
                for (index, symbol) in symbols.enumerated() { lookup[symbol] = index }
                return (schema, .enumeration(lookup), [])
            }
            return (AvroSchema(.string), .bytes, [])
        case .binary:
            return (AvroSchema(.bytes), .bytes, [])
        case .fixedSizeBinary(let size):
            var schema = AvroSchema(.fixed(size: size), name: uniqueName("fixed_", path))
            if size == 12, field.metadata["avro.logicalType"] == "duration" { schema.logicalType = "duration" }
            return (schema, .fixed(size), [])
        case .date:
            return (AvroSchema(.int, logicalType: "date"), .int32, [])
        case .time(let unit):
            switch unit {
            case .millisecond: return (AvroSchema(.int, logicalType: "time-millis"), .timeMillis, [])
            case .microsecond: return (AvroSchema(.long, logicalType: "time-micros"), .int64, [])
            case .nanosecond: return (AvroSchema(.long, logicalType: "time-nanos"), .int64, [])
            }
        case .timestamp(let unit, let utc):
            let suffix = unit == .millisecond ? "millis" : unit == .microsecond ? "micros" : "nanos"
            if icebergTypes {
                return (AvroSchema(.long, logicalType: "timestamp-" + suffix, adjustToUTC: utc), .int64, [])
            }
            return (AvroSchema(.long, logicalType: (utc ? "timestamp-" : "local-timestamp-") + suffix), .int64, [])
        case .uuid:
            if icebergTypes {
                return (AvroSchema(.fixed(size: 16), name: uniqueName("uuid_fixed", nil), logicalType: "uuid"), .fixed(16), [])
            }
            return (AvroSchema(.string, logicalType: "uuid"), .uuid, [])
        case .list(let element):
            let (items, encoder) = try self.field(element, path: path + "." + element.name)
            return (AvroSchema(.array(items: items), elementId: element.id), .list, [encoder])
        case .structure(let fields):
            let name = uniqueName(field.id.map { "r\($0)" } ?? "r_", field.id == nil ? path : nil)
            let (avroFields, encoders) = try record(fields, path: path)
            return (AvroSchema(.record(fields: avroFields), name: name), .record, encoders)
        case .map(let key, let value):
            var keyField = key
            keyField.nullable = false
            if key.type == .string, key.metadata["avro.enum.symbols"] == nil {
                let keyEncoder = ColumnEncoder(type: .string, kind: .bytes, nullable: false, path: path + ".key", children: [])
                let (values, valueEncoder) = try self.field(value, path: path + ".value")
                let schema = AvroSchema(.map(values: values), keyId: key.id, valueId: value.id)
                return (schema, .map, [keyEncoder, valueEncoder])
            }
            // Iceberg's form for maps whose keys are not strings.
            let (keySchema, keyEncoder) = try self.field(keyField, path: path + ".key")
            let (valueSchema, valueEncoder) = try self.field(value, path: path + ".value")
            let name: String
            if let keyId = key.id, let valueId = value.id {
                name = uniqueName("k\(keyId)_v\(valueId)", nil)
            } else {
                name = uniqueName("entry_", path)
            }
            let entry = AvroSchema(
                .record(fields: [
                    AvroField(name: "key", type: keySchema, fieldId: key.id),
                    AvroField(name: "value", type: valueSchema, fieldId: value.id, nullDefault: valueEncoder.nullable),
                ]), name: name)
            return (AvroSchema(.array(items: entry), logicalType: "map"), .map, [keyEncoder, valueEncoder])
        }
    }

    /// A name for a named type not used before: `prefix` followed by the path made
    /// compatible, with a number added when taken.
    private mutating func uniqueName(_ prefix: String, _ path: String?) -> String {
        let base = prefix + (path.map { Self.compatibleName($0.replacingOccurrences(of: ".", with: "_")) } ?? "")
        var name = base
        var suffix = 2
        while usedNames.contains(name) {
            name = base + "_\(suffix)"
            suffix += 1
        }
        usedNames.insert(name)
        return name
    }

    private static func symbols(_ json: String) -> [String]? {
        guard let parsed = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [Any] else { return nil }
        let symbols = parsed.compactMap { $0 as? String }
        guard symbols.count == parsed.count, !symbols.isEmpty, Set(symbols).count == symbols.count,
            symbols.allSatisfy(isValidName)
        else { return nil }
        return symbols
    }

    /// Bytes of the smallest `fixed` whose two's complement range holds `precision` digits.
    static func decimalBytes(precision: Int) -> Int {
        var size = 1
        while ReadMapping.maxDecimalPrecision(bytes: size) < precision { size += 1 }
        return size
    }

    static func isValidName(_ name: String) -> Bool {
        guard let first = name.utf8.first, isNameStart(first) else { return false }
        return name.utf8.dropFirst().allSatisfy { isNameStart($0) || ($0 >= 48 && $0 <= 57) }
    }

    /// Whether `name` is a valid full name: dot-separated valid names.
    static func isValidFullName(_ name: String) -> Bool {
        name.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { isValidName(String($0)) }
    }

    private static func isNameStart(_ byte: UInt8) -> Bool {
        (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122) || byte == 95
    }

    private static func simpleName(_ full: String) -> String {
        full.split(separator: ".").last.map(String.init) ?? full
    }

    /// `name` made a valid Avro name the way Iceberg does it: a leading digit gets `_` before
    /// it, and every other character outside `[A-Za-z0-9_]` becomes `_x` and its code point
    /// in uppercase hex.
    static func compatibleName(_ name: String) -> String {
        if isValidName(name) { return name }
        if name.isEmpty { return "_" }
        var out = ""
        for (index, scalar) in name.unicodeScalars.enumerated() {
            let value = scalar.value
            let isLetter = (value >= 65 && value <= 90) || (value >= 97 && value <= 122) || value == 95
            let isDigit = value >= 48 && value <= 57
            if isLetter || (isDigit && index > 0) {
                out.unicodeScalars.append(scalar)
            } else if isDigit {
                out += "_" + String(scalar)
            } else {
                out += "_x" + String(value, radix: 16, uppercase: true)
            }
        }
        return out
    }
}
