import NIOCore
import NIOPosix

/// What callers hold: Redis at one address, with
/// - a shared connection for ordinary commands, pipelined between all tasks. Nothing runs in the
///   background: a lost connection is noticed by the command in flight (which fails with
///   `.connectionLost`, its outcome unknown) and a new one is opened by the next command. A
///   command that was never written (the connection was already gone) is sent once more on a
///   fresh connection, which is always safe.
/// - a lane of dedicated connections for blocking commands (`sendBlocking`), one per command in
///   flight, kept for reuse when idle, so a blocked XREADGROUP never holds up other commands.
public actor RedisClient {
    public nonisolated let configuration: RedisConfiguration
    private let group: any EventLoopGroup
    private var shared: RedisConnection?
    private var connecting: Task<RedisConnection, any Error>?
    private var idleBlocking: [RedisConnection] = []
    private var lentBlocking: [ObjectIdentifier: RedisConnection] = [:]
    private var isClosed = false

    public init(configuration: RedisConfiguration, eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.configuration = configuration
        self.group = eventLoopGroup
    }

    /// A client for `redis://[user:password@]host:port[/db]`. Connects on the first command.
    public init(url: String) throws(RedisError) {
        self.init(configuration: try RedisConfiguration(url: url))
    }

    /// Sends one command on the shared connection; error replies throw.
    public nonisolated func send(_ command: [String]) async throws(RedisError) -> RESPValue {
        try await send(bytes: command.map { Array($0.utf8) })
    }

    public nonisolated func send(bytes command: [[UInt8]]) async throws(RedisError) -> RESPValue {
        let reply = try await perform([command], timeout: nil)[0]
        if case .error(let text) = reply { throw RedisError.fromReply(text, command: RedisConnection.name(of: command)) }
        return reply
    }

    /// Several commands in one write on the shared connection; replies in order, error replies
    /// left in place as `.error` values.
    public nonisolated func pipeline(_ commands: [[String]]) async throws(RedisError) -> [RESPValue] {
        guard !commands.isEmpty else { return [] }
        return try await perform(commands.map { $0.map { Array($0.utf8) } }, timeout: nil)
    }

    /// A blocking command (XREADGROUP … BLOCK ms, BLPOP …) on a connection of its own. `blockFor`
    /// is how long the server may hold it; the command timeout comes on top.
    public nonisolated func sendBlocking(_ command: [String], blockFor: Duration) async throws(RedisError) -> RESPValue {
        let connection = try await leaseBlocking()
        do {
            let reply = try await connection.send(command, timeout: blockFor + configuration.commandTimeout)
            await giveBack(connection)
            return reply
        } catch {
            await giveBack(connection)
            throw error
        }
    }

    /// Opens the shared connection now (it otherwise opens on the first command), so that a wrong
    /// address or password fails here.
    public func connect() async throws(RedisError) {
        _ = try await sharedConnection()
    }

    /// Closes every connection; commands in flight fail with `.closed`, later ones throw `.closed`.
    public func close() async {
        isClosed = true
        var all = idleBlocking + Array(lentBlocking.values)
        if let shared { all.append(shared) }
        idleBlocking = []
        lentBlocking = [:]
        shared = nil
        if let connecting, let connection = try? await connecting.value { all.append(connection) }
        connecting = nil
        for connection in all { await connection.close() }
    }

    private nonisolated func perform(_ commands: [[[UInt8]]], timeout: Duration?) async throws(RedisError) -> [RESPValue] {
        var attempt = 0
        while true {
            let connection = try await sharedConnection()
            do {
                return try await connection.perform(commands, timeout: timeout)
            } catch {
                attempt += 1
                guard error.notSent, attempt < 2 else { throw error.error }
            }
        }
    }

    private func sharedConnection() async throws(RedisError) -> RedisConnection {
        guard !isClosed else { throw RedisError(.closed, "the client is closed") }
        if let shared, shared.isOpen { return shared }
        shared = nil
        let task: Task<RedisConnection, any Error>
        if let connecting {
            task = connecting
        } else {
            let configuration = configuration
            let group = group
            task = Task { try await RedisConnection.connect(configuration, eventLoopGroup: group) }
            connecting = task
        }
        do {
            let connection = try await task.value
            if connecting == task {
                connecting = nil
                if isClosed {
                    await connection.close()
                } else {
                    shared = connection
                }
            }
            guard !isClosed else { throw RedisError(.closed, "the client is closed") }
            return connection
        } catch {
            if connecting == task { connecting = nil }
            throw error as? RedisError ?? RedisError(.connectionFailed, RedisConnection.describe(error))
        }
    }

    private func leaseBlocking() async throws(RedisError) -> RedisConnection {
        guard !isClosed else { throw RedisError(.closed, "the client is closed") }
        while let connection = idleBlocking.popLast() {
            if connection.isOpen {
                lentBlocking[ObjectIdentifier(connection)] = connection
                return connection
            }
        }
        let connection = try await RedisConnection.connect(configuration, eventLoopGroup: group)
        guard !isClosed else {
            await connection.close()
            throw RedisError(.closed, "the client is closed")
        }
        lentBlocking[ObjectIdentifier(connection)] = connection
        return connection
    }

    private func giveBack(_ connection: RedisConnection) async {
        guard lentBlocking.removeValue(forKey: ObjectIdentifier(connection)) != nil else { return }  // closed meanwhile
        if connection.isOpen, !isClosed, idleBlocking.count < configuration.maxIdleBlockingConnections {
            idleBlocking.append(connection)
        } else {
            await connection.close()
        }
    }
}
