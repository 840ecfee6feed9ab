import Columnar
import JSONFormat

// The build side of JSON reading: a tree of slots that mirrors the columns, each holding the
// builder its values go to. `JSONRecordBuilder` walks it with the parser's events.

/// Where one JSON value goes.
enum JSONSlot {
    /// An object whose members have slots of their own: a struct column (its builder set),
    /// or, when flattening, a group of top-level columns (no builder).
    case object(JSONObjectSlot)
    /// A scalar column of one kind. A string column also takes, as JSON text, values of any
    /// other kind when conflicts are widened.
    case scalar(JSONScalarSlot)
    /// A list column and the slot of its elements.
    case list(JSONListSlot)
    /// A value nobody asked for (an explicit schema without it): checked, then dropped.
    case ignored
}

final class JSONScalarSlot {
    let builder: ColumnBuilder
    let kind: ScalarKind
    /// The column's path, for errors.
    let name: String
    /// Whether a string column takes other kinds as JSON text.
    let takesText: Bool

    init(builder: ColumnBuilder, kind: ScalarKind, name: String, takesText: Bool) {
        self.builder = builder
        self.kind = kind
        self.name = name
        self.takesText = takesText
    }
}

final class JSONListSlot {
    let builder: ColumnBuilder
    let element: JSONSlot
    let name: String

    init(builder: ColumnBuilder, element: JSONSlot, name: String) {
        self.builder = builder
        self.element = element
        self.name = name
    }
}

/// What to do with a key an object slot does not know.
enum UnknownKeyRule {
    /// Report it: the caller may add columns (flattened objects, inferred schema).
    case grow
    /// The record is bad (a struct whose fields were fixed by the inference sample).
    case reject
    /// Drop the value (an explicit schema names the columns wanted).
    case ignore
    /// Look the flattened name (`prefix` + key) up in an explicit schema.
    case resolve(JSONSchemaResolver, prefix: String)
}

/// Finds the slot of a key under a flattened object in an explicit schema: the column named
/// by the keys joined with the separator, or, when columns start with that name and the
/// separator, an object whose members resolve the same way; otherwise nothing (dropped).
final class JSONSchemaResolver {
    private let byName: [String: (DataType, ColumnBuilder)]
    private let prefixes: Set<String>
    private let separator: String
    private let widen: Bool

    init(columns: [JSONColumn], builders: [ColumnBuilder], separator: String, widen: Bool) {
        var byName: [String: (DataType, ColumnBuilder)] = [:]
        var prefixes: Set<String> = []
        for (column, builder) in zip(columns, builders) {
            byName[column.name] = (column.type, builder)
            // Every proper prefix that ends just before a separator may be an object.
            let name = Array(column.name.utf8)
            let mark = Array(separator.utf8)
            if !mark.isEmpty && name.count > mark.count {
                for end in 1..<(name.count - mark.count) where name[end..<(end + mark.count)].elementsEqual(mark) {
                    prefixes.insert(String(decoding: name[..<end], as: UTF8.self))
                }
            }
        }
        self.byName = byName
        self.prefixes = prefixes
        self.separator = separator
        self.widen = widen
    }

    func slot(_ name: String) -> JSONSlot {
        if let (type, builder) = byName[name] {
            return JSONSlotTree.slot(type, builder, name: name, widen: widen, structRule: .ignore)
        }
        if prefixes.contains(name) {
            return .object(
                JSONObjectSlot(builder: nil, name: name, unknownKeys: .resolve(self, prefix: name + separator)))
        }
        return .ignored
    }
}

final class JSONObjectSlot {
    /// The struct builder, nil for a flattened object.
    let builder: ColumnBuilder?
    let name: String
    let unknownKeys: UnknownKeyRule
    private(set) var keys: [[UInt8]] = []
    private(set) var members: [JSONSlot] = []
    private var index: [[UInt8]: Int] = [:]
    /// The member expected next: records usually keep their keys in one order.
    var predicted = 0

    init(builder: ColumnBuilder?, name: String, unknownKeys: UnknownKeyRule) {
        self.builder = builder
        self.name = name
        self.unknownKeys = unknownKeys
    }

    func add(key: [UInt8], slot: JSONSlot) {
        index[key] = keys.count
        keys.append(key)
        members.append(slot)
    }

    func existing(_ key: [UInt8]) -> JSONSlot? { index[key].map { members[$0] } }

    @inline(__always)
    func member(_ key: UnsafeRawBufferPointer) -> JSONSlot? {
        let guess = predicted
        if guess < keys.count {
            let matches = keys[guess].withUnsafeBytes { known in
                known.count == key.count && (key.count == 0 || memcmp(known.baseAddress!, key.baseAddress!, key.count) == 0)
            }
            if matches {
                predicted = guess + 1
                return members[guess]
            }
        }
        guard let found = index[[UInt8](key)] else { return nil }
        predicted = found + 1
        return members[found]
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A column of JSON records: its name in the output, the keys that lead to it, its type.
struct JSONColumn {
    var name: String
    var path: [[UInt8]]
    var type: DataType
}

/// Builds the slot tree for `columns` (top-level builders given), sharing flattened groups.
struct JSONSlotTree {
    let root: JSONSlot
    /// The root object when records are objects (nil for a `value` column).
    let rootObject: JSONObjectSlot?

    /// `columns` with paths of one key or more (records are objects), or one column with an
    /// empty path (records are bare values).
    init(
        columns: [JSONColumn], builders: [ColumnBuilder], widen: Bool, flatten: Bool, explicitSchema: Bool,
        separator: String
    ) {
        let structRule: UnknownKeyRule = explicitSchema ? .ignore : .reject
        if columns.count == 1, columns[0].path.isEmpty {
            root = Self.slot(columns[0].type, builders[0], name: columns[0].name, widen: widen, structRule: structRule)
            rootObject = nil
            return
        }
        if explicitSchema && flatten {
            // Columns are found by name as keys arrive.
            let resolver = JSONSchemaResolver(columns: columns, builders: builders, separator: separator, widen: widen)
            let top = JSONObjectSlot(builder: nil, name: "", unknownKeys: .resolve(resolver, prefix: ""))
            root = .object(top)
            rootObject = top
            return
        }
        let groupRule: UnknownKeyRule = explicitSchema ? .ignore : (flatten ? .grow : .reject)
        let top = JSONObjectSlot(builder: nil, name: "", unknownKeys: explicitSchema ? .ignore : .grow)
        for (column, builder) in zip(columns, builders) {
            var object = top
            for (depth, key) in column.path.enumerated() {
                if depth == column.path.count - 1 {
                    object.add(
                        key: key,
                        slot: Self.slot(column.type, builder, name: column.name, widen: widen, structRule: structRule))
                } else if case .object(let inner)? = object.existing(key) {
                    object = inner
                } else {
                    let name = column.path[0...depth].map { String(decoding: $0, as: UTF8.self) }.joined(separator: ".")
                    let inner = JSONObjectSlot(builder: nil, name: name, unknownKeys: groupRule)
                    object.add(key: key, slot: .object(inner))
                    object = inner
                }
            }
        }
        root = .object(top)
        rootObject = top
    }

    static func slot(_ type: DataType, _ builder: ColumnBuilder, name: String, widen: Bool, structRule: UnknownKeyRule)
        -> JSONSlot
    {
        switch type {
        case .list(let element):
            let child = slot(element.type, builder.children[0], name: name + "[]", widen: widen, structRule: structRule)
            return .list(JSONListSlot(builder: builder, element: child, name: name))
        case .structure(let fields):
            let object = JSONObjectSlot(builder: builder, name: name, unknownKeys: structRule)
            for (field, child) in zip(fields, builder.children) {
                object.add(
                    key: Array(field.name.utf8),
                    slot: slot(field.type, child, name: name + "." + field.name, widen: widen, structRule: structRule))
            }
            return .object(object)
        default:
            let kind: ScalarKind
            switch type {
            case .boolean: kind = .boolean
            case .int8, .int16, .int32, .int64, .uint8, .uint16, .uint32, .uint64: kind = .integer
            case .float16, .float32, .float64, .decimal: kind = .double
            case .date: kind = .date
            case .timestamp(_, let utc): kind = utc ? .timestampZoned : .timestamp
            default: kind = .string
            }
            return .scalar(JSONScalarSlot(builder: builder, kind: kind, name: name, takesText: widen && kind == .string))
        }
    }
}
