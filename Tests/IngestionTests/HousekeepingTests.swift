import Columnar
import LakegateConfiguration
import Foundation
import Tables
import Testing

@testable import Ingestion

/// `lakegate run`'s housekeeping: on every lake kind, files a writer left behind before its
/// commit are deleted once older than the grace period, and nothing a commit references is.
@Suite struct HousekeepingTests {
    /// Where each lake kind keeps a table's files, and where a dead writer's file would lie.
    static let kinds: [(lake: String, orphan: String)] = [
        ("ducklake", "main/t/ducklake-left-by-a-dead-writer.parquet"),
        ("iceberg", "main/t/data/left-by-a-dead-writer.parquet"),
        ("hive", "main/t/_lakegate/staging/left-by-a-dead-writer"),
    ]

    @Test(arguments: 0..<3)
    func unreferencedFilesAreSweptOnceOlderThanTheGrace(kind: Int) async throws {
        let (lake, orphanPath) = Self.kinds[kind]
        let root = NSTemporaryDirectory() + "lakegate-housekeeping-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let location = try LakeLocation(
            parsing: lake == "hive" ? "hive:\(root)/lake" : "\(lake):sqlite:\(root)/catalog.sqlite", dataPath: root + "/lake")
        let catalog = try await Lake.openLocal(location)
        let table = try TableIdentifier(parsing: "t")
        let schema = Schema([Field("id", .int64)])
        try await catalog.createTable(table, schema: schema, partitionBy: [])
        let ids = ColumnBuilder(type: .int64)
        for id in 0..<5 { try ids.append(.int(Int64(id))) }
        let append = try await catalog.beginAppend(table, schema: schema)
        try await append.write(try RecordBatch(schema: schema, columns: [ids.finish()]))
        _ = try await append.commit(idempotencyKey: "job-1", message: nil)
        let committed = try await catalog.files(table).map(\.url)

        let store = try LocalObjectStore(root: root + "/lake")
        let orphan = try ObjectKey(orphanPath)
        try await store.put(orphan, [1, 2, 3])
        // Younger than the grace: it may belong to an append still in progress.
        #expect(try await catalog.sweepUnreferencedFiles(olderThan: 3600) == 0)
        #expect(try await store.info(orphan) != nil)
        #expect(try await catalog.sweepUnreferencedFiles(olderThan: 0) >= 1)
        #expect(try await store.info(orphan) == nil)
        // What the commit references is untouched.
        #expect(try await catalog.files(table).map(\.url) == committed)
        #expect(try await catalog.describe(table)?.recordCount == 5)
        for url in committed {
            let key = try #require(store.key(ofURL: url), "\(lake): \(url)")
            #expect(try await store.info(key) != nil, "\(lake): \(url)")
        }
        await catalog.close()
    }
}

/// The embedded default has no configured client: each top-level folder of the landing zone
/// is one, found from the folder names alone (not by listing every object on each pass).
@Suite struct ClientAdoptionTests {
    @Test func topLevelLandingFoldersBecomeClients() async throws {
        let root = NSTemporaryDirectory() + "lakegate-adopt-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let runtime = try await Runtime.open(LakegateConfiguration(dataDirectory: root), environment: [:])
        for path in ["acme/incoming/a.csv", "globex/b.csv", "loose.csv", ".hidden/c.csv"] {
            try await runtime.zones.landing.put(try ObjectKey(path), [1])
        }
        try await runtime.adoptClientsFromLanding()
        #expect(runtime.routing.clients.map(\.name).sorted() == ["acme", "globex"])
        await runtime.close()
    }
}
