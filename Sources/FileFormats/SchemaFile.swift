import Columnar
import JSONFormat

/// A small JSON document tree, for configuration-sized inputs (schema files), never for data.
indirect enum JSONDocument: Equatable {
    case null
    case bool(Bool)
    case number(String)
    case string(String)
    case array([JSONDocument])
    /// Members in document order.
    case object([(String, JSONDocument)])

    static func == (a: JSONDocument, b: JSONDocument) -> Bool {
        switch (a, b) {
        case (.null, .null): true
        case (.bool(let x), .bool(let y)): x == y
        case (.number(let x), .number(let y)), (.string(let x), .string(let y)): x == y
        case (.array(let x), .array(let y)): x == y
        case (.object(let x), .object(let y)): x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: false
        }
    }

    static func parse(_ bytes: [UInt8]) throws -> JSONDocument {
        var builder = Builder()
        var parser = JSONParser()
        try bytes.withUnsafeBytes { try parser.parse($0, into: &builder) }
        return builder.result ?? .null
    }

    private struct Builder: JSONVisitor {
        var stack: [(key: String?, items: [(String, JSONDocument)], isObject: Bool)] = []
        var pendingKey: String?
        var result: JSONDocument?

        mutating func add(_ value: JSONDocument) {
            guard !stack.isEmpty else {
                result = value
                return
            }
            stack[stack.count - 1].items.append((pendingKey ?? "", value))
            pendingKey = nil
        }

        mutating func beginObject() throws {
            stack.append((pendingKey, [], true))
            pendingKey = nil
        }
        mutating func key(_ utf8: UnsafeRawBufferPointer) throws { pendingKey = String(decoding: utf8, as: UTF8.self) }
        mutating func endObject() throws {
            let frame = stack.removeLast()
            pendingKey = frame.key
            add(.object(frame.items))
        }
        mutating func beginArray() throws {
            stack.append((pendingKey, [], false))
            pendingKey = nil
        }
        mutating func endArray() throws {
            let frame = stack.removeLast()
            pendingKey = frame.key
            add(.array(frame.items.map(\.1)))
        }
        mutating func string(_ utf8: UnsafeRawBufferPointer) throws { add(.string(String(decoding: utf8, as: UTF8.self))) }
        mutating func number(_ text: UnsafeRawBufferPointer, kind: JSONNumberKind) throws {
            add(.number(String(decoding: text, as: UTF8.self)))
        }
        mutating func bool(_ value: Bool) throws { add(.bool(value)) }
        mutating func null() throws { add(.null) }
    }
}

/// Schema files (`--schema FILE`): JSON, either
/// `{"fields": [{"name": "id", "type": "int64", "nullable": false}, …]}` or, shorter,
/// `{"id": "int64", "tags": "list<string>", …}` (members in order). Types are spelled as
/// `DataType.description` prints them, with common aliases (see `DataType(parsing:)`).
public enum SchemaFile {
    public static func parse(_ bytes: [UInt8], path: String? = nil) throws(FileFormatError) -> Schema {
        let document: JSONDocument
        do {
            document = try JSONDocument.parse(bytes)
        } catch let error as JSONError {
            throw FileFormatError(.syntax, error.reason, path: path, line: error.line, offset: error.offset)
        } catch {
            throw FileFormatError(.syntax, "\(error)", path: path)
        }
        guard case .object(let members) = document else {
            throw FileFormatError(.invalidArgument, "a schema file holds a JSON object", path: path)
        }
        var fields: [Field] = []
        if members.count == 1, members[0].0 == "fields", case .array(let list) = members[0].1 {
            for (position, entry) in list.enumerated() {
                guard case .object(let attributes) = entry,
                    case .string(let name)? = attributes.first(where: { $0.0 == "name" })?.1,
                    case .string(let typeText)? = attributes.first(where: { $0.0 == "type" })?.1
                else {
                    throw FileFormatError(
                        .invalidArgument, "field \(position + 1) needs a \"name\" and a \"type\" (strings)", path: path)
                }
                let nullable: Bool
                if case .bool(let flag)? = attributes.first(where: { $0.0 == "nullable" })?.1 {
                    nullable = flag
                } else {
                    nullable = true
                }
                fields.append(Field(name, try type(typeText, field: name, path: path), nullable: nullable))
            }
        } else {
            for (name, value) in members {
                guard case .string(let typeText) = value else {
                    throw FileFormatError(.invalidArgument, "the type of '\(name)' must be a string", path: path)
                }
                fields.append(Field(name, try type(typeText, field: name, path: path)))
            }
        }
        guard !fields.isEmpty else { throw FileFormatError(.invalidArgument, "the schema has no fields", path: path) }
        var seen: Set<String> = []
        for field in fields where !seen.insert(field.name).inserted {
            throw FileFormatError(.invalidArgument, "the field '\(field.name)' appears twice", path: path)
        }
        return Schema(fields)
    }

    private static func type(_ text: String, field: String, path: String?) throws(FileFormatError) -> DataType {
        guard let type = DataType(parsing: text) else {
            throw FileFormatError(
                .invalidArgument,
                "'\(text)' is not a type (e.g. int64, float64, string, bool, date, timestamp[us, UTC], decimal(18, 2), list<string>, struct<a: int64>)",
                path: path, column: field)
        }
        return type
    }
}
