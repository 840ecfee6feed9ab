@testable import Queues
import Testing

@Suite("Delivery rule, lease book, Redis receipts")
struct DeliveryRuleTests {
    @Test func deliversUpToMaxThenDeadLetters() {
        let rule = DeliveryRule(maxDeliveries: 3)
        #expect(rule.next(afterDeliveries: 0) == .deliver(delivery: 1))
        #expect(rule.next(afterDeliveries: 2) == .deliver(delivery: 3))
        #expect(rule.next(afterDeliveries: 3) == .deadLetter(reason: "delivered 3 times without success", deliveries: 3))
        #expect(rule.next(afterDeliveries: 9) == .deadLetter(reason: "delivered 9 times without success", deliveries: 9))
        // At least one delivery, whatever the policy says.
        #expect(DeliveryRule(maxDeliveries: 0).next(afterDeliveries: 0) == .deliver(delivery: 1))
        #expect(DeliveryRule(maxDeliveries: 0).next(afterDeliveries: 1) == .deadLetter(reason: "delivered 1 times without success", deliveries: 1))
    }

    @Test func leaseBookKeepsOneLeasePerDelivery() throws {
        var book = LeaseBook(name: "t", policy: QueuePolicy(visibilityTimeout: .seconds(1), maxDeliveries: 2))
        try book.enqueue(jobId: "a", fields: ["k": "v"], now: 0)
        try book.enqueue(jobId: "a", fields: ["k": "other"], now: 0)  // waiting already: no change
        #expect(book.depth(now: 0) == QueueDepth(ready: 1))
        let first = book.receive(consumer: "c", limit: 5, now: 0, token: "t1")
        #expect(first == [QueueMessage(jobId: "a", fields: ["job_id": "a", "k": "v"], deliveries: 1, receipt: "t1")])
        #expect(book.receive(consumer: "c", limit: 5, now: 999, token: "t2").isEmpty)
        let second = book.receive(consumer: "c", limit: 5, now: 1000, token: "t3")
        #expect(second.map(\.deliveries) == [2])
        #expect(throws: QueueError.self) { try book.acknowledge(first[0]) }
        try book.release(second[0], visibleAt: 1500)
        #expect(book.depth(now: 1499) == QueueDepth(delayed: 1))
        #expect(book.depth(now: 1500) == QueueDepth(ready: 1))
        // A third delivery would exceed two: dead instead.
        #expect(book.receive(consumer: "c", limit: 5, now: 1500, token: "t4").isEmpty)
        #expect(book.deadLetters(limit: 5) == [DeadLetter(jobId: "a", fields: ["job_id": "a", "k": "v"], reason: "delivered 2 times without success", deliveries: 2, at: 1.5)])
        #expect(book.requeueDead(jobId: nil, now: 2000) == 1)
        #expect(book.receive(consumer: "c", limit: 5, now: 2000, token: "t5").map(\.deliveries) == [1])
    }

    @Test func redisReceiptsAndDelayedMembersRoundTrip() {
        let receipt = RedisStreamsJobQueue.Receipt(entryId: "1700000000000-3", pendingDeliveries: 4, consumer: "worker 7/a")
        #expect(RedisStreamsJobQueue.Receipt(receipt.text) == receipt)
        #expect(RedisStreamsJobQueue.Receipt("garbage") == nil)
        #expect(RedisStreamsJobQueue.Receipt("1-0 x c") == nil)

        let member = DelayedMember(token: "abc", deliveries: 3, fields: ["job_id": "j", "key": "a b\r\nc", "ü": "☃"])
        #expect(DelayedMember.decode(member.encoded) == member)
        #expect(DelayedMember.decode("not resp") == nil)
        #expect(DelayedMember.decode(member.encoded + "+extra\r\n") == nil)
        #expect(RedisStreamsJobQueue.ordered(["b": "2", "job_id": "j", "a": "1"]).map(\.0) == ["job_id", "a", "b"])
        #expect(RedisStreamsJobQueue.visible(["job_id": "j", "lakegate.prior": "2"]) == ["job_id": "j"])
    }
}
