import Columnar
import JSONFormat

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// The build side of JSON reading: a tree of slots that mirrors the columns, each holding the
// builder its values go to. `JSONRecordBuilder` walks it with the parser's events.

/// A reference that costs no reference counting: the hot path switches over slots for every
/// value, and counted references made retain/release the largest cost of reading JSON. The
/// objects live in a `JSONSlotArena`, which whoever walks the slots keeps.
struct Unowned<Object: AnyObject> {
    private let reference: Unmanaged<Object>
    init(_ object: Object) { reference = .passUnretained(object) }

    /// The object as a counted reference (retained for as long as the caller keeps it).
    var object: Object { reference.takeUnretainedValue() }

    /// Calls `body` with the object and no retain/release around it: the hot path's way in.
    @inline(__always)
    func with<Result>(_ body: (Object) throws -> Result) rethrows -> Result {
        try reference._withUnsafeGuaranteedRef(body)
    }
}

/// Owns every slot object of a tree (slots refer to each other without counting).
final class JSONSlotArena {
    private var objects: [AnyObject] = []

    func keep<Object: AnyObject>(_ object: Object) -> Unowned<Object> {
        objects.append(object)
        return Unowned(object)
    }
}

/// Where one JSON value goes.
enum JSONSlot {
    /// An object whose members have slots of their own: a struct column (its builder set),
    /// or, when flattening, a group of top-level columns (no builder).
    case object(Unowned<JSONObjectSlot>)
    /// A scalar column of one kind. A string column also takes, as JSON text, values of any
    /// other kind when conflicts are widened.
    case scalar(Unowned<JSONScalarSlot>)
    /// A list column and the slot of its elements.
    case list(Unowned<JSONListSlot>)
    /// A value nobody asked for (an explicit schema without it): checked, then dropped.
    case ignored
}

final class JSONScalarSlot {
    /// Owned by the producer's builders (or by a parent builder's children).
    let builder: Unowned<ColumnBuilder>
    let kind: ScalarKind
    /// The column's path, for errors.
    let name: String
    /// Whether a string column takes other kinds as JSON text.
    let takesText: Bool
    /// The builder again, for calls that must not retain it (see `withBuilder`).
    private let unmanagedBuilder: Unmanaged<ColumnBuilder>

    init(builder: ColumnBuilder, kind: ScalarKind, name: String, takesText: Bool) {
        self.builder = Unowned(builder)
        unmanagedBuilder = Unmanaged.passUnretained(builder)
        self.kind = kind
        self.name = name
        self.takesText = takesText
    }
}

extension JSONScalarSlot {
    /// Calls `body` with the builder without retaining it around the (cross-module) calls:
    /// the producer owns every builder for as long as slots exist.
    @inline(__always)
    func withBuilder<Result>(_ body: (ColumnBuilder) throws -> Result) rethrows -> Result {
        try unmanagedBuilder._withUnsafeGuaranteedRef(body)
    }
}

final class JSONListSlot {
    let builder: Unowned<ColumnBuilder>
    let element: JSONSlot
    let name: String

    init(builder: ColumnBuilder, element: JSONSlot, name: String) {
        self.builder = Unowned(builder)
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
    private let arena: JSONSlotArena

    init(columns: [JSONColumn], builders: [ColumnBuilder], separator: String, widen: Bool, arena: JSONSlotArena) {
        self.arena = arena
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
            return JSONSlotTree.slot(type, builder, name: name, widen: widen, structRule: .ignore, arena: arena)
        }
        if prefixes.contains(name) {
            return .object(
                arena.keep(JSONObjectSlot(builder: nil, name: name, unknownKeys: .resolve(self, prefix: name + separator))))
        }
        return .ignored
    }
}

final class JSONObjectSlot {
    /// The struct builder, nil for a flattened object.
    let builder: Unowned<ColumnBuilder>?
    let name: String
    let unknownKeys: UnknownKeyRule
    /// The members' slots, in plain memory for the same reason as the keys.
    private var members: UnsafeMutablePointer<JSONSlot> = .allocate(capacity: 16)
    private var membersCapacity = 16
    private var index: [[UInt8]: Int] = [:]
    /// The keys' bytes one after another, and where each starts (`keyStarts[i]..<keyStarts[i+1]`):
    /// plain memory, so comparing a key costs no reference counting.
    private var keyBytes = UnsafeMutableRawPointer.allocate(byteCount: 256, alignment: 1)
    private var keyCapacity = 256
    private var keyStarts: UnsafeMutablePointer<Int> = .allocate(capacity: 17)
    private var keyStartsCapacity = 17
    private(set) var count = 0
    /// The member expected next: records usually keep their keys in one order.
    var predicted = 0

    init(builder: ColumnBuilder?, name: String, unknownKeys: UnknownKeyRule) {
        self.builder = builder.map(Unowned.init)
        self.name = name
        self.unknownKeys = unknownKeys
        keyStarts[0] = 0
    }

    deinit {
        keyBytes.deallocate()
        keyStarts.deallocate()
        members.deinitialize(count: count)
        members.deallocate()
    }

    func add(key: [UInt8], slot: JSONSlot) {
        index[key] = count
        if count == membersCapacity {
            let grown = UnsafeMutablePointer<JSONSlot>.allocate(capacity: membersCapacity * 2)
            grown.moveInitialize(from: members, count: count)
            members.deallocate()
            members = grown
            membersCapacity *= 2
        }
        (members + count).initialize(to: slot)
        let end = keyStarts[count]
        if end + key.count > keyCapacity {
            let grown = UnsafeMutableRawPointer.allocate(byteCount: max(keyCapacity * 2, end + key.count), alignment: 1)
            grown.copyMemory(from: keyBytes, byteCount: end)
            keyBytes.deallocate()
            keyBytes = grown
            keyCapacity = max(keyCapacity * 2, end + key.count)
        }
        if count + 2 > keyStartsCapacity {
            let grown = UnsafeMutablePointer<Int>.allocate(capacity: keyStartsCapacity * 2)
            grown.update(from: keyStarts, count: count + 1)
            keyStarts.deallocate()
            keyStarts = grown
            keyStartsCapacity *= 2
        }
        key.withUnsafeBytes { if let base = $0.baseAddress { (keyBytes + end).copyMemory(from: base, byteCount: key.count) } }
        count += 1
        keyStarts[count] = end + key.count
    }

    func existing(_ key: [UInt8]) -> JSONSlot? { index[key].map { members[$0] } }

    @inline(__always)
    func member(_ key: UnsafeRawBufferPointer) -> JSONSlot? {
        let guess = predicted
        if guess < count {
            let start = keyStarts[guess]
            let length = keyStarts[guess + 1] - start
            if length == key.count && (length == 0 || memcmp(keyBytes + start, key.baseAddress!, length) == 0) {
                predicted = guess + 1
                return members[guess]
            }
        }
        // Out of the usual order (an optional key was absent): objects are small, so a scan
        // of the keys costs less than hashing a copy of the key.
        if count <= 32 {
            for candidate in 0..<count where candidate != guess {
                let start = keyStarts[candidate]
                let length = keyStarts[candidate + 1] - start
                if length == key.count && (length == 0 || memcmp(keyBytes + start, key.baseAddress!, length) == 0) {
                    predicted = candidate + 1
                    return members[candidate]
                }
            }
            return nil
        }
        guard let found = index[[UInt8](key)] else { return nil }
        predicted = found + 1
        return members[found]
    }
}

/// A column of JSON records: its name in the output, the keys that lead to it, its type.
struct JSONColumn {
    var name: String
    var path: [[UInt8]]
    var type: DataType
}

/// Builds the slot tree for `columns` (top-level builders given), sharing flattened groups.
struct JSONSlotTree {
    let root: JSONSlot
    /// Owns the slots.
    let arena = JSONSlotArena()

    /// `columns` with paths of one key or more (records are objects), or one column with an
    /// empty path (records are bare values).
    init(
        columns: [JSONColumn], builders: [ColumnBuilder], widen: Bool, flatten: Bool, explicitSchema: Bool,
        separator: String
    ) {
        let structRule: UnknownKeyRule = explicitSchema ? .ignore : .reject
        if columns.count == 1, columns[0].path.isEmpty {
            root = Self.slot(
                columns[0].type, builders[0], name: columns[0].name, widen: widen, structRule: structRule, arena: arena)
            return
        }
        if explicitSchema && flatten {
            // Columns are found by name as keys arrive.
            let resolver = JSONSchemaResolver(
                columns: columns, builders: builders, separator: separator, widen: widen, arena: arena)
            root = .object(arena.keep(JSONObjectSlot(builder: nil, name: "", unknownKeys: .resolve(resolver, prefix: ""))))
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
                        slot: Self.slot(
                            column.type, builder, name: column.name, widen: widen, structRule: structRule, arena: arena))
                } else if case .object(let inner)? = object.existing(key) {
                    object = inner.object
                } else {
                    let name = column.path[0...depth].map { String(decoding: $0, as: UTF8.self) }.joined(separator: ".")
                    let inner = JSONObjectSlot(builder: nil, name: name, unknownKeys: groupRule)
                    object.add(key: key, slot: .object(arena.keep(inner)))
                    object = inner
                }
            }
        }
        root = .object(arena.keep(top))
    }

    static func slot(
        _ type: DataType, _ builder: ColumnBuilder, name: String, widen: Bool, structRule: UnknownKeyRule,
        arena: JSONSlotArena
    ) -> JSONSlot {
        switch type {
        case .list(let element):
            let child = slot(
                element.type, builder.children[0], name: name + "[]", widen: widen, structRule: structRule, arena: arena)
            return .list(arena.keep(JSONListSlot(builder: builder, element: child, name: name)))
        case .structure(let fields):
            let object = JSONObjectSlot(builder: builder, name: name, unknownKeys: structRule)
            for (field, child) in zip(fields, builder.children) {
                object.add(
                    key: Array(field.name.utf8),
                    slot: slot(
                        field.type, child, name: name + "." + field.name, widen: widen, structRule: structRule,
                        arena: arena))
            }
            return .object(arena.keep(object))
        default:
            let kind: ScalarKind
            switch type {
            case .boolean: kind = .boolean
            case .int8, .int16, .int32, .int64, .uint8, .uint16, .uint32, .uint64: kind = .integer
            case .float16, .float32, .float64, .decimal: kind = .double
            case .date: kind = .date
            case .timestamp(_, let utc): kind = utc ? .timestampZoned : .timestamp
            case .uuid: kind = .uuid
            default: kind = .string
            }
            return .scalar(
                arena.keep(JSONScalarSlot(builder: builder, kind: kind, name: name, takesText: widen && kind == .string)))
        }
    }
}
