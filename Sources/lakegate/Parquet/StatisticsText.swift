import Columnar
import ParquetFormat

/// Renders a column chunk's min/max statistics as text, decoding the PLAIN bytes with the
/// leaf's physical and logical type (dates as dates, decimals with their scale, …).
enum StatisticsText {
    static func minimum(_ stats: Statistics, element: SchemaElement?) -> String? {
        guard let bytes = stats.minValue ?? legacy(stats.min, element) else { return nil }
        return render(bytes, element)
    }

    static func maximum(_ stats: Statistics, element: SchemaElement?) -> String? {
        guard let bytes = stats.maxValue ?? legacy(stats.max, element) else { return nil }
        return render(bytes, element)
    }

    /// The deprecated min/max fields were written in signed order; they are meaningful only
    /// for signed numeric types.
    private static func legacy(_ bytes: [UInt8]?, _ element: SchemaElement?) -> [UInt8]? {
        guard let bytes, let element, let type = element.type else { return nil }
        switch type {
        case .int32, .int64, .float, .double, .boolean:
            if case .integer(_, false)? = element.logicalType { return nil }
            if let converted = element.convertedType, converted.name?.hasPrefix("UINT") == true { return nil }
            return bytes
        default:
            return nil
        }
    }

    static func render(_ bytes: [UInt8], _ element: SchemaElement?) -> String {
        guard let element, let type = element.type else { return hex(bytes) }
        let scale = decimalScale(element)
        func text(_ body: (inout [UInt8]) -> Void) -> String {
            var out: [UInt8] = []
            body(&out)
            return String(decoding: out, as: UTF8.self)
        }
        switch type {
        case .boolean where bytes.count >= 1:
            return bytes[0] != 0 ? "true" : "false"
        case .int32 where bytes.count >= 4:
            let value = bytes.withUnsafeBytes { $0.loadUnaligned(as: Int32.self) }
            if let scale { return text { TextFormatting.appendDecimal(Int128(value), scale: scale, to: &$0) } }
            switch element.logicalType {
            case .date?: return text { TextFormatting.appendDate(days: Int64(value), to: &$0) }
            case .time(_, .millis)?: return text { TextFormatting.appendTime(Int64(value), unit: .millisecond, to: &$0) }
            case .integer(_, false)?: return String(UInt32(bitPattern: value))
            default:
                if element.convertedType == .date { return text { TextFormatting.appendDate(days: Int64(value), to: &$0) } }
                return String(value)
            }
        case .int64 where bytes.count >= 8:
            let value = bytes.withUnsafeBytes { $0.loadUnaligned(as: Int64.self) }
            if let scale { return text { TextFormatting.appendDecimal(Int128(value), scale: scale, to: &$0) } }
            switch element.logicalType {
            case .timestamp(let utc, let unit)?:
                return text { TextFormatting.appendTimestamp(value, unit: columnarUnit(unit), utc: utc, to: &$0) }
            case .time(_, let unit)?:
                return text { TextFormatting.appendTime(value, unit: columnarUnit(unit), to: &$0) }
            case .integer(_, false)?:
                return String(UInt64(bitPattern: value))
            default:
                return String(value)
            }
        case .float where bytes.count >= 4:
            return String(bytes.withUnsafeBytes { $0.loadUnaligned(as: Float.self) })
        case .double where bytes.count >= 8:
            return String(bytes.withUnsafeBytes { $0.loadUnaligned(as: Double.self) })
        case .byteArray, .fixedLenByteArray:
            if let scale, bytes.count <= 16 { return text { TextFormatting.appendDecimal(bigEndian(bytes), scale: scale, to: &$0) } }
            if case .uuid? = element.logicalType, bytes.count == 16 {
                return text { out in bytes.withUnsafeBytes { TextFormatting.appendUUID($0, to: &out) } }
            }
            if case .float16? = element.logicalType, bytes.count == 2 {
                return String(Float16Bits.toFloat(UInt16(bytes[0]) | UInt16(bytes[1]) << 8))
            }
            let isText: Bool
            switch element.logicalType {
            case .string?, .json?, .enumType?: isText = true
            default: isText = element.convertedType == .utf8
            }
            if isText { return text { out in bytes.withUnsafeBytes { TextFormatting.appendJSONString($0, to: &out) } } }
            return hex(bytes)
        default:
            return hex(bytes)
        }
    }

    private static func decimalScale(_ element: SchemaElement) -> Int? {
        if case .decimal(let scale, _)? = element.logicalType { return Int(scale) }
        if element.convertedType == .decimal { return Int(element.scale ?? 0) }
        return nil
    }

    private static func columnarUnit(_ unit: ParquetFormat.TimeUnit) -> Columnar.TimeUnit {
        switch unit {
        case .millis: return .millisecond
        case .micros: return .microsecond
        case .nanos: return .nanosecond
        }
    }

    private static func bigEndian(_ bytes: [UInt8]) -> Int128 {
        guard let first = bytes.first else { return 0 }
        var value: Int128 = first & 0x80 != 0 ? -1 : 0
        for byte in bytes { value = value << 8 | Int128(byte) }
        return value
    }

    private static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef")
        let shown = bytes.prefix(32)
        return "0x" + String(shown.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 15)]] }) + (bytes.count > 32 ? "…" : "")
    }
}
