import Queues
import Testing

@Suite("Queue conformance: in memory")
struct InMemoryQueueTests {
    static func backend() -> QueueBackend {
        let clock = ManualQueueClock()
        return QueueBackend(
            name: "in-memory", visibilityTimeout: .seconds(30),
            make: { InMemoryJobQueue(policy: $0, clock: clock) },
            elapse: { clock.advance(by: $0) })
    }

    @Test(arguments: QueueBehaviour.allCases)
    func conformance(_ behaviour: QueueBehaviour) async throws {
        try await behaviour.run(on: Self.backend())
    }

    /// The manual clock decides expiry: no time passes unless the test moves it.
    @Test func leasesFollowTheInjectedClock() async throws {
        let clock = ManualQueueClock(start: 1_000)
        let queue = InMemoryJobQueue(policy: QueuePolicy(visibilityTimeout: .seconds(10)), clock: clock)
        try await queue.enqueue(jobId: "j", fields: [:])
        let first = try #require(try await queue.receive(consumer: "a", limit: 1, wait: .zero).first)
        clock.advance(by: .milliseconds(9_999))
        #expect(try await queue.receive(consumer: "b", limit: 1, wait: .zero).isEmpty)
        clock.advance(by: .milliseconds(1))
        let second = try #require(try await queue.receive(consumer: "b", limit: 1, wait: .zero).first)
        #expect(second.deliveries == 2)
        await expectQueueError(.leaseLost) { try await queue.acknowledge(first) }
        try await queue.deadLetter(second, reason: "no")
        #expect(try await queue.deadLetters(limit: 5).first?.at == 1_010)
        #expect(queue.name == "in-memory")
    }
}
