/// An immutable column of `count` values of one `DataType`, stored in contiguous buffers
/// (no per-value objects). The layout follows Arrow:
///
/// | type | `values` | `offsets` | `children` |
/// |---|---|---|---|
/// | null | empty | empty | none |
/// | fixed width (`DataType.byteWidth`) | `count * width` bytes, little-endian; booleans one byte (0/1) each | empty | none |
/// | string, binary | the concatenated bytes | `count + 1` `Int32` offsets into `values` | none |
/// | list | empty | `count + 1` offsets into the child | `[element]` |
/// | map | empty | `count + 1` offsets into the children | `[keys, values]` |
/// | struct | empty | empty | one per field, each `count` long |
///
/// `validity` is nil when no value is null. Slots that are null still occupy their
/// fixed width (zeroed) or an empty offset range.
public struct Column: Sendable {
    public let type: DataType
    public let count: Int
    public let validity: Bitmap?
    public let values: [UInt8]
    public let offsets: [Int32]
    public let children: [Column]

    /// Creates a column, checking that its buffers fit its type and count.
    public init(
        type: DataType, count: Int, validity: Bitmap? = nil, values: [UInt8] = [],
        offsets: [Int32] = [], children: [Column] = []
    ) throws(ColumnarError) {
        self.init(
            unchecked: type, count: count, validity: validity, values: values, offsets: offsets,
            children: children)
        try validate()
    }

    /// Creates a column without checking its layout; for decoders that built it correctly.
    public init(
        unchecked type: DataType, count: Int, validity: Bitmap? = nil, values: [UInt8] = [],
        offsets: [Int32] = [], children: [Column] = []
    ) {
        self.type = type
        self.count = count
        self.validity = validity
        self.values = values
        self.offsets = offsets
        self.children = children
    }

    /// A column of `count` nulls of any type.
    public static func nulls(_ type: DataType, count: Int) -> Column {
        let validity = Bitmap(repeating: false, count: count)
        switch type {
        case .null:
            return Column(unchecked: .null, count: count)
        case .string, .binary:
            return Column(
                unchecked: type, count: count, validity: validity,
                offsets: [Int32](repeating: 0, count: count + 1))
        case .list(let element):
            return Column(
                unchecked: type, count: count, validity: validity,
                offsets: [Int32](repeating: 0, count: count + 1),
                children: [.nulls(element.type, count: 0)])
        case .map(let key, let value):
            return Column(
                unchecked: type, count: count, validity: validity,
                offsets: [Int32](repeating: 0, count: count + 1),
                children: [.nulls(key.type, count: 0), .nulls(value.type, count: 0)])
        case .structure(let fields):
            return Column(
                unchecked: type, count: count, validity: validity,
                children: fields.map { .nulls($0.type, count: count) })
        default:
            return Column(
                unchecked: type, count: count, validity: validity,
                values: [UInt8](repeating: 0, count: count * (type.byteWidth ?? 0)))
        }
    }

    @inline(__always)
    public func isNull(_ index: Int) -> Bool {
        if case .null = type { return true }
        guard let validity else { return false }
        return !validity[index]
    }

    public var nullCount: Int {
        if case .null = type { return count }
        guard let validity else { return 0 }
        return count - validity.setCount
    }

    /// The fixed-width values reinterpreted as `T` (whose size must equal the type's width).
    public func withValues<T: BitwiseCopyable, R>(
        as _: T.Type, _ body: (UnsafeBufferPointer<T>) throws -> R
    ) rethrows -> R {
        precondition(MemoryLayout<T>.stride == type.byteWidth, "value type does not match column width")
        return try values.withUnsafeBytes { raw in
            try body(
                UnsafeBufferPointer(
                    start: raw.baseAddress?.assumingMemoryBound(to: T.self), count: count))
        }
    }

    /// Loads one fixed-width value (slow path: prefer `withValues`).
    @inline(__always)
    public func value<T: BitwiseCopyable>(at index: Int, as _: T.Type) -> T {
        values.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: index * MemoryLayout<T>.stride, as: T.self) }
    }

    /// The byte range of a string/binary value, or of a list/map's entries in the child.
    @inline(__always)
    public func range(at index: Int) -> Range<Int> {
        Int(offsets[index])..<Int(offsets[index + 1])
    }

    /// Calls `body` with the bytes of a string/binary value.
    public func withBytes<R>(at index: Int, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let range = range(at: index)
        return try values.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[range])) }
    }

    /// A string value decoded as UTF-8 (invalid sequences repaired), for display and tests.
    public func string(at index: Int) -> String {
        withBytes(at: index) { String(decoding: $0, as: UTF8.self) }
    }

    /// Checks that the buffers fit the type and count, recursively.
    public func validate() throws(ColumnarError) {
        if let validity, validity.count < count {
            throw ColumnarError(.invalidLayout, "validity has \(validity.count) bits for \(count) values")
        }
        switch type {
        case .null:
            break
        case .string, .binary:
            try checkOffsets(limit: values.count)
        case .list:
            guard children.count == 1 else { throw ColumnarError(.invalidLayout, "a list needs one child") }
            try checkOffsets(limit: children[0].count)
            try children[0].validate()
        case .map:
            guard children.count == 2, children[0].count == children[1].count else {
                throw ColumnarError(.invalidLayout, "a map needs key and value children of equal length")
            }
            try checkOffsets(limit: children[0].count)
            for child in children { try child.validate() }
        case .structure(let fields):
            guard children.count == fields.count else {
                throw ColumnarError(.invalidLayout, "struct has \(children.count) children for \(fields.count) fields")
            }
            for child in children {
                guard child.count == count else {
                    throw ColumnarError(.invalidLayout, "struct child has \(child.count) values, expected \(count)")
                }
                try child.validate()
            }
        default:
            let width = type.byteWidth!
            guard values.count >= count * width else {
                throw ColumnarError(.invalidLayout, "\(values.count) value bytes for \(count) values of width \(width)")
            }
        }
    }

    private func checkOffsets(limit: Int) throws(ColumnarError) {
        guard offsets.count == count + 1 else {
            throw ColumnarError(.invalidLayout, "\(offsets.count) offsets for \(count) values")
        }
        var previous = offsets[0]
        guard previous >= 0 else { throw ColumnarError(.invalidLayout, "negative offset") }
        for offset in offsets.dropFirst() {
            guard offset >= previous else { throw ColumnarError(.invalidLayout, "offsets decrease") }
            previous = offset
        }
        guard Int(previous) <= limit else {
            throw ColumnarError(.invalidLayout, "offset \(previous) beyond \(limit)")
        }
    }
}
