import Database
import Foundation
import Queues
import Testing

/// Runs `body` with a SQLite catalog in a fresh folder, closed and deleted afterwards.
func withSQLiteDatabase<T>(_ body: (SQLiteDatabase, String) async throws -> T) async throws -> T {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lakegate-queue-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let path = folder.appendingPathComponent("catalog.sqlite").path
    let database = try await SQLiteDatabase(configuration: SQLiteConfiguration(path: path))
    do {
        let result = try await body(database, path)
        try await database.close()
        return result
    } catch {
        try? await database.close()
        throw error
    }
}

@Suite("Queue conformance: SQL on SQLite")
struct SQLiteQueueTests {
    @Test(arguments: QueueBehaviour.allCases)
    func conformance(_ behaviour: QueueBehaviour) async throws {
        try await withSQLiteDatabase { database, _ in
            let clock = ManualQueueClock()
            let backend = QueueBackend(
                name: "sqlite", visibilityTimeout: .seconds(30),
                make: { try await SQLJobQueue(database: database, policy: $0, clock: clock, pollInterval: .milliseconds(20)) },
                elapse: { clock.advance(by: $0) })
            try await behaviour.run(on: backend)
        }
    }

    @Test(arguments: [1, 2, 3, 4] as [UInt64])
    func behavesAsTheModel(seed: UInt64) async throws {
        try await withSQLiteDatabase { database, _ in
            let clock = ManualQueueClock()
            let policy = QueuePolicy(visibilityTimeout: .seconds(10), maxDeliveries: 3)
            let queue = try await SQLJobQueue(database: database, policy: policy, clock: clock)
            try await QueueModelCheck.run(queue: queue, clock: clock, policy: policy, seed: seed, steps: 250)
        }
    }

    @Test func enqueueOfAWaitingOrLeasedJobChangesNothing() async throws {
        try await withSQLiteDatabase { database, _ in
            let queue = try await SQLJobQueue(database: database)
            #expect(queue.name == "embedded (sqlite)")
            try await queue.enqueue(jobId: "j", fields: ["v": "1"])
            try await queue.enqueue(jobId: "j", fields: ["v": "2"])
            #expect(try await queue.depth() == QueueDepth(ready: 1))
            let message = try #require(try await queue.receive(consumer: "w", limit: 5, wait: .zero).first)
            #expect(message.fields["v"] == "1")
            try await queue.enqueue(jobId: "j", fields: ["v": "3"])
            #expect(try await queue.depth() == QueueDepth(leased: 1))
            try await queue.acknowledge(message)

            // The tables carry the lakegate_ prefix; named queues share them and stay apart.
            let tables = try await database.query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            #expect(try tables.map { try $0.string("name") }.filter { $0.hasPrefix("lakegate_") } == ["lakegate_queue", "lakegate_queue_dead"])
            let other = try await SQLJobQueue(database: database, queueName: "exports")
            #expect(other.name == "embedded (sqlite) exports")
            try await other.enqueue(jobId: "j", fields: [:])
            #expect(try await queue.depth() == QueueDepth())
            #expect(try await other.depth() == QueueDepth(ready: 1))
        }
    }

    /// Two database handles on one file (as two processes would have): concurrent consumers never
    /// lease the same job, and every job is leased once.
    @Test func twoHandlesOnOneFileNeverShareALease() async throws {
        try await withSQLiteDatabase { first, path in
            let second = try await SQLiteDatabase(configuration: SQLiteConfiguration(path: path))
            let queues = [try await SQLJobQueue(database: first), try await SQLJobQueue(database: second)]
            for index in 0..<200 { try await queues[0].enqueue(jobId: "job-\(index)", fields: [:]) }
            let tally = Tally()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for consumer in 0..<4 {
                    let queue = queues[consumer % 2]
                    group.addTask {
                        while true {
                            let batch = try await queue.receive(consumer: "c\(consumer)", limit: 5, wait: .zero)
                            if batch.isEmpty { return }
                            for message in batch { await tally.record(message.jobId) }
                        }
                    }
                }
                try await group.waitForAll()
            }
            let (seen, duplicates) = await tally.result
            #expect(duplicates.isEmpty)
            #expect(seen.count == 200)
            #expect(try await queues[1].depth() == QueueDepth(leased: 200))
            try await second.close()
        }
    }

    /// With the system clock, a lease really expires.
    @Test func leasesExpireInRealTime() async throws {
        try await withSQLiteDatabase { database, _ in
            let queue = try await SQLJobQueue(
                database: database, policy: QueuePolicy(visibilityTimeout: .seconds(1)), pollInterval: .milliseconds(50))
            try await queue.enqueue(jobId: "j", fields: [:])
            let first = try #require(try await queue.receive(consumer: "a", limit: 1, wait: .zero).first)
            // Waiting polls until the lease ends and then delivers it again.
            let second = try #require(try await queue.receive(consumer: "b", limit: 1, wait: .seconds(10)).first)
            #expect(second.deliveries == 2)
            await expectQueueError(.leaseLost) { try await queue.acknowledge(first) }
            try await queue.acknowledge(second)
        }
    }
}
