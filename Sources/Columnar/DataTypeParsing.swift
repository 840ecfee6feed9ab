extension DataType {
    /// Reads a type as `description` spells it (`int64`, `decimal(10, 2)`, `timestamp[us, UTC]`,
    /// `list<string>`, `struct<a: int32, b: string>`, `map<string, int64>`,
    /// `fixed_size_binary[16]`), plus common aliases: `boolean`, `int`/`integer`/`bigint`,
    /// `float`/`real`, `double`, `text`/`varchar`, `bytes`, `date`, `time` (µs), `timestamp`
    /// (µs, local), `timestamptz` (µs, UTC). Nil when the text is not a type.
    public init?(parsing text: String) {
        var parser = TypeTextParser(Array(text.utf8))
        guard let type = parser.type(), parser.atEnd else { return nil }
        self = type
    }
}

private struct TypeTextParser {
    let bytes: [UInt8]
    var index = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var atEnd: Bool {
        mutating get {
            skipSpace()
            return index == bytes.count
        }
    }

    mutating func skipSpace() {
        while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x09 { index += 1 }
    }

    mutating func word() -> String {
        skipSpace()
        let start = index
        while index < bytes.count,
            bytes[index] == UInt8(ascii: "_") || (bytes[index] | 0x20) >= UInt8(ascii: "a") && (bytes[index] | 0x20) <= UInt8(ascii: "z")
                || bytes[index] >= UInt8(ascii: "0") && bytes[index] <= UInt8(ascii: "9")
        {
            index += 1
        }
        return String(decoding: bytes[start..<index], as: UTF8.self).lowercased()
    }

    /// A field name: up to the ':' (trimmed).
    mutating func fieldName() -> String? {
        skipSpace()
        let start = index
        while index < bytes.count, bytes[index] != UInt8(ascii: ":") { index += 1 }
        guard index < bytes.count else { return nil }
        var end = index
        while end > start, bytes[end - 1] == 0x20 { end -= 1 }
        index += 1
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }

    mutating func expect(_ byte: Character) -> Bool {
        skipSpace()
        guard index < bytes.count, bytes[index] == byte.asciiValue! else { return false }
        index += 1
        return true
    }

    mutating func peek(_ byte: Character) -> Bool {
        skipSpace()
        return index < bytes.count && bytes[index] == byte.asciiValue!
    }

    mutating func integer() -> Int? {
        let text = word()
        return Int(text)
    }

    mutating func unit() -> TimeUnit? {
        switch word() {
        case "ms": .millisecond
        case "us": .microsecond
        case "ns": .nanosecond
        default: nil
        }
    }

    mutating func type() -> DataType? {
        let name = word()
        switch name {
        case "null": return .null
        case "bool", "boolean": return .boolean
        case "int8", "tinyint": return .int8
        case "int16", "smallint": return .int16
        case "int32": return .int32
        case "int64", "int", "integer", "bigint", "long": return .int64
        case "uint8": return .uint8
        case "uint16": return .uint16
        case "uint32": return .uint32
        case "uint64": return .uint64
        case "float16", "halffloat": return .float16
        case "float32", "float", "real": return .float32
        case "float64", "double": return .float64
        case "string", "text", "varchar", "utf8": return .string
        case "binary", "bytes", "blob": return .binary
        case "date", "date32": return .date
        case "uuid": return .uuid
        case "timestamptz": return .timestamp(.microsecond, utc: true)
        case "decimal":
            guard expect("("), let precision = integer(), expect(","), let scale = integer(), expect(")"),
                (1...38).contains(precision), (0...precision).contains(scale)
            else { return nil }
            return .decimal(precision: precision, scale: scale)
        case "fixed_size_binary":
            guard expect("["), let width = integer(), width > 0, expect("]") else { return nil }
            return .fixedSizeBinary(width)
        case "time":
            guard peek("[") else { return .time(.microsecond) }
            guard expect("["), let unit = unit(), expect("]") else { return nil }
            return .time(unit)
        case "timestamp":
            guard peek("[") else { return .timestamp(.microsecond, utc: false) }
            guard expect("["), let unit = unit() else { return nil }
            var utc = false
            if expect(",") {
                guard word() == "utc" else { return nil }
                utc = true
            }
            guard expect("]") else { return nil }
            return .timestamp(unit, utc: utc)
        case "list":
            guard expect("<"), let element = type(), expect(">") else { return nil }
            return .list(Field("element", element))
        case "map":
            guard expect("<"), let key = type(), expect(","), let value = type(), expect(">") else { return nil }
            return .map(key: Field("key", key, nullable: false), value: Field("value", value))
        case "struct":
            guard expect("<") else { return nil }
            var fields: [Field] = []
            if expect(">") { return nil }
            repeat {
                guard let name = fieldName(), !name.isEmpty, let type = type() else { return nil }
                fields.append(Field(name, type))
            } while expect(",")
            guard expect(">") else { return nil }
            return .structure(fields)
        default:
            return nil
        }
    }
}
