import Columnar
import JSONFormat

/// A value that does not fit its column: the record is bad.
struct JSONValueMismatch: Error {
    var column: String
    var reason: String
}

/// A key that no slot knows, under an object that may grow new columns.
struct JSONUnknownKey: Error {
    var key: [UInt8]
    var parent: String
}

/// Appends one record's values to the column builders, following the slot tree as the
/// parser's events arrive.
///
/// Positions: a member of a flattened object writes at the record's row, a member of a
/// struct at the struct's own index, an element of a list appends. Writing at a position
/// first pads the column with nulls up to it (members absent from a record cost nothing until
/// then) or, when the column already holds a value there (a duplicate key), drops that value:
/// the last duplicate wins.
struct JSONRecordBuilder: JSONVisitor {
    private enum Frame {
        /// Inside an object: members write at `index`.
        case object(Unowned<JSONObjectSlot>, index: Int)
        /// Inside a list: elements append.
        case list(Unowned<JSONListSlot>)
        /// Inside a value kept as JSON text, or dropped (`slot` nil).
        case text(Unowned<JSONScalarSlot>?, index: Int, depth: Int)
    }

    private var frames: [Frame] = []
    /// Where the next value goes, and at which index (-1: append).
    private var slot: JSONSlot
    private var index: Int
    private let root: JSONSlot
    /// Keeps the slots alive while they are walked.
    private let arena: JSONSlotArena
    /// JSON text being collected for a string column (conflicting values widened).
    private var text: [UInt8] = []
    /// For the text being collected: whether the container at each depth has a value yet.
    private var textHasValue: [Bool] = []
    private var textAfterKey = false

    init(tree: JSONSlotTree) {
        root = tree.root
        arena = tree.arena
        slot = root
        index = 0
    }

    /// Prepares for the record at `row` (after an error, too: the stack is dropped).
    mutating func begin(row: Int) {
        frames.removeAll(keepingCapacity: true)
        slot = root
        index = row
    }

    // MARK: Positions

    @inline(__always)
    private static func position(_ builder: ColumnBuilder, at index: Int) {
        guard index >= 0 else { return }
        if builder.count > index {
            builder.truncate(to: index)
        } else if builder.count < index {
            builder.padWithNulls(to: index)
        }
    }

    /// After a value: inside a list, the next value is the next element.
    @inline(__always)
    private mutating func valueDone() {
        if case .list(let list)? = frames.last {
            slot = list.with { $0.element }
            index = -1
        }
    }

    private func mismatch(_ name: String, expected: String, found: String) -> JSONValueMismatch {
        JSONValueMismatch(column: name, reason: "expected \(expected), found \(found)")
    }

    private static func describe(_ slot: JSONSlot) -> (String, String) {
        switch slot {
        case .object(let object): return (object.object.name, "an object")
        case .list(let list): return (list.object.name, "an array")
        case .scalar(let scalar): return (scalar.object.name, "\(scalar.object.kind.description == "null" ? "string" : scalar.object.kind.description)")
        case .ignored: return ("", "nothing")
        }
    }

    // MARK: Text (values kept as JSON, or dropped)

    private mutating func startText(_ target: Unowned<JSONScalarSlot>?, opening: UInt8) {
        if let target { Self.position(target.object.builder.object, at: index) }
        text.removeAll(keepingCapacity: true)
        textHasValue.removeAll(keepingCapacity: true)
        textAfterKey = false
        text.append(opening)
        textHasValue.append(false)
        frames.append(.text(target, index: index, depth: 1))
    }

    /// Separates a value inside collected text from the one before it.
    @inline(__always)
    private mutating func textValuePrefix() {
        if textAfterKey {
            textAfterKey = false
        } else if textHasValue[textHasValue.count - 1] {
            text.append(UInt8(ascii: ","))
        }
        textHasValue[textHasValue.count - 1] = true
    }

    /// Handles an event inside text; returns false when not inside text.
    @inline(__always)
    private mutating func textEvent(_ bytes: UnsafeRawBufferPointer?, literal: StaticString? = nil, quoted: Bool = false)
        -> Bool
    {
        guard case .text(let target, _, _)? = frames.last else { return false }
        if target != nil {
            textValuePrefix()
            if quoted, let bytes {
                TextFormatting.appendJSONString(bytes, to: &text)
            } else if let bytes {
                text.append(contentsOf: bytes)
            } else if let literal {
                literal.withUTF8Buffer { text.append(contentsOf: $0) }
            }
        }
        return true
    }

    private mutating func openInText(_ opening: UInt8) -> Bool {
        guard case .text(let target, let at, let depth)? = frames.last else { return false }
        if target != nil {
            textValuePrefix()
            text.append(opening)
            textHasValue.append(false)
        }
        frames[frames.count - 1] = .text(target, index: at, depth: depth + 1)
        return true
    }

    private mutating func closeInText(_ closing: UInt8) -> Bool {
        guard case .text(let target, let at, let depth)? = frames.last else { return false }
        if target != nil {
            text.append(closing)
            textHasValue.removeLast()
        }
        if depth > 1 {
            frames[frames.count - 1] = .text(target, index: at, depth: depth - 1)
        } else {
            frames.removeLast()
            if let target {
                let builder = target.object.builder.object
                Self.position(builder, at: at)
                text.withUnsafeBytes { builder.append(bytes: $0) }
            }
            valueDone()
        }
        return true
    }

    // MARK: Events

    mutating func beginObject() throws {
        if openInText(UInt8(ascii: "{")) { return }
        switch slot {
        case .object(let reference):
            let at = index
            let memberIndex = reference.with { object -> Int in
                object.predicted = 0
                guard let builder = object.builder else { return at }
                return builder.with { builder in
                    Self.position(builder, at: at)
                    return builder.count
                }
            }
            frames.append(.object(reference, index: memberIndex))
        case .scalar(let scalar) where scalar.object.takesText:
            startText(scalar, opening: UInt8(ascii: "{"))
        case .ignored:
            startText(nil, opening: UInt8(ascii: "{"))
        default:
            let (name, expected) = Self.describe(slot)
            throw mismatch(name, expected: expected, found: "an object")
        }
    }

    mutating func key(_ utf8: UnsafeRawBufferPointer) throws {
        if case .text(let target, _, _)? = frames.last {
            if target != nil {
                textValuePrefix()
                TextFormatting.appendJSONString(utf8, to: &text)
                text.append(UInt8(ascii: ":"))
                textAfterKey = true
            }
            return
        }
        guard case .object(let reference, let at)? = frames.last else { return }
        index = at
        if let member = reference.with({ $0.member(utf8) }) {
            slot = member
            return
        }
        let object = reference.object
        switch object.unknownKeys {
        case .ignore:
            slot = .ignored
        case .resolve(let resolver, let prefix):
            let name = prefix + String(decoding: utf8, as: UTF8.self)
            let resolved = resolver.slot(name)
            object.add(key: [UInt8](utf8), slot: resolved)
            slot = resolved
        case .grow:
            throw JSONUnknownKey(key: [UInt8](utf8), parent: object.name)
        case .reject:
            let key = String(decoding: utf8.prefix(200), as: UTF8.self)
            throw JSONValueMismatch(
                column: object.name, reason: "field '\(key)' is not in the schema (it did not appear in the inference sample)")
        }
    }

    mutating func endObject() throws {
        if closeInText(UInt8(ascii: "}")) { return }
        guard case .object(let object, let at)? = frames.popLast() else { return }
        if let builder = object.with({ $0.builder }) {
            builder.with { builder in
                for child in builder.children { Self.position(child, at: at + 1) }
                builder.appendStruct()
            }
        }
        valueDone()
    }

    mutating func beginArray() throws {
        if openInText(UInt8(ascii: "[")) { return }
        switch slot {
        case .list(let list):
            let at = index
            slot = list.with { list in
                list.builder.with { Self.position($0, at: at) }
                return list.element
            }
            frames.append(.list(list))
            index = -1
        case .scalar(let scalar) where scalar.object.takesText:
            startText(scalar, opening: UInt8(ascii: "["))
        case .ignored:
            startText(nil, opening: UInt8(ascii: "["))
        default:
            let (name, expected) = Self.describe(slot)
            throw mismatch(name, expected: expected, found: "an array")
        }
    }

    mutating func endArray() throws {
        if closeInText(UInt8(ascii: "]")) { return }
        guard case .list(let list)? = frames.popLast() else { return }
        list.with { $0.builder.with { $0.appendList() } }
        valueDone()
    }

    mutating func string(_ utf8: UnsafeRawBufferPointer) throws {
        if textEvent(utf8, quoted: true) { return }
        switch slot {
        case .scalar(let reference):
            let at = index
            try reference.with { scalar in
                try scalar.withBuilder { builder in try Self.appendString(utf8, to: builder, of: scalar, at: at) }
            }
        case .ignored:
            break
        default:
            let (name, expected) = Self.describe(slot)
            throw mismatch(name, expected: expected, found: "a string")
        }
        valueDone()
    }

    @inline(__always)
    private static func appendString(
        _ utf8: UnsafeRawBufferPointer, to builder: ColumnBuilder, of scalar: JSONScalarSlot, at index: Int
    ) throws {
        position(builder, at: index)
        switch scalar.kind {
        case .string, .null:
            builder.append(bytes: utf8)
        case .date:
            guard let days = ScalarText.parseDate(utf8) else {
                throw JSONValueMismatch(column: scalar.name, reason: "expected a date (YYYY-MM-DD), found \(quoted(utf8))")
            }
            try JSONScalarAppend.date(days, to: builder, name: scalar.name)
        case .timestamp, .timestampZoned:
            try JSONScalarAppend.timestamp(utf8, to: builder, zoned: scalar.kind == .timestampZoned, name: scalar.name)
        case .uuid:
            guard let uuid = ScalarText.parseUUID(utf8) else {
                throw JSONValueMismatch(column: scalar.name, reason: "expected a UUID, found \(quoted(utf8))")
            }
            JSONScalarAppend.uuid(uuid, to: builder)
        default:
            throw JSONValueMismatch(
                column: scalar.name, reason: "expected \(scalar.kind.description), found a string \(quoted(utf8))")
        }
    }

    static func quoted(_ utf8: UnsafeRawBufferPointer) -> String {
        let shown = String(decoding: utf8.prefix(40), as: UTF8.self)
        return "\"\(shown)\(utf8.count > 40 ? "…" : "")\""
    }

    mutating func number(_ text: UnsafeRawBufferPointer, kind: JSONNumberKind) throws {
        if textEvent(text) { return }
        switch slot {
        case .scalar(let reference):
            let at = index
            try reference.with { scalar in
                try scalar.withBuilder { builder in
                    try Self.appendNumber(text, kind: kind, to: builder, of: scalar, at: at)
                }
            }
        case .ignored:
            break
        default:
            let (name, expected) = Self.describe(slot)
            throw mismatch(name, expected: expected, found: "a number")
        }
        valueDone()
    }

    @inline(__always)
    private static func appendNumber(
        _ text: UnsafeRawBufferPointer, kind: JSONNumberKind, to builder: ColumnBuilder, of scalar: JSONScalarSlot,
        at index: Int
    ) throws {
        position(builder, at: index)
        switch scalar.kind {
        case .integer:
            guard kind == .integer, let value = ScalarText.parseInt64(text) else {
                throw JSONValueMismatch(column: scalar.name, reason: "expected an integer, found the number \(literal(text))")
            }
            try JSONScalarAppend.integer(value, to: builder, name: scalar.name)
        case .double:
            guard let value = ScalarText.parseDouble(text) else {
                throw JSONValueMismatch(column: scalar.name, reason: "expected a finite double, found the number \(literal(text))")
            }
            try JSONScalarAppend.double(value, to: builder, name: scalar.name)
        case .string where scalar.takesText:
            builder.append(bytes: text)
        default:
            throw JSONValueMismatch(
                column: scalar.name, reason: "expected \(scalar.kind.description), found the number \(literal(text))")
        }
    }

    static func literal(_ text: UnsafeRawBufferPointer) -> String {
        String(decoding: text.prefix(40), as: UTF8.self) + (text.count > 40 ? "…" : "")
    }

    mutating func bool(_ value: Bool) throws {
        if textEvent(nil, literal: value ? "true" : "false") { return }
        switch slot {
        case .scalar(let reference):
            let at = index
            try reference.with { scalar in
                try scalar.withBuilder { builder in
                    Self.position(builder, at: at)
                    switch scalar.kind {
                    case .boolean:
                        builder.append(value)
                    case .string where scalar.takesText:
                        let literal: StaticString = value ? "true" : "false"
                        literal.withUTF8Buffer { builder.append(bytes: UnsafeRawBufferPointer($0)) }
                    default:
                        throw mismatch(scalar.name, expected: scalar.kind.description, found: value ? "true" : "false")
                    }
                }
            }
        case .ignored:
            break
        default:
            let (name, expected) = Self.describe(slot)
            throw mismatch(name, expected: expected, found: "a boolean")
        }
        valueDone()
    }

    mutating func null() throws {
        if textEvent(nil, literal: "null") { return }
        switch slot {
        case .scalar(let scalar):
            let at = index
            scalar.with { scalar in
                scalar.withBuilder { builder in
                    if at >= 0 { Self.position(builder, at: at) } else { builder.appendNull() }
                }
            }
        case .list(let list):
            let at = index
            list.with { $0.builder.with { builder in if at >= 0 { Self.position(builder, at: at) } else { builder.appendNull() } } }
        case .object(let object):
            if let builder = object.with({ $0.builder }) {
                let at = index
                builder.with { builder in if at >= 0 { Self.position(builder, at: at) } else { builder.appendNull() } }
            }
            // A flattened object that is null leaves its columns null.
        case .ignored:
            break
        }
        valueDone()
    }
}

/// Appends parsed scalars to builders of any width the schema chose.
enum JSONScalarAppend {
    static func integer(_ value: Int64, to builder: ColumnBuilder, name: String) throws {
        switch builder.type {
        case .int64: builder.append(fixed: value)
        case .float64: builder.append(fixed: Double(value))
        default:
            do {
                try builder.append(.int(value))
            } catch {
                throw JSONValueMismatch(column: name, reason: "\(value) does not fit \(builder.type)")
            }
        }
    }

    static func double(_ value: Double, to builder: ColumnBuilder, name: String) throws {
        switch builder.type {
        case .float64: builder.append(fixed: value)
        case .float32: builder.append(fixed: Float(value))
        default:
            do {
                try builder.append(.double(value))
            } catch {
                throw JSONValueMismatch(column: name, reason: "\(value) does not fit \(builder.type)")
            }
        }
    }

    /// A UUID's 16 bytes, most significant first (the order of its text and of Parquet's UUID).
    @inline(__always)
    static func uuid(_ uuid: (UInt64, UInt64), to builder: ColumnBuilder) {
        builder.append(fixed: (uuid.0.bigEndian, uuid.1.bigEndian))
    }

    static func date(_ days: Int32, to builder: ColumnBuilder, name: String) throws {
        switch builder.type {
        case .date: builder.append(fixed: days)
        case .timestamp(let unit, _): builder.append(fixed: Int64(days) * 86_400 * unit.perSecond)
        default: throw JSONValueMismatch(column: name, reason: "a date does not fit \(builder.type)")
        }
    }

    static func timestamp(_ text: UnsafeRawBufferPointer, to builder: ColumnBuilder, zoned: Bool, name: String) throws {
        guard case .timestamp(let unit, _) = builder.type else {
            throw JSONValueMismatch(column: name, reason: "a timestamp does not fit \(builder.type)")
        }
        var micros: Int64
        if let days = ScalarText.parseDate(text) {
            micros = Int64(days) * 86_400_000_000
        } else if let (value, hasZone) = ScalarText.parseTimestamp(text), hasZone == zoned || !hasZone {
            micros = value
        } else {
            throw JSONValueMismatch(
                column: name,
                reason: "expected a timestamp\(zoned ? " with a time zone" : " without a time zone"), found \(JSONRecordBuilder.quoted(text))")
        }
        switch unit {
        case .microsecond: break
        case .millisecond: micros = micros / 1000
        case .nanosecond:
            let (scaled, overflow) = micros.multipliedReportingOverflow(by: 1000)
            guard !overflow else { throw JSONValueMismatch(column: name, reason: "timestamp out of range for nanoseconds") }
            micros = scaled
        }
        builder.append(fixed: micros)
    }
}
