import Columnar
import Database
@testable import DuckLake
import Foundation
import LakegateCore
import Parquet
import Tables
import Testing

/// A lake in a fresh temp folder: `catalog.sqlite` and `files/`.
struct TestLake {
    let directory: String
    let catalogPath: String
    let dataPath: String
    let store: LocalObjectStore

    var location: LakeLocation { LakeLocation(format: .ducklake, catalog: .sqlite(path: catalogPath), dataPath: dataPath) }

    static func make() throws -> TestLake {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lakegate-ducklake-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let dataPath = directory + "/files"
        return TestLake(
            directory: directory, catalogPath: directory + "/catalog.sqlite", dataPath: dataPath,
            store: try LocalObjectStore(root: dataPath))
    }

    func open(author: String? = "tests") async throws -> DuckLakeCatalog {
        try await DuckLakeCatalog.open(location: location, store: store, author: author)
    }

    func remove() { try? FileManager.default.removeItem(atPath: directory) }

    /// Runs SQL on the catalog file directly (sqlite3 through the Database module).
    func sql(_ text: String, _ binds: [SQLValue] = []) async throws -> [SQLRow] {
        let database = try await SQLiteDatabase(configuration: SQLiteConfiguration(path: catalogPath))
        do {
            let rows = try await database.query(text, binds)
            try await database.close()
            return rows
        } catch {
            try? await database.close()
            throw error
        }
    }

    /// Every Parquet file under the data folder, relative.
    func parquetFiles() -> [String] {
        let enumerator = FileManager.default.enumerator(atPath: dataPath)
        var files: [String] = []
        while let next = enumerator?.nextObject() as? String {
            if next.hasSuffix(".parquet") { files.append(next) }
        }
        return files.sorted()
    }
}

/// Runs `body` with a fresh lake, removed afterwards.
func withLake<T>(_ body: (TestLake) async throws -> T) async throws -> T {
    let lake = try TestLake.make()
    defer { lake.remove() }
    return try await body(lake)
}

/// A batch from rows of values (slow, for tests).
func makeBatch(_ schema: Schema, _ rows: [[Value]]) throws -> RecordBatch {
    let builders = schema.fields.map { ColumnBuilder(type: $0.type) }
    for row in rows {
        for (builder, value) in zip(builders, row) { try builder.append(value) }
    }
    return try RecordBatch(schema: schema, columns: builders.map { $0.finish() })
}

func ints(_ name: String, _ values: [Int64?], type: DataType = .int64) -> (Field, [Value]) {
    (Field(name, type), values.map { $0.map(Value.int) ?? .null })
}

/// A batch of `count` rows `id, name, ts` starting at `start`.
func eventBatch(start: Int, count: Int) throws -> RecordBatch {
    let schema = Schema([
        Field("id", .int64), Field("name", .string), Field("ts", .timestamp(.microsecond, utc: true)),
    ])
    let base: Int64 = 1_704_067_200_000_000  // 2024-01-01 00:00:00 UTC
    return try makeBatch(
        schema,
        (start..<(start + count)).map { i in
            [.int(Int64(i)), .string("event-\(i)"), .timestamp(base + Int64(i) * 3_600_000_000, .microsecond, utc: true)]
        })
}

/// Every row of the table as a plan reads it (files fitted by field id, then inlined rows).
func scanRows(_ catalog: DuckLakeCatalog, _ table: TableIdentifier, filter: ScanFilter? = nil) async throws -> (
    schema: Schema, rows: [[Value]], plan: ScanPlan
) {
    let plan = try await catalog.plan(table, filter: filter)
    var rows: [[Value]] = []
    for task in plan.tasks {
        let path = String(task.url.dropFirst("file://".count))
        let reader = try ParquetFileReader(source: try LocalFileSourceForTests(path: path), path: path)
        var batches = try reader.batches()
        while let batch = try batches.next() {
            let fitted = try Conform.batch(batch, to: plan.schema, by: .fieldId)
            for index in 0..<fitted.rowCount { rows.append(fitted.row(index)) }
        }
    }
    for batch in plan.inlinedRows {
        for index in 0..<batch.rowCount { rows.append(batch.row(index)) }
    }
    return (plan.schema, rows, plan)
}

/// Reads a whole local file (tests only).
struct LocalFileSourceForTests: ByteRangeSource {
    let bytes: [UInt8]
    init(path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TableError(.notFound, "no file", subject: path)
        }
        bytes = [UInt8](data)
    }
    var size: Int { bytes.count }
    func read(_ range: Range<Int>) throws -> [UInt8] { Array(bytes[range]) }
}

/// Rows sorted by their first value (an id).
func sortedById(_ rows: [[Value]]) -> [[Value]] {
    rows.sorted { a, b in
        if case .int(let x) = a[0], case .int(let y) = b[0] { return x < y }
        return false
    }
}

/// Checks that `body` throws a TableError of `code`.
func expectTableError(_ code: TableError.Code, sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> Void)
    async
{
    do {
        try await body()
        Issue.record("expected TableError.\(code), nothing was thrown", sourceLocation: sourceLocation)
    } catch let error as TableError {
        #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected TableError.\(code), got \(error)", sourceLocation: sourceLocation)
    }
}
