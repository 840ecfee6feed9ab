// Job queues: they dispatch ingestion jobs to workers. Job states live in the engine's job store
// and every consumer is idempotent, so the contract is at-least-once delivery with leases:
//
//   JobQueue               the protocol, and the values it trades in (this file)
//   DeliveryRule           the one pure rule for redelivery and dead letters
//   LeaseBook              the lease rules as a pure value (the in-memory queue, a model for tests)
//   QueueClock             wall time, injectable (`ManualQueueClock` for tests)
//   QueueError             the module's one error type
//   InMemoryJobQueue       for engine unit tests: LeaseBook behind a lock
//   SQLJobQueue            embedded: a table in the catalog database (SQLite or PostgreSQL)
//   RedisStreamsJobQueue   at scale: a Redis stream, a consumer group, a dead-letter stream
//
// Every implementation keeps the same promises (Tests/QueuesTests runs one conformance suite
// against all of them):
// - A received message is leased to its consumer for the visibility timeout; until the lease ends
//   no other consumer receives it. A lease that ends without an acknowledgement (the consumer
//   died, or stopped heartbeating) makes the message deliverable again, with `deliveries` + 1.
// - A lease belongs to one delivery: after the message was delivered again, the old holder's
//   extendLease, acknowledge, release and deadLetter throw `.leaseLost` and change nothing.
// - A message about to be delivered more than `maxDeliveries` times is moved to the dead letters
//   instead, with the reason "delivered N times without success". Releasing a message does not
//   reset its count: a job that keeps failing ends in the dead letters.

/// A message as a consumer receives it.
public struct QueueMessage: Sendable, Equatable {
    public let jobId: String
    /// Always holds "job_id"; external producers add client_id, bucket, key, …
    public let fields: [String: String]
    /// 1 on the first delivery.
    public let deliveries: Int
    /// The backend's handle for this delivery (a lease token, or a stream entry id with the
    /// delivery it belongs to). Opaque.
    public let receipt: String

    public init(jobId: String, fields: [String: String], deliveries: Int, receipt: String) {
        self.jobId = jobId
        self.fields = fields
        self.deliveries = deliveries
        self.receipt = receipt
    }
}

/// How many messages are where. `leased` counts every message handed out and not yet given back,
/// including leases that have expired but were not delivered again yet.
public struct QueueDepth: Sendable, Equatable {
    public var ready: Int
    public var leased: Int
    public var delayed: Int
    public var dead: Int

    public init(ready: Int = 0, leased: Int = 0, delayed: Int = 0, dead: Int = 0) {
        self.ready = ready
        self.leased = leased
        self.delayed = delayed
        self.dead = dead
    }
}

/// A message that will not be delivered again unless requeued.
public struct DeadLetter: Sendable, Equatable {
    public var jobId: String
    public var fields: [String: String]
    public var reason: String
    /// How many times it was delivered.
    public var deliveries: Int
    /// When it became dead, in seconds since 1970.
    public var at: Double

    public init(jobId: String, fields: [String: String], reason: String, deliveries: Int, at: Double) {
        self.jobId = jobId
        self.fields = fields
        self.reason = reason
        self.deliveries = deliveries
        self.at = at
    }
}

public struct QueuePolicy: Sendable, Hashable {
    /// How long a lease lasts without a heartbeat (`extendLease`).
    public var visibilityTimeout: Duration = .seconds(300)
    /// Deliveries a message gets before it goes to the dead letters.
    public var maxDeliveries: Int = 5

    public init(visibilityTimeout: Duration = .seconds(300), maxDeliveries: Int = 5) {
        self.visibilityTimeout = visibilityTimeout
        self.maxDeliveries = maxDeliveries
    }

    var rule: DeliveryRule { DeliveryRule(maxDeliveries: maxDeliveries) }
}

public protocol JobQueue: Sendable {
    /// "embedded (sqlite)", "redis stream ingestion_requests": for logs, never a secret.
    var name: String { get }

    /// Adds a job; `fields["job_id"]` is set to `jobId`.
    func enqueue(jobId: String, fields: [String: String]) async throws(QueueError)

    /// Up to `limit` messages leased to `consumer` for the visibility timeout; waits up to `wait`
    /// when none is ready. A message about to be delivered more than maxDeliveries times goes to
    /// the dead letters instead (reason "delivered N times without success").
    func receive(consumer: String, limit: Int, wait: Duration) async throws(QueueError) -> [QueueMessage]

    /// Heartbeat: the lease runs for another visibility timeout from now. `.leaseLost` when the
    /// message is no longer this delivery's. A late heartbeat (the lease ran out) still succeeds
    /// while no one else has received the message.
    func extendLease(_ message: QueueMessage) async throws(QueueError)

    /// Done: never delivered again. `.leaseLost` when the lease is no longer ours.
    func acknowledge(_ message: QueueMessage) async throws(QueueError)

    /// Gives the message back: deliverable again after `delay` (zero at shutdown, a backoff for
    /// a retry). Its delivery count is kept.
    func release(_ message: QueueMessage, after delay: Duration) async throws(QueueError)

    /// Moves the message to the dead letters with `reason` (a failure that retrying cannot fix).
    func deadLetter(_ message: QueueMessage, reason: String) async throws(QueueError)

    /// The oldest dead letters first, at most `limit`.
    func deadLetters(limit: Int) async throws(QueueError) -> [DeadLetter]

    /// Enqueues dead letters again with a fresh delivery count: those of `jobId`, or all for nil.
    /// Returns how many left the dead letters.
    func requeueDead(jobId: String?) async throws(QueueError) -> Int

    func depth() async throws(QueueError) -> QueueDepth

    /// Stops the queue; later calls throw `.closed`. Does not close the database or Redis client
    /// it was given: their owner does.
    func close() async
}

/// Bounds on what callers put in a queue, checked by every implementation.
public enum QueueLimits {
    public static let maxJobIdBytes = 512
    public static let maxFields = 256
    /// Keys and values of all fields together.
    public static let maxFieldBytes = 64 * 1024
    public static let maxReceiveLimit = 1000
    public static let maxConsumerBytes = 200
    public static let maxReasonBytes = 2000
    /// Longer waits are cut to this.
    public static let maxWait: Duration = .seconds(300)

    /// The fields to store: `fields` with "job_id" set, after checking sizes.
    static func validatedFields(jobId: String, fields: [String: String], queue: String) throws(QueueError) -> [String: String] {
        guard !jobId.isEmpty, jobId.utf8.count <= maxJobIdBytes else {
            throw QueueError(.invalidArgument, "a job id must have 1 to \(maxJobIdBytes) bytes", queue: queue)
        }
        var result = fields
        result["job_id"] = jobId
        guard result.count <= maxFields else {
            throw QueueError(.invalidArgument, "more than \(maxFields) fields", queue: queue, jobId: jobId)
        }
        if let reserved = result.keys.first(where: { $0.hasPrefix("lakegate.") }) {
            throw QueueError(
                .invalidArgument, "field names starting with lakegate. are reserved (\(reserved.prefix(60)))", queue: queue,
                jobId: jobId)
        }
        let bytes = result.reduce(0) { $0 + $1.key.utf8.count + $1.value.utf8.count }
        guard bytes <= maxFieldBytes else {
            throw QueueError(.invalidArgument, "fields of \(bytes) bytes (the limit is \(maxFieldBytes))", queue: queue, jobId: jobId)
        }
        return result
    }

    static func checkReceive(consumer: String, limit: Int, queue: String) throws(QueueError) {
        guard !consumer.isEmpty, consumer.utf8.count <= maxConsumerBytes else {
            throw QueueError(.invalidArgument, "a consumer name must have 1 to \(maxConsumerBytes) bytes", queue: queue)
        }
        guard (1...maxReceiveLimit).contains(limit) else {
            throw QueueError(.invalidArgument, "receive takes 1 to \(maxReceiveLimit) messages at a time", queue: queue)
        }
    }

    /// A reason cut to `maxReasonBytes` (on a character boundary).
    static func clipped(reason: String) -> String {
        guard reason.utf8.count > maxReasonBytes else { return reason }
        var result = ""
        for character in reason {
            guard result.utf8.count + character.utf8.count <= maxReasonBytes else { break }
            result.append(character)
        }
        return result
    }
}
