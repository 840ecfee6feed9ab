import Columnar
import Database
@testable import DuckLake
import Foundation
import Parquet
import Tables
import Testing

/// How long a one-file append commit takes on SQLite as the history grows: the first 50
/// against the last 50 of 1000. Each round does what `DuckLakeAppend.commit` does, timed in
/// two parts: the Parquet file (footer, fsync, rename: storage, independent of the catalog)
/// and the catalog transaction. Not a timed test (timings on a shared machine would flake):
/// it prints the figures, and runs only with LAKEGATE_DUCKLAKE_BENCH=1.
///
///     LAKEGATE_DUCKLAKE_BENCH=1 swift test --filter CommitLatencyBenchmark
@Suite(.enabled(if: ProcessInfo.processInfo.environment["LAKEGATE_DUCKLAKE_BENCH"] != nil))
struct CommitLatencyBenchmark {
    @Test func oneFileCommitsStayFlat() async throws {
        try await withLake { lake in
            let catalog = try await lake.open()
            let table = try TableIdentifier(name: "events")
            let schema = try eventBatch(start: 0, count: 1).schema
            try await catalog.createTable(table, schema: schema, partitionBy: [])
            let rounds = 1000
            var file: [Double] = []
            var commit: [Double] = []
            let clock = ContinuousClock()
            for round in 0..<rounds {
                let loaded = try #require(try await catalog.loadTable(table))
                let batch = try Conform.batch(try eventBatch(start: round * 10, count: 10), to: loaded.schema, by: .name)
                let start = clock.now
                let name = "ducklake-\(UUIDv7.make()).parquet"
                let writer = try DataFileWriter(
                    store: lake.store, key: try ObjectKey("main/events/" + name), schema: loaded.schema,
                    options: DuckLakeAppend.writeOptions)
                try writer.write(batch)
                let written = try await writer.finish(store: lake.store)
                let middle = clock.now
                let outcome = try await catalog.commitAppend(
                    AppendCommit(
                        table: loaded, files: [PreparedFile(file: written, path: name, partitionValues: [])], schema: loaded.schema,
                        evolution: SchemaEvolution(), idempotencyKey: "bench-\(round)", message: nil),
                    tracker: CommitTracker())
                let end = clock.now
                #expect(outcome == .committed(snapshot: Int64(round + 2), files: 1, rows: 10))
                file.append(milliseconds(middle - start))
                commit.append(milliseconds(end - middle))
            }
            print(
                """
                DuckLake one-file append on SQLite, 1000 commits (ms; median / 90th percentile):
                  catalog transaction, commits 1-50:      \(stats(commit.prefix(50)))
                  catalog transaction, commits 951-1000:  \(stats(commit.suffix(50)))
                  Parquet file (write, fsync, rename), 1-50:     \(stats(file.prefix(50)))
                  Parquet file (write, fsync, rename), 951-1000: \(stats(file.suffix(50)))
                """)
            #expect(try await catalog.describe(table)?.recordCount == rounds * 10)
            await catalog.close()
        }
    }

    private func milliseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
    }

    private func stats(_ values: ArraySlice<Double>) -> String {
        let sorted = values.sorted()
        return String(format: "%.2f / %.2f", sorted[sorted.count / 2], sorted[sorted.count * 9 / 10])
    }
}
