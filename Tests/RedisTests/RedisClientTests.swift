import Foundation
import Redis
import TestServers
import Testing

/// The client against a real redis-server 7 (scripts/testenv/redis.sh).
@Suite("Redis client", .redisServer)
struct RedisClientTests {
    private func client(_ configure: (inout RedisConfiguration) -> Void = { _ in }) throws -> RedisClient {
        var configuration = try RedisConfiguration(url: try RedisTestServer.current.url)
        configure(&configuration)
        return RedisClient(configuration: configuration)
    }

    private func key(_ name: String) -> String { "\(name):\(UUID().uuidString)" }

    @Test func commandsAndErrorReplies() async throws {
        let redis = try client()
        #expect(try await redis.ping() == "PONG")
        let k = key("plain")
        #expect(try await redis.send(["SET", k, "välue\r\nwith CRLF"]) == .simpleString("OK"))
        #expect(try await redis.send(["GET", k]).string == "välue\r\nwith CRLF")
        #expect(try await redis.send(["GET", key("missing")]) == .bulkString(nil))
        do {
            _ = try await redis.send(["LPUSH", k, "x"])
            Issue.record("expected WRONGTYPE")
        } catch {
            #expect(error.code == .server && error.serverCode == "WRONGTYPE" && error.command == "LPUSH")
            #expect(!error.isRetryable)
        }
        do {
            _ = try await redis.send(["NOSUCHCOMMAND", "argument-that-must-not-leak"])
            Issue.record("expected an unknown command error")
        } catch {
            #expect(error.serverCode == "ERR")
            #expect(!error.description.contains("argument-that-must-not-leak"), "\(error)")
        }
        // The connection is still in step after the errors.
        #expect(try await redis.send(["GET", k]).string == "välue\r\nwith CRLF")
        await redis.close()
    }

    @Test func pipelinedRequestsFromManyTasksAreAnsweredInOrder() async throws {
        let redis = try client()
        let counter = key("counter")
        try await withThrowingTaskGroup(of: Void.self) { group in
            for task in 0..<8 {
                group.addTask {
                    for index in 0..<50 {
                        let own = "task\(task)-\(index)"
                        // Each task's reply must be its own: a mixed-up pipeline would return another's.
                        let echoed = try await redis.send(["ECHO", own])
                        #expect(echoed.string == own)
                        _ = try await redis.send(["INCR", counter])
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(try await redis.send(["GET", counter]).string == "400")
        let replies = try await redis.pipeline([["SET", counter, "1"], ["INCR", counter], ["LPUSH", counter, "x"], ["INCR", counter]])
        #expect(replies.count == 4)
        #expect(replies[0] == .simpleString("OK"))
        #expect(replies[1] == .integer(2))
        if case .error(let text) = replies[2] { #expect(text.hasPrefix("WRONGTYPE")) } else { Issue.record("\(replies[2])") }
        #expect(replies[3] == .integer(3))
        await redis.close()
    }

    @Test func streamAndSortedSetCommands() async throws {
        let redis = try client()
        let stream = key("stream")
        #expect(try await redis.xgroupCreate(stream, group: "g") == true)
        #expect(try await redis.xgroupCreate(stream, group: "g") == false)  // BUSYGROUP is not an error
        let first = try await redis.xadd(stream, fields: [("job_id", "1"), ("bucket", "b")])
        let second = try await redis.xadd(stream, fields: [("job_id", "2")])
        #expect(try await redis.xlen(stream) == 2)

        let read = try await redis.xreadgroup(group: "g", consumer: "c1", stream: stream, count: 10)
        #expect(read.map(\.id) == [first, second])
        #expect(read.first?.fields == ["job_id": "1", "bucket": "b"])
        #expect(try await redis.xreadgroup(group: "g", consumer: "c1", stream: stream, count: 10).isEmpty)

        let pending = try await redis.xpending(stream, group: "g", count: 10)
        #expect(pending.map(\.id) == [first, second])
        #expect(pending.allSatisfy { $0.consumer == "c1" && $0.deliveries == 1 })
        #expect(try await redis.xpendingCount(stream, group: "g") == 2)

        // Not idle long enough: nothing to claim. With IDLE set high, c2 takes the first.
        #expect(try await redis.xautoclaim(stream, group: "g", consumer: "c2", minIdle: .seconds(60), count: 10).entries.isEmpty)
        #expect(try await redis.xclaimJustIds(stream, group: "g", consumer: "c1", minIdle: .zero, ids: [first], idle: .seconds(3600)) == [first])
        let claimed = try await redis.xautoclaim(stream, group: "g", consumer: "c2", minIdle: .seconds(60), count: 10)
        #expect(claimed.entries.map(\.id) == [first])
        #expect(claimed.entries.first?.fields["bucket"] == "b")
        let afterClaim = try await redis.xpending(stream, group: "g", start: first, end: first, count: 1)
        #expect(afterClaim.first?.consumer == "c2" && afterClaim.first?.deliveries == 2)

        #expect(try await redis.xack(stream, group: "g", ids: [first, second]) == 2)
        #expect(try await redis.xack(stream, group: "g", ids: [first]) == 0)
        #expect(try await redis.xrange(stream).map(\.id) == [first, second])
        #expect(try await redis.xrange(stream, start: "(" + first, count: 5).map(\.id) == [second])
        #expect(try await redis.xdel(stream, ids: [first]) == 1)
        #expect(try await redis.xlen(stream) == 1)

        let delayed = key("zset")
        #expect(try await redis.zadd(delayed, score: 100, member: "a") == 1)
        #expect(try await redis.zadd(delayed, score: 200, member: "b") == 1)
        #expect(try await redis.zadd(delayed, score: 1_700_000_000_123, member: "c") == 1)
        #expect(try await redis.zrangebyscore(delayed, min: "-inf", max: "150") == ["a"])
        #expect(try await redis.zrangebyscore(delayed, min: "-inf", max: "+inf", limit: 2) == ["a", "b"])
        #expect(try await redis.zcard(delayed) == 3)
        #expect(try await redis.zrem(delayed, members: ["a"]) == 1)
        #expect(try await redis.zrem(delayed, members: ["a"]) == 0)
        #expect(try await redis.del([delayed, stream]) == 2)
        await redis.close()
    }

    /// A blocked XREADGROUP sits on a connection of its own: commands sent meanwhile are answered,
    /// and the entry one of them adds wakes the blocked read.
    @Test func blockingReadsDoNotStallOtherCommands() async throws {
        let redis = try client()
        let stream = key("blocking")
        try await redis.xgroupCreate(stream, group: "g")
        let reader = Task {
            try await redis.xreadgroup(group: "g", consumer: "c", stream: stream, count: 1, block: .seconds(20))
        }
        // Wait until the server reports the read as blocked.
        var blocked = false
        for _ in 0..<200 where !blocked {
            let clients = try await redis.send(["CLIENT", "LIST"]).string ?? ""
            blocked = clients.split(separator: "\n").contains { $0.contains("cmd=xreadgroup") && $0.contains("flags=b") }
            if !blocked { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(blocked)
        #expect(try await redis.ping() == "PONG")
        let id = try await redis.xadd(stream, fields: [("job_id", "wake")])
        let entries = try await reader.value
        #expect(entries.map(\.id) == [id])
        await redis.close()
    }

    @Test func wrongPasswordIsATypedErrorWithoutThePassword() async throws {
        let server = try RedisTestServer.current
        let wrong = try RedisClient(url: server.url(user: RedisTestServer.passwordUser, password: "not-the-password-xyzzy"))
        do {
            try await wrong.connect()
            Issue.record("expected an authentication error")
        } catch {
            #expect(error.code == .authentication)
            #expect(error.serverCode == "WRONGPASS")
            #expect(!error.isRetryable)
            #expect(!error.description.contains("xyzzy"), "\(error)")
            #expect(!"\(error)".contains("xyzzy"))
            #expect(!String(reflecting: error).contains("xyzzy"))
        }
        #expect(!String(reflecting: wrong.configuration).contains("xyzzy"))
        await wrong.close()

        let right = try RedisClient(url: server.url(user: RedisTestServer.passwordUser, password: RedisTestServer.passwordUserSecret))
        #expect(try await right.send(["ACL", "WHOAMI"]).string == RedisTestServer.passwordUser)
        await right.close()
    }

    @Test func selectsTheDatabaseOfTheURL() async throws {
        let server = try RedisTestServer.current
        let k = key("db")
        let three = try RedisClient(url: server.url(user: nil, password: nil, database: 3))
        _ = try await three.send(["SET", k, "in three"])
        let zero = try RedisClient(url: server.url)
        #expect(try await zero.send(["GET", k]) == .bulkString(nil))
        #expect(try await three.send(["GET", k]).string == "in three")
        await three.close()
        await zero.close()
    }

    /// A lost connection fails the command in flight with `.connectionLost`; the next command
    /// opens a new connection by itself.
    @Test func aLostConnectionIsReopenedByTheNextCommand() async throws {
        let redis = try client()
        let admin = try client()
        let oldId = try await redis.send(["CLIENT", "ID"]).int
        let waiting = Task { try await redis.send(["BLPOP", key("never"), "30"]) }
        for _ in 0..<200 {
            let clients = try await admin.send(["CLIENT", "LIST"]).string ?? ""
            if clients.contains("cmd=blpop") { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(try await admin.send(["CLIENT", "KILL", "ID", String(oldId ?? -1)]) == .integer(1))
        do {
            _ = try await waiting.value
            Issue.record("expected the BLPOP to fail")
        } catch let error as RedisError {
            #expect(error.code == .connectionLost, "\(error)")
            #expect(error.isRetryable)
        }
        let newId = try await redis.send(["CLIENT", "ID"]).int
        #expect(newId != nil && newId != oldId)
        await redis.close()
        await admin.close()
    }

    @Test func aCommandWithoutReplyTimesOutAndTheClientRecovers() async throws {
        let redis = try client { $0.commandTimeout = .milliseconds(300) }
        do {
            _ = try await redis.send(["BLPOP", key("never"), "5"])
            Issue.record("expected a timeout")
        } catch {
            #expect(error.code == .timeout && error.command == "BLPOP", "\(error)")
        }
        #expect(try await redis.ping() == "PONG")
        await redis.close()
    }

    @Test func aReplyOverTheLimitsFailsAndTheClientRecovers() async throws {
        let redis = try client { $0.limits = RESPParser.Limits(maxBulkLength: 16) }
        let k = key("big")
        _ = try await redis.send(["SET", k, String(repeating: "x", count: 100)])
        do {
            _ = try await redis.send(["GET", k])
            Issue.record("expected a limit error")
        } catch {
            #expect(error.code == .limitExceeded, "\(error)")
        }
        #expect(try await redis.send(["STRLEN", k]) == .integer(100))
        await redis.close()
    }

    @Test func aClosedClientRefusesCommands() async throws {
        let redis = try client()
        #expect(try await redis.ping() == "PONG")
        await redis.close()
        do {
            _ = try await redis.ping()
            Issue.record("expected .closed")
        } catch {
            #expect(error.code == .closed)
        }
    }

    @Test func anUnreachableServerIsARetryableConnectionFailure() async throws {
        // A port nothing listens on: bind one, close it, use it.
        let redis = RedisClient(configuration: RedisConfiguration(host: "127.0.0.1", port: try Self.closedPort()))
        do {
            _ = try await redis.ping()
            Issue.record("expected a connection failure")
        } catch {
            #expect(error.code == .connectionFailed && error.isRetryable, "\(error)")
        }
        await redis.close()
    }

    private static func closedPort() throws -> Int {
        let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) }
        }
        guard bound == 0 else { throw TestServerError(message: "bind failed") }
        withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { _ = getsockname(socket, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
