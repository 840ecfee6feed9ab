import PostgresNIO

/// SQLValue <-> PostgreSQL's wire formats.
enum PostgresValues {
    /// Integers, doubles, booleans and blobs go as typed binary values (int8, float8, bool, bytea);
    /// PostgreSQL casts them on assignment to narrower columns. Text and NULL go without a type
    /// (OID 0), so the server infers it from the context as it does for a quoted literal: a text
    /// bind fills timestamptz, uuid, numeric or jsonb columns, and a NULL fills any column. Where
    /// nothing gives it a type (`? IS NULL` alone), the SQL must cast: CAST(? AS TEXT).
    static func bindings(_ values: [SQLValue]) -> PostgresBindings {
        var bindings = PostgresBindings(capacity: values.count)
        for value in values {
            switch value {
            case .null:
                bindings.appendNull()
            case .integer(let v):
                bindings.append(v)
            case .real(let v):
                bindings.append(v)
            case .boolean(let v):
                bindings.append(v)
            case .text(let v):
                bindings.append(RawBind(psqlType: .null, psqlFormat: .text, bytes: ByteBuffer(string: v)))
            case .blob(let v):
                bindings.append(RawBind(psqlType: .bytea, psqlFormat: .binary, bytes: ByteBuffer(bytes: v)))
            }
        }
        return bindings
    }

    struct RawBind: PostgresDynamicTypeEncodable {
        let psqlType: PostgresDataType
        let psqlFormat: PostgresFormat
        let bytes: ByteBuffer

        func encode<JSONEncoder: PostgresJSONEncoder>(
            into byteBuffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>
        ) {
            byteBuffer.writeImmutableBuffer(bytes)
        }
    }

    /// Decodes one cell by its column's type. postgres-nio asks for binary results.
    static func value(_ cell: PostgresCell) throws(DatabaseError) -> SQLValue {
        guard var buffer = cell.bytes else { return .null }
        if cell.format == .text { return .text(buffer.readString(length: buffer.readableBytes) ?? "") }
        let decoded: SQLValue?
        switch cell.dataType {
        case .int2: decoded = buffer.readInteger(as: Int16.self).map { .integer(Int64($0)) }
        case .int4: decoded = buffer.readInteger(as: Int32.self).map { .integer(Int64($0)) }
        case .int8: decoded = buffer.readInteger(as: Int64.self).map { .integer($0) }
        case .oid, .regproc: decoded = buffer.readInteger(as: UInt32.self).map { .integer(Int64($0)) }
        case .float4: decoded = buffer.readInteger(as: UInt32.self).map { .real(Double(Float(bitPattern: $0))) }
        case .float8: decoded = buffer.readInteger(as: UInt64.self).map { .real(Double(bitPattern: $0)) }
        case .bool: decoded = buffer.readInteger(as: UInt8.self).map { .boolean($0 != 0) }
        case .text, .varchar, .bpchar, .name, .char, .json, .xml:
            decoded = buffer.readString(length: buffer.readableBytes).map { .text($0) }
        case .jsonb:
            decoded = buffer.readInteger(as: UInt8.self) == 1 ? buffer.readString(length: buffer.readableBytes).map { .text($0) } : nil
        case .bytea: decoded = .blob(buffer.readBytes(length: buffer.readableBytes) ?? [])
        case .numeric: decoded = numeric(&buffer).map { .text($0) }
        case .timestamptz: decoded = buffer.readInteger(as: Int64.self).map { .text(timestamp($0, zone: "Z")) }
        case .timestamp: decoded = buffer.readInteger(as: Int64.self).map { .text(timestamp($0, zone: "")) }
        case .date: decoded = buffer.readInteger(as: Int32.self).map { .text(date($0)) }
        case .uuid: decoded = buffer.readBytes(length: 16).map { .text(uuid($0)) }
        case .void: decoded = .null
        default:
            throw DatabaseError(
                .typeMismatch,
                message: "column \(cell.columnName) has PostgreSQL type OID \(cell.dataType.rawValue), which is not decoded: cast it in SQL (::text)")
        }
        guard let decoded else {
            throw DatabaseError(.typeMismatch, message: "column \(cell.columnName): malformed \(cell.dataType) value from the server")
        }
        return decoded
    }

    /// numeric's binary form: ndigits, weight, sign, dscale, then base-10000 digits; rendered as
    /// PostgreSQL renders it in text (exact, with dscale fraction digits).
    static func numeric(_ buffer: inout ByteBuffer) -> String? {
        guard let ndigits = buffer.readInteger(as: Int16.self), let weight = buffer.readInteger(as: Int16.self),
            let sign = buffer.readInteger(as: UInt16.self), let dscale = buffer.readInteger(as: Int16.self),
            ndigits >= 0, dscale >= 0
        else { return nil }
        switch sign {
        case 0xC000: return "NaN"
        case 0xD000: return "Infinity"
        case 0xF000: return "-Infinity"
        case 0x0000, 0x4000: break
        default: return nil
        }
        var digits: [Int] = []
        for _ in 0..<ndigits {
            guard let digit = buffer.readInteger(as: Int16.self) else { return nil }
            digits.append(Int(digit))
        }
        func digit(_ k: Int) -> Int { k >= 0 && k < digits.count ? digits[k] : 0 }
        var text = sign == 0x4000 ? "-" : ""
        if weight < 0 {
            text += "0"
        } else {
            text += String(digit(0))
            for k in stride(from: 1, through: Int(weight), by: 1) { text += pad4(digit(k)) }
        }
        if dscale > 0 {
            var fraction = ""
            var k = Int(weight) + 1
            while fraction.count < Int(dscale) {
                fraction += pad4(digit(k))
                k += 1
            }
            text += "." + fraction.prefix(Int(dscale))
        }
        return text
    }

    private static func pad4(_ value: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    /// Microseconds since 2000-01-01 00:00:00 as ISO 8601, e.g. 2024-05-06T07:08:09.123456Z
    /// (fraction only when nonzero, trailing zeros dropped).
    static func timestamp(_ microseconds: Int64, zone: String) -> String {
        if microseconds == .max { return "infinity" }
        if microseconds == .min { return "-infinity" }
        let perDay: Int64 = 86_400_000_000
        var days = microseconds / perDay
        var rest = microseconds % perDay
        if rest < 0 {
            rest += perDay
            days -= 1
        }
        let seconds = rest / 1_000_000
        let fraction = rest % 1_000_000
        var text = date(days) + "T" + two(seconds / 3600) + ":" + two(seconds / 60 % 60) + ":" + two(seconds % 60)
        if fraction != 0 {
            var digits = String(fraction)
            digits = String(repeating: "0", count: 6 - digits.count) + digits
            while digits.hasSuffix("0") { digits.removeLast() }
            text += "." + digits
        }
        return text + zone
    }

    static func date(_ days: Int32) -> String {
        if days == .max { return "infinity" }
        if days == .min { return "-infinity" }
        return date(Int64(days))
    }

    /// Days since 2000-01-01 as YYYY-MM-DD (proleptic Gregorian; Howard Hinnant's civil_from_days).
    private static func date(_ daysSince2000: Int64) -> String {
        let z = daysSince2000 + 10_957 + 719_468  // to days since 1970-01-01, then since 0000-03-01
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        let yearText = String(abs(year))
        return (year < 0 ? "-" : "") + String(repeating: "0", count: max(0, 4 - yearText.count)) + yearText
            + "-" + two(month) + "-" + two(day)
    }

    private static func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : String(value) }

    private static func uuid(_ bytes: [UInt8]) -> String {
        let hex = Array("0123456789abcdef")
        var text = ""
        text.reserveCapacity(36)
        for (index, byte) in bytes.enumerated() {
            if index == 4 || index == 6 || index == 8 || index == 10 { text.append("-") }
            text.append(hex[Int(byte >> 4)])
            text.append(hex[Int(byte & 0x0f)])
        }
        return text
    }
}
