import NIOCore
import NIOPosix

/// One TCP connection to Redis. Requests are pipelined: each is written at once and its replies
/// are matched to it in order, so many tasks may send at the same time. A command that gets no
/// reply within its timeout fails with `.timeout` and closes the connection (a late reply would be
/// taken for the next command's); so does a malformed reply. Once closed, for whatever reason,
/// every later request fails at once: open a new connection (`RedisClient` does that by itself).
///
/// Blocking commands (XREADGROUP … BLOCK, BLPOP) hold the connection until they return, and every
/// request pipelined behind them waits too: send them on a connection of their own
/// (`RedisClient.sendBlocking`).
public final class RedisConnection: Sendable {
    public let configuration: RedisConfiguration
    private let channel: any Channel

    private init(configuration: RedisConfiguration, channel: any Channel) {
        self.configuration = configuration
        self.channel = channel
    }

    /// Connects, then authenticates (AUTH) and selects the database (SELECT) when the
    /// configuration says so. A wrong password throws `.authentication`.
    public static func connect(
        _ configuration: RedisConfiguration, eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws(RedisError) -> RedisConnection {
        let limits = configuration.limits
        let bootstrap = ClientBootstrap(group: eventLoopGroup)
            .connectTimeout(.nanoseconds(Int64(clamping: configuration.connectTimeout.nanoseconds)))
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelOption(.socketOption(.so_keepalive), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(RESPChannelHandler(limits: limits))
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(host: configuration.host, port: configuration.port).get()
        } catch {
            throw RedisError(.connectionFailed, "cannot connect to \(configuration.endpoint): \(Self.describe(error))")
        }
        let connection = RedisConnection(configuration: configuration, channel: channel)
        do {
            if let password = configuration.password {
                let auth = configuration.username.map { ["AUTH", $0, password] } ?? ["AUTH", password]
                _ = try await connection.send(auth)
            }
            if configuration.database != 0 {
                _ = try await connection.send(["SELECT", String(configuration.database)])
            }
        } catch {
            await connection.close()
            if error.code == .authentication || error.code == .server {
                let user = configuration.username ?? "default"
                throw RedisError(
                    error.code == .server && error.command == "SELECT" ? .invalidArgument : .authentication,
                    "\(error.command ?? "handshake") as \(user) at \(configuration.endpoint) failed: \(error.message)",
                    serverCode: error.serverCode, command: error.command)
            }
            throw error
        }
        return connection
    }

    /// False once the connection has been closed or lost.
    public var isOpen: Bool { channel.isActive }

    /// Sends one command and returns its reply; an error reply throws `.server` (or
    /// `.authentication`) with the server's code and message.
    public func send(_ command: [String], timeout: Duration? = nil) async throws(RedisError) -> RESPValue {
        try await send(bytes: command.map { Array($0.utf8) }, timeout: timeout)
    }

    /// `send` with binary arguments.
    public func send(bytes command: [[UInt8]], timeout: Duration? = nil) async throws(RedisError) -> RESPValue {
        let reply: RESPValue
        do {
            reply = try await perform([command], timeout: timeout)[0]
        } catch {
            throw error.error
        }
        if case .error(let text) = reply { throw RedisError.fromReply(text, command: Self.name(of: command)) }
        return reply
    }

    /// Sends several commands in one write and returns their replies in order. Error replies stay
    /// in the result as `.error` values: one failing command does not hide the others' outcomes.
    public func pipeline(_ commands: [[String]], timeout: Duration? = nil) async throws(RedisError) -> [RESPValue] {
        guard !commands.isEmpty else { return [] }
        do {
            return try await perform(commands.map { $0.map { Array($0.utf8) } }, timeout: timeout)
        } catch {
            throw error.error
        }
    }

    /// Closes the connection; requests still waiting fail with `.closed`.
    public func close() async {
        try? await channel.close().get()
    }

    /// Why a request failed, and whether it was never written (so resending it is safe).
    struct SendFailure: Error {
        var error: RedisError
        var notSent: Bool
    }

    func perform(_ commands: [[[UInt8]]], timeout: Duration?) async throws(SendFailure) -> [RESPValue] {
        let name = Self.name(of: commands[0]) + (commands.count > 1 ? " (+\(commands.count - 1) pipelined)" : "")
        guard channel.isActive else {
            throw SendFailure(error: RedisError(.connectionLost, "the connection is closed", command: name), notSent: true)
        }
        var bytes: [UInt8] = []
        for command in commands { RESPEncoder.appendCommand(command, to: &bytes) }
        let replies = channel.eventLoop.makePromise(of: [RESPValue].self)
        let written = channel.eventLoop.makePromise(of: Void.self)
        let request = RedisRequest(
            bytes: channel.allocator.buffer(bytes: bytes), replyCount: commands.count, promise: replies,
            timeout: .nanoseconds(Int64(clamping: (timeout ?? configuration.commandTimeout).nanoseconds)), command: name)
        written.futureResult.whenFailure { error in
            // Completing a promise twice is a no-op: this only matters when the handler never saw
            // the request (the channel closed under us).
            replies.fail(error as? RedisError ?? RedisError(.connectionLost, "writing failed: \(Self.describe(error))", command: name))
        }
        channel.writeAndFlush(request, promise: written)
        do {
            return try await replies.futureResult.get()
        } catch let error as RedisError {
            throw SendFailure(error: error, notSent: false)
        } catch {
            throw SendFailure(error: RedisError(.connectionLost, Self.describe(error), command: name), notSent: false)
        }
    }

    /// The command's name for errors: its first word, never an argument.
    static func name(of command: [[UInt8]]) -> String {
        guard let first = command.first else { return "?" }
        return String(decoding: first.prefix(32), as: UTF8.self).uppercased()
    }

    static func describe(_ error: any Error) -> String {
        let text = String(describing: error)
        return text.count > 300 ? String(text.prefix(300)) + "…" : text
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        return scaled.addingReportingOverflow(attoseconds / 1_000_000_000).partialValue
    }

    /// Whole milliseconds, rounded down, at least 0.
    var wholeMilliseconds: Int64 { max(0, nanoseconds / 1_000_000) }
}

/// What the connection hands its channel: the encoded commands and where their replies go.
struct RedisRequest: Sendable {
    var bytes: ByteBuffer
    var replyCount: Int
    var promise: EventLoopPromise<[RESPValue]>
    var timeout: TimeAmount
    var command: String
}

/// Matches replies to requests, in order, on the channel's event loop. Holds the parser's state
/// between reads; fails every waiting request when the connection ends, a reply is malformed or a
/// request times out.
final class RESPChannelHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = RedisRequest
    typealias OutboundOut = ByteBuffer

    private struct Waiting {
        var id: UInt64
        var remaining: Int
        var replies: [RESPValue]
        var promise: EventLoopPromise<[RESPValue]>
        var timer: Scheduled<Void>?
        var command: String
    }

    private var parser: RESPParser
    private var waiting = CircularBuffer<Waiting>()
    private var nextId: UInt64 = 0
    /// Set once the connection is unusable; later requests fail with it at once.
    private var failure: RedisError?

    init(limits: RESPParser.Limits) {
        parser = RESPParser(limits: limits)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = unwrapOutboundIn(data)
        if let failure {
            var error = failure
            error.command = request.command
            request.promise.fail(error)
            promise?.fail(error)
            return
        }
        let id = nextId
        nextId += 1
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        let channel = context.channel
        let timer = context.eventLoop.scheduleTask(in: request.timeout) {
            bound.value.timedOut(id, channel: channel)
        }
        waiting.append(
            Waiting(
                id: id, remaining: request.replyCount, replies: [], promise: request.promise, timer: timer,
                command: request.command))
        context.write(wrapOutboundOut(request.bytes), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        parser.append(buffer.readableBytesView)
        do {
            while let value = try parser.next() {
                if case .push = value { continue }  // out-of-band (RESP3 only); we never subscribe
                guard !waiting.isEmpty else {
                    fail(RedisError(.protocolError, "a reply arrived with no command waiting for it"), context.channel)
                    return
                }
                waiting[waiting.startIndex].replies.append(value)
                waiting[waiting.startIndex].remaining -= 1
                if waiting[waiting.startIndex].remaining == 0 {
                    let done = waiting.removeFirst()
                    done.timer?.cancel()
                    done.promise.succeed(done.replies)
                }
            }
        } catch {
            fail(error, context.channel)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        failAll(RedisError(.connectionLost, "the server closed the connection"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(RedisError(.connectionLost, "connection error: \(RedisConnection.describe(error))"), context.channel)
    }

    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        failAll(RedisError(.closed, "the connection was closed"))
        context.close(mode: mode, promise: promise)
    }

    private func timedOut(_ id: UInt64, channel: any Channel) {
        guard let first = waiting.first, first.id <= id else { return }  // answered already
        let command = waiting.first { $0.id == id }?.command
        fail(RedisError(.timeout, "no reply within the command timeout; the connection is closed", command: command), channel)
    }

    private func fail(_ error: RedisError, _ channel: any Channel) {
        failAll(error)
        channel.close(promise: nil)
    }

    private func failAll(_ error: RedisError) {
        if failure == nil { failure = error }
        while let entry = waiting.popFirst() {
            entry.timer?.cancel()
            var specific = error
            specific.command = entry.command
            entry.promise.fail(specific)
        }
    }
}
