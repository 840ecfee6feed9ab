import Columnar
@testable import Iceberg
import Testing

@Suite struct SchemaTests {
    typealias S = IcebergTestSupport

    /// Fresh ids come out as pyiceberg assigned them to the same schema (a struct's fields
    /// first, then nested types), and the JSON is pyiceberg's, member for member.
    @Test func freshIdsMatchPyiceberg() throws {
        let schema = try IcebergSchema(columnar: S.eventsColumnar, identifierFields: ["id"])
        let metadata = try TableMetadata(jsonBytes: try S.fixture("pyiceberg-events.metadata.json"))
        #expect(schema == metadata.schemas[0])
        #expect(schema.json == (try IcebergJSON.parse(metadata.schemas[0].json.text)))
        #expect(schema.fields.map(\.id) == [1, 2, 3, 4, 5, 6, 7])
        #expect(schema.highestFieldId == 12)
        #expect(schema.field(named: "attrs.value")?.id == 10)
        #expect(schema.field(named: "loc.lon")?.id == 12)
        #expect(schema.field(id: 8)?.isRepeated == true)
    }

    @Test func columnarRoundTripWithIds() throws {
        let schema = try IcebergSchema(columnar: S.eventsColumnar, identifierFields: ["id"])
        let columnar = schema.columnarSchema()
        #expect(columnar.fields.map(\.id) == [1, 2, 3, 4, 5, 6, 7])
        guard case .list(let element) = columnar.fields[4].type, case .map(let key, let value) = columnar.fields[5].type,
            case .structure(let children) = columnar.fields[6].type
        else {
            Issue.record("nested types lost")
            return
        }
        #expect(element.id == 8 && element.nullable)
        #expect(key.id == 9 && !key.nullable && value.id == 10)
        #expect(children.map(\.id) == [11, 12])
        #expect(columnar.fields[0].nullable == false)
        #expect(columnar.fields[1].type == .timestamp(.microsecond, utc: true))
        #expect(columnar.metadata["iceberg.schema"] == schema.json.text)
        // Back to Iceberg: same types; ids are reassigned the same way.
        #expect(try IcebergSchema(columnar: columnar, identifierFields: ["id"]) == schema)
        // Types narrower than Iceberg's widen; those without an Iceberg type are refused.
        let narrow = try IcebergSchema(columnar: Schema([
            Field("a", .int8), Field("b", .uint32), Field("c", .float16), Field("d", .timestamp(.nanosecond, utc: false)),
            Field("e", .time(.millisecond)), Field("f", .uuid), Field("g", .fixedSizeBinary(3)), Field("h", .date),
        ]))
        #expect(narrow.fields.map(\.type) == [.int, .long, .float, .timestamp, .time, .uuid, .fixed(3), .date])
        #expect(throws: IcebergError.self) { try IcebergSchema(columnar: Schema([Field("x", .null)])) }
        #expect(throws: IcebergError.self) { try IcebergSchema(columnar: Schema([Field("x", .uint64)])) }
        #expect(throws: IcebergError.self) { try IcebergSchema(columnar: S.eventsColumnar, identifierFields: ["name"]) }
    }

    @Test func parquetLeafIds() throws {
        let schema = try IcebergSchema(columnar: S.eventsColumnar)
        let ids = schema.parquetLeafFieldIds()
        #expect(ids[["id"]] == 1)
        #expect(ids[["tags", "list", "element"]] == 8)
        #expect(ids[["attrs", "key_value", "key"]] == 9)
        #expect(ids[["attrs", "key_value", "value"]] == 10)
        #expect(ids[["loc", "lat"]] == 11)
        #expect(ids.count == 9)
    }

    @Test func typeJSON() throws {
        for name in ["boolean", "int", "long", "float", "double", "date", "time", "timestamp", "timestamptz", "string", "uuid", "binary"] {
            #expect(IcebergType(primitiveName: name)?.primitiveName == name)
        }
        #expect(IcebergType(primitiveName: "decimal(10,2)") == .decimal(precision: 10, scale: 2))
        #expect(IcebergType(primitiveName: "decimal(10, 2)")?.primitiveName == "decimal(10, 2)")
        #expect(IcebergType(primitiveName: "fixed[16]") == .fixed(16))
        #expect(IcebergType(primitiveName: "decimal(40, 2)") == nil)
        #expect(IcebergType(primitiveName: "timestamp_ns") == nil)
        #expect(throws: IcebergError.self) { try IcebergType(json: .string("variant")) }
    }

    @Test func evolution() throws {
        let base = try IcebergSchema(columnar: Schema([
            Field("id", .int32, nullable: false), Field("score", .float32), Field("amount", .decimal(precision: 9, scale: 2)),
            Field("loc", .structure([Field("lat", .float64)])),
        ]))
        #expect(base.highestFieldId == 5)
        // Nothing new: unchanged.
        let same = try base.evolved(toInclude: base.columnarSchema(), lastColumnId: 5)
        #expect(!same.changed && same.lastColumnId == 5)
        // New columns (top-level and inside a struct) get ids after last-column-id; promotions apply.
        let incoming = Schema([
            Field("id", .int64, nullable: true), Field("score", .float64), Field("amount", .decimal(precision: 12, scale: 2)),
            Field("loc", .structure([Field("lat", .float64), Field("lon", .float64, nullable: false)])),
            Field("tags", .list(Field("element", .string, nullable: false)), nullable: false),
        ])
        let evolved = try base.evolved(toInclude: incoming, lastColumnId: 7)
        #expect(evolved.changed)
        #expect(evolved.schema.fields.map(\.type)[0...2] == [.long, .double, .decimal(precision: 12, scale: 2)])
        #expect(evolved.schema.fields[0].required == false)
        #expect(evolved.schema.field(named: "loc.lon")?.id == 8)
        #expect(evolved.schema.field(named: "loc.lon")?.required == false)
        #expect(evolved.schema.field(named: "tags")?.id == 9)
        #expect(evolved.schema.field(named: "tags")?.required == false)
        #expect(evolved.schema.field(named: "tags.element")?.id == 10)
        #expect(evolved.lastColumnId == 10)
        // Narrower data keeps the table's type; missing columns stay unless dropped.
        let narrower = try evolved.schema.evolved(toInclude: Schema([Field("id", .int32)]), lastColumnId: 10)
        #expect(!narrower.changed)
        let dropped = try evolved.schema.evolved(toInclude: Schema([Field("id", .int64)]), lastColumnId: 10, missing: .drop)
        #expect(dropped.schema.fields.map(\.name) == ["id"])
        // Not allowed: long → int is narrowing only if the table were int; string → long; struct → int.
        #expect(throws: IcebergError.self) { try base.evolved(toInclude: Schema([Field("id", .string)]), lastColumnId: 5) }
        #expect(throws: IcebergError.self) { try base.evolved(toInclude: Schema([Field("loc", .int32)]), lastColumnId: 5) }
        #expect(throws: IcebergError.self) {
            try base.evolved(toInclude: Schema([Field("amount", .decimal(precision: 12, scale: 3))]), lastColumnId: 5)
        }
    }

    @Test func metadataSchemaEvolution() throws {
        let metadata = try TableMetadata.newTable(
            schema: Schema([Field("id", .int64, nullable: false)]), location: "file:///t/", tableUUID: "u", timestampMs: 1)
        #expect(metadata.location == "file:///t")
        let (grown, changed) = try metadata.evolvingSchema(toInclude: Schema([Field("id", .int64), Field("name", .string)]))
        #expect(changed)
        #expect(grown.currentSchemaId == 1)
        #expect(grown.schemas.count == 2)
        #expect(grown.lastColumnId == 2)
        let (again, changedAgain) = try grown.evolvingSchema(toInclude: Schema([Field("name", .string)]))
        #expect(!changedAgain)
        #expect(again == grown)
    }
}
