import Columnar

/// Maps an Avro schema to Columnar fields, building the column decoder of each.
///
/// | Avro | Columnar |
/// |---|---|
/// | `null` (alone) | `null` |
/// | `boolean`, `int`, `long`, `float`, `double` | boolean, int32, int64, float32, float64 |
/// | `bytes`, `string` | binary, string |
/// | `fixed(n)` | fixedSizeBinary(n) |
/// | `enum` | string; symbols in field metadata `avro.enum.symbols` (a JSON array) |
/// | `record` | structure |
/// | `array` | list (element named `element`, id from `element-id`) |
/// | `map` | map (string key; ids from `key-id`, `value-id`) |
/// | `array` with `logicalType: map` of records {key, value} (Iceberg) | map |
/// | `[null, T]`, `[T, null]` | nullable T; `[T]` is T; other unions are unsupported |
/// | decimal on bytes or fixed (precision ≤ 38) | decimal(p, s) |
/// | uuid on string or fixed(16) | uuid |
/// | date; time-millis; time-micros | date; time(ms) widened to Int64; time(us) |
/// | timestamp-millis/micros/nanos | timestamp(unit, utc: true) |
/// | local-timestamp-millis/micros/nanos | timestamp(unit, utc: false) |
/// | duration on fixed(12) | fixedSizeBinary(12), metadata `avro.logicalType: duration` |
/// | time-nanos on long (written by Lakegate; not in the spec) | time(ns) |
///
/// Logical types that are unknown or invalid for their type are ignored, as the
/// specification requires. Record fields' `field-id` attributes become field ids.
struct ReadMapping {
    let maxZeroSizeItems: Int

    /// The file's fields and their decoders. A top-level record gives one field per record
    /// field; any other top-level type gives one field named `value`.
    func map(_ schema: AvroSchema) throws(AvroError) -> (fields: [Field], decoders: [ColumnDecoder]) {
        if case .record(let fields) = schema.kind {
            var out: [Field] = []
            var decoders: [ColumnDecoder] = []
            for field in fields {
                let (mapped, decoder) = try self.field(field.name, field.type, id: field.fieldId, path: field.name)
                out.append(mapped)
                decoders.append(decoder)
            }
            return (out, decoders)
        }
        let (mapped, decoder) = try field("value", schema, id: nil, path: "value")
        return ([mapped], [decoder])
    }

    func field(_ name: String, _ avro: AvroSchema, id: Int32?, path: String) throws(AvroError) -> (Field, ColumnDecoder) {
        var type = avro
        var nullBranch: Int64 = -1
        if case .union(let branches) = avro.kind {
            let nulls = branches.indices.filter { if case .null = branches[$0].kind { return true } else { return false } }
            let others = branches.indices.filter { !nulls.contains($0) }
            switch (nulls.count, others.count) {
            case (0, 1):
                type = branches[others[0]]
            case (1, 0):
                type = branches[nulls[0]]
            case (1, 1):
                type = branches[others[0]]
                nullBranch = Int64(nulls[0])
            default:
                let names = branches.map(\.typeName).joined(separator: ", ")
                throw AvroError(
                    .unsupported, "unsupported union of \(branches.count) types [\(names)]: only [null, T] maps to a column",
                    field: path)
            }
        }
        let nullable = nullBranch >= 0
        var metadata = KeyValueMetadata()
        let (dataType, kind, children) = try self.type(of: type, path: path, metadata: &metadata)
        var isNullType = false
        if case .null = dataType { isNullType = true }
        let decoder = ColumnDecoder(
            type: dataType, kind: kind, nullable: nullable, nullBranch: nullBranch, path: path,
            children: children, maxZeroSizeItems: maxZeroSizeItems)
        return (Field(name, dataType, nullable: nullable || isNullType, id: id, metadata: metadata), decoder)
    }

    private func type(
        of avro: AvroSchema, path: String, metadata: inout KeyValueMetadata
    ) throws(AvroError) -> (DataType, ColumnDecoder.Kind, [ColumnDecoder]) {
        let logical = avro.logicalType
        switch avro.kind {
        case .null:
            return (.null, .null, [])
        case .boolean:
            return (.boolean, .boolean, [])
        case .int:
            switch logical {
            case "date": return (.date, .int32, [])
            case "time-millis": return (.time(.millisecond), .intToInt64, [])
            default: return (.int32, .int32, [])
            }
        case .long:
            switch logical {
            case "time-micros": return (.time(.microsecond), .long, [])
            case "time-nanos": return (.time(.nanosecond), .long, [])
            case "timestamp-millis": return (.timestamp(.millisecond, utc: true), .long, [])
            case "timestamp-micros": return (.timestamp(.microsecond, utc: true), .long, [])
            case "timestamp-nanos": return (.timestamp(.nanosecond, utc: true), .long, [])
            case "local-timestamp-millis": return (.timestamp(.millisecond, utc: false), .long, [])
            case "local-timestamp-micros": return (.timestamp(.microsecond, utc: false), .long, [])
            case "local-timestamp-nanos": return (.timestamp(.nanosecond, utc: false), .long, [])
            default: return (.int64, .long, [])
            }
        case .float:
            return (.float32, .float, [])
        case .double:
            return (.float64, .double, [])
        case .bytes:
            if logical == "decimal", let (p, s) = try decimal(avro, maxPrecision: Int.max, path: path) {
                return (.decimal(precision: p, scale: s), .decimalBytes, [])
            }
            return (.binary, .bytes, [])
        case .string:
            if logical == "uuid" { return (.uuid, .uuidString, []) }
            return (.string, .bytes, [])
        case .fixed(let size):
            let fixedPrecision = Self.maxDecimalPrecision(bytes: size)
            if logical == "decimal", let (p, s) = try decimal(avro, maxPrecision: fixedPrecision, path: path) {
                return (.decimal(precision: p, scale: s), .decimalFixed(size), [])
            }
            if logical == "uuid", size == 16 { return (.uuid, .fixed(16), []) }
            if logical == "duration", size == 12 { metadata["avro.logicalType"] = "duration" }
            return (.fixedSizeBinary(size), .fixed(size), [])
        case .enumeration(let symbols):
            metadata["avro.enum.symbols"] = AvroJSON.array(symbols)
            return (.string, .enumeration(symbols.map { Array($0.utf8) }), [])
        case .record(let fields):
            var mapped: [Field] = []
            var decoders: [ColumnDecoder] = []
            for field in fields {
                let (f, d) = try self.field(field.name, field.type, id: field.fieldId, path: path + "." + field.name)
                mapped.append(f)
                decoders.append(d)
            }
            return (.structure(mapped), .record, decoders)
        case .array(let items):
            if logical == "map", case .record(let entry) = items.kind, entry.count == 2,
                entry[0].name == "key", entry[1].name == "value", !Self.isUnion(entry[0].type)
            {
                let (key, keyDecoder) = try field("key", entry[0].type, id: entry[0].fieldId, path: path + ".key")
                let (value, valueDecoder) = try field("value", entry[1].type, id: entry[1].fieldId, path: path + ".value")
                return (.map(key: key, value: value), .map, [keyDecoder, valueDecoder])
            }
            let (element, decoder) = try field("element", items, id: avro.elementId, path: path + ".element")
            return (.list(element), .list, [decoder])
        case .map(let values):
            let keyDecoder = ColumnDecoder(
                type: .string, kind: .bytes, nullable: false, nullBranch: -1, path: path + ".key", children: [],
                maxZeroSizeItems: maxZeroSizeItems)
            let (value, valueDecoder) = try field("value", values, id: avro.valueId, path: path + ".value")
            let key = Field("key", .string, nullable: false, id: avro.keyId)
            return (.map(key: key, value: value), .map, [keyDecoder, valueDecoder])
        case .union:
            throw AvroError(.unsupported, "unsupported union nested directly in a union", field: path)
        }
    }

    private static func isUnion(_ schema: AvroSchema) -> Bool {
        if case .union = schema.kind { return true }
        return false
    }

    /// Precision and scale of a valid decimal; nil (ignore the logical type) when invalid.
    private func decimal(_ avro: AvroSchema, maxPrecision: Int, path: String) throws(AvroError) -> (Int, Int)? {
        guard let precision = avro.precision, precision >= 1, precision <= maxPrecision else { return nil }
        let scale = avro.scale ?? 0
        guard scale >= 0, scale <= precision else { return nil }
        guard precision <= 38 else {
            throw AvroError(.unsupported, "decimal precision \(precision) exceeds the 38 digits a column holds", field: path)
        }
        return (precision, scale)
    }

    /// Most decimal digits a two's complement integer of `bytes` bytes always holds.
    static func maxDecimalPrecision(bytes: Int) -> Int {
        guard bytes > 0 else { return 0 }
        if bytes > 64 { return Int.max }
        return Int((Double(8 * bytes - 1) * 0.301_029_995_663_981_2).rounded(.down))
    }
}
