/// One value of any column type. This is the slow, convenient form for tests, display,
/// inference and small inputs; hot paths work on `Column` buffers directly.
public enum Value: Hashable, Sendable {
    case null
    case bool(Bool)
    case int(Int64)
    case uint(UInt64)
    case double(Double)
    /// Unscaled value and scale: `decimal(12345, scale: 2)` is 123.45.
    case decimal(Int128, scale: Int)
    case string(String)
    case binary([UInt8])
    /// Days since 1970-01-01.
    case date(Int64)
    case time(Int64, TimeUnit)
    case timestamp(Int64, TimeUnit, utc: Bool)
    case list([Value])
    /// Field values in the order of the struct type's fields.
    case structure([Value])
    case map([MapEntry])

    public struct MapEntry: Hashable, Sendable {
        public var key: Value
        public var value: Value
        public init(key: Value, value: Value) {
            self.key = key
            self.value = value
        }
    }

    var kindName: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .int, .uint: return "an integer"
        case .double: return "a float"
        case .decimal: return "a decimal"
        case .string: return "a string"
        case .binary: return "bytes"
        case .date: return "a date"
        case .time: return "a time"
        case .timestamp: return "a timestamp"
        case .list: return "a list"
        case .structure: return "a struct"
        case .map: return "a map"
        }
    }
}

extension Column {
    /// Value `index` as a `Value` (slow path).
    public func value(at index: Int) -> Value {
        if isNull(index) { return .null }
        switch type {
        case .null: return .null
        case .boolean: return .bool(value(at: index, as: UInt8.self) != 0)
        case .int8: return .int(Int64(value(at: index, as: Int8.self)))
        case .int16: return .int(Int64(value(at: index, as: Int16.self)))
        case .int32: return .int(Int64(value(at: index, as: Int32.self)))
        case .int64: return .int(value(at: index, as: Int64.self))
        case .uint8: return .uint(UInt64(value(at: index, as: UInt8.self)))
        case .uint16: return .uint(UInt64(value(at: index, as: UInt16.self)))
        case .uint32: return .uint(UInt64(value(at: index, as: UInt32.self)))
        case .uint64: return .uint(value(at: index, as: UInt64.self))
        case .float16: return .double(Double(Float16Bits.toFloat(value(at: index, as: UInt16.self))))
        case .float32: return .double(Double(value(at: index, as: Float.self)))
        case .float64: return .double(value(at: index, as: Double.self))
        case .decimal(_, let scale): return .decimal(value(at: index, as: Int128.self), scale: scale)
        case .string: return .string(string(at: index))
        case .binary: return .binary(withBytes(at: index) { Array($0) })
        case .fixedSizeBinary, .uuid:
            let w = type.byteWidth!
            return .binary(values.withUnsafeBytes { Array($0[(index * w)..<((index + 1) * w)]) })
        case .date: return .date(Int64(value(at: index, as: Int32.self)))
        case .time(let unit): return .time(value(at: index, as: Int64.self), unit)
        case .timestamp(let unit, let utc): return .timestamp(value(at: index, as: Int64.self), unit, utc: utc)
        case .list:
            return .list(range(at: index).map { children[0].value(at: $0) })
        case .map:
            return .map(range(at: index).map { .init(key: children[0].value(at: $0), value: children[1].value(at: $0)) })
        case .structure:
            return .structure(children.map { $0.value(at: index) })
        }
    }
}

/// IEEE half-precision conversion (Swift's `Float16` is unavailable on some platforms).
public enum Float16Bits {
    public static func toFloat(_ bits: UInt16) -> Float {
        let sign = UInt32(bits >> 15) << 31
        let exponent = Int((bits >> 10) & 0x1F)
        let mantissa = UInt32(bits & 0x3FF)
        if exponent == 0 {
            // Subnormal or zero: value = mantissa * 2^-24.
            let magnitude = Float(mantissa) * (1.0 / 16_777_216.0)
            return sign != 0 ? -magnitude : magnitude
        }
        if exponent == 31 {
            return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13))
        }
        return Float(bitPattern: sign | (UInt32(exponent - 15 + 127) << 23) | (mantissa << 13))
    }
}
