import Avro
import Columnar
@testable import Iceberg
import LakegateCore
import Testing

@Suite struct ManifestTests {
    typealias S = IcebergTestSupport

    /// A manifest pyiceberg 0.12 wrote: entries read by field id, values exact.
    @Test func readsPyicebergManifest() throws {
        let contents = try Manifests.readManifest(bytes: try S.fixture("pyiceberg-events-manifest.avro"))
        #expect(contents.content == "data")
        #expect(contents.formatVersion == 2)
        #expect(contents.spec.fields.map(\.name) == ["event_time_day", "id_bucket_4"])
        #expect(contents.schema?.highestFieldId == 12)
        #expect(contents.entries.count == 3)
        let first = contents.entries[0]
        #expect(first.status == .added)
        #expect(first.snapshotId == 173_690_426_647_891_162)
        #expect(first.sequenceNumber == nil)
        #expect(first.fileSequenceNumber == nil)
        let file = first.dataFile
        #expect(file.filePath.hasSuffix("event_time_day=2025-01-05/id_bucket_4=0/00000-0-e7e38e9b-e5e0-4522-827a-096bcb69db24.parquet"))
        #expect(file.fileFormat == "PARQUET")
        #expect(file.content == .data)
        #expect(file.partition == PartitionValues([.date(Int32(S.days(2025, 1, 5))), .int(0)]))
        #expect(file.recordCount == 2)
        #expect(file.fileSizeInBytes == 4120)
        #expect(file.columnSizes[1] == 114)
        #expect(file.valueCounts[8] == 4)
        #expect(file.nullValueCounts[8] == 2)
        #expect(file.nanValueCounts == [:])
        #expect(file.lowerBounds[1] == IcebergLiteral.long(10).binaryBound)
        #expect(file.upperBounds[1] == IcebergLiteral.long(12).binaryBound)
        #expect(file.lowerBounds[3] == Array("n0".utf8))
        #expect(try IcebergLiteral(binaryBound: try #require(file.lowerBounds[4]), type: .decimal(precision: 10, scale: 2)) == .decimal(2420))
        #expect(file.splitOffsets == [4])
        #expect(file.equalityIds == nil)
        #expect(file.sortOrderId == nil)
        #expect(contents.entries.map { $0.dataFile.partition.values[1] } == [.int(0), .int(3), .int(1)])
    }

    @Test func readsPyicebergManifestList() throws {
        let list = try Manifests.readManifestList(bytes: try S.fixture("pyiceberg-events-manifest-list.avro"))
        #expect(list.snapshotId == 173_690_426_647_891_162)
        #expect(list.parentSnapshotId == 3_737_483_716_920_363_745)
        #expect(list.sequenceNumber == 2)
        #expect(list.formatVersion == 2)
        #expect(list.manifests.count == 2)
        let first = list.manifests[0]
        #expect(first.manifestPath.hasSuffix("e7e38e9b-e5e0-4522-827a-096bcb69db24-m0.avro"))
        #expect(first.manifestLength == 5840)
        #expect(first.sequenceNumber == 2 && first.minSequenceNumber == 2)
        #expect(first.addedSnapshotId == 173_690_426_647_891_162)
        #expect(first.addedFilesCount == 3 && first.addedRowsCount == 4)
        #expect(first.partitions == [
            PartitionFieldSummary(
                containsNull: false, containsNaN: false, lowerBound: IcebergLiteral.date(Int32(S.days(2025, 1, 5))).binaryBound,
                upperBound: IcebergLiteral.date(Int32(S.days(2025, 1, 6))).binaryBound),
            PartitionFieldSummary(containsNull: false, containsNaN: false, lowerBound: [0, 0, 0, 0], upperBound: [3, 0, 0, 0]),
        ])
        #expect(list.manifests[1].sequenceNumber == 1)
        // Entries inherit the manifest's numbers.
        let manifest = try Manifests.readManifest(bytes: try S.fixture("pyiceberg-events-manifest.avro"))
        let inherited = manifest.entries[0].inheriting(from: first)
        #expect(inherited.sequenceNumber == 2 && inherited.fileSequenceNumber == 2)
    }

    static func sampleFiles() -> [DataFile] {
        [
            DataFile(
                filePath: "s3://b/t/data/event_time_day=2025-01-05/id_bucket_4=0/a.parquet",
                partition: PartitionValues([.date(20093), .int(0)]), recordCount: 2, fileSizeInBytes: 4120,
                columnSizes: [1: 114, 2: 112], valueCounts: [1: 2, 2: 2], nullValueCounts: [1: 0, 2: 0],
                nanValueCounts: [:], lowerBounds: [1: IcebergLiteral.long(10).binaryBound, 3: Array("n0".utf8)],
                upperBounds: [1: IcebergLiteral.long(12).binaryBound, 3: Array("n1".utf8)], splitOffsets: [4]),
            DataFile(
                filePath: "s3://b/t/data/event_time_day=null/id_bucket_4=3/b.parquet",
                partition: PartitionValues([nil, .int(3)]), recordCount: 1, fileSizeInBytes: 900,
                keyMetadata: [9, 9], equalityIds: [1], sortOrderId: 0),
        ]
    }

    @Test func manifestRoundTrip() throws {
        let schema = try IcebergSchema(columnar: S.eventsColumnar, identifierFields: ["id"])
        let spec = try PartitionSpec(
            schema: schema, fields: [UnboundPartitionField("event_time", .day), UnboundPartitionField("id", .bucket(4))])
        let entries = [
            ManifestEntry(status: .added, dataFile: Self.sampleFiles()[0]),
            ManifestEntry(status: .existing, snapshotId: 7, sequenceNumber: 3, fileSequenceNumber: 4, dataFile: Self.sampleFiles()[1]),
        ]
        let bytes = try Manifests.manifestBytes(entries, schema: schema, spec: spec, options: ManifestWriteOptions(syncMarker: S.sync))
        let contents = try Manifests.readManifest(bytes: bytes)
        #expect(contents.entries == entries)
        #expect(contents.schema == schema)
        #expect(contents.spec == spec)
        #expect(contents.content == "data")

        // The Avro header and schema, as Iceberg readers expect them.
        let reader = try AvroFileReader(source: MemoryByteSource(bytes))
        #expect(reader.codec.name == "deflate")
        #expect(reader.metadata["format-version"] == "2")
        #expect(reader.metadata["partition-spec-id"] == "0")
        #expect(reader.metadata["schema-id"] == "0")
        #expect(reader.metadata["partition-spec"] == #"[{"source-id":2,"field-id":1000,"transform":"day","name":"event_time_day"},{"source-id":1,"field-id":1001,"transform":"bucket[4]","name":"id_bucket_4"}]"#)
        let avro = reader.avroSchemaJSON
        for fragment in [
            #"{"type":"record","name":"manifest_entry","fields":[{"name":"status","type":"int","field-id":0}"#,
            #"{"name":"snapshot_id","type":["null","long"],"default":null,"field-id":1}"#,
            #""name":"r2""#, #""name":"r102""#,
            #"{"name":"event_time_day","type":["null",{"type":"int","logicalType":"date"}],"default":null,"field-id":1000}"#,
            #"{"name":"column_sizes","type":["null",{"type":"array","items":{"type":"record","name":"k117_v118","fields":[{"name":"key","type":"int","field-id":117},{"name":"value","type":"long","field-id":118}]},"logicalType":"map"}],"default":null,"field-id":108}"#,
            #""name":"k126_v127","fields":[{"name":"key","type":"int","field-id":126},{"name":"value","type":"bytes","field-id":127}]"#,
            #"{"name":"split_offsets","type":["null",{"type":"array","items":"long","element-id":133}],"default":null,"field-id":132}"#,
        ] {
            #expect(avro.contains(fragment), "missing \(fragment)")
        }
    }

    @Test func manifestListRoundTrip() throws {
        let schema = try IcebergSchema(columnar: S.eventsColumnar)
        let spec = try PartitionSpec(
            schema: schema, fields: [UnboundPartitionField("event_time", .day), UnboundPartitionField("id", .bucket(4))])
        let entries = Self.sampleFiles().map { ManifestEntry(status: .added, dataFile: $0) }
        let manifest = try ManifestFile(
            summarizing: entries, path: "s3://b/t/metadata/x-m0.avro", length: 5000, spec: spec, schema: schema,
            sequenceNumber: 5, addedSnapshotId: 42)
        #expect(manifest.addedFilesCount == 2 && manifest.addedRowsCount == 3 && manifest.minSequenceNumber == 5)
        #expect(manifest.partitions == [
            PartitionFieldSummary(containsNull: true, containsNaN: false, lowerBound: [0x7D, 0x4E, 0, 0], upperBound: [0x7D, 0x4E, 0, 0]),
            PartitionFieldSummary(containsNull: false, containsNaN: false, lowerBound: [0, 0, 0, 0], upperBound: [3, 0, 0, 0]),
        ])
        var unpartitioned = manifest
        unpartitioned.partitions = []
        unpartitioned.manifestPath = "s3://b/t/metadata/y-m0.avro"
        unpartitioned.keyMetadata = [1]
        let bytes = try Manifests.manifestListBytes(
            [manifest, unpartitioned], snapshotId: 42, parentSnapshotId: nil, sequenceNumber: 5,
            options: ManifestWriteOptions(syncMarker: S.sync))
        let list = try Manifests.readManifestList(bytes: bytes)
        #expect(list.manifests == [manifest, unpartitioned])
        #expect(list.snapshotId == 42 && list.parentSnapshotId == nil && list.sequenceNumber == 5)
        let reader = try AvroFileReader(source: MemoryByteSource(bytes))
        #expect(reader.metadata["parent-snapshot-id"] == "null")
        #expect(reader.avroSchemaJSON.contains(#""name":"manifest_file""#))
        #expect(reader.avroSchemaJSON.contains(#"{"type":"array","items":{"type":"record","name":"r508","fields":[{"name":"contains_null","type":"boolean","field-id":509}"#))
    }

    /// Identity partitions of every primitive type survive a round trip; timestamps and uuids
    /// take Iceberg's Avro forms (pyiceberg rejects `local-timestamp-micros`).
    @Test func partitionValuesOfEveryType() throws {
        let columnar = Schema([
            Field("b", .boolean), Field("i", .int32), Field("l", .int64), Field("f", .float32), Field("d", .float64),
            Field("dec", .decimal(precision: 20, scale: 3)), Field("date", .date), Field("time", .time(.microsecond)),
            Field("ts", .timestamp(.microsecond, utc: false)), Field("tz", .timestamp(.microsecond, utc: true)),
            Field("s", .string), Field("u", .uuid), Field("fx", .fixedSizeBinary(3)), Field("bin", .binary),
        ])
        let schema = try IcebergSchema(columnar: columnar)
        let spec = try PartitionSpec(schema: schema, fields: columnar.fields.map { UnboundPartitionField($0.name, .identity) })
        let uuid = try #require(IcebergLiteral.parseUUID("f79c3e09-677c-4bbd-a479-3f349cb785e7"))
        let values: [IcebergLiteral?] = [
            .boolean(true), .int(-5), .long(1 << 40), .float(1.5), .double(-0.25), .decimal(-123_456_789_012_345), .date(-3),
            .time(86_399_999_999), .timestamp(-1), .timestamptz(1_700_000_000_000_000), .string("ß/x y"), .uuid(uuid),
            .fixed([1, 2, 3]), nil,
        ]
        let file = DataFile(filePath: "f", partition: PartitionValues(values), recordCount: 1, fileSizeInBytes: 1)
        let entries = [ManifestEntry(status: .added, dataFile: file)]
        let bytes = try Manifests.manifestBytes(entries, schema: schema, spec: spec)
        #expect(try Manifests.readManifest(bytes: bytes).entries == entries)
        let avro = try AvroFileReader(source: MemoryByteSource(bytes)).avroSchemaJSON
        #expect(avro.contains(#"{"type":"long","logicalType":"timestamp-micros","adjust-to-utc":false}"#))
        #expect(avro.contains(#"{"type":"long","logicalType":"timestamp-micros","adjust-to-utc":true}"#))
        #expect(avro.contains(#"{"type":"fixed","name":"uuid_fixed","size":16,"logicalType":"uuid"}"#))
        #expect(!avro.contains("local-timestamp"))
        let path = try spec.partitionPath(PartitionValues(values), schema: schema)
        #expect(path.hasPrefix("b=true/i=-5/l=1099511627776/f=1.5/d=-0.25/dec=-123456789012.345/date=1969-12-29/time=23%3A59%3A59.999999/ts=1969-12-31T23%3A59%3A59.999999/tz=2023-11-14T22%3A13%3A20%2B00%3A00/s=%C3%9F%2Fx+y/u=f79c3e09-677c-4bbd-a479-3f349cb785e7/fx=AQID/bin=null"))
    }

    @Test func binaryBounds() throws {
        let cases: [(IcebergLiteral, IcebergType, [UInt8])] = [
            (.boolean(true), .boolean, [1]),
            (.int(-2), .int, [0xFE, 0xFF, 0xFF, 0xFF]),
            (.date(20093), .date, [0x7D, 0x4E, 0, 0]),
            (.long(10), .long, [10, 0, 0, 0, 0, 0, 0, 0]),
            (.timestamptz(1), .timestamptz, [1, 0, 0, 0, 0, 0, 0, 0]),
            (.float(1), .float, [0, 0, 0x80, 0x3F]),
            (.double(-2), .double, [0, 0, 0, 0, 0, 0, 0, 0xC0]),
            (.string("é"), .string, [0xC3, 0xA9]),
            (.decimal(2420), .decimal(precision: 10, scale: 2), [0x09, 0x74]),
            (.decimal(0), .decimal(precision: 10, scale: 2), [0]),
            (.decimal(-1), .decimal(precision: 10, scale: 2), [0xFF]),
            (.decimal(128), .decimal(precision: 10, scale: 2), [0x00, 0x80]),
            (.decimal(-129), .decimal(precision: 10, scale: 2), [0xFF, 0x7F]),
            (.binary([1, 2]), .binary, [1, 2]),
        ]
        for (literal, type, bytes) in cases {
            #expect(literal.binaryBound == bytes, "\(literal)")
            #expect(try IcebergLiteral(binaryBound: bytes, type: type) == literal)
        }
        // A long column promoted from int keeps its 4-byte bounds.
        #expect(try IcebergLiteral(binaryBound: [0xFF, 0xFF, 0xFF, 0xFF], type: .long) == .long(-1))
        #expect(throws: IcebergError.self) { try IcebergLiteral(binaryBound: [1, 2], type: .int) }
    }
}
