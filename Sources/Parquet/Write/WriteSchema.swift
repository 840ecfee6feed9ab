import Columnar
import ParquetFormat

/// One leaf column of the file being written: where it sits and how its values are stored.
struct WriteLeaf {
    /// `path_in_schema`, e.g. `["l", "list", "element"]`.
    let path: [String]
    /// The columnar type of the values (a primitive type).
    let type: DataType
    let physicalType: PhysicalType
    /// Bytes per value for FIXED_LEN_BYTE_ARRAY, 0 otherwise.
    let typeLength: Int
    let maxDefinition: Int
    let maxRepetition: Int
    /// The top-level field this leaf belongs to.
    let fieldIndex: Int
    /// A top-level primitive: levels come straight from the validity bitmap.
    var isFlat: Bool { path.count == 1 }
    var dottedPath: String { path.joined(separator: ".") }
}

/// The Parquet schema of a columnar `Schema`, written as pyarrow writes it:
///
/// | Columnar | Parquet |
/// |---|---|
/// | boolean | BOOLEAN |
/// | int8, int16 | INT32 + INTEGER(8/16, signed) + INT_8/INT_16 |
/// | int32, int64 | INT32, INT64 (no annotation) |
/// | uint8, uint16, uint32 | INT32 + INTEGER(bw, unsigned) + UINT_8/16/32 |
/// | uint64 | INT64 + INTEGER(64, unsigned) + UINT_64 |
/// | float16 | FIXED_LEN_BYTE_ARRAY(2) + FLOAT16 |
/// | float32, float64 | FLOAT, DOUBLE |
/// | decimal(p, s) | INT32 (p ≤ 9), INT64 (p ≤ 18), else FLBA of the fewest bytes; + DECIMAL(s, p) and converted DECIMAL |
/// | string | BYTE_ARRAY + STRING + UTF8 |
/// | binary | BYTE_ARRAY |
/// | fixedSizeBinary(n) | FIXED_LEN_BYTE_ARRAY(n) |
/// | uuid | FIXED_LEN_BYTE_ARRAY(16) + UUID |
/// | date | INT32 + DATE + converted DATE |
/// | time(ms) | INT32 + TIME(local, MILLIS) |
/// | time(us/ns) | INT64 + TIME(local, MICROS/NANOS) |
/// | timestamp(unit, utc) | INT64 + TIMESTAMP(utc, unit) (+ TIMESTAMP_MILLIS/MICROS when utc) |
/// | null | optional INT32 + UNKNOWN (pyarrow reads it back as `null`) |
/// | list | `<opt/req> group N (LIST) { repeated group list { <opt/req> element } }` |
/// | map | `<opt/req> group N (MAP) { repeated group key_value { required key; <opt/req> value } }` |
/// | struct | a group |
///
/// Decimals of precision ≤ 18 are stored as integers (pyarrow's `store_decimal_as_integer`):
/// smaller and faster, and pyarrow and DuckDB both read them back as `decimal(p, s)`.
/// Field ids go on every node whose field has one; the root and the repeated `list` and
/// `key_value` groups have none.
struct WriteSchema {
    /// Depth-first, root first.
    let elements: [SchemaElement]
    let leaves: [WriteLeaf]
    /// For each top-level field, the range of its leaves in `leaves`.
    let leafRanges: [Range<Int>]

    /// Whether a field is OPTIONAL in Parquet (a null-type field always is).
    static func isOptional(_ field: Field) -> Bool { field.nullable || field.type == .null }

    init(_ schema: Schema) throws(ParquetError) {
        var elements = [
            // The root is REQUIRED, as pyarrow writes it.
            SchemaElement(name: "schema", repetitionType: .required, numChildren: Int32(schema.fields.count))
        ]
        var leaves: [WriteLeaf] = []
        var ranges: [Range<Int>] = []
        for (index, field) in schema.fields.enumerated() {
            let first = leaves.count
            try Self.add(
                field, name: field.name, repetition: Self.isOptional(field) ? .optional : .required,
                fieldId: field.id, path: [], definition: 0, repetition: 0, fieldIndex: index,
                elements: &elements, leaves: &leaves)
            ranges.append(first..<leaves.count)
        }
        self.elements = elements
        self.leaves = leaves
        self.leafRanges = ranges
    }

    private static func add(
        _ field: Field, name: String, repetition repetitionType: FieldRepetitionType, fieldId: Int32?,
        path: [String], definition: Int, repetition: Int, fieldIndex: Int,
        elements: inout [SchemaElement], leaves: inout [WriteLeaf]
    ) throws(ParquetError) {
        let path = path + [name]
        let definition = definition + (repetitionType == .required ? 0 : 1)
        let dotted = path.joined(separator: ".")
        switch field.type {
        case .list(let element):
            elements.append(
                SchemaElement(
                    name: name, repetitionType: repetitionType, numChildren: 1, convertedType: .list,
                    fieldId: fieldId, logicalType: .list))
            elements.append(SchemaElement(name: "list", repetitionType: .repeated, numChildren: 1))
            try add(
                element, name: "element", repetition: isOptional(element) ? .optional : .required,
                fieldId: element.id, path: path + ["list"], definition: definition + 1,
                repetition: repetition + 1, fieldIndex: fieldIndex, elements: &elements, leaves: &leaves)
        case .map(let key, let value):
            elements.append(
                SchemaElement(
                    name: name, repetitionType: repetitionType, numChildren: 1, convertedType: .map,
                    fieldId: fieldId, logicalType: .map))
            elements.append(SchemaElement(name: "key_value", repetitionType: .repeated, numChildren: 2))
            if key.type == .null {
                throw ParquetError(.unsupported, "a map key cannot have the null type", column: dotted)
            }
            try add(
                key, name: "key", repetition: .required, fieldId: key.id, path: path + ["key_value"],
                definition: definition + 1, repetition: repetition + 1, fieldIndex: fieldIndex,
                elements: &elements, leaves: &leaves)
            try add(
                value, name: "value", repetition: isOptional(value) ? .optional : .required,
                fieldId: value.id, path: path + ["key_value"], definition: definition + 1,
                repetition: repetition + 1, fieldIndex: fieldIndex, elements: &elements, leaves: &leaves)
        case .structure(let children):
            guard !children.isEmpty else {
                throw ParquetError(.unsupported, "Parquet cannot store a struct with no fields", column: dotted)
            }
            elements.append(
                SchemaElement(
                    name: name, repetitionType: repetitionType, numChildren: Int32(children.count),
                    fieldId: fieldId))
            for child in children {
                try add(
                    child, name: child.name, repetition: isOptional(child) ? .optional : .required,
                    fieldId: child.id, path: path, definition: definition, repetition: repetition,
                    fieldIndex: fieldIndex, elements: &elements, leaves: &leaves)
            }
        default:
            var element = try primitiveElement(field.type, column: dotted)
            element.name = name
            element.repetitionType = repetitionType
            element.fieldId = fieldId
            elements.append(element)
            leaves.append(
                WriteLeaf(
                    path: path, type: field.type, physicalType: element.type!,
                    typeLength: Int(element.typeLength ?? 0), maxDefinition: definition,
                    maxRepetition: repetition, fieldIndex: fieldIndex))
        }
    }

    /// The schema element of a primitive type (name and repetition left to the caller).
    static func primitiveElement(_ type: DataType, column: String) throws(ParquetError) -> SchemaElement {
        func element(
            _ physical: PhysicalType, length: Int? = nil, converted: ConvertedType? = nil,
            logical: LogicalType? = nil, scale: Int? = nil, precision: Int? = nil
        ) -> SchemaElement {
            SchemaElement(
                name: "", type: physical, typeLength: length.map { Int32($0) }, convertedType: converted,
                scale: scale.map { Int32($0) }, precision: precision.map { Int32($0) }, logicalType: logical)
        }
        switch type {
        case .null: return element(.int32, logical: .unknown)
        case .boolean: return element(.boolean)
        case .int8: return element(.int32, converted: .int8, logical: .integer(bitWidth: 8, isSigned: true))
        case .int16: return element(.int32, converted: .int16, logical: .integer(bitWidth: 16, isSigned: true))
        case .int32: return element(.int32)
        case .int64: return element(.int64)
        case .uint8: return element(.int32, converted: .uint8, logical: .integer(bitWidth: 8, isSigned: false))
        case .uint16: return element(.int32, converted: .uint16, logical: .integer(bitWidth: 16, isSigned: false))
        case .uint32: return element(.int32, converted: .uint32, logical: .integer(bitWidth: 32, isSigned: false))
        case .uint64: return element(.int64, converted: .uint64, logical: .integer(bitWidth: 64, isSigned: false))
        case .float16: return element(.fixedLenByteArray, length: 2, logical: .float16)
        case .float32: return element(.float)
        case .float64: return element(.double)
        case .decimal(let precision, let scale):
            guard precision >= 1, precision <= 38, scale >= 0, scale <= precision else {
                throw ParquetError(
                    .unsupported, "decimal(\(precision), \(scale)) is outside what Parquet stores", column: column)
            }
            let logical = LogicalType.decimal(scale: Int32(scale), precision: Int32(precision))
            if precision <= 9 {
                return element(.int32, converted: .decimal, logical: logical, scale: scale, precision: precision)
            }
            if precision <= 18 {
                return element(.int64, converted: .decimal, logical: logical, scale: scale, precision: precision)
            }
            return element(
                .fixedLenByteArray, length: decimalByteWidth(precision: precision), converted: .decimal,
                logical: logical, scale: scale, precision: precision)
        case .string: return element(.byteArray, converted: .utf8, logical: .string)
        case .binary: return element(.byteArray)
        case .fixedSizeBinary(let width):
            guard width > 0 else {
                throw ParquetError(.unsupported, "fixed-size binary of width \(width)", column: column)
            }
            return element(.fixedLenByteArray, length: width)
        case .uuid: return element(.fixedLenByteArray, length: 16, logical: .uuid)
        case .date: return element(.int32, converted: .date, logical: .date)
        case .time(let unit):
            switch unit {
            case .millisecond: return element(.int32, logical: .time(isAdjustedToUTC: false, unit: .millis))
            case .microsecond: return element(.int64, logical: .time(isAdjustedToUTC: false, unit: .micros))
            case .nanosecond: return element(.int64, logical: .time(isAdjustedToUTC: false, unit: .nanos))
            }
        case .timestamp(let unit, let utc):
            let parquetUnit: ParquetFormat.TimeUnit =
                switch unit {
                case .millisecond: .millis
                case .microsecond: .micros
                case .nanosecond: .nanos
                }
            var converted: ConvertedType?
            if utc {
                switch unit {
                case .millisecond: converted = .timestampMillis
                case .microsecond: converted = .timestampMicros
                case .nanosecond: converted = nil
                }
            }
            return element(.int64, converted: converted, logical: .timestamp(isAdjustedToUTC: utc, unit: parquetUnit))
        case .list, .structure, .map:
            throw ParquetError(.invalidArgument, "not a primitive type", column: column)
        }
    }

    /// The fewest bytes whose two's complement holds every decimal of `precision` digits.
    static func decimalByteWidth(precision: Int) -> Int {
        var largest: Int128 = 1
        for _ in 0..<precision { largest *= 10 }
        largest -= 1
        var width = 1
        while width < 16 && largest > (Int128(1) << (8 * width - 1)) - 1 { width += 1 }
        return width
    }
}
