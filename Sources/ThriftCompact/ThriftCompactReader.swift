/// Reads Thrift compact protocol values from borrowed bytes.
///
/// The reader is a cursor over memory it does not own: create it inside `withUnsafeBytes`
/// (or any scope that keeps the buffer alive) and do not let it escape. For that reason it is
/// deliberately not `Sendable`; the values decoded from it are.
///
/// Every length and count is checked against the bytes that remain (and against `limits`)
/// before anything is allocated: a declared size the rest of the input cannot hold fails
/// instead of allocating. Nesting is bounded by `limits.maxDepth`. Errors carry
/// `position`, which is `baseOffset` plus the bytes consumed: pass the file offset of the
/// buffer's first byte as `baseOffset` to get file offsets in errors.
///
/// Structs: call `beginStruct()`, loop on `readFieldHeader()` until it returns nil (the stop
/// byte), then call `endStruct()`. Field ids are delta-encoded against the previous id of the
/// same struct; `beginStruct`/`endStruct` save and restore that id around nested structs.
public struct ThriftCompactReader {
    /// Bounds that protect against hostile input.
    public struct Limits: Sendable, Hashable {
        /// Deepest nesting of structs and collections, counting the outermost struct.
        public var maxDepth: Int
        /// Largest element count of one list, set or map.
        public var maxCollectionCount: Int

        public init(maxDepth: Int = 64, maxCollectionCount: Int = 1 << 22) {
            self.maxDepth = maxDepth
            self.maxCollectionCount = maxCollectionCount
        }

        public static let `default` = Limits()
    }

    @usableFromInline internal let bytes: UnsafeRawBufferPointer
    @usableFromInline internal var cursor: Int
    @usableFromInline internal var lastFieldId: Int16
    @usableFromInline internal var fieldIdStack: FieldIdStack
    /// Added to the bytes consumed to give `position` (the file offset of `bytes[0]`).
    public let baseOffset: Int
    public let limits: Limits

    public init(bytes: UnsafeRawBufferPointer, baseOffset: Int = 0, limits: Limits = .default) {
        self.bytes = bytes
        self.cursor = 0
        self.lastFieldId = 0
        self.fieldIdStack = FieldIdStack()
        self.baseOffset = baseOffset
        self.limits = limits
    }

    /// `baseOffset` plus the bytes consumed so far.
    @inlinable
    public var position: Int { baseOffset &+ cursor }

    /// Bytes consumed since the start of the buffer.
    @inlinable
    public var bytesConsumed: Int { cursor }

    /// Bytes not yet consumed.
    @inlinable
    public var bytesRemaining: Int { bytes.count &- cursor }

    /// Number of structs begun and not yet ended.
    public var structDepth: Int { fieldIdStack.count }

    // MARK: Errors

    @usableFromInline
    internal func error(_ code: ThriftError.Code, _ message: String, at cursor: Int) -> ThriftError
    {
        ThriftError(code, message, offset: baseOffset &+ cursor)
    }

    @usableFromInline
    internal func truncated(_ what: String, at cursor: Int) -> ThriftError {
        error(.truncated, "input ends inside \(what)", at: cursor)
    }

    // MARK: Raw bytes and varints

    @inlinable @inline(__always)
    internal mutating func readByte() throws(ThriftError) -> UInt8 {
        guard cursor < bytes.count else { throw truncated("a value", at: cursor) }
        let byte = bytes[cursor]
        cursor &+= 1
        return byte
    }

    @inlinable
    internal mutating func advance(by count: Int, what: @autoclosure () -> String)
        throws(ThriftError)
    {
        guard count <= bytes.count &- cursor else { throw truncated(what(), at: cursor) }
        cursor &+= count
    }

    /// An unsigned LEB128 varint of at most 10 bytes.
    @inlinable @inline(__always)
    public mutating func readVarint() throws(ThriftError) -> UInt64 {
        let end = bytes.count
        let start = cursor
        var index = cursor
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while index < end {
            let byte = bytes[index]
            index &+= 1
            result |= UInt64(byte & 0x7F) &<< shift
            if byte & 0x80 == 0 {
                if shift == 63 && byte > 1 {
                    throw error(.invalidData, "varint overflows 64 bits", at: start)
                }
                cursor = index
                return result
            }
            shift &+= 7
            if shift > 63 {
                throw error(.invalidData, "varint longer than 10 bytes", at: start)
            }
        }
        throw truncated("a varint", at: start)
    }

    @inlinable
    internal mutating func readVarint32(_ what: @autoclosure () -> String) throws(ThriftError)
        -> UInt32
    {
        let start = cursor
        let value = try readVarint()
        guard value <= UInt64(UInt32.max) else {
            throw error(.invalidData, "\(what()) does not fit in 32 bits", at: start)
        }
        return UInt32(truncatingIfNeeded: value)
    }

    /// A non-negative length or count, encoded as an unsigned 32-bit varint.
    @inlinable
    internal mutating func readSize(_ what: @autoclosure () -> String) throws(ThriftError) -> Int {
        let start = cursor
        let value = try readVarint32(what())
        guard value <= UInt32(Int32.max) else {
            throw error(.invalidData, "\(what()) \(value) is negative as i32", at: start)
        }
        return Int(value)
    }

    // MARK: Scalars

    @inlinable
    public mutating func readI8() throws(ThriftError) -> Int8 {
        Int8(bitPattern: try readByte())
    }

    @inlinable
    public mutating func readI16() throws(ThriftError) -> Int16 {
        let start = cursor
        let value = try readVarint()
        guard value <= UInt64(UInt16.max) else {
            throw error(.invalidData, "i16 varint out of range", at: start)
        }
        let raw = UInt16(truncatingIfNeeded: value)
        return Int16(bitPattern: (raw &>> 1) ^ (0 &- (raw & 1)))
    }

    @inlinable @inline(__always)
    public mutating func readI32() throws(ThriftError) -> Int32 {
        let raw = try readVarint32("i32 varint")
        return Int32(bitPattern: (raw &>> 1) ^ (0 &- (raw & 1)))
    }

    @inlinable @inline(__always)
    public mutating func readI64() throws(ThriftError) -> Int64 {
        let raw = try readVarint()
        return Int64(bitPattern: (raw &>> 1) ^ (0 &- (raw & 1)))
    }

    /// 8 bytes, little-endian IEEE 754.
    @inlinable
    public mutating func readDouble() throws(ThriftError) -> Double {
        guard bytes.count &- cursor >= 8 else { throw truncated("a double", at: cursor) }
        let bits = bytes.loadUnaligned(fromByteOffset: cursor, as: UInt64.self)
        cursor &+= 8
        return Double(bitPattern: UInt64(littleEndian: bits))
    }

    /// A bool field's value, which the compact protocol carries in the field header's type.
    @inlinable
    public func readBool(fieldType: ThriftType) throws(ThriftError) -> Bool {
        switch fieldType {
        case .boolTrue: return true
        case .boolFalse: return false
        default: throw error(.invalidType, "field of type \(fieldType) read as bool", at: cursor)
        }
    }

    /// A bool inside a list, set or map: one byte, 1 is true, anything else (0 or 2) is false,
    /// as the C++ and Java implementations read it.
    @inlinable
    public mutating func readBoolElement() throws(ThriftError) -> Bool {
        try readByte() == 1
    }

    // MARK: Binary and strings

    /// A varint length and that many bytes, without copying: the result points into the
    /// reader's buffer and is valid as long as that buffer is.
    @inlinable
    public mutating func readBinaryNoCopy() throws(ThriftError) -> UnsafeRawBufferPointer {
        let start = cursor
        let length = try readSize("binary length")
        guard length <= bytes.count &- cursor else {
            throw error(
                .truncated, "binary of \(length) bytes runs past the end of the input", at: start)
        }
        let slice = UnsafeRawBufferPointer(rebasing: bytes[cursor..<(cursor &+ length)])
        cursor &+= length
        return slice
    }

    /// A varint length and that many bytes, copied.
    @inlinable
    public mutating func readBinary() throws(ThriftError) -> [UInt8] {
        [UInt8](try readBinaryNoCopy())
    }

    /// A binary value decoded as UTF-8; invalid sequences become U+FFFD.
    @inlinable
    public mutating func readString() throws(ThriftError) -> String {
        let raw = try readBinaryNoCopy()
        return raw.withMemoryRebound(to: UInt8.self) { String(decoding: $0, as: UTF8.self) }
    }

    // MARK: Structs

    /// Starts a nested struct: saves the current last field id and restarts from 0.
    @inlinable @inline(__always)
    public mutating func beginStruct() throws(ThriftError) {
        guard fieldIdStack.count < limits.maxDepth else {
            throw error(.depthExceeded, "structs nested deeper than \(limits.maxDepth)", at: cursor)
        }
        fieldIdStack.push(lastFieldId)
        lastFieldId = 0
    }

    /// Ends the struct begun last (after `readFieldHeader()` returned nil): restores the
    /// enclosing struct's last field id.
    @inlinable @inline(__always)
    public mutating func endStruct() {
        lastFieldId = fieldIdStack.pop()
    }

    /// The next field's id and type, or nil at the stop byte that ends the struct.
    @inlinable @inline(__always)
    public mutating func readFieldHeader() throws(ThriftError) -> (id: Int16, type: ThriftType)? {
        var lastId = lastFieldId
        let header = try readFieldHeader(lastId: &lastId)
        lastFieldId = lastId
        return header
    }

    @inlinable @inline(__always)
    internal mutating func readFieldHeader(
        lastId: inout Int16
    ) throws(ThriftError) -> (id: Int16, type: ThriftType)? {
        let start = cursor
        guard cursor < bytes.count else { throw truncated("a struct (no stop byte)", at: start) }
        let byte = bytes[cursor]
        cursor &+= 1
        if byte == 0 { return nil }
        guard let type = ThriftType(rawValue: byte & 0x0F) else {
            throw error(.invalidType, "field type code \(byte & 0x0F)", at: start)
        }
        let delta = byte &>> 4
        let id: Int16
        if delta != 0 {
            let (sum, overflow) = lastId.addingReportingOverflow(Int16(delta))
            guard !overflow else { throw error(.invalidData, "field id overflows i16", at: start) }
            id = sum
        } else {
            id = try readI16()
        }
        lastId = id
        return (id, type)
    }

    // MARK: Collections

    @inlinable
    internal func elementType(code: UInt8, at start: Int) throws(ThriftError) -> ThriftType {
        // Bool elements are written with code 1 (C++, Java) or 2 (some other writers):
        // report both as boolTrue.
        if code == 2 { return .boolTrue }
        guard let type = ThriftType(rawValue: code) else {
            throw error(.invalidType, "collection element type code \(code)", at: start)
        }
        return type
    }

    @inlinable
    internal func checkCount(
        _ count: Int, elementBytes: Int, what: String, at start: Int
    ) throws(ThriftError) {
        // count <= Int32.max and elementBytes <= 16, so this cannot overflow.
        guard count &* elementBytes <= bytes.count &- cursor else {
            throw error(
                .truncated, "\(what) of \(count) elements runs past the end of the input", at: start
            )
        }
        guard count <= limits.maxCollectionCount else {
            throw error(
                .limitExceeded,
                "\(what) of \(count) elements exceeds the limit of \(limits.maxCollectionCount)",
                at: start)
        }
    }

    /// A list header: element type and count. Bool elements are reported as `boolTrue`.
    /// The count is checked against the remaining input and `limits.maxCollectionCount`.
    @inlinable
    public mutating func readListHeader() throws(ThriftError) -> (
        elementType: ThriftType, count: Int
    ) {
        let start = cursor
        let byte = try readByte()
        var count = Int(byte &>> 4)
        if count == 15 { count = try readSize("list size") }
        let type = try elementType(code: byte & 0x0F, at: start)
        try checkCount(count, elementBytes: type.minimumElementSize, what: "list", at: start)
        return (type, count)
    }

    /// A set header; the compact protocol encodes it exactly like a list header.
    @inlinable
    public mutating func readSetHeader() throws(ThriftError) -> (
        elementType: ThriftType, count: Int
    ) {
        try readListHeader()
    }

    /// A map header. An empty map has no type byte, so its types are nil.
    @inlinable
    public mutating func readMapHeader() throws(ThriftError)
        -> (keyType: ThriftType?, valueType: ThriftType?, count: Int)
    {
        let start = cursor
        let count = try readSize("map size")
        if count == 0 { return (nil, nil, 0) }
        let types = try readByte()
        let keyType = try elementType(code: types &>> 4, at: start)
        let valueType = try elementType(code: types & 0x0F, at: start)
        try checkCount(
            count, elementBytes: keyType.minimumElementSize + valueType.minimumElementSize,
            what: "map", at: start)
        return (keyType, valueType, count)
    }

    // MARK: Skipping

    /// Skips the value of a field of `type` (a bool field has no value bytes), including
    /// nested structs and collections, up to `limits.maxDepth`.
    public mutating func skip(type: ThriftType) throws(ThriftError) {
        try skipValue(type, inCollection: false, depth: fieldIdStack.count)
    }

    /// Skips one element of a list, set or map (a bool element is one byte).
    public mutating func skipElement(type: ThriftType) throws(ThriftError) {
        try skipValue(type, inCollection: true, depth: fieldIdStack.count)
    }

    @usableFromInline
    internal mutating func skipValue(
        _ type: ThriftType, inCollection: Bool, depth: Int
    ) throws(ThriftError) {
        switch type {
        case .boolTrue, .boolFalse:
            if inCollection { try advance(by: 1, what: "a bool") }
        case .i8:
            try advance(by: 1, what: "an i8")
        case .i16, .i32, .i64:
            _ = try readVarint()
        case .double:
            try advance(by: 8, what: "a double")
        case .binary:
            _ = try readBinaryNoCopy()
        case .list, .set:
            guard depth < limits.maxDepth else {
                throw error(
                    .depthExceeded, "values nested deeper than \(limits.maxDepth)", at: cursor)
            }
            let header = try readListHeader()
            try skipElements(header.elementType, count: header.count, depth: depth + 1)
        case .map:
            guard depth < limits.maxDepth else {
                throw error(
                    .depthExceeded, "values nested deeper than \(limits.maxDepth)", at: cursor)
            }
            let header = try readMapHeader()
            guard let keyType = header.keyType, let valueType = header.valueType else { return }
            for _ in 0..<header.count {
                try skipValue(keyType, inCollection: true, depth: depth + 1)
                try skipValue(valueType, inCollection: true, depth: depth + 1)
            }
        case .struct:
            guard depth < limits.maxDepth else {
                throw error(
                    .depthExceeded, "values nested deeper than \(limits.maxDepth)", at: cursor)
            }
            var lastId: Int16 = 0
            while let field = try readFieldHeader(lastId: &lastId) {
                try skipValue(field.type, inCollection: false, depth: depth + 1)
            }
        }
    }

    @usableFromInline
    internal mutating func skipElements(
        _ type: ThriftType, count: Int, depth: Int
    ) throws(ThriftError) {
        switch type {
        case .boolTrue, .boolFalse, .i8:
            try advance(by: count, what: "a list")
        case .double:
            try advance(by: count &* 8, what: "a list")
        default:
            for _ in 0..<count { try skipValue(type, inCollection: true, depth: depth) }
        }
    }
}

/// The reader borrows memory that another task may free: keep it in one scope.
@available(*, unavailable)
extension ThriftCompactReader: Sendable {}
