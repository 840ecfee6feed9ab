import Columnar

/// One value of an Iceberg primitive type: a partition value, or a column bound.
public enum IcebergLiteral: Sendable, Hashable {
    case boolean(Bool)
    case int(Int32)
    case long(Int64)
    case float(Float)
    case double(Double)
    /// The unscaled value; the scale is the type's.
    case decimal(Int128)
    /// Days since 1970-01-01.
    case date(Int32)
    /// Microseconds since midnight.
    case time(Int64)
    /// Microseconds since the epoch, no zone.
    case timestamp(Int64)
    /// Microseconds since the epoch, UTC.
    case timestamptz(Int64)
    case string(String)
    /// 16 bytes, big-endian (RFC 4122 order).
    case uuid([UInt8])
    case fixed([UInt8])
    case binary([UInt8])

    /// Whether the literal can be a value of `type` (decimals: any unscaled value).
    public func fits(_ type: IcebergType) -> Bool {
        switch (self, type) {
        case (.boolean, .boolean), (.int, .int), (.long, .long), (.float, .float), (.double, .double),
            (.decimal, .decimal), (.date, .date), (.time, .time), (.timestamp, .timestamp),
            (.timestamptz, .timestamptz), (.string, .string), (.binary, .binary):
            return true
        case (.uuid(let bytes), .uuid): return bytes.count == 16
        case (.fixed(let bytes), .fixed(let length)): return bytes.count == length
        default: return false
        }
    }

    /// The literal as a Columnar `Value` of `IcebergSchema.columnarType(type)`.
    public func columnarValue(_ type: IcebergType) -> Value {
        switch self {
        case .boolean(let b): return .bool(b)
        case .int(let v): return .int(Int64(v))
        case .long(let v): return .int(v)
        case .float(let v): return .double(Double(v))
        case .double(let v): return .double(v)
        case .decimal(let v):
            if case .decimal(_, let scale) = type { return .decimal(v, scale: scale) }
            return .decimal(v, scale: 0)
        case .date(let v): return .date(Int64(v))
        case .time(let v): return .time(v, .microsecond)
        case .timestamp(let v): return .timestamp(v, .microsecond, utc: false)
        case .timestamptz(let v): return .timestamp(v, .microsecond, utc: true)
        case .string(let s): return .string(s)
        case .uuid(let b), .fixed(let b), .binary(let b): return .binary(b)
        }
    }

    /// The literal of `type` held in a Columnar `Value` (as `Column.value(at:)` returns it);
    /// nil for `.null` and for values that do not fit the type.
    public init?(columnar value: Value, type: IcebergType) {
        switch (value, type) {
        case (.bool(let b), .boolean): self = .boolean(b)
        case (.int(let v), .int), (.date(let v), .int):
            guard let small = Int32(exactly: v) else { return nil }
            self = .int(small)
        case (.int(let v), .long): self = .long(v)
        case (.uint(let v), .long):
            guard let signed = Int64(exactly: v) else { return nil }
            self = .long(signed)
        case (.uint(let v), .int):
            guard let small = Int32(exactly: v) else { return nil }
            self = .int(small)
        case (.double(let v), .float): self = .float(Float(v))
        case (.double(let v), .double): self = .double(v)
        case (.decimal(let v, _), .decimal): self = .decimal(v)
        case (.int(let v), .decimal): self = .decimal(Int128(v))
        case (.date(let v), .date), (.int(let v), .date):
            guard let small = Int32(exactly: v) else { return nil }
            self = .date(small)
        case (.time(let v, let unit), .time): self = .time(Self.micros(v, unit))
        case (.int(let v), .time): self = .time(v)
        case (.timestamp(let v, let unit, _), .timestamp): self = .timestamp(Self.micros(v, unit))
        case (.timestamp(let v, let unit, _), .timestamptz): self = .timestamptz(Self.micros(v, unit))
        case (.int(let v), .timestamp): self = .timestamp(v)
        case (.int(let v), .timestamptz): self = .timestamptz(v)
        case (.string(let s), .string): self = .string(s)
        case (.binary(let b), .string): self = .string(String(decoding: b, as: UTF8.self))
        case (.binary(let b), .uuid):
            guard b.count == 16 else { return nil }
            self = .uuid(b)
        case (.string(let s), .uuid):
            guard let bytes = Self.parseUUID(s) else { return nil }
            self = .uuid(bytes)
        case (.binary(let b), .fixed(let n)):
            guard b.count == n else { return nil }
            self = .fixed(b)
        case (.binary(let b), .binary): self = .binary(b)
        case (.string(let s), .binary): self = .binary(Array(s.utf8))
        default: return nil
        }
    }

    /// A value in `unit` converted to microseconds (floored for nanoseconds).
    static func micros(_ value: Int64, _ unit: TimeUnit) -> Int64 {
        switch unit {
        case .microsecond: return value
        case .millisecond: return value &* 1000
        case .nanosecond: return floorDiv(value, 1000)
        }
    }

    /// 16 bytes of a `8-4-4-4-12` hex UUID, nil when malformed.
    public static func parseUUID(_ text: String) -> [UInt8]? {
        var out: [UInt8] = []
        var high: UInt8?
        var count = 0
        for (index, char) in text.utf8.enumerated() {
            if char == UInt8(ascii: "-") {
                guard [8, 13, 18, 23].contains(index) else { return nil }
                continue
            }
            let nibble: UInt8
            switch char {
            case 48...57: nibble = char - 48
            case 97...102: nibble = char - 87
            case 65...70: nibble = char - 55
            default: return nil
            }
            count += 1
            if let h = high {
                out.append(h << 4 | nibble)
                high = nil
            } else {
                high = nibble
            }
        }
        guard count == 32, text.utf8.count == 36 else { return nil }
        return out
    }
}

/// Floored division (rounds toward negative infinity), as Iceberg's temporal transforms need.
@inline(__always)
func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
    let q = a / b
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q
}

/// Floored modulo, in `0..<|b|` for positive `b`.
@inline(__always)
func floorMod(_ a: Int64, _ b: Int64) -> Int64 {
    let r = a % b
    return (r != 0 && ((r < 0) != (b < 0))) ? r + b : r
}
