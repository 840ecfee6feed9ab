import Columnar
import Foundation
import LakegateCore
import Parquet
import ObjectStoreContract
import Testing

@testable import Tables

@Suite struct ObjectKeyTests {
    @Test func hostileKeysAreRefused() {
        let hostile = [
            "", "/etc/passwd", "../x", "a/../../b", "a//b", "a/./b", "a/", "a\u{0}b", "a\\b", "a\nb",
            String(repeating: "x", count: 1025),
        ]
        for key in hostile { #expect(throws: TableError.self, "\(key.prefix(20))") { try ObjectKey(key) } }
        #expect((try? ObjectKey("main/events/ducklake-1.parquet"))?.lastSegment == "ducklake-1.parquet")
    }

    @Test func tableNamesAndLakeLocations() throws {
        #expect(try TableIdentifier(parsing: "events").description == "main.events")
        #expect(try TableIdentifier(parsing: "raw.events").namespace == "raw")
        for bad in ["a.b.c", "", "ev ents", "x;drop", "../x"] {
            #expect(throws: TableError.self) { try TableIdentifier(parsing: bad) }
        }
        let lake = try LakeLocation(parsing: "ducklake:sqlite:/tmp/l/catalog.db")
        #expect(lake.format == .ducklake && lake.catalog == .sqlite(path: "/tmp/l/catalog.db"))
        #expect(lake.dataPath == "/tmp/l/catalog.db.files")
        let pg = try LakeLocation(parsing: "iceberg:postgres:postgresql://u:secret@h/db", dataPath: "/d")
        #expect(!pg.description.contains("secret"))
        #expect(throws: TableError.self) { try LakeLocation(parsing: "iceberg:postgres:postgresql://h/db") }
        #expect(throws: TableError.self) { try LakeLocation(parsing: "delta:x") }
        #expect(try LakeLocation(parsing: "hive:/data/h").catalog == .none)
    }
}

@Suite final class LocalObjectStoreTests {
    let root = NSTemporaryDirectory() + "lakegate-store-\(UUID().uuidString)"

    deinit { try? FileManager.default.removeItem(atPath: root) }

    /// A store in this test's own folder (one per test: the suite is made anew for each).
    func temporaryStore() throws -> LocalObjectStore {
        try LocalObjectStore(root: root)
    }

    @Test func foldersAreTheNextSegment() async throws {
        try await ObjectStoreContract.foldersAreTheNextSegment(try temporaryStore())
    }

    @Test func pagesWalkTheTreeInKeyOrder() async throws {
        try await ObjectStoreContract.pagesInKeyOrder(try temporaryStore())
    }

    @Test func writesAppearOnlyWhenPublished() async throws {
        let store = try temporaryStore()
        try await ObjectStoreContract.publishReadListDelete(store)
        #expect(store.url(of: try ObjectKey("a/d.bin")) == "file://\(store.root)/a/d.bin")
    }
}

@Suite final class DataFileWriterTests {
    let folder = LocalObjectStoreTests()

    @Test func statisticsAndSizesMatchTheFile() async throws {
        let store = try folder.temporaryStore()
        let schema = Schema([
            Field("id", .int64, id: 1), Field("name", .string, id: 2), Field("score", .float64, id: 3),
            Field("tags", .list(Field("element", .string, id: 5)), id: 4),
        ])
        let ids: [Value] = [.int(5), .int(-2), .null, .int(9)]
        let names: [Value] = [.string("b"), .string("a"), .string("é"), .null]
        let scores: [Value] = [.double(1.5), .double(.nan), .null, .double(-3)]
        let tags: [Value] = [.list([.string("x")]), .list([]), .null, .list([.string("z"), .null])]
        var builders = schema.fields.map { ColumnBuilder(type: $0.type) }
        for (builder, values) in zip(builders, [ids, names, scores, tags]) { for v in values { try builder.append(v) } }
        let batch = try RecordBatch(schema: schema, columns: builders.map { $0.finish() })
        builders = []
        let writer = try DataFileWriter(
            store: store, key: try ObjectKey("t/f.parquet"), schema: schema, options: ParquetWriteOptions(codec: .zstd(level: 3)))
        try writer.write(batch)
        let file = try await writer.finish(store: store)
        let bytes = try await store.get(file.key, limit: 1 << 20)
        #expect(file.fileSize == bytes.count)
        let length = Int(bytes[bytes.count - 8]) | Int(bytes[bytes.count - 7]) << 8 | Int(bytes[bytes.count - 6]) << 16
            | Int(bytes[bytes.count - 5]) << 24
        #expect(file.footerSize == length)
        #expect(file.recordCount == 4)
        let byPath = Dictionary(uniqueKeysWithValues: file.columns.map { ($0.path.joined(separator: "."), $0) })
        #expect(byPath["id"]?.minimum == .int(-2) && byPath["id"]?.maximum == .int(9) && byPath["id"]?.nullCount == 1)
        #expect(byPath["name"]?.minimum == .string("a") && byPath["name"]?.maximum == .string("é"))
        #expect(byPath["score"]?.minimum == .double(-3) && byPath["score"]?.maximum == .double(1.5))
        #expect(byPath["score"]?.containsNaN == true)
        #expect(byPath["tags.element"]?.valueCount == 2 && byPath["tags.element"]?.nullCount == 1)
        #expect(byPath["tags.element"]?.fieldId == 5)
        #expect(file.columns.allSatisfy { $0.compressedBytes > 0 })
    }

    @Test func partitionsSplitIntoFiles() async throws {
        let store = try folder.temporaryStore()
        let schema = Schema([Field("t", .timestamp(.microsecond, utc: true)), Field("v", .int64)])
        let hour: Int64 = 3_600_000_000
        let times: [Value] = (0..<10).map { .timestamp(Int64($0) * 7 * hour, .microsecond, utc: true) }
        let builders = schema.fields.map { ColumnBuilder(type: $0.type) }
        for (i, t) in times.enumerated() {
            try builders[0].append(t)
            try builders[1].append(.int(Int64(i)))
        }
        let batch = try RecordBatch(schema: schema, columns: builders.map { $0.finish() })
        var counter = 0
        let writer = PartitionedFileWriter(
            store: store, schema: schema, options: ParquetWriteOptions(), partitionKeys: { batch throws(TableError) in
                try (0..<batch.rowCount).map { row throws(TableError) in
                    PartitionKey([try CalendarTransform.day.apply(batch.columns[0], at: row)])
                }
            },
            fileKey: { partition throws(TableError) in
                counter += 1
                return try ObjectKey("day=\(partition.values[0])/f\(counter).parquet")
            })
        try await writer.write(batch)
        let files = try await writer.finish()
        // Rows every 7 hours over 63 hours: days 1..3 of 1970.
        #expect(files.map(\.partition.values) == [[.int(1)], [.int(2)], [.int(3)]])
        #expect(files.map(\.recordCount) == [4, 3, 3])
        #expect(files.map(\.recordCount).reduce(0, +) == 10)
        let (transform, column) = try CalendarTransform.parse(" hour( t ) ")
        #expect(transform == .hour && column == "t")
        #expect(throws: TableError.self) { try CalendarTransform.parse("bucket(t)") }
    }
}
