import Synchronization

/// A queue in memory, for engine unit tests: the `LeaseBook` rules behind a lock, with an
/// injectable clock, so lease expiry and delays are tested by moving a `ManualQueueClock`.
///
/// `receive` with a wait checks again every `pollInterval` of real time until something is due or
/// the wait is over; it does not advance a manual clock.
public final class InMemoryJobQueue: JobQueue {
    public let name: String
    public let policy: QueuePolicy
    private let clock: any QueueClock
    private let pollInterval: Duration
    private let state: Mutex<(book: LeaseBook, closed: Bool)>

    public init(
        policy: QueuePolicy = QueuePolicy(), clock: any QueueClock = SystemQueueClock(), name: String = "in-memory",
        pollInterval: Duration = .milliseconds(10)
    ) {
        self.name = name
        self.policy = policy
        self.clock = clock
        self.pollInterval = pollInterval
        state = Mutex((LeaseBook(name: name, policy: policy), false))
    }

    private func withBook<T>(_ body: (inout LeaseBook) throws(QueueError) -> T) throws(QueueError) -> T {
        try state.withLock { (state) throws(QueueError) -> T in
            guard !state.closed else { throw QueueError(.closed, "the queue is closed", queue: name) }
            return try body(&state.book)
        }
    }

    public func enqueue(jobId: String, fields: [String: String]) async throws(QueueError) {
        let now = clock.nowMilliseconds
        try withBook { (book) throws(QueueError) in try book.enqueue(jobId: jobId, fields: fields, now: now) }
    }

    public func receive(consumer: String, limit: Int, wait: Duration) async throws(QueueError) -> [QueueMessage] {
        try QueueLimits.checkReceive(consumer: consumer, limit: limit, queue: name)
        let deadline = ContinuousClock.now + min(wait, QueueLimits.maxWait)
        while true {
            let now = clock.nowMilliseconds
            let token = LeaseToken.make()
            let messages = try withBook { $0.receive(consumer: consumer, limit: limit, now: now, token: token) }
            let left = deadline - ContinuousClock.now
            if !messages.isEmpty || left <= .zero { return messages }
            do {
                try await Task.sleep(for: min(pollInterval, left))
            } catch {
                return []  // cancelled: nothing was leased
            }
        }
    }

    public func extendLease(_ message: QueueMessage) async throws(QueueError) {
        let now = clock.nowMilliseconds
        try withBook { (book) throws(QueueError) in try book.extendLease(message, now: now) }
    }

    public func acknowledge(_ message: QueueMessage) async throws(QueueError) {
        try withBook { (book) throws(QueueError) in try book.acknowledge(message) }
    }

    public func release(_ message: QueueMessage, after delay: Duration) async throws(QueueError) {
        let visibleAt = clock.nowMilliseconds + max(.zero, delay).wholeMilliseconds
        try withBook { (book) throws(QueueError) in try book.release(message, visibleAt: visibleAt) }
    }

    public func deadLetter(_ message: QueueMessage, reason: String) async throws(QueueError) {
        let now = clock.nowMilliseconds
        try withBook { (book) throws(QueueError) in try book.deadLetter(message, reason: reason, now: now) }
    }

    public func deadLetters(limit: Int) async throws(QueueError) -> [DeadLetter] {
        try withBook { $0.deadLetters(limit: limit) }
    }

    public func requeueDead(jobId: String?) async throws(QueueError) -> Int {
        let now = clock.nowMilliseconds
        return try withBook { $0.requeueDead(jobId: jobId, now: now) }
    }

    public func depth() async throws(QueueError) -> QueueDepth {
        let now = clock.nowMilliseconds
        return try withBook { $0.depth(now: now) }
    }

    public func close() async {
        state.withLock { $0.closed = true }
    }
}

/// Random lease tokens: 128 bits, so an old holder's token never matches a new lease.
enum LeaseToken {
    static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        let high = generator.next() as UInt64
        let low = generator.next() as UInt64
        return hex(high) + hex(low)
    }

    private static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
