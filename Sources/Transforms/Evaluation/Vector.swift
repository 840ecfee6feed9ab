import Columnar

/// An evaluated operand: a column of the batch's row count, or a constant stored as a column of
/// one value that stands for every row. Kernels index both alike with `row * stride` (stride 0
/// for a constant), so `value * 5` reads the literal without expanding it.
struct Vector {
    let column: Column
    let isScalar: Bool
    /// Every row is null: a null constant, or a column of the null type.
    let isAllNull: Bool
    /// The validity bytes when some rows may be null (read directly: `Column.isNull` and
    /// `Bitmap`'s subscript are calls into another module on every row).
    private let validBytes: [UInt8]?

    init(column: Column, isScalar: Bool) {
        self.column = column
        self.isScalar = isScalar
        if case .null = column.type {
            isAllNull = true
        } else {
            isAllNull = isScalar && column.validity.map { !$0.bit(0) } == true
        }
        validBytes = isAllNull ? nil : column.validity?.bytes
    }

    var type: DataType { column.type }
    @inline(__always) var stride: Int { isScalar ? 0 : 1 }

    /// Validity bits when some rows may be null (nil for constants that are not null).
    var validity: Bitmap? { isScalar ? nil : column.validity }

    @inline(__always)
    func isValid(_ row: Int) -> Bool {
        if isAllNull { return false }
        guard let validBytes else { return true }
        let r = isScalar ? 0 : row
        return validBytes[r &>> 3] & (1 &<< UInt8(r & 7)) != 0
    }

    static func nulls(_ type: DataType, count: Int, scalar: Bool) -> Vector {
        Vector(column: .nulls(type, count: scalar ? 1 : count), isScalar: scalar)
    }

    /// A constant of `type`.
    static func scalar(_ value: ScalarValue, type: DataType) -> Vector {
        let column: Column
        switch value {
        case .null: column = .nulls(type, count: 1)
        case .boolean(let b): column = Column(unchecked: type, count: 1, values: [b ? 1 : 0])
        case .int64(let v): column = Column(unchecked: type, count: 1, values: bytes(of: v))
        case .float64(let v): column = Column(unchecked: type, count: 1, values: bytes(of: v))
        case .decimal(let v): column = Column(unchecked: type, count: 1, values: bytes(of: v))
        case .date(let v): column = Column(unchecked: type, count: 1, values: bytes(of: v))
        case .timestamp(let v): column = Column(unchecked: type, count: 1, values: bytes(of: v))
        case .string(let s): column = Column(unchecked: type, count: 1, values: s, offsets: [0, Int32(s.count)])
        }
        return Vector(column: column, isScalar: true)
    }

    /// The vector as a column of `count` rows (a constant is repeated).
    func materialized(count: Int) -> Column {
        guard isScalar else { return column }
        if isAllNull { return .nulls(column.type, count: count) }
        if let width = column.type.byteWidth {
            let one = Array(column.values.prefix(width))
            let values = [UInt8](unsafeUninitializedCapacity: count * width) { buffer, initialized in
                for row in 0..<count {
                    for (k, byte) in one.enumerated() { buffer[row * width + k] = byte }
                }
                initialized = count * width
            }
            return Column(unchecked: column.type, count: count, values: values)
        }
        switch column.type {
        case .string, .binary:
            let value = Array(column.values[column.range(at: 0)])
            var output = StringOutput(rows: count, bytes: value.count * count)
            value.withUnsafeBufferPointer { for _ in 0..<count { output.append($0) } }
            return output.finish(type: column.type, validity: nil)
        default:
            let builder = ColumnBuilder(type: column.type, capacity: count)
            for _ in 0..<count { builder.append(from: column, at: 0) }
            return builder.finish()
        }
    }
}

extension Bitmap {
    /// Bit `index`, read straight from the bytes (the subscript is not inlinable across modules).
    @inline(__always)
    func bit(_ index: Int) -> Bool { bytes[index &>> 3] & (1 &<< UInt8(index & 7)) != 0 }
}

@inline(__always)
func bytes<T: BitwiseCopyable>(of value: T) -> [UInt8] {
    withUnsafeBytes(of: value) { Array($0) }
}

/// A column of no rows.
func emptyColumn(_ type: DataType) -> Column {
    switch type {
    case .string, .binary, .list, .map:
        return Column(unchecked: type, count: 0, offsets: [0], children: type.children.map { emptyColumn($0.type) })
    default:
        return Column(unchecked: type, count: 0, children: type.children.map { emptyColumn($0.type) })
    }
}

// MARK: Validity

enum Validity {
    /// The rows valid in both, word by word; nil when every row is valid in both.
    static func and(_ a: Bitmap?, _ b: Bitmap?, count: Int) -> Bitmap? {
        guard let a else { return b.map { trimmed($0, count: count) } }
        guard let b else { return trimmed(a, count: count) }
        let byteCount = (count + 7) >> 3
        guard byteCount > 0 else { return Bitmap() }
        let out = [UInt8](unsafeUninitializedCapacity: byteCount) { buffer, initialized in
            a.bytes.withUnsafeBytes { pa in
                b.bytes.withUnsafeBytes { pb in
                    let o = UnsafeMutableRawPointer(buffer.baseAddress!)
                    var i = 0
                    while i + 8 <= byteCount {
                        let word = pa.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                            & pb.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                        o.storeBytes(of: word, toByteOffset: i, as: UInt64.self)
                        i += 8
                    }
                    while i < byteCount {
                        buffer[i] = pa[i] & pb[i]
                        i += 1
                    }
                }
            }
            initialized = byteCount
        }
        return clean(out, count: count)
    }

    /// The first `count` bits of `bitmap` with clear padding.
    static func trimmed(_ bitmap: Bitmap, count: Int) -> Bitmap {
        if bitmap.count == count, count & 7 == 0 || bitmap.bytes.last.map({ $0 >> UInt8(count & 7) == 0 }) == true,
            bitmap.bytes.count == (count + 7) >> 3
        {
            return bitmap
        }
        return clean(Array(bitmap.bytes.prefix((count + 7) >> 3)), count: count)
    }

    /// Wraps bytes as a bitmap of `count` bits, clearing the padding bits (so `setCount` is exact).
    static func clean(_ bytes: [UInt8], count: Int) -> Bitmap {
        var bytes = bytes
        if count & 7 != 0, !bytes.isEmpty { bytes[bytes.count - 1] &= UInt8((1 << (count & 7)) - 1) }
        return Bitmap(bytes: bytes, count: count)
    }

    /// Whether every one of the first `count` bits is set.
    static func allSet(_ bitmap: Bitmap, count: Int) -> Bool {
        bitmap.bytes.withUnsafeBytes { raw in
            let full = count >> 3
            var i = 0
            while i + 8 <= full {
                if raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) != .max { return false }
                i += 8
            }
            while i < full {
                if raw[i] != 0xFF { return false }
                i += 1
            }
            let tail = count & 7
            return tail == 0 || raw[full] & UInt8((1 << tail) - 1) == UInt8((1 << tail) - 1)
        }
    }

    /// Index of the first set bit, nil when none is set.
    static func firstSet(_ bitmap: Bitmap, count: Int) -> Int? {
        for (index, byte) in bitmap.bytes.enumerated() where byte != 0 {
            let row = index * 8 + byte.trailingZeroBitCount
            return row < count ? row : nil
        }
        return nil
    }
}

/// Valid bits built while a kernel runs: starts as the inputs' validity (or all valid) and
/// loses a bit per value that turns out null (division by zero, a failed TRY_CAST).
struct ValidityBuilder {
    private var bytes: [UInt8]?
    let count: Int

    init(_ initial: Bitmap?, count: Int) {
        self.count = count
        bytes = initial.map { Array($0.bytes.prefix((count + 7) >> 3)) }
    }

    @inline(__always)
    mutating func clear(_ row: Int) {
        if bytes == nil { bytes = [UInt8](repeating: 0xFF, count: (count + 7) >> 3) }
        bytes![row >> 3] &= ~(1 << UInt8(row & 7))
    }

    func finish() -> Bitmap? {
        bytes.map { Validity.clean($0, count: count) }
    }
}

/// A typed buffer of `count` fixed-width values filled by `body`, returned as column bytes.
@inline(__always)
func fixedValues<T: BitwiseCopyable>(_ count: Int, as _: T.Type, _ body: (UnsafeMutablePointer<T>) -> Void) -> [UInt8] {
    let byteCount = count * MemoryLayout<T>.stride
    return [UInt8](unsafeUninitializedCapacity: byteCount) { buffer, initialized in
        if count > 0 {
            let raw = UnsafeMutableRawPointer(buffer.baseAddress!)
            body(raw.bindMemory(to: T.self, capacity: count))
            raw.bindMemory(to: UInt8.self, capacity: byteCount)
        }
        initialized = byteCount
    }
}

/// Zeroes the value slots of null rows (Columnar's convention for fixed-width columns).
func zeroNullSlots(_ values: inout [UInt8], width: Int, validity: Bitmap?) {
    guard let validity, width > 0 else { return }
    let rows = values.count / width
    values.withUnsafeMutableBytes { raw in
        guard let base = raw.baseAddress else { return }
        validity.bytes.withUnsafeBufferPointer { bits in
            for index in 0..<min(bits.count, (rows + 7) >> 3) {
                var missing = ~bits[index]
                while missing != 0 {
                    let row = index &* 8 &+ missing.trailingZeroBitCount
                    missing &= missing &- 1
                    guard row < rows else { return }
                    (base + row &* width).initializeMemory(as: UInt8.self, repeating: 0, count: width)
                }
            }
        }
    }
}

/// Builds a string or binary column value by value; fails (rather than wrapping its Int32
/// offsets) once the column would pass 2 GiB.
struct StringOutput {
    var bytes: [UInt8] = []
    var offsets: [Int32] = [0]
    private(set) var overflowed = false

    init(rows: Int, bytes: Int) {
        self.bytes.reserveCapacity(min(bytes, Int(Int32.max)))
        offsets.reserveCapacity(rows + 1)
    }

    @inline(__always)
    mutating func append(_ value: UnsafeBufferPointer<UInt8>) {
        guard bytes.count + value.count <= Int(Int32.max) else {
            overflowed = true
            offsets.append(Int32(bytes.count))
            return
        }
        bytes.append(contentsOf: value)
        offsets.append(Int32(truncatingIfNeeded: bytes.count))
    }

    /// Appends bytes written by `body` into the buffer as one value.
    @inline(__always)
    mutating func appendBytes(_ body: (inout [UInt8]) -> Void) {
        body(&bytes)
        if bytes.count > Int(Int32.max) {
            overflowed = true
            bytes.removeAll()
        }
        offsets.append(Int32(truncatingIfNeeded: bytes.count))
    }

    @inline(__always)
    mutating func appendEmpty() { offsets.append(offsets[offsets.count - 1]) }

    func finish(type: DataType, validity: Bitmap?) -> Column {
        Column(unchecked: type, count: offsets.count - 1, validity: validity, values: bytes, offsets: offsets)
    }
}

/// Read access to a string/binary vector's values without copying.
struct StringView {
    let offsets: UnsafePointer<Int32>
    let bytes: UnsafePointer<UInt8>
    let stride: Int

    @inline(__always)
    subscript(row: Int) -> UnsafeBufferPointer<UInt8> {
        let start = Int(offsets[row &* stride])
        let end = Int(offsets[row &* stride &+ 1])
        return UnsafeBufferPointer(start: bytes + start, count: end - start)
    }
}

extension Vector {
    /// Calls `body` with a view of this string/binary vector.
    @inline(__always)
    func withStrings<R>(_ body: (StringView) -> R) -> R {
        // A well-formed string column has count + 1 offsets; an empty array only when malformed.
        let offsets = column.offsets.isEmpty ? [0, 0] : column.offsets
        return offsets.withUnsafeBufferPointer { offsets in
            column.values.withUnsafeBufferPointer { values in
                // An empty values array may have no base address; a one-byte dummy stands in.
                withUnsafePointer(to: UInt8(0)) { dummy in
                    body(StringView(offsets: offsets.baseAddress!, bytes: values.baseAddress ?? dummy, stride: stride))
                }
            }
        }
    }

    /// Calls `body` with the fixed-width values' bytes (a constant has one value); kernels read
    /// them with `loadUnaligned`, which costs nothing on the platforms we run on.
    @inline(__always)
    func withRawValues<R>(_ body: (UnsafeRawPointer) -> R) -> R {
        column.values.withUnsafeBytes { raw in
            if let base = raw.baseAddress { return body(base) }
            // No values (zero rows): nothing will be read.
            return withUnsafeBytes(of: (0 as Int128)) { body($0.baseAddress!) }
        }
    }
}
