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

    /// A metadata document for the history tests: `snapshots`, `snapshot-log` and
    /// `metadata-log` as given, the rest fixed.
    static func document(snapshots: String, snapshotLog: String = "[]", metadataLog: String = "[]", extra: String = "") -> [UInt8] {
        Array(
            """
            {"format-version":2,"table-uuid":"u","location":"s3://b/t","last-sequence-number":2,
             "last-updated-ms":5,"last-column-id":1,"current-schema-id":0,
             "schemas":[{"type":"struct","schema-id":0,"fields":[{"id":1,"name":"x","required":false,"type":"long"}]}],
             "partition-specs":[{"spec-id":0,"fields":[]}],"default-spec-id":0,"last-partition-id":999,
             "current-snapshot-id":2,"properties":{"snapshots":"not these"},\(extra)
             "snapshots":\(snapshots),"snapshot-log":\(snapshotLog), "metadata-log" : \(metadataLog)}
            """.utf8)
    }

    /// The lists that grow with history are read from their text and unchanged snapshots are
    /// printed back from it (building them as JSON values on every commit made the thousandth
    /// commit slower than the tenth). The values equal a full parse's; a snapshot that changes
    /// is written from its values.
    @Test func historyIsReadFromItsTextAndCarriedThrough() throws {
        let first = #"{ "snapshot-id" : 1,"timestamp-ms":4,"sequence-number":1,"manifest-list":"l1.avro","summary":{ "operation" : "append", "total-records":"8","note":"tab\tand \u00e9","n":5, "nested":{"k":[1,{"x":"}"}]} } }"#
        let second = #"{"summary":{"operation":"replace","total-records":"3"},"snapshot-id":2,"parent-snapshot-id":1,"timestamp-ms":5,"sequence-number":2,"manifest-list":"l2.avro","schema-id":null,"extra":{"summary":{"operation":"delete"}}}"#
        let bytes = Self.document(
            snapshots: "[\(first),\n \(second)]",
            snapshotLog: #"[{"snapshot-id":1,"timestamp-ms":4},{"timestamp-ms":5,"snapshot-id":2,"x":true}]"#,
            metadataLog: #"[{"metadata-file":"s3://b/t/metadata/00001-a.metadata.json","timestamp-ms":3},{"metadata-file":"s3://b/t/\"q\".json","timestamp-ms":4}]"#)
        let metadata = try TableMetadata(jsonBytes: bytes)
        let plain = try TableMetadata(json: try IcebergJSON.parse(bytes))
        #expect(metadata == plain)
        #expect(metadata.snapshots.allSatisfy { $0.source != nil } && plain.snapshots.allSatisfy { $0.source == nil })
        #expect(metadata.snapshots.map(\.snapshotId) == [1, 2])
        #expect(metadata.snapshots[0].summary["note"] == "tab\tand é")
        #expect(metadata.snapshots[0].summary["n"] == "5")
        #expect(metadata.snapshots[0].summary.count("total-records") == 8)
        #expect(metadata.snapshots[1].summary.operation == .replace)
        #expect(metadata.snapshots[1].parentSnapshotId == 1)
        #expect(metadata.snapshots[1].otherMembers.map(\.key) == ["extra"])
        #expect(metadata.snapshotLog == [SnapshotLogEntry(snapshotId: 1, timestampMs: 4), SnapshotLogEntry(snapshotId: 2, timestampMs: 5)])
        #expect(metadata.metadataLog.map(\.metadataFile) == ["s3://b/t/metadata/00001-a.metadata.json", #"s3://b/t/"q".json"#])

        // Written: both snapshots exactly as read (spaces and member order included), where the
        // values alone print them compactly in the spec's order; read back, the same values.
        let written = String(decoding: metadata.jsonBytes, as: UTF8.self)
        #expect(written.contains("\"snapshots\":[\(first),\(second)]"))
        #expect(!String(decoding: plain.jsonBytes, as: UTF8.self).contains(first))
        #expect(try TableMetadata(jsonBytes: metadata.jsonBytes) == plain)
        // The logs, printed straight into bytes, as the JSON values print them.
        #expect(metadata.jsonBytes.count == plain.jsonBytes.count - plain.snapshots.map { $0.json.bytes.count }.reduce(0, +)
            + first.utf8.count + second.utf8.count)
        #expect(TableMetadata.printed(metadata.metadataLog) == IcebergJSON.array(metadata.metadataLog.map(\.json)).bytes)
        #expect(TableMetadata.printed(metadata.snapshotLog) == IcebergJSON.array(metadata.snapshotLog.map(\.json)).bytes)
        for value: Int64 in [0, 7, -7, 1_795_299_881_644, .max, .min] {
            var out: [UInt8] = []
            IcebergJSON.appendInteger(value, to: &out)
            #expect(String(decoding: out, as: UTF8.self) == String(value))
        }

        // Snapshot ids are 63-bit random numbers: all 19 digits take the fast path.
        let wide = try TableMetadata(
            jsonBytes: Self.document(
                snapshots: #"[{"snapshot-id":9223372036854775807,"parent-snapshot-id":-9223372036854775808,"timestamp-ms":1795332130174,"manifest-list":"l","summary":{}},\#(second)]"#))
        #expect(wide.snapshots[0].source != nil)
        #expect(wide.snapshots[0].snapshotId == .max && wide.snapshots[0].parentSnapshotId == .min)

        // What changes is written from its values; the rest is still carried.
        var changed = metadata
        changed.snapshots[0].summary["total-records"] = "9"
        changed.snapshots[1].timestampMs = 6
        let rewritten = String(decoding: changed.jsonBytes, as: UTF8.self)
        #expect(!rewritten.contains(first) && !rewritten.contains(second))
        #expect(rewritten.contains(#""summary":{"operation":"append","note":"tab\tand é","n":"5","#))
        let reread = try TableMetadata(jsonBytes: changed.jsonBytes)
        #expect(reread == changed)
        #expect(reread.snapshots[0].summary.count("total-records") == 9 && reread.snapshots[1].timestampMs == 6)
        var appended = metadata
        appended.snapshots.removeFirst()
        #expect(String(decoding: appended.jsonBytes, as: UTF8.self).contains("\"snapshots\":[\(second)]"))
    }

    /// Where the fast path meets what it does not expect (escapes in keys, numbers that are not
    /// plain digits, a list given twice, a missing member), reading gives what a full parse
    /// gives, errors included; cut or mangled text throws or reads the same, never crashes.
    @Test func historyFallsBackToTheFullParser() throws {
        let head = #""timestamp-ms":4,"sequence-number":1,"manifest-list":"l1.avro","summary":{"operation":"append","a":"1"}"#
        let cases: [[UInt8]] = [
            Self.document(snapshots: #"[{"snapshot-id":1,\#(head)}]"#, extra: #""snapshots":[],"#),
            Self.document(snapshots: #"[{"snapshot-id":1,\#(head)}]"#),
            Self.document(snapshots: #"[{"snapshot-id":1.0e0,\#(head)}]"#),
            Self.document(snapshots: #"[{"snapshot-id":1,\#(head),"summary":{"operation":"delete"}}]"#),
            Self.document(snapshots: #"[{"snapshot-id":12345678901234567890,\#(head)}]"#),
            Self.document(snapshots: #"[{"snapshot-id":9223372036854775808,\#(head)}]"#),
            Self.document(snapshots: #"[{"snapshot-id":-9223372036854775809,\#(head)}]"#),
            Self.document(snapshots: #"[{"snapshot-id":-0,\#(head)}]"#),
            Self.document(snapshots: #"[{"snapshot-id":2,\#(head)}]"#, extra: #""snapshots":[{"snapshot-id":1,\#(head)}],"#),
            Self.document(snapshots: #"[{"snapshot-id":1,\#(head)}]"#, snapshotLog: #"[{"snapshot-id":1,"timestamp-ms":4.0}]"#),
            Self.document(snapshots: #"[{"snapshot-id":1,\#(head)}]"#, metadataLog: #"[{"metadata-file":"m","timestamp-ms":4}]"#),
            Self.document(snapshots: #"[{\#(head)}]"#),
            Self.document(snapshots: #"[{"snapshot-id":1,"summary":"append"}]"#),
            Self.document(snapshots: #"[7]"#),
            Self.document(snapshots: #"[{"snapshot-id":1,\#(head)}]"#, snapshotLog: #"[{"snapshot-id":1}]"#),
        ]
        for bytes in cases {
            let plain = Result { () throws(IcebergError) in try TableMetadata(json: try IcebergJSON.parse(bytes)) }
            let fast = Result { () throws(IcebergError) in try TableMetadata(jsonBytes: bytes) }
            switch (plain, fast) {
            case (.success(let a), .success(let b)):
                #expect(a == b)
                #expect(try TableMetadata(jsonBytes: b.jsonBytes) == a)
            case (.failure(let a), .failure(let b)):
                #expect(a.code == b.code && a.field == b.field, "\(a) / \(b)")
            default:
                Issue.record("a full parse gave \(plain), the fast path \(fast): \(String(decoding: bytes, as: UTF8.self))")
            }
        }

        let valid = try S.fixture("pyiceberg-events.metadata.json")
        for cut in stride(from: 0, to: valid.count, by: 5) {
            #expect(throws: IcebergError.self) { try TableMetadata(jsonBytes: Array(valid[..<cut])) }
        }
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            var mangled = valid
            mangled[Int.random(in: 0..<mangled.count, using: &generator)] =
                [UInt8(ascii: "\""), UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "["), UInt8(ascii: "\\"), UInt8(ascii: ","), 0x20]
                .randomElement(using: &generator)!
            let plain = try? TableMetadata(json: try IcebergJSON.parse(mangled))
            let fast = try? TableMetadata(jsonBytes: mangled)
            #expect(plain == fast)
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
