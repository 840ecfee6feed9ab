import Columnar
@testable import Iceberg
import Testing

@Suite struct MetadataTests {
    typealias S = IcebergTestSupport

    /// Metadata written by pyiceberg 0.12 after two appends: every value read, and written
    /// back byte for byte (same members, same order, unknown members kept).
    @Test func readsPyicebergMetadata() throws {
        let bytes = try S.fixture("pyiceberg-events.metadata.json")
        let metadata = try TableMetadata(jsonBytes: bytes)
        #expect(metadata.formatVersion == 2)
        #expect(metadata.tableUUID == "d550abab-4c3d-4c89-b3dc-53b3b8ef6b3d")
        #expect(metadata.location == "file:///tmp/icegen/wh/ns/events")
        #expect(metadata.lastSequenceNumber == 2)
        #expect(metadata.lastUpdatedMs == 1_795_299_881_644)
        #expect(metadata.lastColumnId == 12)
        #expect(metadata.currentSchemaId == 0)
        #expect(metadata.schemas[0].identifierFieldIds == [1])
        #expect(metadata.partitionSpecs[0].fields.map(\.transform) == [.day, .bucket(4)])
        #expect(metadata.lastPartitionId == 1001)
        #expect(metadata.properties["owner"] == "lakegate")
        #expect(metadata.currentSnapshotId == 173_690_426_647_891_162)
        #expect(metadata.snapshots.map(\.snapshotId) == [3_737_483_716_920_363_745, 173_690_426_647_891_162])
        let current = try #require(metadata.currentSnapshot)
        #expect(current.parentSnapshotId == 3_737_483_716_920_363_745)
        #expect(current.sequenceNumber == 2)
        #expect(current.summary.operation == .append)
        #expect(current.summary.count("total-records") == 8)
        #expect(current.summary.count("changed-partition-count") == 3)
        #expect(current.schemaId == 0)
        #expect(metadata.snapshotLog.count == 2)
        #expect(metadata.metadataLog.map(\.timestampMs) == [1_795_299_880_862, 1_795_299_881_553])
        #expect(metadata.refs == [SnapshotRef(name: "main", snapshotId: 173_690_426_647_891_162)])
        #expect(metadata.sortOrders == [.unsorted])
        #expect(metadata.otherMembers.map(\.key) == ["statistics", "partition-statistics"])
        #expect(metadata.jsonBytes == bytes)
        #expect(metadata.ancestors(of: metadata.currentSnapshotId).count == 2)
    }

    @Test func readsEmptyTableMetadata() throws {
        let bytes = try S.fixture("pyiceberg-events-empty.metadata.json")
        let metadata = try TableMetadata(jsonBytes: bytes)
        #expect(metadata.currentSnapshotId == nil)
        #expect(metadata.snapshots.isEmpty)
        #expect(metadata.refs.isEmpty)
        #expect(metadata.jsonBytes == bytes)
        // Our own new table gives the same metadata as pyiceberg's for the same schema and spec.
        let ours = try TableMetadata.newTable(
            schema: S.eventsColumnar,
            partitionBy: [UnboundPartitionField("event_time", .day), UnboundPartitionField("id", .bucket(4))],
            identifierFields: ["id"], location: metadata.location, tableUUID: metadata.tableUUID,
            timestampMs: metadata.lastUpdatedMs, properties: ["owner": "lakegate"])
        var expected = metadata
        expected.otherMembers = []
        #expect(ours == expected)
    }

    @Test func toleratesOtherWriters() throws {
        // -1 for no snapshot, unknown members at every level, absent optional lists, no refs.
        let text = """
            {"format-version":2,"table-uuid":"u","location":"s3://b/t","last-sequence-number":1,
             "last-updated-ms":5,"last-column-id":1,"current-schema-id":0,
             "schemas":[{"type":"struct","schema-id":0,"fields":[{"id":1,"name":"x","required":false,"type":"long","doc":"d","initial-default":1}]}],
             "partition-specs":[{"spec-id":0,"fields":[]}],"default-spec-id":0,"last-partition-id":999,
             "default-sort-order-id":0,"sort-orders":[{"order-id":0,"fields":[]}],
             "current-snapshot-id":-1,"future-thing":{"a":[1,2.5e3,null]},
             "snapshots":[{"snapshot-id":9223372036854775807,"timestamp-ms":4,"sequence-number":1,"manifest-list":"s3://b/t/l.avro",
                           "summary":{"operation":"append","spark.app.id":"x"},"added-rows":3}]}
            """
        let metadata = try TableMetadata(json: try IcebergJSON.parse(text))
        #expect(metadata.currentSnapshotId == nil)
        #expect(metadata.snapshots[0].snapshotId == Int64.max)
        #expect(metadata.snapshots[0].summary["spark.app.id"] == "x")
        #expect(metadata.snapshots[0].otherMembers.map(\.key) == ["added-rows"])
        #expect(metadata.schemas[0].fields[0].doc == "d")
        #expect(metadata.otherMembers == [IcebergJSONMember("future-thing", try IcebergJSON.parse(#"{"a":[1,2.5e3,null]}"#))])
        // Written and read again: the same values.
        let again = try TableMetadata(jsonBytes: metadata.jsonBytes)
        #expect(again == metadata)
        #expect(!metadata.json.text.contains("current-snapshot-id"))
    }

    /// Old snapshots' summaries are carried through as the text they were read as (decoding
    /// and re-encoding a hundred of them made every commit cost more with history); their
    /// contents read the same as a full parse's, and a summary that changes is written anew.
    @Test func snapshotSummariesAreCarriedThroughAsRead() throws {
        let summaryA = #"{ "operation" : "append", "total-records":"8","note":"tab\tand \u00e9","n":5, "nested":{"k":[1,{"x":"}"}]} }"#
        let summaryB = #"{"operation":"replace","total-records":"3"}"#
        let text = """
            {"format-version":2,"table-uuid":"u","location":"s3://b/t","last-sequence-number":2,
             "last-updated-ms":5,"last-column-id":1,"current-schema-id":0,
             "schemas":[{"type":"struct","schema-id":0,"fields":[{"id":1,"name":"x","required":false,"type":"long"}]}],
             "partition-specs":[{"spec-id":0,"fields":[]}],"default-spec-id":0,"last-partition-id":999,
             "current-snapshot-id":2,"properties":{"summary":"not a snapshot's"},
             "snapshots":[{"snapshot-id":1,"timestamp-ms":4,"sequence-number":1,"manifest-list":"l1.avro","summary":\(summaryA)},
                          {"summary":\(summaryB),"snapshot-id":2,"parent-snapshot-id":1,"timestamp-ms":5,"sequence-number":2,
                           "manifest-list":"l2.avro","extra":{"summary":{"operation":"delete"}}}]}
            """
        let bytes = Array(text.utf8)
        #expect(SnapshotSummarySpans.find(in: bytes).map { String(decoding: bytes[$0], as: UTF8.self) } == [summaryA, summaryB])
        let metadata = try TableMetadata(jsonBytes: bytes)
        let plain = try TableMetadata(json: try IcebergJSON.parse(bytes))
        #expect(metadata == plain)
        #expect(metadata.snapshots[0].summary["note"] == "tab\tand é")
        #expect(metadata.snapshots[0].summary["n"] == "5")
        #expect(metadata.snapshots[0].summary.count("total-records") == 8)
        #expect(metadata.snapshots[1].summary.operation == .replace)
        #expect(metadata.snapshots[1].otherMembers.map(\.key) == ["extra"])
        // Printed back: both summaries exactly as read (spaces included), where a full parse
        // prints them compactly.
        let written = metadata.json.text
        #expect(written.contains(summaryA) && written.contains(summaryB))
        #expect(!plain.json.text.contains(summaryA))
        #expect(try TableMetadata(jsonBytes: metadata.jsonBytes) == plain)
        // A summary that changes is written from its contents.
        var changed = metadata
        changed.snapshots[0].summary["total-records"] = "9"
        let rewritten = changed.json.text
        #expect(!rewritten.contains(summaryA) && rewritten.contains(summaryB))
        #expect(rewritten.contains(#""summary":{"operation":"append","note":"tab\tand é","n":"5","#))
        #expect(rewritten.contains(#","total-records":"9"}},{"snapshot-id":2"#))
        #expect(try TableMetadata(jsonBytes: changed.jsonBytes).snapshots[0].summary.count("total-records") == 9)
    }

    /// Where the byte walk and the parser could disagree (a key written with escapes, a
    /// repeated summary, a summary that is not an object), reading falls back to a full parse
    /// and gives the same metadata; cut or mangled text throws, and never crashes the walk.
    @Test func summaryWalkFallsBackAndSurvivesBrokenText() throws {
        func document(_ snapshot: String) -> String {
            """
            {"format-version":2,"table-uuid":"u","location":"l","last-sequence-number":1,"last-updated-ms":5,"last-column-id":1,
             "current-schema-id":0,"schemas":[{"type":"struct","schema-id":0,"fields":[]}],"partition-specs":[{"spec-id":0,"fields":[]}],
             "default-spec-id":0,"last-partition-id":999,"current-snapshot-id":1,"snapshots":[\(snapshot)]}
            """
        }
        let head = #""snapshot-id":1,"timestamp-ms":4,"sequence-number":1,"manifest-list":"l1.avro""#
        for snapshot in [
            #"{\#(head),"summ\u0061ry":{"operation":"append","a":"1"}}"#,
            #"{\#(head),"summary":{"operation":"append","a":"0"},"summary":{"operation":"append","a":"1"}}"#,
        ] {
            let bytes = Array(document(snapshot).utf8)
            let metadata = try TableMetadata(jsonBytes: bytes)
            #expect(metadata == (try TableMetadata(json: try IcebergJSON.parse(bytes))))
            #expect(metadata.snapshots[0].summary["a"] == "1")
        }
        let notObject = Array(document(#"{\#(head),"summary":"append"}"#).utf8)
        #expect(throws: IcebergError.self) { try TableMetadata(jsonBytes: notObject) }

        let valid = try S.fixture("pyiceberg-events.metadata.json")
        var generator = SystemRandomNumberGenerator()
        for cut in stride(from: 0, to: valid.count, by: 7) {
            _ = SnapshotSummarySpans.find(in: Array(valid[..<cut]))
            #expect(throws: IcebergError.self) { try TableMetadata(jsonBytes: Array(valid[..<cut])) }
        }
        for _ in 0..<300 {
            var mangled = valid
            mangled[Int.random(in: 0..<mangled.count, using: &generator)] =
                [UInt8(ascii: "\""), UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "\\"), 0x20].randomElement(using: &generator)!
            _ = SnapshotSummarySpans.find(in: mangled)
            if let metadata = try? TableMetadata(jsonBytes: mangled) {
                #expect(metadata == (try TableMetadata(json: try IcebergJSON.parse(mangled))))
            }
        }
    }

    @Test func rejectsBrokenMetadata() throws {
        let valid = try S.fixture("pyiceberg-events.metadata.json")
        #expect(throws: IcebergError.self) { try TableMetadata(jsonBytes: Array(valid.dropLast())) }
        var text = String(decoding: valid, as: UTF8.self)
        text = text.replacingOccurrences(of: "\"current-schema-id\":0", with: "\"current-schema-id\":3")
        #expect(throws: IcebergError.self) { try TableMetadata(jsonBytes: Array(text.utf8)) }
        let v1 = String(decoding: valid, as: UTF8.self).replacingOccurrences(of: "\"format-version\":2", with: "\"format-version\":1")
        let error = #expect(throws: IcebergError.self) { try TableMetadata(jsonBytes: Array(v1.utf8)) }
        #expect(error?.code == .unsupported)
    }

    @Test func jsonModel() throws {
        let text = #"{"a":"q\"\\\n\u0001é","b":[true,false,null,-0,12345678901234567890],"c":{}}"#
        let value = try IcebergJSON.parse(text)
        #expect(value["a"]?.stringValue == "q\"\\\n\u{1}é")
        #expect(value["b"]?.arrayValue?[4] == .number("12345678901234567890"))
        #expect(value["b"]?.arrayValue?[4].int64Value == nil)
        #expect(try IcebergJSON.parse(value.text) == value)
        #expect(value.text == #"{"a":"q\"\\\n\u0001é","b":[true,false,null,-0,12345678901234567890],"c":{}}"#)
    }

    @Test func metadataLocations() throws {
        let metadata = try TableMetadata(jsonBytes: try S.fixture("pyiceberg-events.metadata.json"))
        let current = "file:///tmp/icegen/wh/ns/events/metadata/00002-6d6f8c09-a168-469b-bdcb-5b2cb83e29b2.metadata.json"
        #expect(TableMetadata.version(ofMetadataLocation: current) == 2)
        #expect(metadata.nextMetadataLocation(after: current, uuid: "abc") == "file:///tmp/icegen/wh/ns/events/metadata/00003-abc.metadata.json")
        #expect(metadata.nextMetadataLocation(after: nil, uuid: "abc").hasSuffix("/metadata/00000-abc.metadata.json"))
    }
}
