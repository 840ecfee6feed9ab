import Columnar
import Database
import Tables

/// Values of DuckDB's inlined tables (`ducklake_inlined_data_<table>_<version>`) as
/// Columnar values. On SQLite DuckDB keeps integers and booleans as integers, blobs as blobs
/// and everything else as its VARCHAR text; on PostgreSQL it uses native types, but strings
/// and JSON as bytea, timestamps and nested values as text. Nested values are DuckDB's
/// literals: `[1, NULL]`, `{'x': 1, 'y': a b}`, `{k=1}`, strings quoted when they must be.
enum InlinedValues {
    static func value(_ sql: SQLValue, type: DataType) -> Value? {
        switch sql {
        case .null:
            return .null
        case .boolean(let b):
            return type == .boolean ? .bool(b) : nil
        case .integer(let i):
            switch type {
            case .boolean: return .bool(i != 0)
            case .int8, .int16, .int32, .int64: return .int(i)
            case .uint8, .uint16, .uint32, .uint64: return i >= 0 ? .uint(UInt64(i)) : nil
            case .float16, .float32, .float64: return .double(Double(i))
            case .decimal(_, let scale):
                var unscaled = Int128(i)
                for _ in 0..<scale { unscaled *= 10 }
                return .decimal(unscaled, scale: scale)
            default: return text(String(i), type: type)
            }
        case .real(let d):
            switch type {
            case .float16, .float32, .float64: return .double(d)
            default: return text(DuckText.double(d), type: type)
            }
        case .blob(let bytes):
            switch type {
            case .binary, .fixedSizeBinary: return .binary(bytes)
            case .uuid: return bytes.count == 16 ? .binary(bytes) : nil
            default: return text(String(decoding: bytes, as: UTF8.self), type: type)
            }
        case .text(let string):
            return text(string, type: type)
        }
    }

    /// A value from DuckDB's text form.
    static func text(_ string: String, type: DataType) -> Value? {
        switch type {
        case .string, .null: return .string(string)
        case .uint8, .uint16, .uint32: return UInt64(string.trimmingSpaces()).map { .uint($0) }
        case .uint64: return UInt64(string.trimmingSpaces()).map { .uint($0) }
        case .uuid:
            let hex = string.filter { $0 != "-" && $0 != "{" && $0 != "}" }
            return DuckText.parseHex(hex).flatMap { $0.count == 16 ? .binary($0) : nil }
        case .binary, .fixedSizeBinary:
            return .binary(unescapeBlob(string))
        case .date:
            guard case .date(let days)? = DuckText.parse(string, type: .date) else { return nil }
            return .date(days)
        case .list, .structure, .map:
            var parser = NestedLiteral(Array(string.utf8))
            return parser.parse(type)
        default:
            return DuckText.parse(string, type: type)
        }
    }

    /// DuckDB's blob text: printable bytes as they are, others as `\xAB`.
    static func unescapeBlob(_ text: String) -> [UInt8] {
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "\\"), index + 3 < bytes.count, bytes[index + 1] == UInt8(ascii: "x"),
                let value = DuckText.parseHex(String(decoding: bytes[(index + 2)...(index + 3)], as: UTF8.self))
            {
                out += value
                index += 4
            } else {
                out.append(bytes[index])
                index += 1
            }
        }
        return out
    }
}

/// A reader of DuckDB's nested literals, guided by the expected type.
struct NestedLiteral {
    private let bytes: [UInt8]
    private var position = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    mutating func parse(_ type: DataType) -> Value? {
        let value = element(type, terminators: [])
        skipSpaces()
        return position == bytes.count ? value : nil
    }

    private mutating func skipSpaces() {
        while position < bytes.count, bytes[position] == 0x20 || bytes[position] == 0x09 || bytes[position] == 0x0A {
            position += 1
        }
    }

    private mutating func expect(_ byte: UInt8) -> Bool {
        skipSpaces()
        guard position < bytes.count, bytes[position] == byte else { return false }
        position += 1
        return true
    }

    /// One value of `type`, ending before a terminator at depth 0.
    private mutating func element(_ type: DataType, terminators: Set<UInt8>) -> Value? {
        skipSpaces()
        switch type {
        case .list(let element):
            if isNullToken(terminators) { return .null }
            guard expect(UInt8(ascii: "[")) else { return nil }
            var items: [Value] = []
            if expect(UInt8(ascii: "]")) { return .list(items) }
            while true {
                guard let item = self.element(element.type, terminators: [UInt8(ascii: ","), UInt8(ascii: "]")]) else {
                    return nil
                }
                items.append(item)
                if expect(UInt8(ascii: ",")) { continue }
                guard expect(UInt8(ascii: "]")) else { return nil }
                return .list(items)
            }
        case .structure(let fields):
            if isNullToken(terminators) { return .null }
            guard expect(UInt8(ascii: "{")) else { return nil }
            var values = [Value](repeating: .null, count: fields.count)
            if expect(UInt8(ascii: "}")) { return .structure(values) }
            while true {
                guard case .string(let name)? = scalarText(terminators: [UInt8(ascii: ":")]), expect(UInt8(ascii: ":")) else {
                    return nil
                }
                let index = fields.firstIndex { $0.name == name }
                let fieldType = index.map { fields[$0].type } ?? .string
                guard let value = self.element(fieldType, terminators: [UInt8(ascii: ","), UInt8(ascii: "}")]) else {
                    return nil
                }
                if let index { values[index] = value }
                if expect(UInt8(ascii: ",")) { continue }
                guard expect(UInt8(ascii: "}")) else { return nil }
                return .structure(values)
            }
        case .map(let key, let value):
            if isNullToken(terminators) { return .null }
            guard expect(UInt8(ascii: "{")) else { return nil }
            var entries: [Value.MapEntry] = []
            if expect(UInt8(ascii: "}")) { return .map(entries) }
            while true {
                guard let k = self.element(key.type, terminators: [UInt8(ascii: "=")]), expect(UInt8(ascii: "=")),
                    let v = self.element(value.type, terminators: [UInt8(ascii: ","), UInt8(ascii: "}")])
                else { return nil }
                entries.append(Value.MapEntry(key: k, value: v))
                if expect(UInt8(ascii: ",")) { continue }
                guard expect(UInt8(ascii: "}")) else { return nil }
                return .map(entries)
            }
        default:
            guard let token = scalarText(terminators: terminators) else { return nil }
            guard case .string(let text) = token else { return .null }
            return InlinedValues.text(text, type: type)
        }
    }

    private mutating func isNullToken(_ terminators: Set<UInt8>) -> Bool {
        let start = position
        guard let token = scalarTextIfBare(terminators: terminators), token == "NULL" else {
            position = start
            return false
        }
        return true
    }

    private mutating func scalarTextIfBare(terminators: Set<UInt8>) -> String? {
        skipSpaces()
        guard position < bytes.count, bytes[position] != UInt8(ascii: "'"), bytes[position] != UInt8(ascii: "\""),
            bytes[position] != UInt8(ascii: "["), bytes[position] != UInt8(ascii: "{")
        else { return nil }
        let start = position
        while position < bytes.count, !terminators.contains(bytes[position]) { position += 1 }
        return String(decoding: bytes[start..<position], as: UTF8.self).trimmingSpaces()
    }

    /// A quoted string (`'a\'b'`, `"x"`), a bare word (spaces inside kept, around trimmed)
    /// or the bare word NULL (returned as `.null`).
    private mutating func scalarText(terminators: Set<UInt8>) -> Value? {
        skipSpaces()
        guard position < bytes.count else { return terminators.isEmpty ? .string("") : nil }
        let quote = bytes[position]
        if quote == UInt8(ascii: "'") || quote == UInt8(ascii: "\"") {
            position += 1
            var out: [UInt8] = []
            while position < bytes.count {
                let byte = bytes[position]
                position += 1
                if byte == UInt8(ascii: "\\"), position < bytes.count {
                    out.append(bytes[position])
                    position += 1
                } else if byte == quote {
                    if position < bytes.count, bytes[position] == quote {
                        out.append(quote)
                        position += 1
                    } else {
                        return .string(String(decoding: out, as: UTF8.self))
                    }
                } else {
                    out.append(byte)
                }
            }
            return nil
        }
        // Bare: up to a terminator outside brackets.
        let start = position
        var depth = 0
        while position < bytes.count {
            let byte = bytes[position]
            if depth == 0 && terminators.contains(byte) { break }
            if byte == UInt8(ascii: "[") || byte == UInt8(ascii: "{") { depth += 1 }
            if byte == UInt8(ascii: "]") || byte == UInt8(ascii: "}") {
                if depth == 0 { break }
                depth -= 1
            }
            position += 1
        }
        let text = String(decoding: bytes[start..<position], as: UTF8.self).trimmingSpaces()
        return text == "NULL" ? .null : .string(text)
    }
}
