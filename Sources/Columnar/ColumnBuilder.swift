/// Builds a `Column` one value at a time into contiguous buffers.
///
/// Nested types are built bottom-up: for a list or map, append the entries to `children`
/// first, then call `appendList()`; for a struct, append one value to every child, then
/// call `appendStruct()`. `appendNull()` keeps the children in step by itself.
///
/// The appends readers call per value are inlinable, so they compile into the reader's loop.
/// The validity bitmap is only kept from the first null on: a column without nulls (most of
/// them) pays nothing for it.
public final class ColumnBuilder {
    public let type: DataType
    @inlinable public var count: Int { storedCount }
    public let children: [ColumnBuilder]
    @usableFromInline var storedCount = 0
    /// Valid bits for every value so far, kept only while `tracksValidity`.
    @usableFromInline var validity = Bitmap()
    @usableFromInline var tracksValidity = false
    @usableFromInline var nulls = 0
    @usableFromInline var values = BuilderStorage<UInt8>()
    /// Offsets for strings, binaries, lists and maps (`count + 1` of them), else unused.
    @usableFromInline var offsets = BuilderStorage<Int32>()
    @usableFromInline let hasOffsets: Bool
    @usableFromInline let width: Int

    public init(type: DataType, capacity: Int = 0) {
        self.type = type
        width = type.byteWidth ?? 0
        children = type.children.map { ColumnBuilder(type: $0.type) }
        switch type {
        case .string, .binary, .list, .map:
            hasOffsets = true
            offsets.append(0)
        default:
            hasOffsets = false
        }
        if capacity > 0 { reserveCapacity(capacity) }
    }

    public func reserveCapacity(_ n: Int) {
        if width > 0 { values.reserve(n * width) }
        if hasOffsets { offsets.reserve(n + 1) }
    }

    deinit {
        values.deallocate()
        offsets.deallocate()
    }

    /// Bytes held so far (values and offsets), for sizing batches.
    public var byteSize: Int {
        values.count + (hasOffsets ? offsets.count * 4 : 0) + (storedCount + 7) / 8 + children.reduce(0) { $0 + $1.byteSize }
    }

    public func appendNull() {
        switch type {
        case .null:
            break
        case .string, .binary, .list, .map:
            offsets.append(offsets.last)
        case .structure:
            for child in children { child.appendNull() }
        default:
            values.append(repeating: 0, count: width)
        }
        if !tracksValidity {
            validity = Bitmap(repeating: true, count: storedCount)
            tracksValidity = true
        }
        validity.append(false)
        nulls += 1
        storedCount += 1
    }

    /// Appends nulls until the column holds `n` values (nothing when it already does).
    @inlinable
    public func padWithNulls(to n: Int) {
        while storedCount < n { appendNull() }
    }

    @inlinable
    func markValid() {
        if tracksValidity { validity.append(true) }
        storedCount += 1
    }

    @inlinable
    public func append(_ value: Bool) {
        values.append(value ? 1 : 0)
        markValid()
    }

    /// Appends a fixed-width value whose size equals the column's width
    /// (`Int64` for int64, time and timestamp; `Int32` for date; `Int128` for decimal; …).
    @inlinable
    public func append<T: BitwiseCopyable>(fixed value: T) {
        precondition(MemoryLayout<T>.size == width, "value size does not match column type \(type)")
        values.append(raw: value)
        markValid()
    }

    /// Appends a string/binary value, or a fixed-size binary/uuid of exactly the width.
    @inlinable
    public func append(bytes: UnsafeRawBufferPointer) {
        if width > 0 {
            precondition(bytes.count == width, "fixed-size value of \(bytes.count) bytes for width \(width)")
            values.append(bytes: bytes)
        } else {
            values.append(bytes: bytes)
            precondition(values.count <= Int(Int32.max), "column data exceeds 2 GiB; split the batch")
            offsets.append(Int32(truncatingIfNeeded: values.count))
        }
        markValid()
    }

    public func append(string: String) {
        var string = string
        string.withUTF8 { append(bytes: UnsafeRawBufferPointer($0)) }
    }

    /// Closes one list or map value over the entries appended to the children since the last one.
    public func appendList() {
        offsets.append(Int32(truncatingIfNeeded: children[0].count))
        markValid()
    }

    /// Marks one struct value valid; its fields must already be appended to the children.
    @inlinable
    public func appendStruct() { markValid() }

    /// Appends a scalar `Value` (slow path for tests, inference and small inputs).
    public func append(_ value: Value) throws(ColumnarError) {
        switch (value, type) {
        case (.null, _):
            appendNull()
        case (.bool(let b), .boolean):
            append(b)
        case (.int(let v), _), (.date(let v), _):
            try appendInteger(v)
        case (.uint(let v), .uint64):
            append(fixed: v)
        case (.uint(let v), _):
            guard let signed = Int64(exactly: v) else { throw mismatch(value) }
            try appendInteger(signed)
        case (.double(let v), .float64):
            append(fixed: v)
        case (.double(let v), .float32):
            append(fixed: Float(v))
        case (.decimal(let v, _), .decimal):
            append(fixed: v)
        case (.string(let s), .string), (.string(let s), .binary):
            append(string: s)
        case (.binary(let b), .binary), (.binary(let b), .string), (.binary(let b), .fixedSizeBinary),
            (.binary(let b), .uuid):
            b.withUnsafeBytes { append(bytes: $0) }
        case (.time(let v, _), .time), (.timestamp(let v, _, _), .timestamp):
            append(fixed: v)
        case (.list(let items), .list):
            for item in items { try children[0].append(item) }
            appendList()
        case (.map(let entries), .map):
            for entry in entries {
                try children[0].append(entry.key)
                try children[1].append(entry.value)
            }
            appendList()
        case (.structure(let fields), .structure):
            guard fields.count == children.count else { throw mismatch(value) }
            for (child, field) in zip(children, fields) { try child.append(field) }
            appendStruct()
        default:
            throw mismatch(value)
        }
    }

    private func appendInteger(_ v: Int64) throws(ColumnarError) {
        switch type {
        case .int8: guard let x = Int8(exactly: v) else { throw mismatch(.int(v)) }; append(fixed: x)
        case .int16: guard let x = Int16(exactly: v) else { throw mismatch(.int(v)) }; append(fixed: x)
        case .int32, .date: guard let x = Int32(exactly: v) else { throw mismatch(.int(v)) }; append(fixed: x)
        case .int64, .time, .timestamp: append(fixed: v)
        case .uint8: guard let x = UInt8(exactly: v) else { throw mismatch(.int(v)) }; append(fixed: x)
        case .uint16: guard let x = UInt16(exactly: v) else { throw mismatch(.int(v)) }; append(fixed: x)
        case .uint32: guard let x = UInt32(exactly: v) else { throw mismatch(.int(v)) }; append(fixed: x)
        case .uint64: guard let x = UInt64(exactly: v) else { throw mismatch(.int(v)) }; append(fixed: x)
        case .float64: append(fixed: Double(v))
        case .float32: append(fixed: Float(v))
        case .decimal: append(fixed: Int128(v))
        default: throw mismatch(.int(v))
        }
    }

    private func mismatch(_ value: Value) -> ColumnarError {
        ColumnarError(.typeMismatch, "cannot append \(value.kindName) to a \(type) column")
    }

    /// Appends value `index` of `column` (same type), copying nested values recursively.
    public func append(from column: Column, at index: Int) {
        if column.isNull(index) {
            appendNull()
            return
        }
        switch type {
        case .null:
            appendNull()
        case .string, .binary:
            column.withBytes(at: index) { append(bytes: $0) }
        case .list, .map:
            for entry in column.range(at: index) {
                for (builder, child) in zip(children, column.children) { builder.append(from: child, at: entry) }
            }
            appendList()
        case .structure:
            for (builder, child) in zip(children, column.children) { builder.append(from: child, at: index) }
            appendStruct()
        default:
            column.values.withUnsafeBytes { raw in
                values.append(bytes: UnsafeRawBufferPointer(rebasing: raw[(index * width)..<((index + 1) * width)]))
            }
            markValid()
        }
    }

    /// Drops every value after the first `n`, children included: how a reader takes back a
    /// record that turned out to be bad after some of its values were appended.
    public func truncate(to n: Int) {
        precondition(n >= 0 && n <= count, "truncating \(count) values to \(n)")
        guard n < count else { return }
        switch type {
        case .null:
            break
        case .string, .binary:
            values.removeLast(values.count - Int(offsets[n]))
            offsets.removeLast(offsets.count - n - 1)
        case .list, .map:
            let entries = Int(offsets[n])
            for child in children { child.truncate(to: entries) }
            offsets.removeLast(offsets.count - n - 1)
        case .structure:
            for child in children { child.truncate(to: n) }
        default:
            values.removeLast(values.count - n * width)
        }
        storedCount = n
        if tracksValidity {
            validity.truncate(to: n)
            nulls = n - validity.setCount
        }
    }

    /// Returns the finished column and resets the builder for reuse, keeping its buffers'
    /// capacity: the next batch is expected to be like this one.
    public func finish() -> Column {
        let column = Column(
            unchecked: type, count: storedCount, validity: nulls > 0 ? validity : nil, values: values.takeArray(),
            offsets: hasOffsets ? offsets.takeArray() : [], children: children.map { $0.finish() })
        storedCount = 0
        nulls = 0
        validity = Bitmap()
        tracksValidity = false
        if hasOffsets { offsets.append(0) }
        return column
    }
}

extension Column {
    /// The values in `range` as a new column (copies).
    public func slice(_ range: Range<Int>) -> Column {
        let builder = ColumnBuilder(type: type, capacity: range.count)
        for index in range { builder.append(from: self, at: index) }
        return builder.finish()
    }
}
