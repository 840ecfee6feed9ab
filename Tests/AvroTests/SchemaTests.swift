@testable import Avro
import Columnar
import LakegateCore
import Testing

/// Parsing Avro schemas and mapping them to Columnar fields and back.
@Suite struct SchemaTests {
    private func fields(_ json: String) throws -> [Field] {
        let avro = try AvroSchemaParser.parse(Array(json.utf8))
        return try ReadMapping(maxZeroSizeItems: 1 << 20).map(avro).fields
    }

    private func type(_ json: String) throws -> DataType {
        try fields(#"{"type":"record","name":"R","fields":[{"name":"f","type":\#(json)}]}"#)[0].type
    }

    @Test(arguments: [
        (#""boolean""#, DataType.boolean), (#""int""#, .int32), (#""long""#, .int64), (#""float""#, .float32),
        (#""double""#, .float64), (#""bytes""#, .binary), (#""string""#, .string), (#""null""#, .null),
        (#"{"type":"fixed","name":"F","size":3}"#, .fixedSizeBinary(3)),
        (#"{"type":"enum","name":"E","symbols":["A","B"]}"#, .string),
        (#"{"type":"bytes","logicalType":"decimal","precision":9,"scale":2}"#, .decimal(precision: 9, scale: 2)),
        (#"{"type":"fixed","name":"D","size":16,"logicalType":"decimal","precision":38,"scale":10}"#, .decimal(precision: 38, scale: 10)),
        (#"{"type":"bytes","logicalType":"decimal","precision":5}"#, .decimal(precision: 5, scale: 0)),
        (#"{"type":"string","logicalType":"uuid"}"#, .uuid),
        (#"{"type":"fixed","name":"U","size":16,"logicalType":"uuid"}"#, .uuid),
        (#"{"type":"int","logicalType":"date"}"#, .date),
        (#"{"type":"int","logicalType":"time-millis"}"#, .time(.millisecond)),
        (#"{"type":"long","logicalType":"time-micros"}"#, .time(.microsecond)),
        (#"{"type":"long","logicalType":"timestamp-millis"}"#, .timestamp(.millisecond, utc: true)),
        (#"{"type":"long","logicalType":"timestamp-micros"}"#, .timestamp(.microsecond, utc: true)),
        (#"{"type":"long","logicalType":"timestamp-nanos"}"#, .timestamp(.nanosecond, utc: true)),
        (#"{"type":"long","logicalType":"local-timestamp-millis"}"#, .timestamp(.millisecond, utc: false)),
        (#"{"type":"long","logicalType":"local-timestamp-micros"}"#, .timestamp(.microsecond, utc: false)),
        (#"{"type":"long","logicalType":"local-timestamp-nanos"}"#, .timestamp(.nanosecond, utc: false)),
        (#"{"type":"fixed","name":"Du","size":12,"logicalType":"duration"}"#, .fixedSizeBinary(12)),
        // Invalid or unknown logical types are ignored, as the specification requires.
        (#"{"type":"long","logicalType":"date"}"#, .int64),
        (#"{"type":"bytes","logicalType":"decimal","precision":2,"scale":3}"#, .binary),
        (#"{"type":"bytes","logicalType":"decimal"}"#, .binary),
        (#"{"type":"fixed","name":"S","size":2,"logicalType":"decimal","precision":10}"#, .fixedSizeBinary(2)),
        (#"{"type":"fixed","name":"U8","size":8,"logicalType":"uuid"}"#, .fixedSizeBinary(8)),
        (#"{"type":"string","logicalType":"something-else"}"#, .string),
        (#"{"type":"string"}"#, .string),
    ])
    func primitiveAndLogicalTypes(_ json: String, _ expected: DataType) throws {
        #expect(try type(json) == expected)
    }

    @Test func nullableUnionsEitherWay() throws {
        let mapped = try fields(
            #"{"type":"record","name":"R","fields":[{"name":"a","type":["null","long"]},{"name":"b","type":["string","null"]},{"name":"c","type":["int"]},{"name":"d","type":"int"}]}"#)
        #expect(mapped.map(\.nullable) == [true, true, false, false])
        #expect(mapped.map(\.type) == [.int64, .string, .int32, .int32])
    }

    @Test func otherUnionsAreUnsupported() {
        let error = AvroTestSupport.expectError(.unsupported) {
            _ = try fields(#"{"type":"record","name":"R","fields":[{"name":"u","type":["null","int","string"]}]}"#)
        }
        #expect(error?.reason.contains("unsupported union") == true)
        #expect(error?.field == "u")
        AvroTestSupport.expectError(.unsupported) { _ = try type(#"["int","string"]"#) }
    }

    @Test func decimalsBeyond38DigitsAreUnsupported() {
        AvroTestSupport.expectError(.unsupported) {
            _ = try type(#"{"type":"bytes","logicalType":"decimal","precision":39,"scale":0}"#)
        }
    }

    @Test func namedTypesNamespacesAndReferences() throws {
        let json = #"""
            {"type":"record","name":"Outer","namespace":"a.b","fields":[
              {"name":"p","type":{"type":"record","name":"Point","fields":[{"name":"x","type":"int"}]}},
              {"name":"q","type":"Point"},
              {"name":"r","type":"a.b.Point"},
              {"name":"s","type":{"type":"record","name":"c.Other","fields":[
                 {"name":"t","type":{"type":"fixed","name":"F","size":2}},
                 {"name":"u","type":"c.F"}]}},
              {"name":"v","type":{"type":"a.b.Point"}}
            ]}
            """#
        let mapped = try fields(json)
        let point = DataType.structure([Field("x", .int32, nullable: false)])
        #expect(mapped.map(\.type) == [
            point, point, point,
            .structure([Field("t", .fixedSizeBinary(2), nullable: false), Field("u", .fixedSizeBinary(2), nullable: false)]),
            point,
        ])
        AvroTestSupport.expectError(.invalidSchema) { _ = try type(#""Nowhere""#) }
        AvroTestSupport.expectError(.invalidSchema) {
            _ = try fields(#"{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"fixed","name":"R","size":1}}]}"#)
        }
    }

    @Test func recursiveTypesAreRejected() {
        let error = AvroTestSupport.expectError(.unsupported) {
            _ = try fields(#"{"type":"record","name":"Node","fields":[{"name":"v","type":"int"},{"name":"next","type":["null","Node"]}]}"#)
        }
        #expect(error?.reason.contains("recursive") == true)
        #expect(error?.field == "next")
    }

    @Test func deepNestingIsBounded() {
        // Brackets far past the limit: refused before Foundation's parser sees them.
        let brackets = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        AvroTestSupport.expectError(.limitExceeded) { _ = try AvroSchemaParser.parse(Array(brackets.utf8)) }
        // Arrays of arrays within the JSON bound but deeper than the schema limit.
        var json = #""int""#
        for _ in 0..<70 { json = #"{"type":"array","items":\#(json)}"# }
        AvroTestSupport.expectError(.limitExceeded) { _ = try AvroSchemaParser.parse(Array(json.utf8), maxDepth: 64) }
        // A type referenced many times expands to many nodes.
        var fieldsJSON = [#"{"name":"f0","type":{"type":"record","name":"T0","fields":[{"name":"x","type":"int"}]}}"#]
        for i in 1..<30 {
            fieldsJSON.append(#"{"name":"f\#(i)","type":{"type":"record","name":"T\#(i)","fields":[{"name":"a","type":"T\#(i - 1)"},{"name":"b","type":"T\#(i - 1)"}]}}"#)
        }
        let blowUp = #"{"type":"record","name":"R","fields":[\#(fieldsJSON.joined(separator: ","))]}"#
        AvroTestSupport.expectError(.limitExceeded) { _ = try fields(blowUp) }
    }

    @Test func badSchemasAreInvalid() {
        for json in [
            "not json", #"{"name":"x"}"#, #"{"type":"record","name":"R"}"#, #"{"type":"enum","name":"E"}"#,
            #"{"type":"fixed","name":"F"}"#, #"{"type":"array"}"#, #"{"type":"map"}"#, "42",
            #"{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"a","type":"int"}]}"#,
            #"{"type":"enum","name":"E","symbols":["A","A"]}"#, #"[["int"]]"#,
        ] {
            AvroTestSupport.expectError(.invalidSchema) { _ = try AvroSchemaParser.parse(Array(json.utf8)) }
        }
    }

    @Test func idsAndMetadata() throws {
        let json = #"""
            {"type":"record","name":"R","fields":[
              {"name":"a","type":"long","field-id":1},
              {"name":"l","type":["null",{"type":"array","items":"int","element-id":3}],"default":null,"field-id":2},
              {"name":"m","type":{"type":"map","values":"string","key-id":5,"value-id":6},"field-id":4},
              {"name":"e","type":{"type":"enum","name":"E","symbols":["X","Y"]},"field-id":7},
              {"name":"d","type":{"type":"fixed","name":"D","size":12,"logicalType":"duration"}},
              {"name":"im","type":{"type":"array","logicalType":"map","items":{"type":"record","name":"k9_v10","fields":[
                {"name":"key","type":"int","field-id":9},{"name":"value","type":["null","double"],"field-id":10}]}},"field-id":8}
            ]}
            """#
        let mapped = try fields(json)
        #expect(mapped.map(\.id) == [1, 2, 4, 7, nil, 8])
        #expect(mapped[1].type == .list(Field("element", .int32, nullable: false, id: 3)))
        #expect(mapped[2].type == .map(key: Field("key", .string, nullable: false, id: 5), value: Field("value", .string, nullable: false, id: 6)))
        #expect(mapped[3].metadata["avro.enum.symbols"] == #"["X","Y"]"#)
        #expect(mapped[4].metadata["avro.logicalType"] == "duration")
        #expect(mapped[5].type == .map(key: Field("key", .int32, nullable: false, id: 9), value: Field("value", .float64, nullable: true, id: 10)))
    }

    /// Columnar → Avro JSON → Columnar gives the same schema for types Avro holds exactly.
    @Test func writeMappingRoundTrips() throws {
        let schema = Schema([
            Field("id", .int64, nullable: false, id: 1),
            Field("name", .string, id: 2),
            Field("price", .decimal(precision: 12, scale: 3), id: 3),
            Field("when", .timestamp(.microsecond, utc: true)),
            Field("local", .timestamp(.nanosecond, utc: false)),
            Field("t", .time(.nanosecond)),
            Field("tags", .list(Field("element", .string, nullable: true, id: 5)), id: 4),
            Field("attrs", .map(key: Field("key", .string, nullable: false, id: 7), value: Field("value", .int32, nullable: true, id: 8)), id: 6),
            Field("ints", .map(key: Field("key", .int64, nullable: false, id: 10), value: Field("value", .string, nullable: false, id: 11)), id: 9),
            Field("point", .structure([Field("x", .float64, nullable: false, id: 13), Field("y", .float64, id: 14)]), id: 12),
            Field("color", .string, nullable: false, metadata: ["avro.enum.symbols": #"["RED","GREEN"]"#]),
            Field("span", .fixedSizeBinary(12), nullable: false, metadata: ["avro.logicalType": "duration"]),
            Field("u", .uuid), Field("nothing", .null),
        ])
        var mapping = WriteMapping(topName: "Record")
        let (avro, _) = try mapping.map(schema, recordName: "Record")
        let json = AvroJSON.schema(avro)
        #expect(json.contains(#""field-id":1"#))
        #expect(json.contains(#""element-id":5"#))
        #expect(json.contains(#""key-id":7,"value-id":8"#))
        #expect(json.contains(#""name":"r12""#))
        #expect(json.contains(#""name":"k10_v11""#))
        #expect(json.contains(#"["null","string"],"default":null"#))
        let parsed = try AvroSchemaParser.parse(Array(json.utf8))
        #expect(parsed == avro)
        let back = try ReadMapping(maxZeroSizeItems: 1 << 20).map(parsed).fields
        #expect(back == schema.fields)
    }

    @Test func widenedTypes() throws {
        let schema = Schema([
            Field("a", .int8), Field("b", .int16), Field("c", .uint8), Field("d", .uint16), Field("e", .uint32),
            Field("f", .uint64), Field("g", .float16), Field("h", .time(.millisecond)),
        ])
        var mapping = WriteMapping(topName: "Record")
        let (avro, _) = try mapping.map(schema, recordName: "Record")
        let back = try ReadMapping(maxZeroSizeItems: 1 << 20).map(avro).fields
        #expect(back.map(\.type) == [.int32, .int32, .int32, .int32, .int64, .int64, .float32, .time(.millisecond)])
    }

    @Test func namesAreMadeCompatible() throws {
        #expect(WriteMapping.compatibleName("ok_Name1") == "ok_Name1")
        #expect(WriteMapping.compatibleName("a b") == "a_x20b")
        #expect(WriteMapping.compatibleName("1x") == "_1x")
        #expect(WriteMapping.compatibleName("a-b.c") == "a_x2Db_x2Ec")
        #expect(WriteMapping.compatibleName("é") == "_xE9")
        #expect(WriteMapping.compatibleName("") == "_")
        var mapping = WriteMapping(topName: "Record")
        AvroTestSupport.expectError(.invalidArgument) {
            _ = try mapping.map(Schema([Field("a b", .int32), Field("a_x20b", .int32)]), recordName: "Record")
        }
    }

    @Test func jsonStringsAreEscaped() {
        #expect(AvroJSON.string("a\"b\\c\nd\u{1}é") == #""a\"b\\c\nd\u0001é""#)
    }
}

extension SchemaTests {
    /// A type nested at depth 40 and used at depth 40 nests 80 deep.
    @Test func referencesCountTowardsDepth() {
        var inner = #""int""#
        for _ in 0..<40 { inner = #"{"type":"array","items":\#(inner)}"# }
        var outer = #"{"type":"record","name":"T","fields":[{"name":"x","type":\#(inner)}]}"#
        var use = #""T""#
        for _ in 0..<40 { use = #"{"type":"array","items":\#(use)}"# }
        outer = #"{"type":"record","name":"R","fields":[{"name":"t","type":\#(outer)},{"name":"u","type":\#(use)}]}"#
        AvroTestSupport.expectError(.limitExceeded) { _ = try AvroSchemaParser.parse(Array(outer.utf8), maxDepth: 64) }
    }
}
