/// The lease rules as a pure value: messages, leases and dead letters, with time passed in
/// (milliseconds since 1970) and lease tokens passed in. `InMemoryJobQueue` is this behind a
/// lock; tests use it as the model the other queues are checked against.
///
/// A message is waiting (no lease) or leased (a token and an owner). `visibleAt` is when it may
/// be delivered: for a waiting one, when it is due (later than now after a delayed release); for
/// a leased one, when the lease ends.
struct LeaseBook: Sendable {
    struct Entry: Sendable {
        var sequence: Int
        var fields: [String: String]
        var deliveries: Int
        var visibleAt: Int64
        var token: String?
        var owner: String?
    }

    let name: String
    var policy: QueuePolicy
    private(set) var entries: [String: Entry] = [:]
    private(set) var dead: [DeadLetter] = []
    private var nextSequence = 0

    init(name: String, policy: QueuePolicy) {
        self.name = name
        self.policy = policy
    }

    /// Adds a job unless it is waiting or leased already (then nothing changes).
    mutating func enqueue(jobId: String, fields: [String: String], now: Int64) throws(QueueError) {
        let fields = try QueueLimits.validatedFields(jobId: jobId, fields: fields, queue: name)
        guard entries[jobId] == nil else { return }
        entries[jobId] = Entry(sequence: nextSequence, fields: fields, deliveries: 0, visibleAt: now, token: nil, owner: nil)
        nextSequence += 1
    }

    /// Leases up to `limit` deliverable messages (due, or with an ended lease), oldest due first.
    /// Messages out of deliveries go to the dead letters on the way.
    mutating func receive(consumer: String, limit: Int, now: Int64, token: String) -> [QueueMessage] {
        let due = entries.filter { $0.value.visibleAt <= now }
            .sorted { ($0.value.visibleAt, $0.value.sequence) < ($1.value.visibleAt, $1.value.sequence) }
        var messages: [QueueMessage] = []
        for (jobId, var entry) in due {
            guard messages.count < limit else { break }
            switch policy.rule.next(afterDeliveries: entry.deliveries) {
            case .deadLetter(let reason, let deliveries):
                entries[jobId] = nil
                dead.append(DeadLetter(jobId: jobId, fields: entry.fields, reason: reason, deliveries: deliveries, at: Double(now) / 1000))
            case .deliver(let delivery):
                entry.deliveries = delivery
                entry.token = token
                entry.owner = consumer
                entry.visibleAt = now + policy.visibilityTimeout.wholeMilliseconds
                entries[jobId] = entry
                messages.append(QueueMessage(jobId: jobId, fields: entry.fields, deliveries: delivery, receipt: token))
            }
        }
        return messages
    }

    /// The entry of `message` while its lease is the one that message came with.
    private func held(_ message: QueueMessage) throws(QueueError) -> Entry {
        guard let entry = entries[message.jobId], entry.token == message.receipt, entry.deliveries == message.deliveries
        else { throw QueueError.leaseLost(queue: name, jobId: message.jobId) }
        return entry
    }

    mutating func extendLease(_ message: QueueMessage, now: Int64) throws(QueueError) {
        var entry = try held(message)
        entry.visibleAt = now + policy.visibilityTimeout.wholeMilliseconds
        entries[message.jobId] = entry
    }

    mutating func acknowledge(_ message: QueueMessage) throws(QueueError) {
        _ = try held(message)
        entries[message.jobId] = nil
    }

    mutating func release(_ message: QueueMessage, visibleAt: Int64) throws(QueueError) {
        var entry = try held(message)
        entry.token = nil
        entry.owner = nil
        entry.visibleAt = visibleAt
        entries[message.jobId] = entry
    }

    mutating func deadLetter(_ message: QueueMessage, reason: String, now: Int64) throws(QueueError) {
        let entry = try held(message)
        entries[message.jobId] = nil
        dead.append(
            DeadLetter(
                jobId: message.jobId, fields: entry.fields, reason: QueueLimits.clipped(reason: reason),
                deliveries: entry.deliveries, at: Double(now) / 1000))
    }

    func deadLetters(limit: Int) -> [DeadLetter] {
        Array(dead.prefix(max(0, limit)))
    }

    /// Moves dead letters (of `jobId`, or all) back to the queue with no deliveries; a job waiting
    /// or leased already is left as it is, and its dead letter is dropped all the same.
    mutating func requeueDead(jobId: String?, now: Int64) -> Int {
        var kept: [DeadLetter] = []
        var moved = 0
        for letter in dead {
            guard jobId == nil || letter.jobId == jobId else {
                kept.append(letter)
                continue
            }
            moved += 1
            if entries[letter.jobId] == nil {
                entries[letter.jobId] = Entry(
                    sequence: nextSequence, fields: letter.fields, deliveries: 0, visibleAt: now, token: nil, owner: nil)
                nextSequence += 1
            }
        }
        dead = kept
        return moved
    }

    func depth(now: Int64) -> QueueDepth {
        var depth = QueueDepth(dead: dead.count)
        for entry in entries.values {
            if entry.token != nil {
                depth.leased += 1
            } else if entry.visibleAt <= now {
                depth.ready += 1
            } else {
                depth.delayed += 1
            }
        }
        return depth
    }
}
