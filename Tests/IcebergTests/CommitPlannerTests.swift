import Columnar
@testable import Iceberg
import Testing

@Suite struct CommitPlannerTests {
    static let columnar = Schema([Field("id", .int64, nullable: false), Field("region", .string)])

    static func file(_ name: String, region: String, records: Int64, size: Int64) -> DataFile {
        DataFile(
            filePath: "s3://b/t/data/region=\(region)/\(name).parquet", partition: PartitionValues([.string(region)]),
            recordCount: records, fileSizeInBytes: size, valueCounts: [1: records, 2: records], nullValueCounts: [1: 0, 2: 0],
            lowerBounds: [1: IcebergLiteral.long(0).binaryBound], upperBounds: [1: IcebergLiteral.long(records).binaryBound])
    }

    /// The entries of every manifest a plan wrote, read back through Avro (as a caller would).
    static func readBack(_ plans: [CommitPlan]) throws -> [String: [ManifestEntry]] {
        var out: [String: [ManifestEntry]] = [:]
        for plan in plans {
            for manifest in plan.newManifests {
                out[manifest.file.path] = try Manifests.readManifest(bytes: manifest.file.bytes).entries
            }
        }
        return out
    }

    @Test func appendsReplaceAndExpiry() throws {
        let created = try TableMetadata.newTable(
            schema: Self.columnar, partitionBy: [UnboundPartitionField("region", .identity)], location: "s3://b/t",
            tableUUID: "9f0c1c1e-0000-4000-8000-000000000001", timestampMs: 1_000)
        let location0 = created.nextMetadataLocation(after: nil, uuid: "c0")
        #expect(location0 == "s3://b/t/metadata/00000-c0.metadata.json")
        let a = Self.file("a", region: "eu", records: 10, size: 100)
        let b = Self.file("b", region: "us", records: 20, size: 200)
        let c = Self.file("c", region: "eu", records: 5, size: 50)

        // First append: one manifest, sequence number 1, totals from zero.
        let plan1 = try CommitPlanner.planAppend(
            CommitBase(metadata: created, metadataLocation: location0, parentManifests: [], snapshotId: 111,
                       timestampMs: 2_000, commitUUID: "c1"),
            files: [a, b])
        #expect(plan1.snapshot.sequenceNumber == 1)
        #expect(plan1.snapshot.parentSnapshotId == nil)
        #expect(plan1.snapshot.manifestList == "s3://b/t/metadata/snap-111-0-c1.avro")
        #expect(plan1.newManifests.map(\.file.path) == ["s3://b/t/metadata/c1-m0.avro"])
        #expect(plan1.metadataLocation == "s3://b/t/metadata/00001-c1.metadata.json")
        #expect(plan1.snapshot.summary.properties.pairs.map(\.key) == [
            "added-files-size", "added-data-files", "added-records", "changed-partition-count", "total-data-files",
            "total-delete-files", "total-records", "total-files-size", "total-position-deletes", "total-equality-deletes",
        ])
        #expect(plan1.snapshot.summary.count("added-data-files") == 2)
        #expect(plan1.snapshot.summary.count("added-records") == 30)
        #expect(plan1.snapshot.summary.count("added-files-size") == 300)
        #expect(plan1.snapshot.summary.count("changed-partition-count") == 2)
        #expect(plan1.snapshot.summary.count("total-records") == 30)
        #expect(plan1.snapshot.summary.count("total-delete-files") == 0)
        let m1 = plan1.manifestFiles[0]
        #expect(plan1.manifestFiles.count == 1)
        #expect(m1.sequenceNumber == 1 && m1.minSequenceNumber == 1 && m1.addedSnapshotId == 111)
        #expect(m1.addedFilesCount == 2 && m1.addedRowsCount == 30)
        #expect(m1.manifestLength == Int64(plan1.newManifests[0].file.bytes.count))
        // ADDED entries leave their numbers to inheritance.
        let entries1 = try Self.readBack([plan1])[m1.manifestPath]!
        #expect(entries1.allSatisfy { $0.status == .added && $0.snapshotId == nil && $0.sequenceNumber == nil })
        let list1 = try Manifests.readManifestList(bytes: plan1.manifestList.bytes)
        #expect(list1.manifests == plan1.manifestFiles)
        #expect(list1.snapshotId == 111 && list1.sequenceNumber == 1 && list1.parentSnapshotId == nil)
        let metadata1 = try TableMetadata(jsonBytes: plan1.metadataFile.bytes)
        #expect(metadata1 == plan1.metadata)
        #expect(metadata1.currentSnapshotId == 111 && metadata1.lastSequenceNumber == 1 && metadata1.lastUpdatedMs == 2_000)
        #expect(metadata1.refs == [SnapshotRef(name: "main", snapshotId: 111)])
        #expect(metadata1.snapshotLog == [SnapshotLogEntry(snapshotId: 111, timestampMs: 2_000)])
        #expect(metadata1.metadataLog == [MetadataLogEntry(metadataFile: location0, timestampMs: 1_000)])
        #expect(plan1.filesToWrite.map(\.path) == [m1.manifestPath, plan1.manifestList.path, plan1.metadataLocation])

        // Second append: the parent's manifest is carried over, totals chain.
        let plan2 = try CommitPlanner.planAppend(
            CommitBase(metadata: plan1.metadata, metadataLocation: plan1.metadataLocation, parentManifests: plan1.manifestFiles,
                       snapshotId: 222, timestampMs: 3_000, commitUUID: "c2"),
            files: [c])
        #expect(plan2.snapshot.sequenceNumber == 2 && plan2.snapshot.parentSnapshotId == 111)
        #expect(plan2.manifestFiles.map(\.manifestPath) == ["s3://b/t/metadata/c2-m0.avro", m1.manifestPath])
        #expect(plan2.manifestFiles[1] == m1)
        #expect(plan2.snapshot.summary.count("added-data-files") == 1)
        #expect(plan2.snapshot.summary.count("changed-partition-count") == 1)
        #expect(plan2.snapshot.summary.count("total-data-files") == 3)
        #expect(plan2.snapshot.summary.count("total-records") == 35)
        #expect(plan2.snapshot.summary.count("total-files-size") == 350)
        #expect(plan2.metadata.metadataLog.map(\.metadataFile) == [location0, plan1.metadataLocation])
        #expect(plan2.metadataLocation == "s3://b/t/metadata/00002-c2.metadata.json")
        let m2 = plan2.manifestFiles[0]

        // Replace a (from the first manifest) and c (from the second) with one compacted file.
        let compacted = Self.file("ac", region: "eu", records: 15, size: 120)
        let entries = try Self.readBack([plan1, plan2])
        let plan3 = try CommitPlanner.planReplace(
            CommitBase(metadata: plan2.metadata, metadataLocation: plan2.metadataLocation, parentManifests: plan2.manifestFiles,
                       snapshotId: 333, timestampMs: 4_000, commitUUID: "c3"),
            removing: [a.filePath, c.filePath], adding: [compacted], manifestEntries: entries)
        #expect(plan3.snapshot.summary.operation == .replace)
        #expect(plan3.snapshot.sequenceNumber == 3)
        #expect(plan3.snapshot.summary.count("added-data-files") == 1)
        #expect(plan3.snapshot.summary.count("deleted-data-files") == 2)
        #expect(plan3.snapshot.summary.count("deleted-records") == 15)
        #expect(plan3.snapshot.summary.count("removed-files-size") == 150)
        #expect(plan3.snapshot.summary.count("changed-partition-count") == 1)
        #expect(plan3.snapshot.summary.count("total-data-files") == 2)
        #expect(plan3.snapshot.summary.count("total-records") == 35)
        #expect(plan3.snapshot.summary.count("total-files-size") == 320)
        // The new manifest first, then the two rewritten ones; nothing carried unchanged.
        #expect(plan3.manifestFiles.map(\.manifestPath) == [
            "s3://b/t/metadata/c3-m0.avro", "s3://b/t/metadata/c3-m1.avro", "s3://b/t/metadata/c3-m2.avro",
        ])
        let rewritten = try Self.readBack([plan3])
        // Rewritten in the parent list's order: the second append's manifest, then the first's.
        let fromFirst = rewritten["s3://b/t/metadata/c3-m2.avro"]!
        #expect(fromFirst.map(\.status) == [.deleted, .existing])
        #expect(fromFirst[0].dataFile.filePath == a.filePath && fromFirst[0].snapshotId == 333)
        #expect(fromFirst[0].sequenceNumber == 1 && fromFirst[0].fileSequenceNumber == 1)
        #expect(fromFirst[1].dataFile == b && fromFirst[1].snapshotId == 111 && fromFirst[1].sequenceNumber == 1)
        let fromSecond = rewritten["s3://b/t/metadata/c3-m1.avro"]!
        #expect(fromSecond.map(\.status) == [.deleted])
        #expect(fromSecond[0].sequenceNumber == 2 && fromSecond[0].snapshotId == 333)
        let r1 = plan3.manifestFiles[2]
        #expect(r1.existingFilesCount == 1 && r1.deletedFilesCount == 1 && r1.existingRowsCount == 20 && r1.deletedRowsCount == 10)
        #expect(r1.minSequenceNumber == 1 && r1.sequenceNumber == 3 && r1.addedSnapshotId == 333)
        // Only deletions: no live file, so the minimum is the manifest's own number.
        #expect(plan3.manifestFiles[1].minSequenceNumber == 3)
        #expect(plan3.manifestFiles[1].addedFilesCount + plan3.manifestFiles[1].existingFilesCount == 0)
        #expect(try Manifests.readManifestList(bytes: plan3.manifestList.bytes).manifests == plan3.manifestFiles)

        // A later append drops the manifest that holds only deletions.
        let plan4 = try CommitPlanner.planAppend(
            CommitBase(metadata: plan3.metadata, metadataLocation: plan3.metadataLocation, parentManifests: plan3.manifestFiles,
                       snapshotId: 444, timestampMs: 5_000, commitUUID: "c4"),
            files: [])
        #expect(plan4.manifestFiles.map(\.manifestPath) == ["s3://b/t/metadata/c3-m0.avro", "s3://b/t/metadata/c3-m2.avro"])
        #expect(plan4.snapshot.summary.count("total-data-files") == 2)

        // Expire everything older than the replace: the two appends go.
        let expiry = CommitPlanner.planExpiry(
            metadata: plan3.metadata, metadataLocation: plan3.metadataLocation, olderThanMs: 4_000, timestampMs: 6_000,
            uuid: "e1")
        #expect(expiry.expired.map(\.snapshotId) == [111, 222])
        #expect(expiry.retained.map(\.snapshotId) == [333])
        #expect(expiry.metadata.snapshots.map(\.snapshotId) == [333])
        #expect(expiry.metadata.snapshotLog == [SnapshotLogEntry(snapshotId: 333, timestampMs: 4_000)])
        #expect(expiry.metadata.currentSnapshotId == 333)
        #expect(expiry.metadataLocation == "s3://b/t/metadata/00004-e1.metadata.json")
        #expect(expiry.metadata.metadataLog.last?.metadataFile == plan3.metadataLocation)
        #expect(try TableMetadata(jsonBytes: expiry.metadataFile.bytes) == expiry.metadata)
        let lists: [String: [ManifestFile]] = [
            plan1.snapshot.manifestList: plan1.manifestFiles, plan2.snapshot.manifestList: plan2.manifestFiles,
            plan3.snapshot.manifestList: plan3.manifestFiles,
        ]
        var allEntries = entries
        for (path, value) in rewritten { allEntries[path] = value }
        let garbage = try CommitPlanner.unreachableFiles(
            expired: expiry.expired, retained: expiry.retained, manifestLists: lists, manifestEntries: allEntries)
        #expect(garbage.manifestLists == [plan1.snapshot.manifestList, plan2.snapshot.manifestList])
        #expect(Set(garbage.manifests) == [m1.manifestPath, m2.manifestPath])
        #expect(Set(garbage.dataFiles) == [a.filePath, c.filePath])

        // Keeping the last two ancestors keeps the second append and its files.
        let gentler = CommitPlanner.planExpiry(
            metadata: plan3.metadata, metadataLocation: plan3.metadataLocation, olderThanMs: 4_000, retainLast: 2,
            timestampMs: 6_000, uuid: "e2")
        #expect(gentler.expired.map(\.snapshotId) == [111])
        let fewer = try CommitPlanner.unreachableFiles(
            expired: gentler.expired, retained: gentler.retained, manifestLists: lists, manifestEntries: allEntries)
        #expect(fewer.manifests.isEmpty && fewer.dataFiles.isEmpty)
        #expect(fewer.manifestLists == [plan1.snapshot.manifestList])
    }

    @Test func replaceOfAFileNoLongerLiveIsAConflict() throws {
        let created = try TableMetadata.newTable(schema: Self.columnar, location: "s3://b/t", tableUUID: "u", timestampMs: 1)
        let a = DataFile(filePath: "s3://b/t/data/a.parquet", recordCount: 1, fileSizeInBytes: 10)
        let plan = try CommitPlanner.planAppend(
            CommitBase(metadata: created, metadataLocation: nil, parentManifests: [], snapshotId: 1, timestampMs: 2, commitUUID: "x"),
            files: [a])
        let error = #expect(throws: IcebergError.self) {
            try CommitPlanner.planReplace(
                CommitBase(metadata: plan.metadata, metadataLocation: plan.metadataLocation, parentManifests: plan.manifestFiles,
                           snapshotId: 2, timestampMs: 3, commitUUID: "y"),
                removing: ["s3://b/t/data/gone.parquet"], adding: [], manifestEntries: try Self.readBack([plan]))
        }
        #expect(error?.code == .conflict)
        // The same snapshot id twice is refused.
        #expect(throws: IcebergError.self) {
            try CommitPlanner.planAppend(
                CommitBase(metadata: plan.metadata, metadataLocation: plan.metadataLocation, parentManifests: plan.manifestFiles,
                           snapshotId: 1, timestampMs: 3, commitUUID: "z"),
                files: [a])
        }
        // A file whose partition does not fit the spec is refused.
        #expect(throws: IcebergError.self) {
            try CommitPlanner.planAppend(
                CommitBase(metadata: plan.metadata, metadataLocation: plan.metadataLocation, parentManifests: [],
                           snapshotId: 5, timestampMs: 3, commitUUID: "z"),
                files: [DataFile(filePath: "p", partition: PartitionValues([.int(1)]), recordCount: 1, fileSizeInBytes: 1)])
        }
    }

    /// A retry after losing the compare-and-swap reuses the manifests and renumbers the rest.
    @Test func retryReusesManifests() throws {
        let created = try TableMetadata.newTable(schema: Self.columnar, location: "s3://b/t", tableUUID: "u", timestampMs: 1)
        let mine = try CommitPlanner.planAppend(
            CommitBase(metadata: created, metadataLocation: "s3://b/t/metadata/00000-a.metadata.json", parentManifests: [],
                       snapshotId: 10, timestampMs: 2, commitUUID: "mine"),
            files: [DataFile(filePath: "s3://b/t/data/mine.parquet", recordCount: 1, fileSizeInBytes: 10)])
        let theirs = try CommitPlanner.planAppend(
            CommitBase(metadata: created, metadataLocation: "s3://b/t/metadata/00000-a.metadata.json", parentManifests: [],
                       snapshotId: 20, timestampMs: 2, commitUUID: "theirs"),
            files: [DataFile(filePath: "s3://b/t/data/theirs.parquet", recordCount: 2, fileSizeInBytes: 20)])
        let retry = try CommitPlanner.planAppend(
            CommitBase(metadata: theirs.metadata, metadataLocation: theirs.metadataLocation, parentManifests: theirs.manifestFiles,
                       snapshotId: 10, timestampMs: 3, commitUUID: "mine", attempt: 1),
            files: [], reusing: mine.newManifests)
        #expect(retry.newManifests == mine.newManifests)
        #expect(retry.snapshot.sequenceNumber == 2 && retry.snapshot.parentSnapshotId == 20)
        #expect(retry.snapshot.manifestList == "s3://b/t/metadata/snap-10-1-mine.avro")
        #expect(retry.manifestFiles.map(\.sequenceNumber) == [2, 1])
        #expect(retry.snapshot.summary.count("total-records") == 3)
        #expect(retry.metadataLocation == "s3://b/t/metadata/00002-mine.metadata.json")
    }

    /// Appends `count` one-file snapshots (ids `first`, `first + 1`, …) to `start`, one commit each.
    static func appending(_ count: Int, to start: TableMetadata, first: Int = 1) throws -> TableMetadata {
        var metadata = start
        var location = "s3://b/t/metadata/00000-a.metadata.json"
        for n in first..<(first + count) {
            let plan = try CommitPlanner.planAppend(
                CommitBase(metadata: metadata, metadataLocation: location, parentManifests: [], snapshotId: Int64(n),
                           timestampMs: Int64(1_000 + n), commitUUID: "c\(n)"),
                files: [DataFile(filePath: "s3://b/t/data/\(n).parquet", recordCount: 1, fileSizeInBytes: 10)])
            metadata = plan.metadata
            location = plan.metadataLocation
        }
        return metadata
    }

    /// A commit keeps the newest `lakegate.history.max-snapshots` ancestors (100 by default)
    /// and every ref's head, so the metadata file stops growing; 0 keeps everything.
    @Test func commitsRetainTheNewestSnapshots() throws {
        var created = try TableMetadata.newTable(schema: Self.columnar, location: "s3://b/t", tableUUID: "u", timestampMs: 1)

        let unbounded = try Self.appending(103, to: created)
        #expect(unbounded.snapshots.map(\.snapshotId) == Array(4...103))
        #expect(unbounded.snapshotLog.map(\.snapshotId) == Array(4...103))
        #expect(unbounded.currentSnapshot?.summary.count("total-records") == 103)

        created.properties[CommitPlanner.maxSnapshotsProperty] = "3"
        var tagged = try Self.appending(2, to: created)
        tagged.refs.append(SnapshotRef(name: "first", snapshotId: 1, type: "tag"))
        let bounded = try Self.appending(4, to: tagged, first: 10)
        #expect(bounded.snapshots.map(\.snapshotId) == [1, 11, 12, 13])
        #expect(bounded.snapshotLog.map(\.snapshotId) == [11, 12, 13])
        let bare = try Self.appending(6, to: created)
        #expect(bare.snapshots.map(\.snapshotId) == [4, 5, 6])
        #expect(bare.snapshotLog.map(\.timestampMs) == [1_004, 1_005, 1_006])
        #expect(try TableMetadata(jsonBytes: bare.jsonBytes) == bare)

        created.properties[CommitPlanner.maxSnapshotsProperty] = "0"
        #expect(try Self.appending(6, to: created).snapshots.count == 6)
    }
}
