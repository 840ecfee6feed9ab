import JSONFormat

/// A small JSON document model for Iceberg's metadata files, parsed with Lakegate's own
/// `JSONParser` and printed compactly.
///
/// Numbers keep their literal text, so 64-bit snapshot ids round-trip exactly (a `Double`
/// would lose them). Object members keep their order, so unknown members written by other
/// engines are printed back where they were.
public enum IcebergJSON: Sendable, Hashable {
    case null
    case bool(Bool)
    /// The literal text of a number, as parsed or as printed.
    case number(String)
    case string(String)
    case array([IcebergJSON])
    case object([(key: String, value: IcebergJSON)])
    /// JSON text printed as it is: a value carried through from a file validated when it was
    /// read (an unchanged snapshot or summary), or printed straight into bytes (the logs).
    case encoded(ArraySlice<UInt8>)

    public static func int<T: BinaryInteger>(_ value: T) -> IcebergJSON { .number(String(value)) }

    public static func == (lhs: IcebergJSON, rhs: IcebergJSON) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.number(let a), .number(let b)): return a == b
        case (.string(let a), .string(let b)): return a == b
        case (.array(let a), .array(let b)): return a == b
        case (.object(let a), .object(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        case (.encoded(let a), .encoded(let b)): return a == b
        default: return false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0)
        case .bool(let b): hasher.combine(b)
        case .number(let n): hasher.combine(n)
        case .string(let s): hasher.combine(s)
        case .array(let items): hasher.combine(items)
        case .object(let members):
            for member in members {
                hasher.combine(member.key)
                hasher.combine(member.value)
            }
        case .encoded(let bytes): hasher.combine(bytes)
        }
    }

    // MARK: Access

    /// The value of member `key` (the last one when a key repeats), nil when absent or not an object.
    public subscript(key: String) -> IcebergJSON? {
        guard case .object(let members) = self else { return nil }
        return members.last(where: { $0.key == key })?.value
    }

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    /// An integer exactly representable as Int64 (`12`, also `12.0` or `1.2e1`); nil otherwise.
    public var int64Value: Int64? {
        guard case .number(let text) = self else { return nil }
        if let value = Int64(text) { return value }
        guard let double = Double(text), double.rounded() == double, abs(double) < 9.0e15 else { return nil }
        return Int64(double)
    }

    public var arrayValue: [IcebergJSON]? {
        if case .array(let items) = self { return items }
        return nil
    }

    public var objectValue: [(key: String, value: IcebergJSON)]? {
        if case .object(let members) = self { return members }
        return nil
    }

    // MARK: Parsing

    /// Parses one JSON document (strict RFC 8259, through `JSONParser`).
    public static func parse(_ bytes: [UInt8], limits: JSONLimits = JSONLimits()) throws(IcebergError) -> IcebergJSON {
        var builder = Builder()
        return try build(bytes, limits: limits, with: &builder)
    }

    /// Runs the parser over `bytes` into `builder` and returns the document's value.
    private static func build(_ bytes: [UInt8], limits: JSONLimits, with builder: inout Builder) throws(IcebergError)
        -> IcebergJSON
    {
        var parser = JSONParser(limits: limits)
        do {
            try bytes.withUnsafeBytes { try parser.parse($0, into: &builder) }
        } catch {
            throw IcebergError(.invalidMetadata, "the document is not valid JSON", underlying: "\(error)")
        }
        guard let root = builder.root else {
            throw IcebergError(.invalidMetadata, "the document holds no JSON value")
        }
        return root
    }

    public static func parse(_ text: String) throws(IcebergError) -> IcebergJSON {
        try parse(Array(text.utf8))
    }

    /// Parses a table metadata file leaving out the elements of the top-level lists that grow
    /// with history (`historyLists`), which `MetadataHistoryText` reads from their text; the
    /// whole document is validated all the same. Returns the rest, those lists empty, and how
    /// many elements each had.
    static func parseDeferringHistory(_ bytes: [UInt8], limits: JSONLimits = JSONLimits()) throws(IcebergError)
        -> (json: IcebergJSON, deferred: [Int])
    {
        var builder = Builder()
        builder.deferred = Array(repeating: 0, count: historyLists.count)
        let root = try build(bytes, limits: limits, with: &builder)
        return (root, builder.deferred ?? [])
    }

    /// The top-level members whose array elements `parseDeferringHistory` leaves out.
    static let historyLists = ["snapshots", "snapshot-log", "metadata-log"]

    /// Builds values from the parser's events with a stack of open containers. The open
    /// containers' items live in their own stacks and grow in place: an item array held in an
    /// enum payload would be copied on every append (quadratic for the long `snapshots` array).
    private struct Builder: JSONVisitor {
        enum Open {
            case array
            case object(pendingKey: String?)
        }
        var stack: [Open] = []
        var arrays: [[IcebergJSON]] = []
        var objects: [[(key: String, value: IcebergJSON)]] = []
        var root: IcebergJSON?

        /// When deferring history: how many elements of each of `historyLists` were left out.
        var deferred: [Int]?
        /// Nesting inside a value being left out (0: building).
        var skipDepth = 0

        /// Which of `historyLists` a value beginning now is an element of, when deferring.
        private var historyList: Int? {
            guard deferred != nil, stack.count == 2, case .array = stack[1], case .object(let key?) = stack[0] else {
                return nil
            }
            return IcebergJSON.historyLists.firstIndex(of: key)
        }

        /// Whether the value beginning now is left out (counted when it is a list's element).
        private mutating func leavesOut(container: Bool) -> Bool {
            if skipDepth > 0 {
                if container { skipDepth += 1 }
                return true
            }
            guard let list = historyList else { return false }
            deferred?[list] += 1
            if container { skipDepth = 1 }
            return true
        }

        /// Whether the container ending now was left out.
        private mutating func endsLeftOut() -> Bool {
            guard skipDepth > 0 else { return false }
            skipDepth -= 1
            return true
        }

        mutating func add(_ value: IcebergJSON) {
            switch stack.last {
            case nil:
                root = value
            case .array:
                arrays[arrays.count - 1].append(value)
            case .object(let key):
                objects[objects.count - 1].append((key: key ?? "", value: value))
                stack[stack.count - 1] = .object(pendingKey: nil)
            }
        }

        mutating func beginObject() throws {
            if leavesOut(container: true) { return }
            stack.append(.object(pendingKey: nil))
            objects.append([])
        }
        mutating func key(_ utf8: UnsafeRawBufferPointer) throws {
            guard skipDepth == 0, case .object = stack.last else { return }
            stack[stack.count - 1] = .object(pendingKey: String(decoding: utf8, as: UTF8.self))
        }
        mutating func endObject() throws {
            if endsLeftOut() { return }
            guard case .object = stack.popLast(), let members = objects.popLast() else { return }
            add(.object(members))
        }
        mutating func beginArray() throws {
            if leavesOut(container: true) { return }
            stack.append(.array)
            arrays.append([])
        }
        mutating func endArray() throws {
            if endsLeftOut() { return }
            guard case .array = stack.popLast(), let items = arrays.popLast() else { return }
            add(.array(items))
        }
        mutating func string(_ utf8: UnsafeRawBufferPointer) throws {
            if !leavesOut(container: false) { add(.string(String(decoding: utf8, as: UTF8.self))) }
        }
        mutating func number(_ text: UnsafeRawBufferPointer, kind: JSONNumberKind) throws {
            if !leavesOut(container: false) { add(.number(String(decoding: text, as: UTF8.self))) }
        }
        mutating func bool(_ value: Bool) throws { if !leavesOut(container: false) { add(.bool(value)) } }
        mutating func null() throws { if !leavesOut(container: false) { add(.null) } }
    }

    // MARK: Printing

    /// Compact JSON text (no whitespace), members in their order.
    public var text: String { String(decoding: bytes, as: UTF8.self) }

    /// The compact text as UTF-8 bytes (printed as bytes: metadata files reach megabytes).
    public var bytes: [UInt8] { bytes(reserving: 16 << 10) }

    /// The compact text, in a buffer of `capacity` bytes to begin with (one that seldom grows
    /// saves copying a metadata file's worth of bytes several times).
    func bytes(reserving capacity: Int) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(capacity)
        print(into: &out)
        return out
    }

    private func print(into out: inout [UInt8]) {
        switch self {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .number(let n): out.append(contentsOf: n.utf8)
        case .string(let s): Self.appendString(s, to: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                item.print(into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            for (index, member) in members.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                Self.appendString(member.key, to: &out)
                out.append(UInt8(ascii: ":"))
                member.value.print(into: &out)
            }
            out.append(UInt8(ascii: "}"))
        case .encoded(let bytes): out.append(contentsOf: bytes)
        }
    }

    /// A JSON string literal: quotes, backslashes and control characters escaped, every other
    /// character as its UTF-8 bytes.
    static func appendString(_ text: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        // Names, paths and numbers rarely need escapes: copy them whole when they do not.
        if !text.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            out.append(contentsOf: text.utf8)
            out.append(UInt8(ascii: "\""))
            return
        }
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case UInt8(ascii: "\n"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case UInt8(ascii: "\r"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case UInt8(ascii: "\t"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0..<0x20:
                out.append(contentsOf: "\\u00".utf8)
                out.append(hexDigit(byte >> 4))
                out.append(hexDigit(byte & 0x0F))
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// An integer's decimal digits, as `.int(value)` prints them.
    static func appendInteger(_ value: Int64, to out: inout [UInt8]) {
        if value < 0 { out.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // room for 20 digits without allocating
        withUnsafeMutableBytes(of: &digits) { buffer in
            var start = buffer.count
            repeat {
                start -= 1
                buffer[start] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            out.append(contentsOf: buffer[start...])
        }
    }

    private static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
    }
}

/// Reads members of a JSON object with errors that name the member path; used by every
/// `fromJSON` in this module.
struct JSONObjectReader {
    let value: IcebergJSON
    /// Where this object sits, e.g. `snapshots[2]`.
    let path: String

    init(_ value: IcebergJSON, path: String) throws(IcebergError) {
        guard case .object = value else {
            throw IcebergError(.invalidMetadata, "expected a JSON object", field: path.isEmpty ? nil : path)
        }
        self.value = value
        self.path = path
    }

    func memberPath(_ key: String) -> String { path.isEmpty ? key : path + "." + key }

    /// The member, nil when absent or null.
    func optional(_ key: String) -> IcebergJSON? {
        guard let member = value[key], !member.isNull else { return nil }
        return member
    }

    func required(_ key: String) throws(IcebergError) -> IcebergJSON {
        guard let member = optional(key) else {
            throw IcebergError(.invalidMetadata, "a required member is missing", field: memberPath(key))
        }
        return member
    }

    func string(_ key: String) throws(IcebergError) -> String {
        guard let text = try required(key).stringValue else {
            throw IcebergError(.invalidMetadata, "expected a string", field: memberPath(key))
        }
        return text
    }

    func optionalString(_ key: String) throws(IcebergError) -> String? {
        guard let member = optional(key) else { return nil }
        guard let text = member.stringValue else {
            throw IcebergError(.invalidMetadata, "expected a string", field: memberPath(key))
        }
        return text
    }

    func int64(_ key: String) throws(IcebergError) -> Int64 {
        guard let number = try required(key).int64Value else {
            throw IcebergError(.invalidMetadata, "expected an integer", field: memberPath(key))
        }
        return number
    }

    func optionalInt64(_ key: String) throws(IcebergError) -> Int64? {
        guard let member = optional(key) else { return nil }
        guard let number = member.int64Value else {
            throw IcebergError(.invalidMetadata, "expected an integer", field: memberPath(key))
        }
        return number
    }

    func int(_ key: String) throws(IcebergError) -> Int {
        let number = try int64(key)
        guard let small = Int32(exactly: number) else {
            throw IcebergError(.invalidMetadata, "an integer out of the 32-bit range", field: memberPath(key))
        }
        return Int(small)
    }

    func optionalInt(_ key: String) throws(IcebergError) -> Int? {
        guard let number = try optionalInt64(key) else { return nil }
        guard let small = Int32(exactly: number) else {
            throw IcebergError(.invalidMetadata, "an integer out of the 32-bit range", field: memberPath(key))
        }
        return Int(small)
    }

    func bool(_ key: String) throws(IcebergError) -> Bool {
        guard let flag = try required(key).boolValue else {
            throw IcebergError(.invalidMetadata, "expected true or false", field: memberPath(key))
        }
        return flag
    }

    func optionalBool(_ key: String) throws(IcebergError) -> Bool? {
        guard let member = optional(key) else { return nil }
        guard let flag = member.boolValue else {
            throw IcebergError(.invalidMetadata, "expected true or false", field: memberPath(key))
        }
        return flag
    }

    /// An array member (absent or null is empty when `required` is false).
    func array(_ key: String, required isRequired: Bool = true) throws(IcebergError) -> [IcebergJSON] {
        guard let member = optional(key) else {
            if isRequired { throw IcebergError(.invalidMetadata, "a required member is missing", field: memberPath(key)) }
            return []
        }
        guard let items = member.arrayValue else {
            throw IcebergError(.invalidMetadata, "expected an array", field: memberPath(key))
        }
        return items
    }

    /// The members of `keys` that this object has and that are not in `known`, in order.
    func unknownMembers(known: Set<String>) -> [(key: String, value: IcebergJSON)] {
        (value.objectValue ?? []).filter { !known.contains($0.key) }
    }
}
