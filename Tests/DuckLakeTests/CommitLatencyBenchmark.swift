import Columnar
import Database
@testable import DuckLake
import Foundation
import Tables
import Testing

/// How long a one-file append commit takes on SQLite as the history grows: the 1st against
/// the 1000th. Not a timed test (timings on a shared machine would flake): it prints the
/// figures, and runs only with LAKEGATE_DUCKLAKE_BENCH=1.
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
            let commits = 1000
            var total: [Double] = []
            var catalogFirst: [Double] = []
            var catalogLast: [Double] = []
            let clock = ContinuousClock()
            // The catalog transaction alone: a synthetic file record (the catalog does not
            // open files), timed around commitAppend, on an empty history and after 1000 commits.
            func synthetic(_ round: Int) async throws -> Double {
                let current = try #require(try await catalog.loadTable(table))
                let file = WrittenDataFile(
                    key: try ObjectKey("main/events/bench-\(round).parquet"), url: "", fileSize: 1000, footerSize: 100,
                    recordCount: 10, columns: StatisticsCollector(schema: current.schema).leaves)
                let commit = AppendCommit(
                    table: current, files: [PreparedFile(file: file, path: "bench-\(round).parquet", partitionValues: [])],
                    schema: current.schema, evolution: SchemaEvolution(), idempotencyKey: "synthetic-\(round)", message: nil)
                let start = clock.now
                _ = try await catalog.commitAppend(commit, tracker: CommitTracker())
                return milliseconds(clock.now - start)
            }
            for round in 0..<20 { catalogFirst.append(try await synthetic(round)) }
            for round in 0..<commits {
                let append = try await catalog.beginAppend(table, schema: schema)
                try await append.write(try eventBatch(start: round * 10, count: 10))
                let start = clock.now
                _ = try await append.commit(idempotencyKey: "bench-\(round)", message: nil)
                total.append(milliseconds(clock.now - start))
            }
            for round in 20..<40 { catalogLast.append(try await synthetic(round)) }
            print(
                """
                DuckLake one-file append commit on SQLite (ms, median of 10):
                  real appends 1-10:     \(median(total.prefix(10)))   (Parquet footer, fsync, rename, catalog transaction)
                  real appends 991-1000: \(median(total.suffix(10)))
                  catalog transaction alone, first 20 commits: median \(median(catalogFirst[...]))
                  catalog transaction alone, after 1020 commits: median \(median(catalogLast[...]))
                """)
            #expect(total.count == commits)
            await catalog.close()
        }
    }

    private func milliseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
    }

    private func median(_ values: ArraySlice<Double>) -> String {
        let sorted = values.sorted()
        return String(format: "%.2f", sorted[sorted.count / 2])
    }
}
