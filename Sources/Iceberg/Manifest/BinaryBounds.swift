/// Iceberg's single-value binary serialization (spec appendix D), used for `lower_bounds`,
/// `upper_bounds` and the manifest list's partition summaries.
///
/// | type | bytes |
/// |---|---|
/// | boolean | one byte, 0 or 1 |
/// | int, date | 4 bytes little-endian |
/// | long, time, timestamp, timestamptz | 8 bytes little-endian |
/// | float, double | IEEE 754, little-endian |
/// | string | UTF-8 |
/// | uuid | 16 bytes big-endian |
/// | fixed, binary | the bytes |
/// | decimal | the unscaled value's shortest big-endian two's complement |
extension IcebergLiteral {
    public var binaryBound: [UInt8] {
        switch self {
        case .boolean(let b): return [b ? 1 : 0]
        case .int(let v), .date(let v): return Self.littleEndian(v)
        case .long(let v), .time(let v), .timestamp(let v), .timestamptz(let v): return Self.littleEndian(v)
        case .float(let v): return Self.littleEndian(v.bitPattern)
        case .double(let v): return Self.littleEndian(v.bitPattern)
        case .string(let s): return Array(s.utf8)
        case .uuid(let b), .fixed(let b), .binary(let b): return b
        case .decimal(let v): return Self.minimalBigEndian(v)
        }
    }

    /// Decodes a bound of `type`. A `long` bound of 4 bytes and a `double` bound of 4 bytes
    /// are read as the int and float they were before a type promotion, as the spec allows.
    public init(binaryBound bytes: [UInt8], type: IcebergType) throws(IcebergError) {
        func integer(_ width: Int) throws(IcebergError) -> Int64 {
            guard bytes.count == width else {
                throw IcebergError(.invalidManifest, "a bound of \(bytes.count) bytes for a \(width)-byte type")
            }
            var value: UInt64 = 0
            for (index, byte) in bytes.enumerated() { value |= UInt64(byte) << (8 * UInt64(index)) }
            if width == 4 { return Int64(Int32(truncatingIfNeeded: value)) }
            return Int64(bitPattern: value)
        }
        switch type {
        case .boolean:
            guard bytes.count == 1 else { throw IcebergError(.invalidManifest, "a boolean bound is one byte") }
            self = .boolean(bytes[0] != 0)
        case .int: self = .int(Int32(truncatingIfNeeded: try integer(4)))
        case .date: self = .date(Int32(truncatingIfNeeded: try integer(4)))
        case .long: self = .long(try integer(bytes.count == 4 ? 4 : 8))
        case .time: self = .time(try integer(8))
        case .timestamp: self = .timestamp(try integer(8))
        case .timestamptz: self = .timestamptz(try integer(8))
        case .float: self = .float(Float(bitPattern: UInt32(truncatingIfNeeded: try integer(4))))
        case .double:
            if bytes.count == 4 {
                self = .double(Double(Float(bitPattern: UInt32(truncatingIfNeeded: try integer(4)))))
            } else {
                self = .double(Double(bitPattern: UInt64(bitPattern: try integer(8))))
            }
        case .string: self = .string(String(decoding: bytes, as: UTF8.self))
        case .uuid:
            guard bytes.count == 16 else { throw IcebergError(.invalidManifest, "a uuid bound is 16 bytes") }
            self = .uuid(bytes)
        case .fixed: self = .fixed(bytes)
        case .binary: self = .binary(bytes)
        case .decimal:
            guard !bytes.isEmpty, bytes.count <= 16 else {
                throw IcebergError(.invalidManifest, "a decimal bound of \(bytes.count) bytes")
            }
            var value: Int128 = bytes[0] >= 0x80 ? -1 : 0
            for byte in bytes { value = (value << 8) | Int128(byte) }
            self = .decimal(value)
        case .structure, .list, .map:
            throw IcebergError(.invalidArgument, "nested types have no bounds")
        }
    }

    static func littleEndian<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        withUnsafeBytes(of: value.littleEndian) { Array($0) }
    }

    /// The shortest big-endian two's complement bytes of `value` (at least one), as Java's
    /// `BigInteger.toByteArray` gives them.
    static func minimalBigEndian(_ value: Int128) -> [UInt8] {
        var bytes = (0..<16).map { UInt8(truncatingIfNeeded: value >> (8 * (15 - $0))) }
        while bytes.count > 1 {
            let first = bytes[0]
            let nextHigh = bytes[1] & 0x80
            if (first == 0x00 && nextHigh == 0) || (first == 0xFF && nextHigh != 0) {
                bytes.removeFirst()
            } else {
                break
            }
        }
        return bytes
    }
}
