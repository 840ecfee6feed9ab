import Database
import Foundation
import Queues
import TestServers
import Testing

/// Runs `body` with a pool on the suite's PostgreSQL server, closed afterwards.
func withPostgresDatabase<T>(maxConnections: Int = 6, _ body: (any SQLDatabase) async throws -> T) async throws -> T {
    guard case .postgres(var configuration) = try DatabaseURL.parse(try PostgresTestServer.current.url) else {
        throw TestServerError(message: "the test server URL did not parse as PostgreSQL")
    }
    configuration.maxConnections = maxConnections
    let database = try await PostgresDatabase(configuration: configuration)
    do {
        let result = try await body(database)
        try await database.close()
        return result
    } catch {
        try? await database.close()
        throw error
    }
}

@Suite("Queue conformance: SQL on PostgreSQL", .postgresServer)
struct PostgresQueueTests {
    private static func queueName() -> String { "q_" + UUID().uuidString.prefix(8).lowercased() }

    @Test(arguments: QueueBehaviour.allCases)
    func conformance(_ behaviour: QueueBehaviour) async throws {
        try await withPostgresDatabase { database in
            let clock = ManualQueueClock()
            let name = Self.queueName()
            let backend = QueueBackend(
                name: "postgres", visibilityTimeout: .seconds(30),
                make: {
                    try await SQLJobQueue(database: database, policy: $0, queueName: name, clock: clock, pollInterval: .milliseconds(20))
                },
                elapse: { clock.advance(by: $0) })
            try await behaviour.run(on: backend)
        }
    }

    @Test func behavesAsTheModel() async throws {
        try await withPostgresDatabase { database in
            let clock = ManualQueueClock()
            let policy = QueuePolicy(visibilityTimeout: .seconds(10), maxDeliveries: 3)
            let queue = try await SQLJobQueue(database: database, policy: policy, queueName: Self.queueName(), clock: clock)
            #expect(queue.name.hasPrefix("embedded (postgres)"))
            try await QueueModelCheck.run(queue: queue, clock: clock, policy: policy, seed: 7, steps: 150)
        }
    }

    /// Two pools (as two machines would have): SKIP LOCKED hands each job to one consumer.
    @Test func twoPoolsNeverShareALease() async throws {
        let name = Self.queueName()
        try await withPostgresDatabase { first in
            try await withPostgresDatabase { second in
                let queues = [
                    try await SQLJobQueue(database: first, queueName: name), try await SQLJobQueue(database: second, queueName: name),
                ]
                for index in 0..<300 { try await queues[index % 2].enqueue(jobId: "job-\(index)", fields: [:]) }
                let tally = Tally()
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for consumer in 0..<6 {
                        let queue = queues[consumer % 2]
                        group.addTask {
                            while true {
                                let batch = try await queue.receive(consumer: "c\(consumer)", limit: 7, wait: .zero)
                                if batch.isEmpty { return }
                                for message in batch { await tally.record(message.jobId) }
                            }
                        }
                    }
                    try await group.waitForAll()
                }
                let (seen, duplicates) = await tally.result
                #expect(duplicates.isEmpty)
                #expect(seen.count == 300)
                #expect(try await queues[0].depth() == QueueDepth(leased: 300))
            }
        }
    }
}
