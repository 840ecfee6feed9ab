import Redis
import Synchronization

/// The queue at scale: a Redis stream read through a consumer group.
///
///     <stream>            the jobs: XADD <stream> * job_id J [client_id C bucket B key K …], from
///                         us (`enqueue`) or from external producers
///     <group>             the consumer group (created at start with MKSTREAM, from id 0, so
///                         entries added before it existed are delivered too)
///     <stream>:delayed    a sorted set of released messages, scored by when they are due (ms)
///     <deadLetterStream>  dead letters: the job's fields plus lakegate.reason, .deliveries, .at
///
/// - receive: first XAUTOCLAIM entries idle longer than the visibility timeout (their delivery
///   counts from XPENDING; one over maxDeliveries goes to the dead-letter stream and is
///   acknowledged), then moves due delayed messages back into the stream, then XREADGROUP
///   new entries, blocking up to `blockSlice` at a time (on a connection of the client's blocking
///   lane) until the wait is over.
/// - A delivery's receipt is its entry id, its delivery count in the pending list and the consumer.
///   extendLease, acknowledge, release and deadLetter first check with XPENDING that the entry is
///   still pending for that consumer with that count, else `.leaseLost`. (A check and the command
///   after it are two round trips: a consumer whose lease expires in between may lose the entry
///   to a reclaimer after the check. The outcome is a duplicate delivery, which at-least-once
///   allows, never a lost job.)
/// - extendLease: XCLAIM … 0 id JUSTID by the same consumer: resets the idle time, not the count.
/// - acknowledge: XACK, then XDEL, so the stream holds only jobs not yet done and XLEN measures
///   the backlog (a crash between the two leaves an acknowledged entry, counted as ready by
///   `depth` until trimmed; it is never delivered again).
/// - release(after: 0): XCLAIM to the placeholder consumer "lakegate.released" with IDLE beyond
///   the visibility timeout, so the holder's receipt no longer matches and the next receive
///   reclaims it at once (delivery count + 1). release(after: d): the message goes into the
///   delayed set (ZADD, scored by the due time) and leaves the stream (XACK, XDEL). A receive that
///   finds it due moves it back with a Lua script: ZREM, and only when that returns 1, XADD (its
///   past deliveries in the hidden field lakegate.prior). Whichever consumer's ZREM comes first
///   moves it; one script, so a crash cannot lose it between the two.
///
/// Leases run on Redis's clock (idle times); delays on the consumers' clocks (the delayed set's
/// scores), which must be in step across machines to within the delays' precision.
/// `enqueue` always adds an entry: unlike the SQL queue it does not look for a waiting copy of the
/// job. Field names starting with "lakegate." are reserved.
public final class RedisStreamsJobQueue: JobQueue {
    public let name: String
    public let stream: String
    public let group: String
    public let deadLetterStream: String
    public let delayedKey: String
    public let policy: QueuePolicy
    private let client: RedisClient
    private let clock: any QueueClock
    private let blockSlice: Duration
    private let state: Mutex<(cursor: String, closed: Bool)>

    static let priorField = "lakegate.prior"
    /// The consumer that holds released messages until they are reclaimed; never a real one.
    static let releasedConsumer = "lakegate.released"
    static let reasonField = "lakegate.reason"
    static let deliveriesField = "lakegate.deliveries"
    static let atField = "lakegate.at"

    /// Creates the consumer group (and the stream) when missing. The client stays the caller's.
    public init(
        client: RedisClient, stream: String = "ingestion_requests", group: String = "lakegate",
        deadLetterStream: String? = nil, policy: QueuePolicy = QueuePolicy(), clock: any QueueClock = SystemQueueClock(),
        blockSlice: Duration = .seconds(1)
    ) async throws(QueueError) {
        self.client = client
        self.stream = stream
        self.group = group
        self.deadLetterStream = deadLetterStream ?? stream + ":dead"
        delayedKey = stream + ":delayed"
        self.policy = policy
        self.clock = clock
        self.blockSlice = max(.milliseconds(10), blockSlice)
        name = "redis stream \(stream)"
        state = Mutex(("0-0", false))
        guard !stream.isEmpty, !group.isEmpty else {
            throw QueueError(.invalidArgument, "stream and group names must not be empty", queue: name)
        }
        do {
            try await client.xgroupCreate(stream, group: group)
        } catch {
            throw QueueError.from(error, queue: name)
        }
    }

    // MARK: Producing

    public func enqueue(jobId: String, fields: [String: String]) async throws(QueueError) {
        let fields = try QueueLimits.validatedFields(jobId: jobId, fields: fields, queue: name)
        _ = try await redis(jobId: jobId) { () async throws(RedisError) in
            try await client.xadd(stream, fields: Self.ordered(fields))
        }
    }

    // MARK: Receiving

    public func receive(consumer: String, limit: Int, wait: Duration) async throws(QueueError) -> [QueueMessage] {
        try QueueLimits.checkReceive(consumer: consumer, limit: limit, queue: name)
        guard consumer != Self.releasedConsumer else {
            throw QueueError(.invalidArgument, "the consumer name \(consumer) is reserved", queue: name)
        }
        let deadline = ContinuousClock.now + min(wait, QueueLimits.maxWait)
        while true {
            var messages = try await reclaimExpired(consumer: consumer, limit: limit)
            if messages.count < limit { try await moveDueDelayed(limit: limit) }
            if messages.count < limit {
                let left = deadline - ContinuousClock.now
                let block: Duration? = messages.isEmpty && left > .zero ? min(left, blockSlice) : nil
                messages += try await readNew(consumer: consumer, count: limit - messages.count, block: block)
            }
            if !messages.isEmpty || ContinuousClock.now >= deadline || Task.isCancelled { return messages }
        }
    }

    /// Entries whose lease ended: claimed for `consumer`, delivery count + 1.
    private func reclaimExpired(consumer: String, limit: Int) async throws(QueueError) -> [QueueMessage] {
        // XAUTOCLAIM scans part of the pending list per call; the cursor carries the scan on. A
        // scan that found nothing past the cursor starts once more from the beginning.
        var cursor = state.withLock { $0.cursor }
        var claimed: AutoClaimResult
        while true {
            let start = cursor
            claimed = try await redis { () async throws(RedisError) in
                try await client.xautoclaim(
                    stream, group: group, consumer: consumer, minIdle: policy.visibilityTimeout, start: start, count: limit)
            }
            state.withLock { $0.cursor = claimed.nextStart }
            guard claimed.entries.isEmpty, cursor != "0-0" else { break }
            cursor = "0-0"
        }
        guard !claimed.entries.isEmpty else { return [] }
        let counts = try await redis { () async throws(RedisError) in
            try await client.pipeline(claimed.entries.map { ["XPENDING", stream, group, $0.id, $0.id, "1"] })
        }
        var messages: [QueueMessage] = []
        for (entry, reply) in zip(claimed.entries, counts) {
            // Someone else may have taken it between the two commands: then it is theirs.
            guard let pending = try? RedisClient.pendingEntries(reply).first, pending.id == entry.id,
                pending.consumer == consumer
            else { continue }
            if let message = try await decide(entry, pendingDeliveries: pending.deliveries, consumer: consumer) {
                messages.append(message)
            }
        }
        return messages
    }

    private func readNew(consumer: String, count: Int, block: Duration?) async throws(QueueError) -> [QueueMessage] {
        let entries = try await redis { () async throws(RedisError) in
            try await client.xreadgroup(group: group, consumer: consumer, stream: stream, count: count, block: block)
        }
        var messages: [QueueMessage] = []
        for entry in entries {
            if let message = try await decide(entry, pendingDeliveries: 1, consumer: consumer) { messages.append(message) }
        }
        return messages
    }

    /// Delivers an entry now pending for `consumer`, or moves it to the dead letters.
    private func decide(_ entry: StreamEntry, pendingDeliveries: Int, consumer: String) async throws(QueueError) -> QueueMessage? {
        let prior = entry.fields[Self.priorField].flatMap { Int($0) }.map { max(0, $0) } ?? 0
        let previous = prior + pendingDeliveries - 1
        guard let jobId = entry.fields["job_id"], !jobId.isEmpty, jobId.utf8.count <= QueueLimits.maxJobIdBytes else {
            try await moveToDead(entry.id, fields: Self.visible(entry.fields), reason: "the entry has no usable job_id field", deliveries: previous)
            return nil
        }
        switch policy.rule.next(afterDeliveries: previous) {
        case .deliver(let delivery):
            let receipt = Receipt(entryId: entry.id, pendingDeliveries: pendingDeliveries, consumer: consumer)
            return QueueMessage(jobId: jobId, fields: Self.visible(entry.fields), deliveries: delivery, receipt: receipt.text)
        case .deadLetter(let reason, let deliveries):
            try await moveToDead(entry.id, fields: Self.visible(entry.fields), reason: reason, deliveries: deliveries)
            return nil
        }
    }

    /// Copies an entry to the dead-letter stream, then acknowledges and deletes it.
    private func moveToDead(_ entryId: String, fields: [String: String], reason: String, deliveries: Int) async throws(QueueError) {
        let at = clock.now()
        let jobId = fields["job_id"]
        try await redis(jobId: jobId) { () async throws(RedisError) in
            _ = try await client.xadd(
                deadLetterStream,
                fields: Self.ordered(fields) + [
                    (Self.reasonField, QueueLimits.clipped(reason: reason)), (Self.deliveriesField, String(deliveries)),
                    (Self.atField, String(at)),
                ])
            try Self.check(try await client.pipeline([["XACK", stream, group, entryId], ["XDEL", stream, entryId]]))
        }
    }

    /// Moves delayed messages that are due back into the stream: ZREM decides which consumer
    /// moves a member (the one whose ZREM returns 1) and that one XADDs it, both in one Lua
    /// script, so a member is never moved twice nor lost by a consumer dying in between.
    private func moveDueDelayed(limit: Int) async throws(QueueError) {
        let now = clock.nowMilliseconds
        let due = try await redis { () async throws(RedisError) in
            try await client.zrangebyscore(delayedKey, min: "-inf", max: String(now), limit: limit)
        }
        for member in due {
            guard let delayed = DelayedMember.decode(member) else {
                // Not ours to read: drop it rather than trip over it on every receive.
                _ = try await redis { () async throws(RedisError) in try await client.zrem(delayedKey, members: [member]) }
                continue
            }
            var arguments = [member]
            for (field, value) in Self.ordered(delayed.fields) + [(Self.priorField, String(delayed.deliveries))] {
                arguments.append(field)
                arguments.append(value)
            }
            _ = try await redis(jobId: delayed.fields["job_id"]) { () async throws(RedisError) in
                try await client.eval(Self.moveBackScript, keys: [delayedKey, stream], arguments: arguments)
            }
        }
    }

    /// KEYS: the delayed set, the stream. ARGV: the member, then the entry's fields and values.
    static let moveBackScript = """
        if redis.call('ZREM', KEYS[1], ARGV[1]) == 1 then
            return redis.call('XADD', KEYS[2], '*', unpack(ARGV, 2))
        end
        return false
        """

    // MARK: Leases

    /// The receipt of a delivery: which entry, its count in the pending list, and who holds it.
    struct Receipt: Equatable {
        var entryId: String
        var pendingDeliveries: Int
        var consumer: String

        var text: String { "\(entryId) \(pendingDeliveries) \(consumer)" }

        init(entryId: String, pendingDeliveries: Int, consumer: String) {
            self.entryId = entryId
            self.pendingDeliveries = pendingDeliveries
            self.consumer = consumer
        }

        init?(_ text: String) {
            let parts = text.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3, !parts[0].isEmpty, let count = Int(parts[1]), !parts[2].isEmpty else { return nil }
            self.init(entryId: String(parts[0]), pendingDeliveries: count, consumer: String(parts[2]))
        }
    }

    /// The receipt when the entry is still pending for this delivery, else `.leaseLost`.
    private func held(_ message: QueueMessage) async throws(QueueError) -> Receipt {
        guard let receipt = Receipt(message.receipt) else {
            throw QueueError(.invalidArgument, "not a receipt of this queue", queue: name, jobId: message.jobId)
        }
        let pending = try await redis(jobId: message.jobId) { () async throws(RedisError) in
            try await client.xpending(stream, group: group, start: receipt.entryId, end: receipt.entryId, count: 1)
        }
        guard let entry = pending.first, entry.id == receipt.entryId, entry.consumer == receipt.consumer,
            entry.deliveries == receipt.pendingDeliveries
        else { throw QueueError.leaseLost(queue: name, jobId: message.jobId) }
        return receipt
    }

    public func extendLease(_ message: QueueMessage) async throws(QueueError) {
        let receipt = try await held(message)
        let claimed = try await redis(jobId: message.jobId) { () async throws(RedisError) in
            try await client.xclaimJustIds(
                stream, group: group, consumer: receipt.consumer, minIdle: .zero, ids: [receipt.entryId])
        }
        guard claimed == [receipt.entryId] else { throw QueueError.leaseLost(queue: name, jobId: message.jobId) }
    }

    public func acknowledge(_ message: QueueMessage) async throws(QueueError) {
        let receipt = try await held(message)
        let replies = try await redis(jobId: message.jobId) { () async throws(RedisError) in
            try Self.check(
                try await client.pipeline([["XACK", stream, group, receipt.entryId], ["XDEL", stream, receipt.entryId]]))
        }
        guard replies.first == .integer(1) else { throw QueueError.leaseLost(queue: name, jobId: message.jobId) }
    }

    public func release(_ message: QueueMessage, after delay: Duration) async throws(QueueError) {
        let receipt = try await held(message)
        if delay <= .zero {
            // Handed to a consumer no one reads as, idle past the timeout: the holder's receipt no
            // longer matches, and the next XAUTOCLAIM takes it (and counts the delivery).
            let idle = policy.visibilityTimeout + .seconds(86_400)
            let claimed = try await redis(jobId: message.jobId) { () async throws(RedisError) in
                try await client.xclaimJustIds(
                    stream, group: group, consumer: Self.releasedConsumer, minIdle: .zero, ids: [receipt.entryId], idle: idle)
            }
            guard claimed == [receipt.entryId] else { throw QueueError.leaseLost(queue: name, jobId: message.jobId) }
            return
        }
        let due = clock.nowMilliseconds + delay.wholeMilliseconds
        let member = DelayedMember(token: LeaseToken.make(), deliveries: message.deliveries, fields: message.fields).encoded
        try await redis(jobId: message.jobId) { () async throws(RedisError) in
            // Into the delayed set first: a crash before the XACK duplicates the job, never loses it.
            try await client.zadd(delayedKey, score: Double(due), member: member)
            try Self.check(
                try await client.pipeline([["XACK", stream, group, receipt.entryId], ["XDEL", stream, receipt.entryId]]))
        }
    }

    public func deadLetter(_ message: QueueMessage, reason: String) async throws(QueueError) {
        let receipt = try await held(message)
        try await moveToDead(receipt.entryId, fields: message.fields, reason: reason, deliveries: message.deliveries)
    }

    // MARK: Dead letters and depth

    public func deadLetters(limit: Int) async throws(QueueError) -> [DeadLetter] {
        guard limit > 0 else { return [] }
        let entries = try await redis { () async throws(RedisError) in
            try await client.xrange(deadLetterStream, count: min(limit, 100_000))
        }
        return entries.map { entry in
            DeadLetter(
                jobId: entry.fields["job_id"] ?? "", fields: Self.visible(entry.fields),
                reason: entry.fields[Self.reasonField] ?? "", deliveries: entry.fields[Self.deliveriesField].flatMap { Int($0) } ?? 0,
                at: entry.fields[Self.atField].flatMap { Double($0) } ?? 0)
        }
    }

    public func requeueDead(jobId: String?) async throws(QueueError) -> Int {
        var start = "-"
        var moved = 0
        let page = 200
        while true {
            let entries = try await redis { () async throws(RedisError) in
                try await client.xrange(deadLetterStream, start: start, count: page)
            }
            for entry in entries where jobId == nil || entry.fields["job_id"] == jobId {
                try await redis(jobId: entry.fields["job_id"]) { () async throws(RedisError) in
                    // Back into the stream first: a crash before the XDEL leaves a copy in both.
                    _ = try await client.xadd(stream, fields: Self.ordered(Self.visible(entry.fields)))
                    try await client.xdel(deadLetterStream, ids: [entry.id])
                }
                moved += 1
            }
            guard entries.count == page, let last = entries.last else { return moved }
            start = "(" + last.id
        }
    }

    public func depth() async throws(QueueError) -> QueueDepth {
        let replies = try await redis { () async throws(RedisError) in
            try Self.check(
                try await client.pipeline([
                    ["XLEN", stream], ["XPENDING", stream, group], ["ZCARD", delayedKey], ["XLEN", deadLetterStream],
                ]))
        }
        guard replies.count == 4, let length = replies[0].int, let summary = replies[1].array,
            let pending = summary.first?.int, let delayed = replies[2].int, let dead = replies[3].int
        else { throw QueueError(.backend, "unexpected replies to XLEN, XPENDING, ZCARD", queue: name) }
        // Released messages wait under the placeholder consumer: ready, not leased.
        var released = 0
        if summary.count > 3, let consumers = summary[3].array {
            for pair in consumers {
                if let items = pair.array, items.count == 2, items[0].string == Self.releasedConsumer {
                    released = items[1].int ?? 0
                }
            }
        }
        return QueueDepth(ready: max(0, length - pending + released), leased: pending - released, delayed: delayed, dead: dead)
    }

    public func close() async {
        state.withLock { $0.closed = true }
    }

    // MARK: Helpers

    /// Runs Redis commands, mapping errors. A group that vanished (NOGROUP: a Redis without
    /// persistence restarted, or the stream was deleted) is created again and the body run once more.
    @discardableResult
    private func redis<T>(jobId: String? = nil, _ body: () async throws(RedisError) -> T) async throws(QueueError) -> T {
        guard !state.withLock({ $0.closed }) else { throw QueueError(.closed, "the queue is closed", queue: name) }
        do {
            return try await body()
        } catch where error.serverCode == "NOGROUP" {
            do {
                try await client.xgroupCreate(stream, group: group)
                return try await body()
            } catch {
                throw QueueError.from(error, queue: name, jobId: jobId)
            }
        } catch {
            throw QueueError.from(error, queue: name, jobId: jobId)
        }
    }

    /// Throws the first error reply of a pipeline.
    @discardableResult
    private static func check(_ replies: [RESPValue]) throws(RedisError) -> [RESPValue] {
        for reply in replies {
            if case .error(let text) = reply { throw RedisError.fromReply(text, command: nil) }
        }
        return replies
    }

    /// job_id first, then the other fields by name.
    static func ordered(_ fields: [String: String]) -> [(String, String)] {
        var result: [(String, String)] = []
        if let jobId = fields["job_id"] { result.append(("job_id", jobId)) }
        for key in fields.keys.sorted() where key != "job_id" { result.append((key, fields[key] ?? "")) }
        return result
    }

    /// The fields without the ones this queue keeps for itself.
    static func visible(_ fields: [String: String]) -> [String: String] {
        fields.filter { !$0.key.hasPrefix("lakegate.") }
    }
}

/// A released message waiting in the delayed set: a RESP array of bulk strings (tag, random
/// token so equal messages stay apart, deliveries so far, then field names and values).
struct DelayedMember: Equatable {
    static let tag = "lakegate-delayed-1"
    var token: String
    var deliveries: Int
    var fields: [String: String]

    var encoded: String {
        var items: [RESPValue] = [.bulk(Self.tag), .bulk(token), .bulk(String(deliveries))]
        for key in fields.keys.sorted() {
            items.append(.bulk(key))
            items.append(.bulk(fields[key] ?? ""))
        }
        return String(decoding: RESPEncoder.encode(.array(items)), as: UTF8.self)
    }

    static func decode(_ text: String) -> DelayedMember? {
        var parser = RESPParser(limits: RESPParser.Limits(maxBulkLength: 1 << 20, maxAggregateCount: 2 * QueueLimits.maxFields + 3, maxDepth: 1))
        parser.append(text.utf8)
        guard let value = try? parser.next(), !parser.isMidValue, let items = value.array, items.count >= 3,
            items.count % 2 == 1, items[0].string == tag, let token = items[1].string,
            let deliveries = items[2].int
        else { return nil }
        var fields: [String: String] = [:]
        var index = 3
        while index + 1 < items.count {
            guard let key = items[index].string, let value = items[index + 1].string else { return nil }
            fields[key] = value
            index += 2
        }
        return DelayedMember(token: token, deliveries: deliveries, fields: fields)
    }
}
