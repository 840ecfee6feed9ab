/// An Iceberg v2 type: a primitive, or a struct, list or map whose children carry field ids.
public indirect enum IcebergType: Sendable, Hashable {
    case boolean
    /// 32-bit signed integer.
    case int
    /// 64-bit signed integer.
    case long
    case float
    case double
    case decimal(precision: Int, scale: Int)
    /// Days since 1970-01-01.
    case date
    /// Microseconds since midnight, no zone.
    case time
    /// Microseconds since 1970-01-01 00:00, no zone (a wall-clock time).
    case timestamp
    /// Microseconds since 1970-01-01 00:00 UTC (an instant).
    case timestamptz
    case string
    case uuid
    case fixed(Int)
    case binary
    case structure([NestedField])
    case list(elementId: Int, elementRequired: Bool, element: IcebergType)
    case map(keyId: Int, key: IcebergType, valueId: Int, valueRequired: Bool, value: IcebergType)

    public var isPrimitive: Bool {
        switch self {
        case .structure, .list, .map: return false
        default: return true
        }
    }

    /// The spec's spelling of a primitive (`long`, `decimal(10, 2)`, `fixed[16]`); nil for
    /// nested types.
    public var primitiveName: String? {
        switch self {
        case .boolean: return "boolean"
        case .int: return "int"
        case .long: return "long"
        case .float: return "float"
        case .double: return "double"
        // pyiceberg and Java write a space after the comma; both forms are read.
        case .decimal(let p, let s): return "decimal(\(p), \(s))"
        case .date: return "date"
        case .time: return "time"
        case .timestamp: return "timestamp"
        case .timestamptz: return "timestamptz"
        case .string: return "string"
        case .uuid: return "uuid"
        case .fixed(let length): return "fixed[\(length)]"
        case .binary: return "binary"
        case .structure, .list, .map: return nil
        }
    }

    /// Parses a primitive type name; nil when the name is not an Iceberg v2 primitive.
    public init?(primitiveName raw: String) {
        let name = raw.trimmingSpaces()
        switch name {
        case "boolean": self = .boolean
        case "int": self = .int
        case "long": self = .long
        case "float": self = .float
        case "double": self = .double
        case "date": self = .date
        case "time": self = .time
        case "timestamp": self = .timestamp
        case "timestamptz": self = .timestamptz
        case "string": self = .string
        case "uuid": self = .uuid
        case "binary": self = .binary
        default:
            if name.hasPrefix("decimal("), name.hasSuffix(")") {
                let inner = name.dropFirst("decimal(".count).dropLast()
                let parts = inner.split(separator: ",", omittingEmptySubsequences: false)
                guard parts.count == 2, let p = Int(String(parts[0]).trimmingSpaces()),
                    let s = Int(String(parts[1]).trimmingSpaces()), p >= 1, p <= 38, s >= 0, s <= p
                else { return nil }
                self = .decimal(precision: p, scale: s)
            } else if name.hasPrefix("fixed["), name.hasSuffix("]") {
                guard let length = Int(String(name.dropFirst("fixed[".count).dropLast()).trimmingSpaces()), length > 0
                else { return nil }
                self = .fixed(length)
            } else {
                return nil
            }
        }
    }

    /// Whether a column of this type may change to `other` without rewriting data files
    /// (int → long, float → double, decimal(P, S) → decimal(P', S) with P' ≥ P, or no change).
    public func canPromote(to other: IcebergType) -> Bool {
        switch (self, other) {
        case (.int, .long), (.float, .double): return true
        case (.decimal(let p, let s), .decimal(let p2, let s2)): return s == s2 && p2 >= p
        default: return self == other
        }
    }
}

/// A field of a struct (or of a schema): id, name, whether it is required, type and doc.
public struct NestedField: Sendable, Hashable {
    public var id: Int
    public var name: String
    public var required: Bool
    public var type: IcebergType
    public var doc: String?

    public init(id: Int, name: String, type: IcebergType, required: Bool = false, doc: String? = nil) {
        self.id = id
        self.name = name
        self.required = required
        self.type = type
        self.doc = doc
    }
}

extension String {
    func trimmingSpaces() -> String {
        var scalars = Substring(self)
        while scalars.first == " " { scalars.removeFirst() }
        while scalars.last == " " { scalars.removeLast() }
        return String(scalars)
    }
}
