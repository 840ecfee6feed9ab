/// The logical types a column can hold. They follow Arrow's model, restricted to what
/// Lakegate's formats (Parquet, Avro, Iceberg, DuckLake) can represent.
public indirect enum DataType: Hashable, Sendable {
    /// A column whose every value is null (Parquet's UNKNOWN / Arrow's null type).
    case null
    case boolean
    case int8, int16, int32, int64
    case uint8, uint16, uint32, uint64
    /// IEEE half precision, stored as its 2-byte bit pattern.
    case float16
    case float32, float64
    /// Exact decimal with up to 38 digits, stored as a 16-byte little-endian `Int128`.
    case decimal(precision: Int, scale: Int)
    case string
    case binary
    case fixedSizeBinary(Int)
    /// Days since 1970-01-01, stored as `Int32`.
    case date
    /// Time of day since midnight in `unit`, stored as `Int64`.
    case time(TimeUnit)
    /// Instant or wall-clock time since the epoch in `unit`, stored as `Int64`.
    /// `utc == true` means the value is an instant (adjusted to UTC).
    case timestamp(TimeUnit, utc: Bool)
    /// 16 bytes, big-endian as in RFC 4122.
    case uuid
    case list(Field)
    case structure([Field])
    /// Entries are (key, value) pairs; keys are never null.
    case map(key: Field, value: Field)

    /// Bytes per value for types stored in a fixed-width values buffer, nil otherwise.
    public var byteWidth: Int? {
        switch self {
        case .boolean, .int8, .uint8: return 1
        case .int16, .uint16, .float16: return 2
        case .int32, .uint32, .float32, .date: return 4
        case .int64, .uint64, .float64, .time, .timestamp: return 8
        case .decimal, .uuid: return 16
        case .fixedSizeBinary(let width): return width
        case .null, .string, .binary, .list, .structure, .map: return nil
        }
    }

    /// Types whose values are variable-length byte strings (offsets + data).
    public var isVariableLength: Bool {
        switch self {
        case .string, .binary: return true
        default: return false
        }
    }

    public var isNested: Bool {
        switch self {
        case .list, .structure, .map: return true
        default: return false
        }
    }

    /// Child fields of a nested type, in storage order.
    public var children: [Field] {
        switch self {
        case .list(let element): return [element]
        case .structure(let fields): return fields
        case .map(let key, let value): return [key, value]
        default: return []
        }
    }
}

public enum TimeUnit: String, Hashable, Sendable, CaseIterable {
    case millisecond = "ms"
    case microsecond = "us"
    case nanosecond = "ns"

    /// Units per second.
    public var perSecond: Int64 {
        switch self {
        case .millisecond: return 1_000
        case .microsecond: return 1_000_000
        case .nanosecond: return 1_000_000_000
        }
    }

    /// Number of fractional-second digits this unit carries.
    public var fractionDigits: Int {
        switch self {
        case .millisecond: return 3
        case .microsecond: return 6
        case .nanosecond: return 9
        }
    }
}

/// A named, typed slot in a schema. `id` is the stable field id that Parquet, Iceberg and
/// DuckLake use to match columns across schema changes.
public struct Field: Hashable, Sendable {
    public var name: String
    public var type: DataType
    public var nullable: Bool
    public var id: Int32?
    public var metadata: KeyValueMetadata

    public init(
        _ name: String, _ type: DataType, nullable: Bool = true, id: Int32? = nil,
        metadata: KeyValueMetadata = [:]
    ) {
        self.name = name
        self.type = type
        self.nullable = nullable
        self.id = id
        self.metadata = metadata
    }
}

/// Ordered key/value pairs (order is kept because files and catalogs round-trip it).
public struct KeyValueMetadata: Hashable, Sendable, ExpressibleByDictionaryLiteral, Sequence {
    public var pairs: [(key: String, value: String)]

    public init(_ pairs: [(key: String, value: String)] = []) { self.pairs = pairs }
    public init(dictionaryLiteral elements: (String, String)...) {
        pairs = elements.map { (key: $0.0, value: $0.1) }
    }

    public subscript(key: String) -> String? {
        get { pairs.last(where: { $0.key == key })?.value }
        set {
            pairs.removeAll { $0.key == key }
            if let newValue { pairs.append((key: key, value: newValue)) }
        }
    }

    public var isEmpty: Bool { pairs.isEmpty }
    public func makeIterator() -> IndexingIterator<[(key: String, value: String)]> { pairs.makeIterator() }

    public static func == (lhs: KeyValueMetadata, rhs: KeyValueMetadata) -> Bool {
        lhs.pairs.count == rhs.pairs.count
            && zip(lhs.pairs, rhs.pairs).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }
    public func hash(into hasher: inout Hasher) {
        for pair in pairs {
            hasher.combine(pair.key)
            hasher.combine(pair.value)
        }
    }
}

/// The fields of a record batch or a file, plus metadata that travels with them.
public struct Schema: Hashable, Sendable {
    public var fields: [Field]
    public var metadata: KeyValueMetadata

    public init(_ fields: [Field], metadata: KeyValueMetadata = [:]) {
        self.fields = fields
        self.metadata = metadata
    }

    public func index(of name: String) -> Int? { fields.firstIndex { $0.name == name } }
    public subscript(name: String) -> Field? { index(of: name).map { fields[$0] } }
}

extension DataType: CustomStringConvertible {
    /// Arrow-style spelling: `int64`, `decimal(10, 2)`, `timestamp[us, UTC]`, `list<string>`,
    /// `struct<a: int32, b: string>`, `map<string, int64>`.
    public var description: String {
        switch self {
        case .null: return "null"
        case .boolean: return "bool"
        case .int8: return "int8"
        case .int16: return "int16"
        case .int32: return "int32"
        case .int64: return "int64"
        case .uint8: return "uint8"
        case .uint16: return "uint16"
        case .uint32: return "uint32"
        case .uint64: return "uint64"
        case .float16: return "float16"
        case .float32: return "float32"
        case .float64: return "float64"
        case .decimal(let p, let s): return "decimal(\(p), \(s))"
        case .string: return "string"
        case .binary: return "binary"
        case .fixedSizeBinary(let n): return "fixed_size_binary[\(n)]"
        case .date: return "date32"
        case .time(let unit): return "time[\(unit.rawValue)]"
        case .timestamp(let unit, let utc): return "timestamp[\(unit.rawValue)\(utc ? ", UTC" : "")]"
        case .uuid: return "uuid"
        case .list(let element): return "list<\(element.type)>"
        case .structure(let fields): return "struct<" + fields.map { "\($0.name): \($0.type)" }.joined(separator: ", ") + ">"
        case .map(let key, let value): return "map<\(key.type), \(value.type)>"
        }
    }
}
