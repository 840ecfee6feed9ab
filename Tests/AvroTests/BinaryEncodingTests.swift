@testable import Avro
import Columnar
import LakegateCore
import Testing

/// The binary encoding, against the examples of the Avro specification.
@Suite struct BinaryEncodingTests {
    /// The specification's zig-zag table, plus the extremes.
    static let zigZag: [(Int64, [UInt8])] = [
        (0, [0x00]), (-1, [0x01]), (1, [0x02]), (-2, [0x03]), (2, [0x04]), (-64, [0x7F]), (64, [0x80, 0x01]),
        (8192, [0x80, 0x80, 0x01]), (-8193, [0x81, 0x80, 0x01]),
        (Int64.max, [0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]),
        (Int64.min, [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]),
    ]

    @Test func zigZagVectors() throws {
        for (value, bytes) in Self.zigZag {
            var out: [UInt8] = []
            AvroBinaryEncoder.appendLong(value, to: &out)
            #expect(out == bytes, "encoding \(value)")
            let decoded = try bytes.withUnsafeBytes { raw in
                var r = AvroBinaryDecoder(raw)
                let v = try r.readLong()
                #expect(r.isAtEnd)
                return v
            }
            #expect(decoded == value)
        }
    }

    @Test func intsMustFit32Bits() throws {
        let bytes = AvroTestSupport.long(Int64(Int32.max) + 1)
        AvroTestSupport.expectError(.corrupt) {
            try bytes.withUnsafeBytes { raw in
                var r = AvroBinaryDecoder(raw)
                _ = try r.readInt()
            }
        }
        let ok = AvroTestSupport.long(Int64(Int32.min))
        try ok.withUnsafeBytes { raw in
            var r = AvroBinaryDecoder(raw)
            let value = try r.readInt()
            #expect(value == Int32.min)
        }
    }

    @Test(arguments: [
        ([0x80] as [UInt8], AvroError.Code.truncated),
        ([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01], .corrupt),  // 11 bytes
        ([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02], .corrupt),  // 65 bits
        ([], .truncated),
    ])
    func badVarints(_ bytes: [UInt8], _ code: AvroError.Code) {
        AvroTestSupport.expectError(code) {
            try bytes.withUnsafeBytes { raw in
                var r = AvroBinaryDecoder(raw)
                _ = try r.readLong()
            }
        }
    }

    /// "foo" is 06 66 6f 6f in the specification.
    @Test func stringEncoding() throws {
        #expect(AvroTestSupport.string("foo") == [0x06, 0x66, 0x6F, 0x6F])
        let bytes: [UInt8] = [0x06, 0x66, 0x6F, 0x6F]
        try bytes.withUnsafeBytes { raw in
            var r = AvroBinaryDecoder(raw)
            let value = Array(try r.readBytes())
            #expect(value == Array("foo".utf8))
        }
    }

    @Test func lengthsAreCheckedBeforeUse() {
        // A negative length, and a length past the bytes that remain.
        AvroTestSupport.expectError(.corrupt) {
            try ([0x01] as [UInt8]).withUnsafeBytes { raw in
                var r = AvroBinaryDecoder(raw)
                _ = try r.readBytes()
            }
        }
        AvroTestSupport.expectError(.truncated) {
            let huge = AvroTestSupport.long(Int64.max) + [1, 2, 3]
            try huge.withUnsafeBytes { raw in
                var r = AvroBinaryDecoder(raw)
                _ = try r.readBytes()
            }
        }
        AvroTestSupport.expectError(.truncated) {
            try ([0x01, 0x02] as [UInt8]).withUnsafeBytes { raw in
                var r = AvroBinaryDecoder(raw)
                _ = try r.readFixed(3)
            }
        }
        AvroTestSupport.expectError(.corrupt) {
            try ([0x02] as [UInt8]).withUnsafeBytes { raw in
                var r = AvroBinaryDecoder(raw)
                _ = try r.readBoolean()
            }
        }
    }

    @Test func floatsAreLittleEndian() throws {
        var out: [UInt8] = []
        AvroBinaryEncoder.appendFloat(1.0, to: &out)
        AvroBinaryEncoder.appendDouble(-2.0, to: &out)
        #expect(out == [0x00, 0x00, 0x80, 0x3F, 0, 0, 0, 0, 0, 0, 0x00, 0xC0])
        try out.withUnsafeBytes { raw in
            var r = AvroBinaryDecoder(raw)
            let float = try r.readFloat()
            let double = try r.readDouble()
            #expect(float == 1.0)
            #expect(double == -2.0)
        }
    }

    /// The first block of a file written with the null codec and a known sync marker.
    private func firstBlock(_ fields: [Field], _ columns: [[Value]]) throws -> (rows: Int64, data: [UInt8]) {
        let batch = try AvroTestSupport.batch(fields, columns: columns)
        let file = try AvroTestSupport.write(batch.schema, [batch])
        let reader = try AvroFileReader(source: MemoryByteSource(file))
        return try Array(file[reader.headerSize...]).withUnsafeBytes { raw in
            var r = AvroBinaryDecoder(raw)
            let rows = try r.readLong()
            let data = Array(try r.readBytes())
            let sync = Array(try r.readFixed(16))
            #expect(sync == AvroTestSupport.fixedSync)
            #expect(r.isAtEnd)
            return (rows, data)
        }
    }

    /// The specification's record example: {"a": 27, "b": "foo"} is 36 06 66 6f 6f.
    @Test func specRecordExample() throws {
        let block = try firstBlock(
            [Field("a", .int64, nullable: false), Field("b", .string, nullable: false)], [[.int(27)], [.string("foo")]])
        #expect(block.rows == 1)
        #expect(block.data == [0x36, 0x06, 0x66, 0x6F, 0x6F])
    }

    /// The specification's array example: [3, 27] is 04 06 36 00.
    @Test func specArrayExample() throws {
        let block = try firstBlock(
            [Field("a", .list(Field("element", .int64, nullable: false)), nullable: false)],
            [[.list([.int(3), .int(27)])]])
        #expect(block.data == [0x04, 0x06, 0x36, 0x00])
    }

    /// The specification's union example: in ["null","string"], null is 00 and "a" is 02 02 61.
    @Test func specUnionExample() throws {
        let block = try firstBlock([Field("u", .string, nullable: true)], [[.null, .string("a")]])
        #expect(block.rows == 2)
        #expect(block.data == [0x00, 0x02, 0x02, 0x61])
    }

    /// Arrays and maps in several blocks, some with negative counts followed by byte sizes.
    @Test func blocksWithNegativeCounts() throws {
        let schema = #"{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"array","items":"long"}},{"name":"m","type":{"type":"map","values":"int"}}]}"#
        var row: [UInt8] = []
        // a: a block of -2 items (2 bytes), then a block of 1 item, then the end.
        row += AvroTestSupport.long(-2) + AvroTestSupport.long(2) + AvroTestSupport.long(1) + AvroTestSupport.long(-1)
        row += AvroTestSupport.long(1) + AvroTestSupport.long(5) + [0]
        // m: a block of -1 entry with its size, then the end.
        let entry = AvroTestSupport.string("k") + AvroTestSupport.long(7)
        row += AvroTestSupport.long(-1) + AvroTestSupport.long(Int64(entry.count)) + entry + [0]
        let file = AvroTestSupport.container(schema: schema, blocks: [(1, row)])
        let rows = try AvroTestSupport.rows(file)
        #expect(rows == [[.list([.int(1), .int(-1), .int(5)]), .map([.init(key: .string("k"), value: .int(7))])]])

        // A block whose byte size disagrees with its items is corrupt.
        var bad: [UInt8] = AvroTestSupport.long(-1) + AvroTestSupport.long(3) + AvroTestSupport.long(1) + [0]
        bad += AvroTestSupport.long(0)
        let badFile = AvroTestSupport.container(schema: schema, blocks: [(1, bad)])
        AvroTestSupport.expectError(.corrupt) { _ = try AvroTestSupport.rows(badFile) }
    }

    @Test func decimalsSignExtend() throws {
        func decode(_ bytes: [UInt8]) -> Int128? {
            bytes.withUnsafeBytes { ColumnDecoder.decimal(bigEndian: $0) }
        }
        #expect(decode([]) == 0)
        #expect(decode([0xFF]) == -1)
        #expect(decode([0x00, 0x80]) == 128)
        #expect(decode([0x80]) == -128)
        #expect(decode([0x04, 0xD2]) == 1234)
        #expect(decode([UInt8](repeating: 0xFF, count: 20)) == -1)
        #expect(decode([0x00] + [UInt8](repeating: 0xFF, count: 16)) == nil)
        #expect(decode([0x00, 0x7F] + [UInt8](repeating: 0xFF, count: 15)) == Int128.max)
        for value: Int128 in [0, 1, -1, 99_999, -99_999, Int128.max, Int128.min] {
            var out: [UInt8] = []
            #expect(ColumnEncoder.appendDecimal(value, size: 16, to: &out))
            #expect(decode(out) == value)
        }
        var small: [UInt8] = []
        #expect(ColumnEncoder.appendDecimal(-129, size: 1, to: &small) == false)
        #expect(ColumnEncoder.appendDecimal(-128, size: 1, to: &small))
        #expect(small == [0x80])
    }

    @Test func uuidText() throws {
        let text = Array("123e4567-E89B-12d3-a456-426614174000".utf8)
        let bytes = text.withUnsafeBytes { ColumnDecoder.parseUUID($0) }
        #expect(bytes == [0x12, 0x3E, 0x45, 0x67, 0xE8, 0x9B, 0x12, 0xD3, 0xA4, 0x56, 0x42, 0x66, 0x14, 0x17, 0x40, 0x00])
        var out: [UInt8] = []
        bytes!.withUnsafeBytes { ColumnEncoder.appendUUID($0, to: &out) }
        #expect(out == [72] + Array("123e4567-e89b-12d3-a456-426614174000".utf8))
        for bad in ["123e4567e89b12d3a456426614174000", "123e4567-e89b-12d3-a456-42661417400g", "123e4567-e89b-12d3-a456_426614174000"] {
            #expect(Array(bad.utf8).withUnsafeBytes { ColumnDecoder.parseUUID($0) } == nil)
        }
    }
}
