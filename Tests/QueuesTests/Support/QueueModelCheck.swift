@testable import Queues
import Testing

/// Model-based check: random operations (enqueues with reused ids, receives by several consumers,
/// acknowledgements, heartbeats, releases, dead letters, requeues, time jumps, and the same calls
/// with stale messages) against a queue and against `LeaseBook`, the model, compared after every
/// step. The queue under test must use `clock`.
enum QueueModelCheck {
    /// xorshift64*: reproducible from its seed.
    struct Random {
        var state: UInt64
        init(seed: UInt64) { state = seed == 0 ? 0x9E37_79B9_7F4A_7C15 : seed }
        mutating func next(_ bound: Int) -> Int {
            state ^= state >> 12
            state ^= state << 25
            state ^= state >> 27
            return Int((state &* 0x2545_F491_4F6C_DD1D) % UInt64(bound))
        }
    }

    static func run(queue: any JobQueue, clock: ManualQueueClock, policy: QueuePolicy, seed: UInt64, steps: Int) async throws {
        var random = Random(seed: seed)
        var model = LeaseBook(name: "model", policy: policy)
        // Messages as each side handed them out, by job id and delivery; stale ones stay here.
        var held: [(model: QueueMessage, real: QueueMessage)] = []
        let consumers = ["c1", "c2", "c3"]
        var token = 0
        for step in 0..<steps {
            let now = clock.nowMilliseconds
            let context = "seed \(seed) step \(step)"
            switch random.next(10) {
            case 0, 1:
                let job = "job-\(random.next(8))"
                let fields = ["n": String(random.next(3))]
                try model.enqueue(jobId: job, fields: fields, now: now)
                try await queue.enqueue(jobId: job, fields: fields)
            case 2, 3:
                let consumer = consumers[random.next(consumers.count)]
                let limit = 1 + random.next(3)
                token += 1
                let expected = model.receive(consumer: consumer, limit: limit, now: now, token: "m\(token)")
                let got = try await queue.receive(consumer: consumer, limit: limit, wait: .zero)
                #expect(got.map(\.jobId) == expected.map(\.jobId), "\(context): receive")
                #expect(got.map(\.deliveries) == expected.map(\.deliveries), "\(context): deliveries")
                #expect(got.map(\.fields) == expected.map(\.fields), "\(context): fields")
                for (m, r) in zip(expected, got) { held.append((m, r)) }
            case 4, 5, 6, 7:
                guard !held.isEmpty else { continue }
                let index = random.next(held.count)
                let (m, r) = held[index]
                let action = random.next(5)
                let modelOutcome: QueueError.Code?
                let realOutcome: QueueError.Code?
                let delay: Duration = random.next(2) == 0 ? .zero : .seconds(random.next(20))
                do {
                    switch action {
                    case 0: try model.acknowledge(m)
                    case 1: try model.extendLease(m, now: now)
                    case 2: try model.release(m, visibleAt: now + delay.wholeMilliseconds)
                    case 3: try model.deadLetter(m, reason: "failed at \(step)", now: now)
                    default: try model.extendLease(m, now: now)
                    }
                    modelOutcome = nil
                } catch {
                    modelOutcome = error.code
                }
                do {
                    switch action {
                    case 0: try await queue.acknowledge(r)
                    case 1: try await queue.extendLease(r)
                    case 2: try await queue.release(r, after: delay)
                    case 3: try await queue.deadLetter(r, reason: "failed at \(step)")
                    default: try await queue.extendLease(r)
                    }
                    realOutcome = nil
                } catch {
                    realOutcome = error.code
                }
                #expect(realOutcome == modelOutcome, "\(context): action \(action) on \(m.jobId)")
                if modelOutcome != nil || action == 0 || action == 3 { held.remove(at: index) }
            case 8:
                clock.advance(by: .seconds(1 + random.next(Int(policy.visibilityTimeout.seconds * 1.5))))
            default:
                let job: String? = random.next(2) == 0 ? nil : "job-\(random.next(8))"
                let expected = model.requeueDead(jobId: job, now: now)
                #expect(try await queue.requeueDead(jobId: job) == expected, "\(context): requeueDead")
            }
            let depthNow = clock.nowMilliseconds
            #expect(try await queue.depth() == model.depth(now: depthNow), "\(context): depth")
            #expect(try await queue.deadLetters(limit: 100) == model.deadLetters(limit: 100), "\(context): dead letters")
        }
    }
}
