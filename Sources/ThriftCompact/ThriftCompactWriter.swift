/// Writes Thrift compact protocol values by appending to a byte array.
///
/// Structs: `beginStruct()`, one field header plus value per field in ascending id order,
/// then `endStruct()`, which writes the stop byte. Field headers use the one-byte short form
/// when the id is 1...15 more than the previous id of the same struct, the long form otherwise.
public struct ThriftCompactWriter: Sendable {
    @usableFromInline internal var storage: [UInt8]
    @usableFromInline internal var lastFieldId: Int16
    @usableFromInline internal var fieldIdStack: FieldIdStack

    public init(reservingCapacity capacity: Int = 256) {
        storage = []
        storage.reserveCapacity(capacity)
        lastFieldId = 0
        fieldIdStack = FieldIdStack()
    }

    /// Everything written so far.
    public var bytes: [UInt8] { storage }

    /// Number of structs begun and not yet ended.
    public var structDepth: Int { fieldIdStack.count }

    /// Hands over the bytes written and leaves the writer empty.
    public mutating func takeBytes() -> [UInt8] {
        precondition(fieldIdStack.count == 0, "takeBytes() inside an unfinished struct")
        defer { storage = [] }
        return storage
    }

    // MARK: Raw values

    @inlinable
    public mutating func writeByte(_ byte: UInt8) {
        storage.append(byte)
    }

    /// An unsigned LEB128 varint.
    @inlinable
    public mutating func writeVarint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            storage.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value &>>= 7
        }
        storage.append(UInt8(truncatingIfNeeded: value))
    }

    @inlinable
    public mutating func writeI8(_ value: Int8) {
        storage.append(UInt8(bitPattern: value))
    }

    @inlinable
    public mutating func writeI16(_ value: Int16) {
        let zigzag = UInt16(bitPattern: (value &<< 1) ^ (value &>> 15))
        writeVarint(UInt64(zigzag))
    }

    @inlinable
    public mutating func writeI32(_ value: Int32) {
        let zigzag = UInt32(bitPattern: (value &<< 1) ^ (value &>> 31))
        writeVarint(UInt64(zigzag))
    }

    @inlinable
    public mutating func writeI64(_ value: Int64) {
        writeVarint(UInt64(bitPattern: (value &<< 1) ^ (value &>> 63)))
    }

    /// 8 bytes, little-endian IEEE 754.
    @inlinable
    public mutating func writeDouble(_ value: Double) {
        var bits = value.bitPattern.littleEndian
        withUnsafeBytes(of: &bits) { storage.append(contentsOf: $0) }
    }

    /// A varint length and the storage.
    @inlinable
    public mutating func writeBinary(_ value: UnsafeRawBufferPointer) {
        precondition(value.count <= Int(Int32.max), "binary longer than Int32.max")
        writeVarint(UInt64(value.count))
        storage.append(contentsOf: value)
    }

    /// A varint length and the storage.
    @inlinable
    public mutating func writeBinary(_ value: [UInt8]) {
        value.withUnsafeBytes { writeBinary($0) }
    }

    /// The string's UTF-8 bytes as a binary value.
    @inlinable
    public mutating func writeString(_ value: String) {
        var value = value
        value.withUTF8 { writeBinary(UnsafeRawBufferPointer($0)) }
    }

    /// A bool inside a list, set or map: 1 for true, 2 for false (as C++ and Java write it).
    @inlinable
    public mutating func writeBoolElement(_ value: Bool) {
        storage.append(value ? 1 : 2)
    }

    // MARK: Structs and fields

    /// Starts a nested struct: saves the current last field id and restarts from 0.
    @inlinable
    public mutating func beginStruct() {
        fieldIdStack.push(lastFieldId)
        lastFieldId = 0
    }

    /// Writes the stop byte and restores the enclosing struct's last field id.
    @inlinable
    public mutating func endStruct() {
        storage.append(0)
        lastFieldId = fieldIdStack.pop()
    }

    /// A field header, short form when `id` is 1...15 above the previous id of this struct.
    /// For a bool field use `writeField(id:bool:)`, which puts the value in the type.
    @inlinable
    public mutating func writeFieldHeader(id: Int16, type: ThriftType) {
        let delta = Int(id) - Int(lastFieldId)
        if delta >= 1 && delta <= 15 {
            storage.append(UInt8(delta) << 4 | type.rawValue)
        } else {
            storage.append(type.rawValue)
            writeI16(id)
        }
        lastFieldId = id
    }

    @inlinable
    public mutating func writeField(id: Int16, bool value: Bool) {
        writeFieldHeader(id: id, type: value ? .boolTrue : .boolFalse)
    }

    @inlinable
    public mutating func writeField(id: Int16, i8 value: Int8) {
        writeFieldHeader(id: id, type: .i8)
        writeI8(value)
    }

    @inlinable
    public mutating func writeField(id: Int16, i16 value: Int16) {
        writeFieldHeader(id: id, type: .i16)
        writeI16(value)
    }

    @inlinable
    public mutating func writeField(id: Int16, i32 value: Int32) {
        writeFieldHeader(id: id, type: .i32)
        writeI32(value)
    }

    @inlinable
    public mutating func writeField(id: Int16, i64 value: Int64) {
        writeFieldHeader(id: id, type: .i64)
        writeI64(value)
    }

    @inlinable
    public mutating func writeField(id: Int16, double value: Double) {
        writeFieldHeader(id: id, type: .double)
        writeDouble(value)
    }

    @inlinable
    public mutating func writeField(id: Int16, binary value: [UInt8]) {
        writeFieldHeader(id: id, type: .binary)
        writeBinary(value)
    }

    @inlinable
    public mutating func writeField(id: Int16, string value: String) {
        writeFieldHeader(id: id, type: .binary)
        writeString(value)
    }

    /// An empty struct field (`{}`), as used for union members without content.
    @inlinable
    public mutating func writeEmptyStructField(id: Int16) {
        writeFieldHeader(id: id, type: .struct)
        storage.append(0)
    }

    // MARK: Collections

    /// A list header: `(count << 4) | type` when count <= 14, else `0xF0 | type` and a varint.
    /// For bool elements pass `.boolTrue` (either bool code is written as 1).
    @inlinable
    public mutating func writeListHeader(elementType: ThriftType, count: Int) {
        precondition(count >= 0 && count <= Int(Int32.max), "collection count out of range")
        let code = elementType.isBool ? ThriftType.boolTrue.rawValue : elementType.rawValue
        if count <= 14 {
            storage.append(UInt8(count) << 4 | code)
        } else {
            storage.append(0xF0 | code)
            writeVarint(UInt64(count))
        }
    }

    /// A set header, encoded like a list header.
    @inlinable
    public mutating func writeSetHeader(elementType: ThriftType, count: Int) {
        writeListHeader(elementType: elementType, count: count)
    }

    /// A map header: a varint count, then (when not empty) `(keyType << 4) | valueType`.
    @inlinable
    public mutating func writeMapHeader(keyType: ThriftType, valueType: ThriftType, count: Int) {
        precondition(count >= 0 && count <= Int(Int32.max), "collection count out of range")
        writeVarint(UInt64(count))
        if count > 0 {
            let key = keyType.isBool ? ThriftType.boolTrue.rawValue : keyType.rawValue
            let value = valueType.isBool ? ThriftType.boolTrue.rawValue : valueType.rawValue
            storage.append(key << 4 | value)
        }
    }
}
