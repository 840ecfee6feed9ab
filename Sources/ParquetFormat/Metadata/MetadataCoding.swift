import ThriftCompact

/// A Parquet metadata struct from `parquet.thrift`, read from and written to Thrift compact bytes.
///
/// `read(from:)` (and `init(from:)`, which calls it) skips fields it does not know (and known
/// ids whose wire type is not the expected one, as Thrift's generated code does), and throws
/// `ParquetFormatError(.corrupt)` when a required field is missing or a size or count is
/// negative. Errors of the Thrift layer come out of it as `ThriftError`; the `decode`
/// functions turn them into `ParquetFormatError` with the same offset.
///
/// `write(to:)` writes the whole struct (its fields in ascending id order, required ones
/// always, then the stop byte).
public protocol ThriftMetadata: Sendable, Hashable {
    /// Decodes the struct at the reader's position.
    static func read(from reader: inout ThriftCompactReader) throws -> Self
    func write(to writer: inout ThriftCompactWriter)
}

extension ThriftMetadata {
    /// Decodes the struct at the reader's position; see `read(from:)`.
    public init(from reader: inout ThriftCompactReader) throws {
        self = try Self.read(from: &reader)
    }

    /// Decodes one struct from the start of `bytes` and reports how many bytes it took.
    /// Bytes after the struct are left alone. `fileOffset` is the file offset of `bytes[0]`,
    /// used in errors. A struct cut short throws code `.truncated`, so a caller that guessed
    /// too short a prefix (of a page header, say) can retry with more bytes.
    public static func decodePrefix(
        _ bytes: UnsafeRawBufferPointer, fileOffset: Int = 0,
        limits: ThriftCompactReader.Limits = .default
    ) throws(ParquetFormatError) -> (value: Self, length: Int) {
        var reader = ThriftCompactReader(bytes: bytes, baseOffset: fileOffset, limits: limits)
        do {
            let value = try Self.read(from: &reader)
            return (value, reader.bytesConsumed)
        } catch {
            throw ParquetFormatError(metadataError: error, offset: reader.position)
        }
    }

    /// Decodes one struct from the start of `bytes` (bytes after it are ignored).
    public static func decode(
        _ bytes: UnsafeRawBufferPointer, fileOffset: Int = 0,
        limits: ThriftCompactReader.Limits = .default
    ) throws(ParquetFormatError) -> Self {
        try decodePrefix(bytes, fileOffset: fileOffset, limits: limits).value
    }

    /// Decodes one struct from the start of `bytes` (bytes after it are ignored).
    public static func decode(
        _ bytes: [UInt8], fileOffset: Int = 0, limits: ThriftCompactReader.Limits = .default
    ) throws(ParquetFormatError) -> Self {
        let result = bytes.withUnsafeBytes { buffer in
            Result { () throws(ParquetFormatError) in
                try decodePrefix(buffer, fileOffset: fileOffset, limits: limits).value
            }
        }
        return try result.get()
    }

    /// The struct's compact protocol bytes.
    public func encode() -> [UInt8] {
        var writer = ThriftCompactWriter()
        write(to: &writer)
        return writer.takeBytes()
    }
}

extension ParquetFormatError {
    /// The Parquet error for a failure of the Thrift layer, keeping its offset.
    public init(_ thrift: ThriftError) {
        let code: Code =
            switch thrift.code {
            case .truncated: .truncated
            case .limitExceeded, .depthExceeded: .limitExceeded
            case .invalidType, .invalidData: .corrupt
            }
        self.init(code, "metadata: \(thrift.message)", offset: thrift.offset)
    }

    init(metadataError error: any Error, offset: Int) {
        switch error {
        case let error as ParquetFormatError: self = error.with(offset: offset)
        case let error as ThriftError: self.init(error)
        default: self.init(.corrupt, "metadata: \(error)", offset: offset)
        }
    }
}

// MARK: Decoding helpers

/// The value of a required field, or a `.corrupt` error naming it.
@inline(__always)
func required<T>(_ value: T?, _ field: String, of type: String, at offset: Int)
    throws(ParquetFormatError) -> T
{
    guard let value else {
        throw ParquetFormatError(
            .corrupt, "\(type) is missing required field \(field)", offset: offset)
    }
    return value
}

/// `value` if it is not negative, else a `.corrupt` error naming the field.
@inline(__always)
func nonNegative<T: BinaryInteger>(_ value: T, _ field: String, of type: String, at offset: Int)
    throws(ParquetFormatError) -> T
{
    guard value >= 0 else {
        throw ParquetFormatError(.corrupt, "\(type).\(field) is negative", offset: offset)
    }
    return value
}

/// `value` if it is nil or not negative, else a `.corrupt` error naming the field.
@inline(__always)
func nonNegativeOrNil<T: BinaryInteger>(
    _ value: T?, _ field: String, of type: String, at offset: Int
) throws(ParquetFormatError) -> T? {
    guard let value else { return nil }
    return try nonNegative(value, field, of: type, at: offset)
}

extension ThriftCompactReader {
    /// A list whose elements must be of `type` (an empty list of any element type is accepted).
    mutating func readList<T>(
        of type: ThriftType, _ element: (inout ThriftCompactReader) throws -> T
    ) throws -> [T] {
        let start = position
        let header = try readListHeader()
        if header.count == 0 { return [] }
        guard header.elementType == type || (header.elementType.isBool && type.isBool) else {
            throw ParquetFormatError(
                .corrupt, "list of \(header.elementType) where \(type) was expected", offset: start)
        }
        var result: [T] = []
        // The count is bounded by the input, but a decoded element can be far larger than
        // its encoding: let the array grow with what actually decodes.
        result.reserveCapacity(Swift.min(header.count, 1024))
        for _ in 0..<header.count { result.append(try element(&self)) }
        return result
    }

    mutating func readI32List() throws -> [Int32] {
        try readList(of: .i32) { reader throws(ThriftError) in try reader.readI32() }
    }

    mutating func readI64List() throws -> [Int64] {
        try readList(of: .i64) { reader throws(ThriftError) in try reader.readI64() }
    }

    mutating func readStructList<T: ThriftMetadata>(_: T.Type) throws -> [T] {
        try readList(of: .struct) { reader in try T.read(from: &reader) }
    }
}

extension ThriftCompactWriter {
    mutating func writeField(id: Int16, struct value: some ThriftMetadata) {
        writeFieldHeader(id: id, type: .struct)
        value.write(to: &self)
    }

    mutating func writeField<T>(
        id: Int16, list items: [T], of type: ThriftType,
        _ element: (inout ThriftCompactWriter, T) -> Void
    ) {
        writeFieldHeader(id: id, type: .list)
        writeListHeader(elementType: type, count: items.count)
        for item in items { element(&self, item) }
    }

    mutating func writeField(id: Int16, i32List items: [Int32]) {
        writeField(id: id, list: items, of: .i32) { $0.writeI32($1) }
    }

    mutating func writeField(id: Int16, i64List items: [Int64]) {
        writeField(id: id, list: items, of: .i64) { $0.writeI64($1) }
    }

    mutating func writeField<T: ThriftMetadata>(id: Int16, structList items: [T]) {
        writeField(id: id, list: items, of: .struct) { $1.write(to: &$0) }
    }
}
