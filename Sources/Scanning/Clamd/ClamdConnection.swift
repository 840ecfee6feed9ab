import NIOCore
import NIOPosix
import Synchronization

/// One connection to clamd for one command: the only I/O of this module. Every wait (connect,
/// each write, the reply) is bounded by `timeout`; when it passes, the connection is closed, so
/// nothing stays blocked. A task cancelled while waiting closes it too.
final class ClamdConnection: Sendable {
    let channel: any Channel
    /// Completes once with the reply, an overlong one, or the connection closing first.
    let reply: EventLoopFuture<ClamdReplyOutcome>
    let timeout: TimeAmount
    let scannerName: String
    private let arrived = ArrivedReply()

    private init(channel: any Channel, reply: EventLoopFuture<ClamdReplyOutcome>, timeout: TimeAmount, scannerName: String) {
        self.channel = channel
        self.reply = reply
        self.timeout = timeout
        self.scannerName = scannerName
        let arrived = self.arrived
        reply.whenSuccess { outcome in arrived.value.withLock { $0 = outcome } }
    }

    deinit {
        channel.close(promise: nil)
    }

    /// Connects and sends `command` at once, on the event loop: clamd drops a connection whose
    /// command does not come within its CommandReadTimeout, and a busy process might not resume
    /// the awaiting task that soon.
    static func open(
        _ address: ClamdAddress, sending command: ClamdCommand, group: any EventLoopGroup, timeout: TimeAmount,
        scannerName: String
    ) async throws(ScanError) -> ClamdConnection {
        let loop = group.next()
        let replyPromise = loop.makePromise(of: ClamdReplyOutcome.self)
        let bootstrap = ClientBootstrap(group: loop)
            .connectTimeout(timeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ClamdReplyHandler(promise: replyPromise))
                }
            }
        let connecting: EventLoopFuture<any Channel> =
            switch address {
            case .unix(let path): bootstrap.connect(unixDomainSocketPath: path)
            case .tcp(let host, let port): bootstrap.connect(host: host, port: port)
            }
        let sent = connecting.flatMap { channel in
            var buffer = channel.allocator.buffer(capacity: 16)
            buffer.writeBytes(command.bytes)
            // A failed write is not an error yet: clamd may have answered and closed (while
            // reloading, say), and its reply says more.
            return channel.writeAndFlush(buffer).map { channel }.recover { _ in channel }
        }
        do {
            let channel = try await sent.get()
            return ClamdConnection(channel: channel, reply: replyPromise.futureResult, timeout: timeout, scannerName: scannerName)
        } catch {
            // The handler may never have been added: nothing else completes the promise then.
            replyPromise.succeed(.closed(partial: []))
            if case ChannelError.connectTimeout = error {
                throw ScanError(.timeout, "connecting to clamd took longer than \(Self.show(timeout))", scanner: scannerName)
            }
            throw ScanError(.unavailable, "cannot connect to clamd: \(Self.reason(error))", scanner: scannerName)
        }
    }

    /// Writes and flushes `buffer`; returns once the kernel has taken all of it.
    func write(_ buffer: ByteBuffer) async throws(ScanError) {
        // The future form: the async one would wait without a bound.
        let written = channel.eventLoop.makePromise(of: Void.self)
        channel.writeAndFlush(buffer, promise: written)
        try await bounded(written.futureResult, waitingFor: "clamd to take the data")
    }

    /// The reply to the command sent when the connection opened (PING, VERSION), as bytes.
    func reply(to command: ClamdCommand) async throws(ScanError) -> [UInt8] {
        let outcome = try await awaitReply()
        if let error = ClamdReply.error(for: outcome, command: command) { throw error.with(scanner: scannerName) }
        guard case .reply(let bytes) = outcome else { throw ScanError(.protocolError, "no reply", scanner: scannerName) }
        return bytes
    }

    /// Waits for the reply, at most `timeout`.
    func awaitReply() async throws(ScanError) -> ClamdReplyOutcome {
        try await bounded(reply, waitingFor: "clamd's reply")
    }

    /// The reply, if it has already come.
    var arrivedReply: ClamdReplyOutcome? {
        arrived.value.withLock { $0 }
    }

    func close() {
        channel.close(promise: nil)
    }

    private struct TimedOut: Error {}

    private final class ArrivedReply: Sendable {
        let value = Mutex<ClamdReplyOutcome?>(nil)
    }

    /// Waits for `future`, closing the connection when `timeout` passes or the task is cancelled.
    private func bounded<Value: Sendable>(_ future: EventLoopFuture<Value>, waitingFor what: String) async throws(ScanError) -> Value {
        let loop = channel.eventLoop
        let channel = self.channel
        let result = loop.makePromise(of: Value.self)
        let timer = loop.scheduleTask(in: timeout) {
            result.fail(TimedOut())
            channel.close(promise: nil)
        }
        future.whenComplete { outcome in
            timer.cancel()
            result.completeWith(outcome)
        }
        do {
            return try await withTaskCancellationHandler {
                try await result.futureResult.get()
            } onCancel: {
                result.fail(CancellationError())
                channel.close(promise: nil)
            }
        } catch is TimedOut {
            throw ScanError(.timeout, "waited longer than \(Self.show(timeout)) for \(what)", scanner: scannerName)
        } catch is CancellationError {
            throw ScanError(.cancelled, "the task was cancelled while waiting for \(what)", scanner: scannerName)
        } catch {
            throw ScanError(.unavailable, "the connection to clamd failed while waiting for \(what): \(Self.reason(error))", scanner: scannerName)
        }
    }

    /// A short reason from NIO's and the system's errors (no data, no credentials).
    static func reason(_ error: any Error) -> String {
        if let error = error as? IOError { return "\(error.description)" }
        if let error = error as? NIOConnectionError {
            let first = error.connectionErrors.first.map { reason($0.error) }
            if let first { return first }
            if let dnsError = error.dnsAAAAError ?? error.dnsAError { return "cannot resolve \(error.host): \(dnsError)" }
            return "cannot connect to \(error.host):\(error.port)"
        }
        if let error = error as? ChannelError {
            switch error {
            case .ioOnClosedChannel, .alreadyClosed, .eof, .outputClosed: return "the connection was closed"
            default: return "\(error)"
            }
        }
        return String(describing: error)
    }

    static func show(_ amount: TimeAmount) -> String {
        let milliseconds = amount.nanoseconds / 1_000_000
        return milliseconds % 1000 == 0 ? "\(milliseconds / 1000) s" : "\(milliseconds) ms"
    }
}

/// Collects the reply through `ClamdReplyReader` and completes the promise once: with the reply,
/// with `.overlong`, or with `.closed` when the connection ends first. Closes the connection once
/// the reply is complete (one command per connection).
private final class ClamdReplyHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    private var reader = ClamdReplyReader()
    private let promise: EventLoopPromise<ClamdReplyOutcome>
    private var completed = false

    init(promise: EventLoopPromise<ClamdReplyOutcome>) {
        self.promise = promise
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !completed else { return }
        let buffer = unwrapInboundIn(data)
        let outcome = buffer.withUnsafeReadableBytes { reader.consume($0) }
        if let outcome {
            complete(outcome)
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        complete(reader.endOfInput())
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // Reads drained before a failed write are already in the reader; the close completes it.
        context.close(promise: nil)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        complete(reader.endOfInput())
    }

    private func complete(_ outcome: ClamdReplyOutcome) {
        guard !completed else { return }
        completed = true
        promise.succeed(outcome)
    }
}
