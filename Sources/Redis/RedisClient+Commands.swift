/// One stream entry: its id and its fields (a field given twice keeps its last value).
public struct StreamEntry: Sendable, Hashable {
    public var id: String
    public var fields: [String: String]

    public init(id: String, fields: [String: String]) {
        self.id = id
        self.fields = fields
    }
}

/// One pending entry of a consumer group (XPENDING's extended form).
public struct PendingEntry: Sendable, Hashable {
    public var id: String
    public var consumer: String
    /// Milliseconds since it was last delivered (or claimed).
    public var idleMilliseconds: Int
    /// How many times it was delivered: XREADGROUP and claims without JUSTID count.
    public var deliveries: Int
}

/// XAUTOCLAIM's reply.
public struct AutoClaimResult: Sendable, Hashable {
    /// Where the next scan starts; "0-0" once the whole pending list was scanned.
    public var nextStart: String
    public var entries: [StreamEntry]
    /// Pending ids whose entries were deleted (XDEL): Redis drops them from the pending list.
    public var deletedIds: [String]
}

/// The commands the job queue needs, with typed replies. Each throws `.unexpectedReply` when the
/// server answers with another shape.
extension RedisClient {
    public nonisolated func ping() async throws(RedisError) -> String {
        let reply = try await send(["PING"])
        guard let text = reply.string else { throw Self.unexpected("PING", reply) }
        return text
    }

    /// XADD stream id field value …; returns the new entry's id. `maxLength` trims approximately
    /// (MAXLEN ~ n).
    public nonisolated func xadd(
        _ stream: String, id: String = "*", fields: [(String, String)], maxLength: Int? = nil
    ) async throws(RedisError) -> String {
        let reply = try await send(Self.xaddCommand(stream, id: id, fields: fields, maxLength: maxLength))
        guard let newId = reply.string else { throw Self.unexpected("XADD", reply) }
        return newId
    }

    public static func xaddCommand(_ stream: String, id: String = "*", fields: [(String, String)], maxLength: Int? = nil)
        -> [String]
    {
        var command = ["XADD", stream]
        if let maxLength { command += ["MAXLEN", "~", String(maxLength)] }
        command.append(id)
        for (field, value) in fields {
            command.append(field)
            command.append(value)
        }
        return command
    }

    /// XGROUP CREATE stream group start MKSTREAM; false when the group exists already (BUSYGROUP).
    @discardableResult
    public nonisolated func xgroupCreate(_ stream: String, group: String, start: String = "0", makeStream: Bool = true)
        async throws(RedisError) -> Bool
    {
        var command = ["XGROUP", "CREATE", stream, group, start]
        if makeStream { command.append("MKSTREAM") }
        do {
            _ = try await send(command)
            return true
        } catch where error.serverCode == "BUSYGROUP" {
            return false
        }
    }

    /// XREADGROUP GROUP group consumer COUNT n [BLOCK ms] STREAMS stream id. With `block`, the
    /// command runs on the blocking lane; nil or zero does not block (BLOCK 0 would wait forever).
    public nonisolated func xreadgroup(
        group: String, consumer: String, stream: String, count: Int, block: Duration? = nil, id: String = ">"
    ) async throws(RedisError) -> [StreamEntry] {
        var command = ["XREADGROUP", "GROUP", group, consumer, "COUNT", String(max(1, count))]
        let reply: RESPValue
        if let block, block.wholeMilliseconds > 0 {
            command += ["BLOCK", String(block.wholeMilliseconds), "STREAMS", stream, id]
            reply = try await sendBlocking(command, blockFor: block)
        } else {
            command += ["STREAMS", stream, id]
            reply = try await send(command)
        }
        if reply.isNull { return [] }
        // [[stream, [entry, …]], …]
        guard let streams = reply.array else { throw Self.unexpected("XREADGROUP", reply) }
        var entries: [StreamEntry] = []
        for item in streams {
            guard let pair = item.array, pair.count == 2 else { throw Self.unexpected("XREADGROUP", item) }
            entries += try Self.entries(pair[1], command: "XREADGROUP")
        }
        return entries
    }

    @discardableResult
    public nonisolated func xack(_ stream: String, group: String, ids: [String]) async throws(RedisError) -> Int {
        guard !ids.isEmpty else { return 0 }
        return try await integer(["XACK", stream, group] + ids)
    }

    /// XAUTOCLAIM stream group consumer min-idle start COUNT n: claims entries idle for at least
    /// `minIdle` and returns them; their delivery counts go up by one.
    public nonisolated func xautoclaim(
        _ stream: String, group: String, consumer: String, minIdle: Duration, start: String = "0-0", count: Int
    ) async throws(RedisError) -> AutoClaimResult {
        let reply = try await send([
            "XAUTOCLAIM", stream, group, consumer, String(minIdle.wholeMilliseconds), start, "COUNT", String(max(1, count)),
        ])
        guard let parts = reply.array, parts.count >= 2, let next = parts[0].string else {
            throw Self.unexpected("XAUTOCLAIM", reply)
        }
        let deleted = parts.count > 2 ? (parts[2].array ?? []).compactMap(\.string) : []
        return AutoClaimResult(nextStart: next, entries: try Self.entries(parts[1], command: "XAUTOCLAIM"), deletedIds: deleted)
    }

    /// XCLAIM stream group consumer min-idle id … [IDLE ms] JUSTID: the ids claimed. JUSTID leaves
    /// delivery counts alone; `idle` sets the entries' idle time (to make them claimable at once).
    public nonisolated func xclaimJustIds(
        _ stream: String, group: String, consumer: String, minIdle: Duration, ids: [String], idle: Duration? = nil
    ) async throws(RedisError) -> [String] {
        guard !ids.isEmpty else { return [] }
        var command = ["XCLAIM", stream, group, consumer, String(minIdle.wholeMilliseconds)] + ids
        if let idle { command += ["IDLE", String(idle.wholeMilliseconds)] }
        command.append("JUSTID")
        let reply = try await send(command)
        guard let items = reply.array else { throw Self.unexpected("XCLAIM", reply) }
        return items.compactMap(\.string)
    }

    /// XPENDING stream group [IDLE ms] start end count [consumer].
    public nonisolated func xpending(
        _ stream: String, group: String, start: String = "-", end: String = "+", count: Int, consumer: String? = nil,
        minIdle: Duration? = nil
    ) async throws(RedisError) -> [PendingEntry] {
        var command = ["XPENDING", stream, group]
        if let minIdle { command += ["IDLE", String(minIdle.wholeMilliseconds)] }
        command += [start, end, String(max(1, count))]
        if let consumer { command.append(consumer) }
        return try Self.pendingEntries(try await send(command))
    }

    public static func pendingEntries(_ reply: RESPValue) throws(RedisError) -> [PendingEntry] {
        guard let items = reply.array else { throw unexpected("XPENDING", reply) }
        var result: [PendingEntry] = []
        result.reserveCapacity(items.count)
        for item in items {
            guard let fields = item.array, fields.count >= 4, let id = fields[0].string, let consumer = fields[1].string,
                let idle = fields[2].int, let deliveries = fields[3].int
            else { throw unexpected("XPENDING", item) }
            result.append(PendingEntry(id: id, consumer: consumer, idleMilliseconds: idle, deliveries: deliveries))
        }
        return result
    }

    /// The number of pending entries of a group (XPENDING's summary form).
    public nonisolated func xpendingCount(_ stream: String, group: String) async throws(RedisError) -> Int {
        let reply = try await send(["XPENDING", stream, group])
        guard let parts = reply.array, let count = parts.first?.int else { throw Self.unexpected("XPENDING", reply) }
        return count
    }

    public nonisolated func xlen(_ stream: String) async throws(RedisError) -> Int {
        try await integer(["XLEN", stream])
    }

    @discardableResult
    public nonisolated func xdel(_ stream: String, ids: [String]) async throws(RedisError) -> Int {
        guard !ids.isEmpty else { return 0 }
        return try await integer(["XDEL", stream] + ids)
    }

    /// XRANGE stream start end [COUNT n].
    public nonisolated func xrange(_ stream: String, start: String = "-", end: String = "+", count: Int? = nil)
        async throws(RedisError) -> [StreamEntry]
    {
        var command = ["XRANGE", stream, start, end]
        if let count { command += ["COUNT", String(max(1, count))] }
        return try Self.entries(try await send(command), command: "XRANGE")
    }

    /// ZADD key score member; the number of members added (0 when it only got a new score).
    @discardableResult
    public nonisolated func zadd(_ key: String, score: Double, member: String) async throws(RedisError) -> Int {
        try await integer(["ZADD", key, Self.format(score), member])
    }

    /// ZRANGEBYSCORE key min max [LIMIT 0 n]; `min`/`max` in Redis's syntax ("-inf", "(5", "10").
    public nonisolated func zrangebyscore(_ key: String, min: String, max: String, limit: Int? = nil)
        async throws(RedisError) -> [String]
    {
        var command = ["ZRANGEBYSCORE", key, min, max]
        if let limit { command += ["LIMIT", "0", String(Swift.max(1, limit))] }
        let reply = try await send(command)
        guard let items = reply.array else { throw Self.unexpected("ZRANGEBYSCORE", reply) }
        return items.compactMap(\.string)
    }

    @discardableResult
    public nonisolated func zrem(_ key: String, members: [String]) async throws(RedisError) -> Int {
        guard !members.isEmpty else { return 0 }
        return try await integer(["ZREM", key] + members)
    }

    public nonisolated func zcard(_ key: String) async throws(RedisError) -> Int {
        try await integer(["ZCARD", key])
    }

    @discardableResult
    public nonisolated func del(_ keys: [String]) async throws(RedisError) -> Int {
        guard !keys.isEmpty else { return 0 }
        return try await integer(["DEL"] + keys)
    }

    /// EVAL script numkeys key … arg …: a Lua script run atomically by the server.
    public nonisolated func eval(_ script: String, keys: [String], arguments: [String]) async throws(RedisError) -> RESPValue {
        try await send(["EVAL", script, String(keys.count)] + keys + arguments)
    }

    private nonisolated func integer(_ command: [String]) async throws(RedisError) -> Int {
        let reply = try await send(command)
        guard case .integer(let value) = reply, let result = Int(exactly: value) else {
            throw Self.unexpected(command[0], reply)
        }
        return result
    }

    /// Stream entries from [[id, [field, value, …]], …]. An entry deleted while pending comes back
    /// from claims as [id, nil]: it is left out.
    public static func entries(_ reply: RESPValue, command: String) throws(RedisError) -> [StreamEntry] {
        if reply.isNull { return [] }
        guard let items = reply.array else { throw unexpected(command, reply) }
        var entries: [StreamEntry] = []
        entries.reserveCapacity(items.count)
        for item in items {
            guard let pair = item.array, pair.count == 2, let id = pair[0].string else { throw unexpected(command, item) }
            if pair[1].isNull { continue }
            guard let flat = pair[1].array, flat.count % 2 == 0 else { throw unexpected(command, pair[1]) }
            var fields: [String: String] = [:]
            fields.reserveCapacity(flat.count / 2)
            var index = 0
            while index < flat.count {
                guard let field = flat[index].string, let value = flat[index + 1].string else {
                    throw unexpected(command, flat[index])
                }
                fields[field] = value
                index += 2
            }
            entries.append(StreamEntry(id: id, fields: fields))
        }
        return entries
    }

    static func unexpected(_ command: String, _ reply: RESPValue) -> RedisError {
        RedisError(.unexpectedReply, "unexpected \(reply.kindName) in the reply", command: command)
    }

    /// A score as Redis parses it; integral values without a fraction.
    static func format(_ score: Double) -> String {
        if score.isInfinite { return score < 0 ? "-inf" : "+inf" }
        if score == score.rounded(), abs(score) < 9e15 { return String(Int64(score)) }
        return "\(score)"
    }
}
