import Foundation
import Queues
import Testing

/// One backend under test: how to make a fresh, isolated queue, and how to let time pass.
/// Backends with a `ManualQueueClock` move it; Redis (whose leases run on the server's clock)
/// sleeps for real, so its visibility timeout is short.
struct QueueBackend: Sendable {
    let name: String
    /// The lease used by time-dependent behaviours.
    let visibilityTimeout: Duration
    /// A new queue, isolated from every other test's (own file, queue name or stream).
    let make: @Sendable (QueuePolicy) async throws -> any JobQueue
    let elapse: @Sendable (Duration) async throws -> Void
}

/// The behaviours every queue shares. Each suite runs them all against its backend (see
/// InMemoryQueueTests, SQLiteQueueTests, PostgresQueueTests, RedisQueueTests).
enum QueueBehaviour: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case enqueueReceiveAcknowledge
    case twoConsumersNeverShareAMessage
    case leaseExpiryRedelivers
    case heartbeatKeepsTheLease
    case staleHolderLosesTheLease
    case releaseNowAndWithDelay
    case deadLetterAfterMaxDeliveries
    case explicitDeadLetterAndRequeue
    case depthCountsEveryState
    case waitingReceiveGetsANewMessage
    case invalidInputIsRefused
    case closedQueueRefuses
    case thousandMessagesFourConsumers

    var testDescription: String { rawValue }

    func run(on backend: QueueBackend) async throws {
        switch self {
        case .enqueueReceiveAcknowledge: try await QueueConformance.enqueueReceiveAcknowledge(backend)
        case .twoConsumersNeverShareAMessage: try await QueueConformance.twoConsumersNeverShare(backend)
        case .leaseExpiryRedelivers: try await QueueConformance.leaseExpiryRedelivers(backend)
        case .heartbeatKeepsTheLease: try await QueueConformance.heartbeatKeepsTheLease(backend)
        case .staleHolderLosesTheLease: try await QueueConformance.staleHolderLosesTheLease(backend)
        case .releaseNowAndWithDelay: try await QueueConformance.releaseNowAndWithDelay(backend)
        case .deadLetterAfterMaxDeliveries: try await QueueConformance.deadLetterAfterMaxDeliveries(backend)
        case .explicitDeadLetterAndRequeue: try await QueueConformance.explicitDeadLetterAndRequeue(backend)
        case .depthCountsEveryState: try await QueueConformance.depthCountsEveryState(backend)
        case .waitingReceiveGetsANewMessage: try await QueueConformance.waitingReceiveGetsANewMessage(backend)
        case .invalidInputIsRefused: try await QueueConformance.invalidInputIsRefused(backend)
        case .closedQueueRefuses: try await QueueConformance.closedQueueRefuses(backend)
        case .thousandMessagesFourConsumers: try await QueueConformance.thousandMessagesFourConsumers(backend)
        }
    }
}

/// Runs `body` and checks that it throws a QueueError with `code`.
func expectQueueError(
    _ code: QueueError.Code, sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> Void
) async {
    do {
        try await body()
        Issue.record("expected QueueError.\(code), nothing was thrown", sourceLocation: sourceLocation)
    } catch let error as QueueError {
        #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected QueueError.\(code), got \(error)", sourceLocation: sourceLocation)
    }
}

enum QueueConformance {
    static func policy(_ backend: QueueBackend, maxDeliveries: Int = 5) -> QueuePolicy {
        QueuePolicy(visibilityTimeout: backend.visibilityTimeout, maxDeliveries: maxDeliveries)
    }

    static func enqueueReceiveAcknowledge(_ backend: QueueBackend) async throws {
        let queue = try await backend.make(policy(backend))
        #expect(!queue.name.isEmpty)
        try await queue.enqueue(jobId: "job-1", fields: ["client_id": "c1", "bucket": "raw", "key": "a/b.json"])
        try await queue.enqueue(jobId: "job-2", fields: [:])
        #expect(try await queue.depth() == QueueDepth(ready: 2))

        let messages = try await queue.receive(consumer: "worker-1", limit: 10, wait: .zero)
        #expect(Set(messages.map(\.jobId)) == ["job-1", "job-2"])
        let first = try #require(messages.first { $0.jobId == "job-1" })
        #expect(first.fields == ["job_id": "job-1", "client_id": "c1", "bucket": "raw", "key": "a/b.json"])
        #expect(messages.first { $0.jobId == "job-2" }?.fields == ["job_id": "job-2"])
        #expect(messages.allSatisfy { $0.deliveries == 1 && !$0.receipt.isEmpty })
        #expect(try await queue.depth() == QueueDepth(leased: 2))
        #expect(try await queue.receive(consumer: "worker-2", limit: 10, wait: .zero).isEmpty)

        for message in messages { try await queue.acknowledge(message) }
        #expect(try await queue.depth() == QueueDepth())
        #expect(try await queue.receive(consumer: "worker-1", limit: 10, wait: .zero).isEmpty)
        // Acknowledged means gone: a second acknowledgement holds no lease.
        await expectQueueError(.leaseLost) { try await queue.acknowledge(first) }
        // Done jobs may come again as new work.
        try await queue.enqueue(jobId: "job-1", fields: [:])
        let again = try await queue.receive(consumer: "worker-1", limit: 10, wait: .zero)
        #expect(again.map(\.jobId) == ["job-1"] && again.first?.deliveries == 1)
        await queue.close()
    }

    static func twoConsumersNeverShare(_ backend: QueueBackend) async throws {
        let queue = try await backend.make(policy(backend))
        let ids = (0..<40).map { "job-\($0)" }
        for id in ids { try await queue.enqueue(jobId: id, fields: [:]) }
        async let a = drain(queue, consumer: "a")
        async let b = drain(queue, consumer: "b")
        let (fromA, fromB) = try await (a, b)
        #expect(Set(fromA).isDisjoint(with: fromB))
        #expect(fromA.count + fromB.count == ids.count)
        #expect(Set(fromA + fromB) == Set(ids))
        await queue.close()
    }

    /// Receives three at a time until nothing is left, without acknowledging.
    private static func drain(_ queue: any JobQueue, consumer: String) async throws -> [String] {
        var received: [String] = []
        while true {
            let batch = try await queue.receive(consumer: consumer, limit: 3, wait: .zero)
            if batch.isEmpty { return received }
            received += batch.map(\.jobId)
        }
    }

    static func leaseExpiryRedelivers(_ backend: QueueBackend) async throws {
        let queue = try await backend.make(policy(backend))
        try await queue.enqueue(jobId: "job", fields: ["bucket": "b"])
        let first = try #require(try await queue.receive(consumer: "a", limit: 1, wait: .zero).first)
        #expect(first.deliveries == 1)
        #expect(try await queue.receive(consumer: "b", limit: 1, wait: .zero).isEmpty)
        try await backend.elapse(backend.visibilityTimeout.scaled(1.5))
        let second = try #require(try await queue.receive(consumer: "b", limit: 1, wait: .zero).first)
        #expect(second.jobId == "job" && second.deliveries == 2)
        #expect(second.fields == first.fields)
        #expect(second.receipt != first.receipt)
        try await queue.acknowledge(second)
        #expect(try await queue.depth() == QueueDepth())
        await queue.close()
    }

    static func heartbeatKeepsTheLease(_ backend: QueueBackend) async throws {
        let queue = try await backend.make(policy(backend))
        try await queue.enqueue(jobId: "job", fields: [:])
        let message = try #require(try await queue.receive(consumer: "a", limit: 1, wait: .zero).first)
        // Four beats, 0.4 of a lease apart: 1.6 leases in all, never 1 without a beat.
        for _ in 0..<4 {
            try await backend.elapse(backend.visibilityTimeout.scaled(0.4))
            try await queue.extendLease(message)
        }
        #expect(try await queue.receive(consumer: "b", limit: 1, wait: .zero).isEmpty)
        #expect(try await queue.depth() == QueueDepth(leased: 1))
        try await queue.acknowledge(message)
        #expect(try await queue.depth() == QueueDepth())
        await queue.close()
    }

    static func staleHolderLosesTheLease(_ backend: QueueBackend) async throws {
        let queue = try await backend.make(policy(backend))
        try await queue.enqueue(jobId: "job", fields: [:])
        let stale = try #require(try await queue.receive(consumer: "a", limit: 1, wait: .zero).first)
        try await backend.elapse(backend.visibilityTimeout.scaled(1.5))
        // The same consumer name gets it again: its old delivery is still stale.
        let current = try #require(try await queue.receive(consumer: "a", limit: 1, wait: .zero).first)
        #expect(current.deliveries == 2)
        await expectQueueError(.leaseLost) { try await queue.acknowledge(stale) }
        await expectQueueError(.leaseLost) { try await queue.extendLease(stale) }
        await expectQueueError(.leaseLost) { try await queue.release(stale, after: .zero) }
        await expectQueueError(.leaseLost) { try await queue.deadLetter(stale, reason: "stale") }
        // None of that touched the current lease.
        #expect(try await queue.depth() == QueueDepth(leased: 1))
        #expect(try await queue.receive(consumer: "b", limit: 1, wait: .zero).isEmpty)
        try await queue.extendLease(current)
        try await queue.acknowledge(current)
        #expect(try await queue.depth() == QueueDepth())
        await queue.close()
    }

    static func releaseNowAndWithDelay(_ backend: QueueBackend) async throws {
        let queue = try await backend.make(policy(backend))
        try await queue.enqueue(jobId: "job", fields: ["client_id": "c"])
        let first = try #require(try await queue.receive(consumer: "a", limit: 1, wait: .zero).first)
        try await queue.release(first, after: .zero)
        #expect(try await queue.depth() == QueueDepth(ready: 1))
        await expectQueueError(.leaseLost) { try await queue.acknowledge(first) }
        let second = try #require(try await queue.receive(consumer: "b", limit: 1, wait: .zero).first)
        #expect(second.deliveries == 2 && second.fields == ["job_id": "job", "client_id": "c"])

        let delay = backend.visibilityTimeout
        try await queue.release(second, after: delay)
        #expect(try await queue.depth() == QueueDepth(delayed: 1))
        #expect(try await queue.receive(consumer: "b", limit: 1, wait: .zero).isEmpty)
        await expectQueueError(.leaseLost) { try await queue.extendLease(second) }
        try await backend.elapse(delay.scaled(1.5))
        let third = try #require(try await queue.receive(consumer: "c", limit: 1, wait: .zero).first)
        #expect(third.jobId == "job" && third.deliveries == 3)
        #expect(third.fields == ["job_id": "job", "client_id": "c"])
        try await queue.acknowledge(third)
        #expect(try await queue.depth() == QueueDepth())
        await queue.close()
    }

    static func deadLetterAfterMaxDeliveries(_ backend: QueueBackend) async throws {
        let queue = try await backend.make(policy(backend, maxDeliveries: 2))
        // Through releases.
        try await queue.enqueue(jobId: "released", fields: ["bucket": "b"])
        for delivery in 1...2 {
            let message = try #require(try await queue.receive(consumer: "a", limit: 1, wait: .zero).first)
            #expect(message.deliveries == delivery)
            try await queue.release(message, after: .zero)
        }
        #expect(try await queue.receive(consumer: "a", limit: 1, wait: .zero).isEmpty)
        #expect(try await queue.depth() == QueueDepth(dead: 1))

        // Through expired leases (consumers that died).
        try await queue.enqueue(jobId: "expired", fields: [:])
        for delivery in 1...2 {
            let message = try #require(try await queue.receive(consumer: "a", limit: 1, wait: .zero).first)
            #expect(message.deliveries == delivery)
            try await backend.elapse(backend.visibilityTimeout.scaled(1.5))
        }
        #expect(try await queue.receive(consumer: "a", limit: 1, wait: .zero).isEmpty)

        let dead = try await queue.deadLetters(limit: 10)
        #expect(dead.map(\.jobId) == ["released", "expired"])
        #expect(dead.allSatisfy { $0.reason == "delivered 2 times without success" && $0.deliveries == 2 })
        #expect(dead.first?.fields == ["job_id": "released", "bucket": "b"])
        #expect(dead.allSatisfy { $0.at > 1_600_000_000 })
        #expect(try await queue.depth() == QueueDepth(dead: 2))
        #expect(try await queue.deadLetters(limit: 1).count == 1)
        await queue.close()
    }

    static func explicitDeadLetterAndRequeue(_ backend: QueueBackend) async throws {
        let queue = try await backend.make(policy(backend, maxDeliveries: 3))
        try await queue.enqueue(jobId: "a", fields: ["key": "a.json"])
        try await queue.enqueue(jobId: "b", fields: [:])
        let messages = try await queue.receive(consumer: "w", limit: 2, wait: .zero)
        #expect(messages.count == 2)
        for message in messages { try await queue.deadLetter(message, reason: "unreadable file \(message.jobId)") }
        await expectQueueError(.leaseLost) { try await queue.acknowledge(messages[0]) }
        #expect(try await queue.depth() == QueueDepth(dead: 2))
        let dead = try await queue.deadLetters(limit: 10)
        #expect(Set(dead.map(\.reason)) == ["unreadable file a", "unreadable file b"])
        #expect(dead.allSatisfy { $0.deliveries == 1 })

        #expect(try await queue.requeueDead(jobId: "a") == 1)
        #expect(try await queue.depth() == QueueDepth(ready: 1, dead: 1))
        let a = try #require(try await queue.receive(consumer: "w", limit: 10, wait: .zero).first)
        #expect(a.jobId == "a" && a.deliveries == 1 && a.fields == ["job_id": "a", "key": "a.json"])
        #expect(try await queue.requeueDead(jobId: "nobody") == 0)
        #expect(try await queue.requeueDead(jobId: nil) == 1)
        let b = try #require(try await queue.receive(consumer: "w", limit: 10, wait: .zero).first)
        #expect(b.jobId == "b" && b.deliveries == 1)
        try await queue.acknowledge(a)
        try await queue.acknowledge(b)
        #expect(try await queue.depth() == QueueDepth())
        #expect(try await queue.deadLetters(limit: 10).isEmpty)
        await queue.close()
    }

    static func depthCountsEveryState(_ backend: QueueBackend) async throws {
        let queue = try await backend.make(policy(backend))
        for index in 0..<6 { try await queue.enqueue(jobId: "job-\(index)", fields: [:]) }
        let messages = try await queue.receive(consumer: "w", limit: 3, wait: .zero)
        #expect(messages.count == 3)
        #expect(try await queue.depth() == QueueDepth(ready: 3, leased: 3))
        try await queue.release(messages[0], after: .seconds(3600))
        try await queue.deadLetter(messages[1], reason: "bad")
        #expect(try await queue.depth() == QueueDepth(ready: 3, leased: 1, delayed: 1, dead: 1))
        try await queue.acknowledge(messages[2])
        #expect(try await queue.depth() == QueueDepth(ready: 3, leased: 0, delayed: 1, dead: 1))
        await queue.close()
    }

    static func waitingReceiveGetsANewMessage(_ backend: QueueBackend) async throws {
        let queue = try await backend.make(policy(backend))
        let waiting = Task { try await queue.receive(consumer: "w", limit: 5, wait: .seconds(20)) }
        try await Task.sleep(for: .milliseconds(300))
        try await queue.enqueue(jobId: "late", fields: [:])
        let messages = try await waiting.value
        #expect(messages.map(\.jobId) == ["late"])
        // With nothing there, a short wait returns empty.
        #expect(try await queue.receive(consumer: "w", limit: 5, wait: .milliseconds(50)).isEmpty)
        await queue.close()
    }

    static func invalidInputIsRefused(_ backend: QueueBackend) async throws {
        let queue = try await backend.make(policy(backend))
        await expectQueueError(.invalidArgument) { try await queue.enqueue(jobId: "", fields: [:]) }
        await expectQueueError(.invalidArgument) {
            try await queue.enqueue(jobId: String(repeating: "x", count: 513), fields: [:])
        }
        await expectQueueError(.invalidArgument) {
            try await queue.enqueue(jobId: "j", fields: ["big": String(repeating: "x", count: 70_000)])
        }
        await expectQueueError(.invalidArgument) { try await queue.enqueue(jobId: "j", fields: ["lakegate.prior": "9"]) }
        await expectQueueError(.invalidArgument) { _ = try await queue.receive(consumer: "w", limit: 0, wait: .zero) }
        await expectQueueError(.invalidArgument) { _ = try await queue.receive(consumer: "w", limit: 1001, wait: .zero) }
        await expectQueueError(.invalidArgument) { _ = try await queue.receive(consumer: "", limit: 1, wait: .zero) }
        // A caller's job_id field is overruled by the job id.
        try await queue.enqueue(jobId: "real", fields: ["job_id": "fake"])
        let message = try #require(try await queue.receive(consumer: "w", limit: 1, wait: .zero).first)
        #expect(message.jobId == "real" && message.fields["job_id"] == "real")
        #expect(try await queue.depth() == QueueDepth(leased: 1))
        await queue.close()
    }

    static func closedQueueRefuses(_ backend: QueueBackend) async throws {
        let queue = try await backend.make(policy(backend))
        try await queue.enqueue(jobId: "j", fields: [:])
        await queue.close()
        await expectQueueError(.closed) { try await queue.enqueue(jobId: "k", fields: [:]) }
        await expectQueueError(.closed) { _ = try await queue.receive(consumer: "w", limit: 1, wait: .zero) }
        await expectQueueError(.closed) { _ = try await queue.depth() }
    }

    /// 1,000 jobs through 4 concurrent consumers: each acknowledged exactly once, none lost. The
    /// lease is long so that no delivery expires while a consumer works.
    static func thousandMessagesFourConsumers(_ backend: QueueBackend) async throws {
        let queue = try await backend.make(QueuePolicy(visibilityTimeout: .seconds(120), maxDeliveries: 5))
        let ids = (0..<1000).map { String(format: "job-%04d", $0) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for lane in 0..<8 {
                group.addTask {
                    for index in stride(from: lane, to: ids.count, by: 8) {
                        try await queue.enqueue(jobId: ids[index], fields: ["n": String(index)])
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(try await queue.depth() == QueueDepth(ready: 1000))
        let tally = Tally()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for consumer in 0..<4 {
                group.addTask {
                    var idle = 0
                    // Stop once everything is done, or after many empty receives in a row (a loss).
                    while await tally.count < ids.count, idle < 40 {
                        let batch = try await queue.receive(consumer: "consumer-\(consumer)", limit: 16, wait: .milliseconds(100))
                        idle = batch.isEmpty ? idle + 1 : 0
                        for message in batch {
                            #expect(message.deliveries == 1)
                            #expect(message.fields["n"].map { ids[Int($0) ?? -1] } == message.jobId)
                            try await queue.acknowledge(message)
                            await tally.record(message.jobId)
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        let (seen, duplicates) = await tally.result
        #expect(duplicates.isEmpty, "acknowledged twice: \(duplicates.prefix(10))")
        #expect(seen == Set(ids), "missing: \(Set(ids).subtracting(seen).sorted().prefix(10))")
        #expect(try await queue.depth() == QueueDepth())
        await queue.close()
    }
}

actor Tally {
    private var seen: Set<String> = []
    private var duplicates: [String] = []

    var count: Int { seen.count }
    var result: (Set<String>, [String]) { (seen, duplicates) }

    func record(_ id: String) {
        if !seen.insert(id).inserted { duplicates.append(id) }
    }
}

extension Duration {
    func scaled(_ factor: Double) -> Duration {
        let (seconds, attoseconds) = components
        return .nanoseconds(Int64((Double(seconds) * 1e9 + Double(attoseconds) / 1e9) * factor))
    }
}
