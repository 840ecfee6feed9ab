import Foundation
import IcebergTables
import Tables
import Testing

/// Commit latency over many commits on SQLite, printed rather than asserted (timings belong
/// to a quiet machine, not to a test). Run with LAKEGATE_ICEBERG_BENCH=1000 (the commit count).
@Suite struct CommitLatencyTests {
    static let commits = Int(ProcessInfo.processInfo.environment["LAKEGATE_ICEBERG_BENCH"] ?? "") ?? 0

    @Test(.enabled(if: commits > 0)) func latencyGrowsWithMetadata() async throws {
        try await withLake { lake in
            let catalog = try await lake.open()
            let table = try TableIdentifier(name: "bench")
            try await catalog.createTable(table, schema: Events.schema, partitionBy: [])
            var times: [Double] = []
            var cpu: [Double] = []
            let clock = ContinuousClock()
            for index in 0..<Self.commits {
                let batch = try Events.batch((index * 10)..<(index * 10 + 10))
                let cpuBefore = Self.processCPUMilliseconds()
                let elapsed = try await clock.measure {
                    try await append(catalog, table, [batch], key: "bench-\(index)")
                }
                cpu.append(Self.processCPUMilliseconds() - cpuBefore)
                times.append(Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000)
            }
            let metadata = try #require(try await catalog.describe(table)?.properties.first { $0.0 == "metadata_location" }?.1)
            let size = (try? FileManager.default.attributesOfItem(atPath: String(metadata.dropFirst("file://".count)))[.size] as? Int) ?? 0
            var report = "commit latency on SQLite (ms), \(Self.commits) commits of 10 rows:\n"
            for n in [1, 2, 10, 100, 500, 1000, Self.commits] where n <= Self.commits {
                report += "  commit \(n): \(String(format: "%.1f", times[n - 1]))\n"
            }
            for start in stride(from: 0, to: Self.commits, by: max(1, Self.commits / 10)) {
                let block = times[start..<min(Self.commits, start + max(1, Self.commits / 10))]
                let sorted = block.sorted()
                let cpuBlock = cpu[start..<min(Self.commits, start + max(1, Self.commits / 10))].sorted()
                report += "  commits \(start + 1)-\(start + block.count): wall median \(String(format: "%.1f", sorted[sorted.count / 2])), "
                    + "mean \(String(format: "%.1f", block.reduce(0, +) / Double(block.count))); "
                    + "CPU median \(String(format: "%.1f", cpuBlock[cpuBlock.count / 2]))\n"
            }
            report += "  final metadata file: \(size) bytes (build: \(Self.configuration))"
            print(report)
            await catalog.close()
        }
    }

    /// CPU time of the whole process (every thread), in milliseconds: unlike wall time it does
    /// not count waiting for a busy machine's cores.
    static func processCPUMilliseconds() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &spec)
        return Double(spec.tv_sec) * 1000 + Double(spec.tv_nsec) / 1e6
    }

    #if DEBUG
    static let configuration = "debug"
    #else
    static let configuration = "release"
    #endif
}
