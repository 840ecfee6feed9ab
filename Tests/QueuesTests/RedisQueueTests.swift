import Foundation
import Queues
import Redis
import TestServers
import Testing

/// A client on the suite's Redis server and a stream name no other test uses.
func withRedis<T>(_ body: (RedisClient, String) async throws -> T) async throws -> T {
    let client = try RedisClient(url: try RedisTestServer.current.url)
    let stream = "test:\(UUID().uuidString.prefix(8))"
    do {
        let result = try await body(client, stream)
        await client.close()
        return result
    } catch {
        await client.close()
        throw error
    }
}

/// Redis runs leases on its own clock, so time passes for real: leases of 8 s, long enough that
/// a CI machine running every suite at once on two cores does not expire them by slowness alone.
@Suite("Queue conformance: Redis Streams", .redisServer)
struct RedisQueueTests {
    @Test(arguments: QueueBehaviour.allCases)
    func conformance(_ behaviour: QueueBehaviour) async throws {
        try await withRedis { client, stream in
            let backend = QueueBackend(
                name: "redis", visibilityTimeout: .seconds(8),
                make: { try await RedisStreamsJobQueue(client: client, stream: stream, policy: $0, blockSlice: .milliseconds(500)) },
                elapse: { try await Task.sleep(for: $0) })
            try await behaviour.run(on: backend)
        }
    }

    /// A third party adds entries with XADD, as the brief's producers do; they arrive with their fields.
    @Test func externalProducersEntriesAreDelivered() async throws {
        try await withRedis { client, stream in
            let queue = try await RedisStreamsJobQueue(client: client, stream: stream)
            #expect(queue.name == "redis stream \(stream)")
            #expect(queue.deadLetterStream == stream + ":dead" && queue.delayedKey == stream + ":delayed")
            let id = try await client.send(["XADD", stream, "*", "job_id", "J", "client_id", "C", "bucket", "B", "key", "K/x.json"])
            let message = try #require(try await queue.receive(consumer: "w", limit: 1, wait: .seconds(2)).first)
            #expect(message.jobId == "J")
            #expect(message.fields == ["job_id": "J", "client_id": "C", "bucket": "B", "key": "K/x.json"])
            #expect(message.receipt.hasPrefix(id.string ?? "?"))
            try await queue.acknowledge(message)
            // Acknowledged entries are deleted: the stream holds only work not yet done.
            #expect(try await client.xlen(stream) == 0)

            // An entry without job_id cannot be dispatched: it goes to the dead letters at once.
            _ = try await client.send(["XADD", stream, "*", "client_id", "C"])
            #expect(try await queue.receive(consumer: "w", limit: 1, wait: .zero).isEmpty)
            let dead = try await queue.deadLetters(limit: 5)
            #expect(dead.count == 1 && dead.first?.reason == "the entry has no usable job_id field")
            #expect(dead.first?.fields == ["client_id": "C"])
        }
    }

    /// Entries added before the group existed are delivered: the group starts at id 0.
    @Test func entriesOlderThanTheGroupAreDelivered() async throws {
        try await withRedis { client, stream in
            _ = try await client.xadd(stream, fields: [("job_id", "early")])
            let queue = try await RedisStreamsJobQueue(client: client, stream: stream, group: "late-group")
            let message = try #require(try await queue.receive(consumer: "w", limit: 5, wait: .zero).first)
            #expect(message.jobId == "early")
        }
    }

    /// A stream deleted under the queue (or a Redis that lost its data): the group is created again.
    @Test func aVanishedGroupIsCreatedAgain() async throws {
        try await withRedis { client, stream in
            let queue = try await RedisStreamsJobQueue(client: client, stream: stream)
            try await queue.enqueue(jobId: "a", fields: [:])
            try await client.del([stream])
            #expect(try await queue.receive(consumer: "w", limit: 5, wait: .zero).isEmpty)
            try await queue.enqueue(jobId: "b", fields: [:])
            #expect(try await queue.receive(consumer: "w", limit: 5, wait: .zero).map(\.jobId) == ["b"])
        }
    }

    /// Two queues on one stream release the same due delayed message at once: one copy survives.
    @Test func aDueDelayedMessageIsMovedBackOnce() async throws {
        try await withRedis { client, stream in
            let policy = QueuePolicy(visibilityTimeout: .seconds(30))
            let one = try await RedisStreamsJobQueue(client: client, stream: stream, policy: policy)
            let two = try await RedisStreamsJobQueue(client: client, stream: stream, policy: policy)
            try await one.enqueue(jobId: "j", fields: ["bucket": "b"])
            let first = try #require(try await one.receive(consumer: "a", limit: 1, wait: .zero).first)
            try await one.release(first, after: .milliseconds(200))
            try await Task.sleep(for: .milliseconds(400))
            async let a = one.receive(consumer: "a", limit: 5, wait: .zero)
            async let b = two.receive(consumer: "b", limit: 5, wait: .zero)
            let all = try await a + b
            #expect(all.map(\.jobId) == ["j"])
            #expect(all.first?.deliveries == 2 && all.first?.fields == ["job_id": "j", "bucket": "b"])
            #expect(try await one.depth() == QueueDepth(leased: 1))
        }
    }
}

@Suite("Queue on Redis: credentials", .redisServer)
struct RedisQueueCredentialTests {
    @Test func aWrongPasswordIsATypedQueueErrorWithoutThePassword() async throws {
        let server = try RedisTestServer.current
        let client = try RedisClient(url: server.url(user: RedisTestServer.passwordUser, password: "wrong-pass-plugh"))
        do {
            _ = try await RedisStreamsJobQueue(client: client, stream: "credentials")
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .backend && !error.isRetryable, "\(error)")
            #expect(error.message.contains("WRONGPASS"))
            #expect(!String(describing: error).contains("plugh"))
            #expect(!String(reflecting: error).contains("plugh"))
        }
        await client.close()
    }
}

/// Redis stopped and started again on the same port and folder, mid-run. A suite of its own: the
/// restart would break other tests running beside it.
@Suite("Queue on Redis across a restart", .redisServer)
struct RedisRestartTests {
    @Test func entriesAndLeasesSurviveARestartAndTheClientReconnects() async throws {
        let server = try RedisTestServer.current
        try await withRedis { client, stream in
            let policy = QueuePolicy(visibilityTimeout: .seconds(2))
            let queue = try await RedisStreamsJobQueue(client: client, stream: stream, policy: policy)
            for id in ["a", "b", "c"] { try await queue.enqueue(jobId: id, fields: ["n": id]) }
            let held = try #require(try await queue.receive(consumer: "before", limit: 1, wait: .zero).first)
            #expect(held.jobId == "a")

            try await server.restart()

            // The same client: its connection died with the server; the next command opens a new one.
            // A command may still meet the old connection while its loss is being noticed: retry those.
            var received: [QueueMessage] = []
            var failures = 0
            let deadline = ContinuousClock.now + .seconds(30)
            while Set(received.map(\.jobId)).count < 3, ContinuousClock.now < deadline {
                do {
                    // Acknowledged as they come, so that none is held past its lease.
                    let batch = try await queue.receive(consumer: "after", limit: 10, wait: .seconds(1))
                    for message in batch { try await queue.acknowledge(message) }
                    received += batch
                } catch {
                    #expect((error as? QueueError)?.isRetryable == true, "\(error)")
                    failures += 1
                    try await Task.sleep(for: .milliseconds(100))
                }
            }
            #expect(failures <= 5)
            // b and c were never delivered; a was pending for "before" and comes back once its
            // lease has run out, as its second delivery.
            #expect(received.map(\.jobId).sorted() == ["a", "b", "c"])
            #expect(received.first { $0.jobId == "a" }?.deliveries == 2)
            #expect(received.filter { $0.jobId != "a" }.allSatisfy { $0.deliveries == 1 })
            #expect(received.first { $0.jobId == "b" }?.fields == ["job_id": "b", "n": "b"])
            await expectQueueError(.leaseLost) { try await queue.acknowledge(held) }
            #expect(try await queue.depth() == QueueDepth())
        }
    }
}
