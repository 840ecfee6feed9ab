import Columnar

/// Encodes value `i` of one Columnar column in Avro's binary encoding (a union index first
/// when the field is nullable). Bound to a batch's column with `bind(_:)`.
final class ColumnEncoder {
    enum Kind {
        case null
        case boolean
        case int8, int16, int32, uint8, uint16
        case int64, uint32, uint64
        /// An Int64 time of day in milliseconds written as an Avro `int`.
        case timeMillis
        case float16, float32, float64
        /// Int128 written big-endian into a `fixed` of this size.
        case decimal(Int)
        /// string or binary: length and bytes.
        case bytes
        case fixed(Int)
        /// A string written as the index of its symbol.
        case enumeration([String: Int])
        /// 16 bytes written as the 36-character text form.
        case uuid
        case record
        case list
        /// Keys then values of each entry (Avro maps and Iceberg's arrays of key/value records).
        case map
    }

    let kind: Kind
    let nullable: Bool
    let path: String
    let children: [ColumnEncoder]
    private var column: Column

    init(type: DataType, kind: Kind, nullable: Bool, path: String, children: [ColumnEncoder]) {
        self.kind = kind
        self.nullable = nullable
        self.path = path
        self.children = children
        column = .nulls(type, count: 0)
    }

    /// Points this encoder and its children at a batch's column (of the same type).
    func bind(_ column: Column) {
        self.column = column
        for (child, childColumn) in zip(children, column.children) { child.bind(childColumn) }
    }

    @inline(__always)
    private func fixed<T: BitwiseCopyable>(_ i: Int, as _: T.Type) -> T {
        column.values.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: i * MemoryLayout<T>.size, as: T.self) }
    }

    func encode(_ i: Int, _ out: inout [UInt8]) throws(AvroError) {
        if case .null = kind { return }
        if column.isNull(i) {
            guard nullable else {
                throw AvroError(.invalidArgument, "a null value in a field that is not nullable", field: path)
            }
            out.append(0)  // union branch 0: null
            return
        }
        if nullable { out.append(2) }  // union branch 1, zig-zag encoded
        switch kind {
        case .null:
            break
        case .boolean:
            out.append(fixed(i, as: UInt8.self) != 0 ? 1 : 0)
        case .int8:
            AvroBinaryEncoder.appendLong(Int64(fixed(i, as: Int8.self)), to: &out)
        case .int16:
            AvroBinaryEncoder.appendLong(Int64(fixed(i, as: Int16.self)), to: &out)
        case .int32:
            AvroBinaryEncoder.appendLong(Int64(fixed(i, as: Int32.self)), to: &out)
        case .uint8:
            AvroBinaryEncoder.appendLong(Int64(fixed(i, as: UInt8.self)), to: &out)
        case .uint16:
            AvroBinaryEncoder.appendLong(Int64(fixed(i, as: UInt16.self)), to: &out)
        case .int64:
            AvroBinaryEncoder.appendLong(fixed(i, as: Int64.self), to: &out)
        case .uint32:
            AvroBinaryEncoder.appendLong(Int64(fixed(i, as: UInt32.self)), to: &out)
        case .uint64:
            guard let value = Int64(exactly: fixed(i, as: UInt64.self)) else {
                throw AvroError(.invalidArgument, "a uint64 value above Int64.max cannot be written as an Avro long", field: path)
            }
            AvroBinaryEncoder.appendLong(value, to: &out)
        case .timeMillis:
            guard let value = Int32(exactly: fixed(i, as: Int64.self)) else {
                throw AvroError(.invalidArgument, "a time in milliseconds does not fit an Avro int", field: path)
            }
            AvroBinaryEncoder.appendLong(Int64(value), to: &out)
        case .float16:
            AvroBinaryEncoder.appendFloat(Float16Bits.toFloat(fixed(i, as: UInt16.self)), to: &out)
        case .float32:
            AvroBinaryEncoder.appendFloat(fixed(i, as: Float.self), to: &out)
        case .float64:
            AvroBinaryEncoder.appendDouble(fixed(i, as: Double.self), to: &out)
        case .decimal(let size):
            let value = fixed(i, as: Int128.self)
            guard Self.appendDecimal(value, size: size, to: &out) else {
                throw AvroError(.invalidArgument, "a decimal value needs more than its precision's \(size) bytes", field: path)
            }
        case .bytes:
            column.withBytes(at: i) { AvroBinaryEncoder.appendBytes($0, to: &out) }
        case .fixed(let size):
            column.values.withUnsafeBytes { out.append(contentsOf: $0[(i * size)..<((i + 1) * size)]) }
        case .enumeration(let symbols):
            guard let index = symbols[column.string(at: i)] else {
                throw AvroError(.invalidArgument, "a value is not one of the enum's symbols", field: path)
            }
            AvroBinaryEncoder.appendLong(Int64(index), to: &out)
        case .uuid:
            column.values.withUnsafeBytes { raw in
                Self.appendUUID(UnsafeRawBufferPointer(rebasing: raw[(i * 16)..<((i + 1) * 16)]), to: &out)
            }
        case .record:
            for child in children { try child.encode(i, &out) }
        case .list:
            let range = column.range(at: i)
            if !range.isEmpty {
                AvroBinaryEncoder.appendLong(Int64(range.count), to: &out)
                for entry in range { try children[0].encode(entry, &out) }
            }
            out.append(0)
        case .map:
            let range = column.range(at: i)
            if !range.isEmpty {
                AvroBinaryEncoder.appendLong(Int64(range.count), to: &out)
                for entry in range {
                    try children[0].encode(entry, &out)
                    try children[1].encode(entry, &out)
                }
            }
            out.append(0)
        }
    }

    /// Appends `value` as `size` big-endian two's complement bytes; false when it needs more.
    static func appendDecimal(_ value: Int128, size: Int, to out: inout [UInt8]) -> Bool {
        if size < 16 {
            let bits = size * 8
            let low = -(Int128(1) << (bits - 1))
            let high = (Int128(1) << (bits - 1)) - 1
            guard value >= low, value <= high else { return false }
        }
        let fill: UInt8 = value < 0 ? 0xFF : 0
        for index in stride(from: size - 1, through: 0, by: -1) {
            out.append(index >= 16 ? fill : UInt8(truncatingIfNeeded: value >> (index * 8)))
        }
        return true
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// Appends 16 bytes as an Avro string in the 8-4-4-4-12 lowercase form.
    static func appendUUID(_ bytes: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        out.append(72)  // zig-zag 36
        for (index, byte) in bytes.enumerated() {
            if index == 4 || index == 6 || index == 8 || index == 10 { out.append(UInt8(ascii: "-")) }
            out.append(hexDigits[Int(byte >> 4)])
            out.append(hexDigits[Int(byte & 0x0F)])
        }
    }
}
