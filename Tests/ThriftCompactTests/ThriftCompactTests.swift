import Testing

@testable import ThriftCompact

// MARK: Helpers

/// Runs `body` with a reader over `bytes`.
private func read<T>(
    _ bytes: [UInt8], baseOffset: Int = 0, limits: ThriftCompactReader.Limits = .default,
    _ body: (inout ThriftCompactReader) throws -> T
) throws -> T {
    try bytes.withUnsafeBytes { buffer in
        var reader = ThriftCompactReader(bytes: buffer, baseOffset: baseOffset, limits: limits)
        return try body(&reader)
    }
}

private func written(_ body: (inout ThriftCompactWriter) -> Void) -> [UInt8] {
    var writer = ThriftCompactWriter()
    body(&writer)
    return writer.bytes
}

/// The ThriftError thrown by `body`, or nil.
private func thriftError(
    _ bytes: [UInt8], baseOffset: Int = 0, limits: ThriftCompactReader.Limits = .default,
    _ body: (inout ThriftCompactReader) throws -> Void
) -> ThriftError? {
    do {
        try read(bytes, baseOffset: baseOffset, limits: limits, body)
        return nil
    } catch let error as ThriftError {
        return error
    } catch {
        Issue.record("unexpected error \(error)")
        return nil
    }
}

// MARK: Varints and zigzag

@Suite struct VarintTests {
    static let i64Cases: [(Int64, [UInt8])] = [
        (0, [0x00]),
        (-1, [0x01]),
        (1, [0x02]),
        (-64, [0x7F]),
        (64, [0x80, 0x01]),
        (Int64.max, [0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]),
        (Int64.min, [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]),
    ]

    @Test(arguments: i64Cases)
    func i64(value: Int64, encoded: [UInt8]) throws {
        #expect(written { $0.writeI64(value) } == encoded)
        let decoded = try read(encoded) { (reader) throws in
            let value = try reader.readI64()
            #expect(reader.bytesRemaining == 0)
            return value
        }
        #expect(decoded == value)
    }

    static let i32Cases: [(Int32, [UInt8])] = [
        (0, [0x00]),
        (-1, [0x01]),
        (1, [0x02]),
        (22, [0x2C]),
        (Int32.max, [0xFE, 0xFF, 0xFF, 0xFF, 0x0F]),
        (Int32.min, [0xFF, 0xFF, 0xFF, 0xFF, 0x0F]),
    ]

    @Test(arguments: i32Cases)
    func i32(value: Int32, encoded: [UInt8]) throws {
        #expect(written { $0.writeI32(value) } == encoded)
        #expect(try read(encoded) { try $0.readI32() } == value)
    }

    static let i16Cases: [(Int16, [UInt8])] = [
        (0, [0x00]),
        (-1, [0x01]),
        (1, [0x02]),
        (Int16.max, [0xFE, 0xFF, 0x03]),
        (Int16.min, [0xFF, 0xFF, 0x03]),
    ]

    @Test(arguments: i16Cases)
    func i16(value: Int16, encoded: [UInt8]) throws {
        #expect(written { $0.writeI16(value) } == encoded)
        #expect(try read(encoded) { try $0.readI16() } == value)
    }

    @Test func i8IsARawByte() throws {
        #expect(written { $0.writeI8(-2) } == [0xFE])
        #expect(written { $0.writeI8(127) } == [0x7F])
        #expect(try read([0x80]) { try $0.readI8() } == Int8.min)
    }

    @Test func unsignedVarint() throws {
        #expect(written { $0.writeVarint(300) } == [0xAC, 0x02])
        #expect(
            written { $0.writeVarint(UInt64.max) } == [
                0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01,
            ])
        #expect(
            try read([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]) {
                try $0.readVarint()
            } == UInt64.max)
        // A non-minimal encoding is still valid.
        #expect(try read([0x80, 0x80, 0x00]) { try $0.readVarint() } == 0)
    }

    @Test func overlongAndOverflowingVarintsAreRejected() {
        let elevenBytes = [UInt8](repeating: 0x80, count: 10) + [0x00]
        #expect(thriftError(elevenBytes) { _ = try $0.readVarint() }?.code == .invalidData)
        let overflow = [UInt8](repeating: 0xFF, count: 9) + [0x02]
        #expect(thriftError(overflow) { _ = try $0.readVarint() }?.code == .invalidData)
        // i32 whose varint needs more than 32 bits; i16 more than 16.
        #expect(
            thriftError([0xFF, 0xFF, 0xFF, 0xFF, 0x10]) { _ = try $0.readI32() }?.code
                == .invalidData)
        #expect(thriftError([0xFF, 0xFF, 0x04]) { _ = try $0.readI16() }?.code == .invalidData)
    }

    @Test func truncatedVarintReportsItsStart() {
        let error = thriftError([0x15, 0x80, 0x80], baseOffset: 1000) { reader in
            _ = try reader.readI8()
            _ = try reader.readI64()
        }
        #expect(error?.code == .truncated)
        #expect(error?.offset == 1001)
    }
}

// MARK: Scalars, binary, strings

@Suite struct ScalarTests {
    @Test func doubleIsLittleEndian() throws {
        let bytes = written { $0.writeDouble(1.5) }
        #expect(bytes == [0, 0, 0, 0, 0, 0, 0xF8, 0x3F])
        #expect(try read(bytes) { try $0.readDouble() } == 1.5)
        let nan = try read(written { $0.writeDouble(-.nan) }) { try $0.readDouble() }
        #expect(nan.isNaN && nan.sign == .minus)
        #expect(thriftError([0, 0, 0]) { _ = try $0.readDouble() }?.code == .truncated)
    }

    @Test func binaryAndString() throws {
        let bytes = written {
            $0.writeBinary([1, 2, 3])
            $0.writeString("héllo")
            $0.writeBinary([])
        }
        #expect(bytes == [0x03, 1, 2, 3, 0x06, 0x68, 0xC3, 0xA9, 0x6C, 0x6C, 0x6F, 0x00])
        try read(bytes) { (reader) throws in
            #expect(try reader.readBinary() == [1, 2, 3])
            #expect(try reader.readString() == "héllo")
            #expect(try reader.readBinary() == [])
            #expect(reader.bytesRemaining == 0)
        }
    }

    @Test func binaryNoCopyPointsIntoTheInput() throws {
        let bytes: [UInt8] = [0x02, 0xAA, 0xBB, 0x07]
        try bytes.withUnsafeBytes { buffer in
            var reader = ThriftCompactReader(bytes: buffer, baseOffset: 50)
            let slice = try reader.readBinaryNoCopy()
            #expect(slice.baseAddress == buffer.baseAddress! + 1)
            #expect(Array(slice) == [0xAA, 0xBB])
            #expect(reader.position == 53)
            #expect(reader.bytesConsumed == 3)
        }
    }

    @Test func invalidUTF8IsReplacedNotRejected() throws {
        #expect(try read([0x02, 0x61, 0xFF]) { try $0.readString() } == "a\u{FFFD}")
    }

    @Test func boolElementsAreBytes() throws {
        #expect(
            written {
                $0.writeBoolElement(true)
                $0.writeBoolElement(false)
            } == [1, 2])
        try read([1, 2, 0]) { (reader) throws in
            #expect(try reader.readBoolElement() == true)
            #expect(try reader.readBoolElement() == false)
            #expect(try reader.readBoolElement() == false)
        }
    }
}

// MARK: Field headers and structs

@Suite struct FieldHeaderTests {
    @Test func shortAndLongForms() throws {
        let bytes = written { w in
            w.beginStruct()
            w.writeField(id: 1, i32: 0)  // delta 1: short
            w.writeField(id: 16, i32: 0)  // delta 15: short
            w.writeField(id: 100, i32: 0)  // delta 84: long
            w.writeField(id: 3, i32: 0)  // descending: long
            w.writeField(id: -1, i32: 0)  // negative: long
            w.writeField(id: 4, i32: 0)  // delta 5 from -1: short
            w.endStruct()
        }
        #expect(
            bytes == [
                0x15, 0x00,
                0xF5, 0x00,
                0x05, 0xC8, 0x01, 0x00,
                0x05, 0x06, 0x00,
                0x05, 0x01, 0x00,
                0x55, 0x00,
                0x00,
            ])
        let ids = try read(bytes) { (reader) throws in
            try reader.beginStruct()
            var ids: [Int16] = []
            while let field = try reader.readFieldHeader() {
                #expect(field.type == .i32)
                #expect(try reader.readI32() == 0)
                ids.append(field.id)
            }
            reader.endStruct()
            #expect(reader.bytesRemaining == 0)
            return ids
        }
        #expect(ids == [1, 16, 100, 3, -1, 4])
    }

    @Test func boolFieldsCarryTheValueInTheType() throws {
        let bytes = written { w in
            w.beginStruct()
            w.writeField(id: 1, bool: true)
            w.writeField(id: 2, bool: false)
            w.writeField(id: 40, bool: true)
            w.endStruct()
        }
        #expect(bytes == [0x11, 0x12, 0x01, 0x50, 0x00])
        let values = try read(bytes) { (reader) throws in
            try reader.beginStruct()
            var values: [Int16: Bool] = [:]
            while let field = try reader.readFieldHeader() {
                values[field.id] = try reader.readBool(fieldType: field.type)
            }
            reader.endStruct()
            return values
        }
        #expect(values == [1: true, 2: false, 40: true])
        #expect(thriftError([]) { r in _ = try r.readBool(fieldType: .i32) }?.code == .invalidType)
    }

    @Test func nestedStructsRestoreTheLastFieldId() throws {
        let bytes = written { w in
            w.beginStruct()
            w.writeField(id: 1, i32: 7)
            w.writeFieldHeader(id: 2, type: .struct)
            w.beginStruct()
            w.writeField(id: 1, i32: 8)
            w.writeField(id: 15, i32: 9)
            w.endStruct()
            w.writeField(id: 3, i32: 10)  // delta from 2, not from 15
            w.endStruct()
        }
        #expect(bytes == [0x15, 0x0E, 0x1C, 0x15, 0x10, 0xE5, 0x12, 0x00, 0x15, 0x14, 0x00])
        let values = try read(bytes) { (reader) throws in
            var values: [String] = []
            try reader.beginStruct()
            while let field = try reader.readFieldHeader() {
                if field.type == .struct {
                    try reader.beginStruct()
                    #expect(reader.structDepth == 2)
                    while let inner = try reader.readFieldHeader() {
                        values.append("2.\(inner.id)=\(try reader.readI32())")
                    }
                    reader.endStruct()
                } else {
                    values.append("\(field.id)=\(try reader.readI32())")
                }
            }
            reader.endStruct()
            return values
        }
        #expect(values == ["1=7", "2.1=8", "2.15=9", "3=10"])
    }

    /// Ten nested structs (deeper than the stack's inline levels): at level L, field 3L+1 is
    /// an i32, field 3L+2 the nested struct, field 3L+3 an i32 written after it returns.
    @Test func deepNestingRestoresEveryLevel() throws {
        func write(_ w: inout ThriftCompactWriter, level: Int16) {
            w.beginStruct()
            w.writeField(id: 3 * level + 1, i32: Int32(level))
            if level < 9 {
                w.writeFieldHeader(id: 3 * level + 2, type: .struct)
                write(&w, level: level + 1)
            }
            w.writeField(id: 3 * level + 3, i32: -Int32(level))
            w.endStruct()
        }
        func read(_ r: inout ThriftCompactReader, level: Int16, into log: inout [String]) throws {
            try r.beginStruct()
            #expect(r.structDepth == Int(level) + 1)
            while let field = try r.readFieldHeader() {
                if field.type == .struct {
                    try read(&r, level: level + 1, into: &log)
                } else {
                    log.append("\(level):\(field.id)=\(try r.readI32())")
                }
            }
            r.endStruct()
        }
        var writer = ThriftCompactWriter()
        write(&writer, level: 0)
        #expect(writer.structDepth == 0)
        let bytes = writer.bytes
        // Per level: two i32 fields of 2 bytes and a stop byte, plus a struct header for nine
        // of them. Field 3L+3 is short form (delta 1 from the nested struct's id 3L+2, not
        // from the nested ids); the first id of levels 5...9 (16 and up) takes the long form.
        #expect(bytes.count == 10 * 5 + 9 + 5)
        var log: [String] = []
        try bytes.withUnsafeBytes { buffer in
            var reader = ThriftCompactReader(bytes: buffer)
            try read(&reader, level: 0, into: &log)
            #expect(reader.structDepth == 0)
            #expect(reader.bytesRemaining == 0)
        }
        let expected =
            (0..<10).map { "\($0):\(3 * $0 + 1)=\($0)" }
            + (0..<10).reversed().map { "\($0):\(3 * $0 + 3)=\(-$0)" }
        #expect(log == expected)
    }

    @Test func invalidTypeCodesAreRejected() {
        let error = thriftError([0x15, 0x00, 0x1D], baseOffset: 10) { reader in
            try reader.beginStruct()
            while let field = try reader.readFieldHeader() { try reader.skip(type: field.type) }
        }
        #expect(error?.code == .invalidType)
        #expect(error?.offset == 12)
        // Type 0 with a non-zero delta is not a stop byte.
        #expect(thriftError([0x10]) { _ = try $0.readFieldHeader() }?.code == .invalidType)
    }

    @Test func missingStopByteIsTruncated() {
        let error = thriftError([0x15, 0x02]) { reader in
            try reader.beginStruct()
            while let field = try reader.readFieldHeader() { try reader.skip(type: field.type) }
        }
        #expect(error?.code == .truncated)
    }

    @Test func structDepthIsLimited() {
        let error = thriftError([], limits: .init(maxDepth: 3)) { reader in
            for _ in 0..<4 { try reader.beginStruct() }
        }
        #expect(error?.code == .depthExceeded)
    }
}

// MARK: Collections

@Suite struct CollectionTests {
    @Test func listHeaderShortAndLongForms() throws {
        let short = written { w in
            w.writeListHeader(elementType: .i32, count: 3)
            for v: Int32 in [1, 2, 3] { w.writeI32(v) }
        }
        #expect(short == [0x35, 0x02, 0x04, 0x06])
        let fourteen = written { $0.writeListHeader(elementType: .binary, count: 14) }
        #expect(fourteen == [0xE8])
        let long = written { w in
            w.writeListHeader(elementType: .i8, count: 15)
            for v in 0..<15 { w.writeI8(Int8(v)) }
        }
        #expect(Array(long.prefix(2)) == [0xF3, 0x0F])
        try read(long) { (reader) throws in
            let header = try reader.readListHeader()
            #expect(header.elementType == .i8)
            #expect(header.count == 15)
            for v in 0..<15 { #expect(try reader.readI8() == Int8(v)) }
        }
        #expect(written { $0.writeSetHeader(elementType: .i64, count: 0) } == [0x06])
    }

    @Test func boolListsUseElementTypeOneAndAcceptTwo() throws {
        let bytes = written { w in
            w.writeListHeader(elementType: .boolFalse, count: 2)
            w.writeBoolElement(true)
            w.writeBoolElement(false)
        }
        #expect(bytes == [0x21, 0x01, 0x02])
        try read([0x32, 0x01, 0x00, 0x02]) { (reader) throws in
            let header = try reader.readListHeader()
            #expect(header.elementType == .boolTrue)
            #expect(header.count == 3)
            #expect(try reader.readBoolElement() == true)
            #expect(try reader.readBoolElement() == false)
            #expect(try reader.readBoolElement() == false)
        }
    }

    @Test func mapHeaders() throws {
        #expect(
            written { $0.writeMapHeader(keyType: .binary, valueType: .i32, count: 0) } == [0x00])
        #expect(
            written { $0.writeMapHeader(keyType: .binary, valueType: .i32, count: 2) } == [
                0x02, 0x85,
            ])
        try read([0x00]) { (reader) throws in
            let header = try reader.readMapHeader()
            #expect(header.count == 0)
            #expect(header.keyType == nil)
        }
        try read([0x01, 0x85, 0x00, 0x02]) { (reader) throws in
            let header = try reader.readMapHeader()
            #expect(header.keyType == .binary)
            #expect(header.valueType == .i32)
            #expect(header.count == 1)
        }
    }

    @Test func countsAreCheckedAgainstTheInputBeforeAllocating() {
        // 2^31-1 i32 elements declared in a 6-byte input.
        let hugeList: [UInt8] = [0xF5, 0xFF, 0xFF, 0xFF, 0xFF, 0x07]
        #expect(thriftError(hugeList) { _ = try $0.readListHeader() }?.code == .truncated)
        // A count that does not fit in i32.
        let negative: [UInt8] = [0xF5, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F]
        #expect(thriftError(negative) { _ = try $0.readListHeader() }?.code == .invalidData)
        // 10 doubles need 80 bytes.
        let doubles: [UInt8] = [0xA7] + [UInt8](repeating: 0, count: 79)
        #expect(thriftError(doubles) { _ = try $0.readListHeader() }?.code == .truncated)
        // Within the input but above the configured limit.
        let many: [UInt8] = [0xF3, 0x20] + [UInt8](repeating: 0, count: 32)
        let limited = ThriftCompactReader.Limits(maxCollectionCount: 31)
        #expect(
            thriftError(many, limits: limited) { _ = try $0.readListHeader() }?.code
                == .limitExceeded)
        // A map of 1000 entries needs at least 2000 bytes.
        #expect(
            thriftError([0xE8, 0x07, 0x88, 0x00]) { _ = try $0.readMapHeader() }?.code == .truncated
        )
        // A 2 GB binary declared in 6 bytes.
        let hugeBinary: [UInt8] = [0xFF, 0xFF, 0xFF, 0xFF, 0x07, 0x00]
        #expect(thriftError(hugeBinary) { _ = try $0.readBinary() }?.code == .truncated)
        #expect(thriftError([0x8F, 0x01]) { _ = try $0.readListHeader() }?.code == .invalidType)
    }
}

// MARK: Skipping

@Suite struct SkipTests {
    /// A struct holding one field of every type (nested ones included), then field 100 = 42.
    static let everyType: [UInt8] = written { w in
        w.beginStruct()
        w.writeField(id: 1, bool: true)
        w.writeField(id: 2, bool: false)
        w.writeField(id: 3, i8: -5)
        w.writeField(id: 4, i16: 300)
        w.writeField(id: 5, i32: -70000)
        w.writeField(id: 6, i64: Int64.min)
        w.writeField(id: 7, double: 2.5)
        w.writeField(id: 8, string: "skip me")
        w.writeFieldHeader(id: 9, type: .list)  // list<struct>
        w.writeListHeader(elementType: .struct, count: 2)
        for i: Int32 in 0..<2 {
            w.beginStruct()
            w.writeField(id: 1, i32: i)
            w.writeFieldHeader(id: 2, type: .struct)
            w.beginStruct()
            w.writeField(id: 3, bool: true)
            w.endStruct()
            w.endStruct()
        }
        w.writeFieldHeader(id: 10, type: .set)  // set<i32>
        w.writeSetHeader(elementType: .i32, count: 3)
        for v: Int32 in [1, -1, 1000] { w.writeI32(v) }
        w.writeFieldHeader(id: 11, type: .map)  // map<binary, list<i64>>
        w.writeMapHeader(keyType: .binary, valueType: .list, count: 2)
        for key in ["a", "b"] {
            w.writeString(key)
            w.writeListHeader(elementType: .i64, count: 20)
            for v in 0..<20 { w.writeI64(Int64(v) << 40) }
        }
        w.writeFieldHeader(id: 12, type: .map)  // empty map
        w.writeMapHeader(keyType: .i32, valueType: .i32, count: 0)
        w.writeFieldHeader(id: 13, type: .list)  // list<bool>
        w.writeListHeader(elementType: .boolTrue, count: 3)
        for v in [true, false, true] { w.writeBoolElement(v) }
        w.writeFieldHeader(id: 14, type: .list)  // list<double>
        w.writeListHeader(elementType: .double, count: 2)
        w.writeDouble(1)
        w.writeDouble(2)
        w.writeFieldHeader(id: 15, type: .list)  // list<list<binary>>
        w.writeListHeader(elementType: .list, count: 1)
        w.writeListHeader(elementType: .binary, count: 1)
        w.writeBinary([9, 9])
        w.writeEmptyStructField(id: 16)
        w.writeFieldHeader(id: 17, type: .map)  // map<i8, bool>
        w.writeMapHeader(keyType: .i8, valueType: .boolTrue, count: 1)
        w.writeI8(1)
        w.writeBoolElement(false)
        w.writeField(id: 100, i32: 42)
        w.endStruct()
    }

    @Test func skipsUnknownFieldsOfEveryType() throws {
        let (answer, types) = try read(Self.everyType) { (reader) throws in
            var answer: Int32?
            var types: [ThriftType] = []
            try reader.beginStruct()
            while let field = try reader.readFieldHeader() {
                if field.id == 100 {
                    answer = try reader.readI32()
                } else {
                    types.append(field.type)
                    try reader.skip(type: field.type)
                }
            }
            reader.endStruct()
            #expect(reader.bytesRemaining == 0)
            return (answer, types)
        }
        #expect(answer == 42)
        #expect(
            types == [
                .boolTrue, .boolFalse, .i8, .i16, .i32, .i64, .double, .binary, .list, .set, .map,
                .map, .list, .list, .list, .struct, .map,
            ])
    }

    @Test func skipsAWholeStruct() throws {
        let input = Self.everyType + [0xAB]
        let consumed = try read(input) { (reader) throws in
            try reader.skip(type: .struct)
            return reader.bytesConsumed
        }
        #expect(consumed == Self.everyType.count)
    }

    @Test func everyTruncationThrowsTruncated() {
        for length in 0..<Self.everyType.count {
            let prefix = Array(Self.everyType.prefix(length))
            let error = thriftError(prefix, baseOffset: 7) { try $0.skip(type: .struct) }
            #expect(error?.code == .truncated, "prefix of \(length) bytes")
            if let error { #expect(error.offset >= 7 && error.offset <= 7 + length) }
        }
    }

    @Test func nestingDepthIsLimited() {
        // 100 nested single-element lists of lists.
        let deep = [UInt8](repeating: 0x19, count: 100) + [0x00]
        let error = thriftError(deep) { try $0.skip(type: .list) }
        #expect(error?.code == .depthExceeded)
        // Nested structs: field 1 of type struct, 100 deep.
        let structs = [UInt8](repeating: 0x1C, count: 100) + [UInt8](repeating: 0x00, count: 101)
        #expect(thriftError(structs) { try $0.skip(type: .struct) }?.code == .depthExceeded)
        // Within the limit it works.
        let shallow = [UInt8](repeating: 0x1C, count: 10) + [UInt8](repeating: 0x00, count: 11)
        #expect(thriftError(shallow) { try $0.skip(type: .struct) } == nil)
    }

    @Test func skipElementReadsBoolBytes() throws {
        try read([0x01, 0x02, 0x15]) { (reader) throws in
            try reader.skipElement(type: .boolTrue)
            try reader.skip(type: .boolTrue)  // a bool field has no value bytes
            #expect(reader.bytesConsumed == 1)
        }
    }
}

@Suite struct WriterTests {
    @Test func takeBytesEmptiesTheWriter() {
        var writer = ThriftCompactWriter()
        writer.beginStruct()
        writer.writeField(id: 1, i64: 5)
        writer.endStruct()
        #expect(writer.structDepth == 0)
        #expect(writer.takeBytes() == [0x16, 0x0A, 0x00])
        #expect(writer.bytes.isEmpty)
    }

    @Test func emptyStructAndBinaryFields() {
        let bytes = written { w in
            w.beginStruct()
            w.writeEmptyStructField(id: 1)
            w.writeField(id: 2, binary: [0xFF])
            w.writeField(id: 3, double: 0)
            w.endStruct()
        }
        #expect(bytes == [0x1C, 0x00, 0x18, 0x01, 0xFF, 0x17, 0, 0, 0, 0, 0, 0, 0, 0, 0x00])
    }
}
