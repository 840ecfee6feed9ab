import NIOCore
import NIOPosix
import Synchronization

/// clamd over its Unix socket or TCP, one connection per command (zPING, zVERSION, zINSTREAM).
///
/// Verdicts: "stream: OK" is `.clean`; a signature is `.infected`; `Heuristics.Limits.Exceeded.*`
/// (clamd with AlertExceedsMax), clamd's StreamMaxLength ("INSTREAM size limit exceeded") and our
/// own `maxStreamSize` are `.unscannable`. Anything else (another ERROR, a closed connection, a
/// timeout, garbage) throws `ScanError`. Set `maxStreamSize` to clamd's StreamMaxLength or less so
/// that this client, not clamd, stops an oversized stream: nothing more is sent then.
public struct ClamdScanner: MalwareScanner {
    public let address: ClamdAddress
    /// Bounds each wait: connecting, every chunk written, the reply.
    public let timeout: Duration
    public let maxStreamSize: Int?
    private let group: any EventLoopGroup

    public init(address: ClamdAddress, timeout: Duration = .seconds(30), maxStreamSize: Int? = nil) {
        self.init(address: address, timeout: timeout, maxStreamSize: maxStreamSize, group: MultiThreadedEventLoopGroup.singleton)
    }

    /// With an event loop group of the caller's (NIO's shared one otherwise).
    public init(address: ClamdAddress, timeout: Duration, maxStreamSize: Int?, group: any EventLoopGroup) {
        self.address = address
        self.timeout = max(timeout, .milliseconds(1))
        self.maxStreamSize = maxStreamSize.map { max(0, $0) }
        self.group = group
    }

    public var name: String { "clamd \(address)" }

    var timeAmount: TimeAmount {
        let (seconds, attoseconds) = timeout.components
        let clamped = min(seconds, Int64.max / 1_000_000_000 - 1)
        return .nanoseconds(clamped * 1_000_000_000 + attoseconds / 1_000_000_000)
    }

    private func connect(sending command: ClamdCommand) async throws(ScanError) -> ClamdConnection {
        try await ClamdConnection.open(address, sending: command, group: group, timeout: timeAmount, scannerName: name)
    }

    public func ping() async throws(ScanError) {
        let connection = try await connect(sending: .ping)
        defer { connection.close() }
        do throws(ScanError) {
            try ClamdReply.pong(try await connection.reply(to: .ping))
        } catch {
            throw error.with(scanner: name)
        }
    }

    public func version() async throws(ScanError) -> ScannerVersion {
        let connection = try await connect(sending: .version)
        defer { connection.close() }
        do throws(ScanError) {
            return try ClamdReply.version(try await connection.reply(to: .version))
        } catch {
            throw error.with(scanner: name)
        }
    }

    public func openSession() async throws(ScanError) -> any ScanSession {
        let connection = try await connect(sending: .instream)
        return ClamdSession(connection: connection, maxStreamSize: maxStreamSize)
    }
}

/// One zINSTREAM stream. `InstreamStateMachine` decides; this class does what it says.
final class ClamdSession: ScanSession {
    private let connection: ClamdConnection
    private let machine: Mutex<InstreamStateMachine>

    init(connection: ClamdConnection, maxStreamSize: Int?) {
        self.connection = connection
        self.machine = Mutex(InstreamStateMachine(maxStreamSize: maxStreamSize))
    }

    deinit {
        connection.close()
    }

    private var name: String { connection.scannerName }

    /// Content bytes clamd has taken so far.
    var bytesSent: Int { machine.withLock { $0.bytesSent } }

    func send(_ chunk: UnsafeRawBufferPointer) async throws(ScanError) {
        let count = chunk.count
        // A reply before the end means clamd stopped reading (its StreamMaxLength): do not send more.
        let early = connection.arrivedReply
        let action = machine.withLock { machine -> InstreamStateMachine.SendAction in
            let action = machine.send(count: count)
            if action == .write, let early {
                return machine.replyArrived(early).map { .fail($0) } ?? .discard
            }
            return action
        }
        switch action {
        case .write: break
        case .discard: return
        case .closeAndDiscard:
            connection.close()
            return
        case .fail(let error): throw error.with(scanner: name)
        }
        // The caller's memory is only valid during this call: copy it out before suspending.
        var buffer = connection.channel.allocator.buffer(capacity: count + 4 * ClamdFraming.frames(count: count).count)
        for frame in ClamdFraming.frames(count: count) {
            buffer.writeBytes(ClamdFraming.header(frame.length))
            buffer.writeBytes(UnsafeRawBufferPointer(rebasing: chunk[frame.offset..<frame.offset + frame.length]))
        }
        do throws(ScanError) {
            try await connection.write(buffer)
        } catch {
            let thrown: ScanError?
            if error.code == .unavailable, let outcome = try? await connection.awaitReply() {
                // The write failed because clamd answered and closed: its reply decides.
                thrown = machine.withLock { machine in
                    if case .reply = outcome { return machine.replyArrived(outcome) }
                    return machine.sendFailed(error)
                }
            } else {
                thrown = machine.withLock { $0.sendFailed(error) }
            }
            if let thrown { throw thrown.with(scanner: name) }
            return
        }
        machine.withLock { $0.sendSucceeded(count: count) }
    }

    func finish() async throws(ScanError) -> ScanVerdict {
        switch machine.withLock({ $0.finish() }) {
        case .verdict(let verdict):
            connection.close()
            return verdict
        case .fail(let error):
            throw error.with(scanner: name)
        case .writeTerminatorAndAwaitReply:
            break
        }
        var terminator = connection.channel.allocator.buffer(capacity: 4)
        terminator.writeBytes(ClamdFraming.terminator)
        do throws(ScanError) {
            do throws(ScanError) {
                try await connection.write(terminator)
            } catch where error.code != .timeout {
                // clamd may have answered and closed already: its reply says more than the write error.
            }
            let outcome = try await connection.awaitReply()
            let result = machine.withLock { $0.replyReceived(outcome) }
            connection.close()
            return try result.get()
        } catch {
            connection.close()
            let thrown = machine.withLock { machine in
                machine.state == .finishing ? machine.finishFailed(error) : error
            }
            throw thrown.with(scanner: name)
        }
    }

    func cancel() {
        if machine.withLock({ $0.cancel() }) { connection.close() }
    }
}
