import Columnar
import Database
import Foundation
import Iceberg
import IcebergTables
import Synchronization
import Tables
import Testing

/// A lake in a fresh temporary folder: a SQLite catalog and a local data folder.
struct TestLake {
    let root: String
    var catalogPath: String { root + "/catalog.sqlite" }
    var dataPath: String { root + "/data" }
    var location: LakeLocation { LakeLocation(format: .iceberg, catalog: .sqlite(path: catalogPath), dataPath: dataPath) }

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("lakegate-ice-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    func store() throws -> LocalObjectStore { try LocalObjectStore(root: dataPath) }

    func open(_ options: IcebergCatalogOptions = IcebergCatalogOptions(), name: String = "lakegate") async throws -> IcebergCatalog {
        try await IcebergCatalog.open(location: location, store: try store(), catalogName: name, options: options)
    }

    /// Paths of every object under `prefix` of the data folder.
    func objects(under prefix: String) async throws -> [String] {
        try await store().list(under: try ObjectKey(prefix)).map(\.key.path)
    }

    func remove() { try? FileManager.default.removeItem(atPath: root) }
}

/// Runs `body` with a fresh lake, removed afterwards.
func withLake<T>(_ body: (TestLake) async throws -> T) async throws -> T {
    let lake = try TestLake()
    defer { lake.remove() }
    return try await body(lake)
}

/// Deterministic event rows: `id`, `event_time` (id × 7 hours after 2025-01-05 UTC, so
/// consecutive ids spread over days), `region` (eu/us/ap), `amount` (id × 1.5).
enum Events {
    static let schema = Schema([
        Field("id", .int64, nullable: false),
        Field("event_time", .timestamp(.microsecond, utc: true)),
        Field("region", .string),
        Field("amount", .float64),
    ])
    static let start: Int64 = 1_736_035_200_000_000  // 2025-01-05T00:00:00Z in microseconds
    static let hour: Int64 = 3_600_000_000
    static let regions = ["eu", "us", "ap"]

    static func time(_ id: Int) -> Int64 { start + Int64(id) * 7 * hour }
    static func region(_ id: Int) -> String { regions[id % 3] }
    static func amount(_ id: Int) -> Double { Double(id) * 1.5 }

    static func batch(_ ids: [Int]) throws -> RecordBatch {
        let builders = schema.fields.map { ColumnBuilder(type: $0.type) }
        for id in ids {
            try builders[0].append(.int(Int64(id)))
            try builders[1].append(.timestamp(time(id), .microsecond, utc: true))
            try builders[2].append(.string(region(id)))
            try builders[3].append(.double(amount(id)))
        }
        return try RecordBatch(schema: schema, columns: builders.map { $0.finish() })
    }

    static func batch(_ ids: Range<Int>) throws -> RecordBatch { try batch(Array(ids)) }

    /// The rows as JSON values, columns in schema order (timestamps as microseconds).
    static func rows(_ ids: [Int]) -> [[Any]] {
        ids.map { [$0, time($0), region($0), amount($0)] }
    }
    static let columns = ["id", "event_time", "region", "amount"]
}

/// Appends `batches` and commits them.
@discardableResult
func append(
    _ catalog: IcebergCatalog, _ table: TableIdentifier, _ batches: [RecordBatch], key: String? = nil,
    schema: Schema? = nil
) async throws -> CommitOutcome {
    let append = try await catalog.beginAppend(table, schema: schema ?? batches.first?.schema ?? Events.schema)
    for batch in batches { try await append.write(batch) }
    return try await append.commit(idempotencyKey: key, message: "test append")
}

/// Every row of the table as values, sorted by the first column.
func tableRows(_ catalog: IcebergCatalog, _ table: TableIdentifier, filter: ScanFilter? = nil) async throws -> [[Value]] {
    var rows: [[Value]] = []
    for batch in try await catalog.readRows(table, filter: filter) {
        for index in 0..<batch.rowCount { rows.append(batch.row(index)) }
    }
    return rows.sorted { first, second in
        if case .int(let a) = first[0], case .int(let b) = second[0] { return a < b }
        return false
    }
}

func ids(_ rows: [[Value]]) -> [Int] {
    rows.map { row in
        if case .int(let v) = row[0] { return Int(v) }
        return -1
    }
}

/// An SQLDatabase whose transactions can be made to lose their connection at COMMIT, before
/// or after the inner database committed (what a dying PostgreSQL connection looks like).
final class FlakyDatabase: SQLDatabase {
    enum Fault: Sendable { case lostBeforeCommit, lostAfterCommit, lostAfterCommitThenDown, lostBeforeCommitThenDown }
    let inner: any SQLDatabase
    let faults = Mutex<[Fault]>([])
    /// When set, every call fails as a dead connection would.
    let down = Mutex(false)

    init(_ inner: any SQLDatabase) { self.inner = inner }

    var dialect: SQLDialect { inner.dialect }

    func failNextTransactions(_ next: [Fault]) { faults.withLock { $0 = next } }

    private static let lost = DatabaseError(.connectionLost(outcomeUnknown: true), message: "test: connection lost at COMMIT")

    @discardableResult
    nonisolated(nonsending) func transaction<T>(
        _ body: nonisolated(nonsending) (any SQLConnection) async throws -> T
    ) async throws -> T {
        if down.withLock({ $0 }) { throw DatabaseError(.connectionLost(outcomeUnknown: false), message: "test: down") }
        let fault = faults.withLock { $0.isEmpty ? nil : $0.removeFirst() }
        switch fault {
        case .lostBeforeCommit?:
            throw Self.lost
        case .lostAfterCommit?:
            _ = try await inner.transaction(body)
            throw Self.lost
        case .lostAfterCommitThenDown?:
            _ = try await inner.transaction(body)
            down.withLock { $0 = true }
            throw Self.lost
        case .lostBeforeCommitThenDown?:
            down.withLock { $0 = true }
            throw Self.lost
        case nil:
            return try await inner.transaction(body)
        }
    }

    @discardableResult
    nonisolated(nonsending) func withConnection<T>(
        _ body: nonisolated(nonsending) (any SQLConnection) async throws -> T
    ) async throws -> T {
        if down.withLock({ $0 }) { throw DatabaseError(.connectionLost(outcomeUnknown: false), message: "test: down") }
        return try await inner.withConnection(body)
    }

    func close() async throws { try await inner.close() }
}

/// The manifests of the table's current snapshot, read with the Iceberg module.
func currentManifests(_ catalog: IcebergCatalog, _ table: TableIdentifier) async throws -> [ManifestFile] {
    let location = try #require(try await catalog.describe(table)?.properties.first { $0.0 == "metadata_location" }?.1)
    let metadata = try TableMetadata(jsonBytes: Array(try Data(contentsOf: URL(string: location)!)))
    guard let list = metadata.currentSnapshot?.manifestList else { return [] }
    return try Manifests.readManifestList(bytes: Array(try Data(contentsOf: URL(string: list)!))).manifests
}
