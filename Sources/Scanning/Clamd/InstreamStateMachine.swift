/// What one zINSTREAM session does at each call, without I/O: the session asks it before acting
/// and tells it what happened. Fail closed: every path that is not a complete "stream: OK" ends
/// in another verdict or an error.
struct InstreamStateMachine: Sendable {
    enum State: Sendable, Hashable {
        /// Between sends.
        case streaming
        /// A chunk is being written.
        case sending
        /// The next chunk would pass our own `maxStreamSize`: nothing more goes out.
        case overLimit
        /// clamd answered before the end of the stream (its StreamMaxLength); `finish` returns it.
        case answered(ScanVerdict)
        /// The terminator is out and the reply awaited.
        case finishing
        case finished
        case failed(ScanError)
        case cancelled
    }

    private(set) var state: State = .streaming
    /// Content bytes handed to clamd so far.
    private(set) var bytesSent = 0
    let maxStreamSize: Int?

    init(maxStreamSize: Int?) {
        self.maxStreamSize = maxStreamSize.map { max(0, $0) }
    }

    enum SendAction: Sendable, Hashable {
        /// Write the chunk's frames, then report `sendSucceeded` or `sendFailed`/`replyArrived`.
        case write
        /// Nothing to send (an empty chunk, or the outcome is already known).
        case discard
        /// The limit is reached: close the connection, the verdict is decided.
        case closeAndDiscard
        case fail(ScanError)
    }

    mutating func send(count: Int) -> SendAction {
        switch state {
        case .streaming:
            // A zero length would end the stream.
            if count == 0 { return .discard }
            if let maxStreamSize, count > maxStreamSize - bytesSent {
                state = .overLimit
                return .closeAndDiscard
            }
            state = .sending
            return .write
        case .overLimit, .answered:
            return .discard
        case .sending, .finishing:
            return .fail(ScanError(.invalidArgument, "a scan session takes one call at a time", offset: bytesSent))
        case .finished:
            return .fail(ScanError(.invalidArgument, "send after finish", offset: bytesSent))
        case .failed(let error):
            return .fail(error)
        case .cancelled:
            return .fail(Self.cancelledError(offset: bytesSent))
        }
    }

    mutating func sendSucceeded(count: Int) {
        guard state == .sending else { return }
        bytesSent += count
        state = .streaming
    }

    /// A write failed or timed out, and no reply explains it.
    mutating func sendFailed(_ error: ScanError) -> ScanError {
        fail(error)
    }

    /// A reply came while sending (clamd answers early only when it stops reading: its size
    /// limit, or an error). Returns the error to throw, or nil when the reply is a verdict that
    /// `finish` will return.
    mutating func replyArrived(_ outcome: ClamdReplyOutcome) -> ScanError? {
        guard state == .sending else {
            return state == .cancelled ? Self.cancelledError(offset: bytesSent) : nil
        }
        if let error = ClamdReply.error(for: outcome, command: .instream) { return fail(error) }
        guard case .reply(let bytes) = outcome else { return nil }
        do throws(ScanError) {
            let verdict = try ClamdReply.verdict(bytes)
            // A clean verdict before the stream ended would trust bytes clamd never saw.
            guard verdict != .clean else {
                return fail(ScanError(.protocolError, "clamd answered OK before the end of the stream", offset: bytesSent))
            }
            state = .answered(verdict)
            return nil
        } catch {
            return fail(error)
        }
    }

    enum FinishAction: Sendable, Hashable {
        /// Write the terminator, await the reply, report `replyReceived` (or `finishFailed`).
        case writeTerminatorAndAwaitReply
        /// The verdict is known without clamd; close the connection.
        case verdict(ScanVerdict)
        case fail(ScanError)
    }

    mutating func finish() -> FinishAction {
        switch state {
        case .streaming:
            state = .finishing
            return .writeTerminatorAndAwaitReply
        case .overLimit:
            state = .finished
            return .verdict(.unscannable(reason: "stream longer than the scanner's limit of \(maxStreamSize ?? 0) bytes"))
        case .answered(let verdict):
            state = .finished
            return .verdict(verdict)
        case .sending, .finishing:
            return .fail(ScanError(.invalidArgument, "a scan session takes one call at a time", offset: bytesSent))
        case .finished:
            return .fail(ScanError(.invalidArgument, "finish called twice", offset: bytesSent))
        case .failed(let error):
            return .fail(error)
        case .cancelled:
            return .fail(Self.cancelledError(offset: bytesSent))
        }
    }

    /// The reply to the end of the stream (or how waiting for it ended).
    mutating func replyReceived(_ outcome: ClamdReplyOutcome) -> Result<ScanVerdict, ScanError> {
        guard state == .finishing else {
            return .failure(state == .cancelled ? Self.cancelledError(offset: bytesSent) : ScanError(.invalidArgument, "no reply awaited"))
        }
        if let error = ClamdReply.error(for: outcome, command: .instream) { return .failure(fail(error)) }
        guard case .reply(let bytes) = outcome else { return .failure(fail(ScanError(.protocolError, "no reply"))) }
        do throws(ScanError) {
            let verdict = try ClamdReply.verdict(bytes)
            state = .finished
            return .success(verdict)
        } catch {
            return .failure(fail(error))
        }
    }

    /// Writing the terminator or awaiting the reply timed out or failed without a reply.
    mutating func finishFailed(_ error: ScanError) -> ScanError {
        fail(error)
    }

    /// Returns true when a connection may still be open and must be closed.
    mutating func cancel() -> Bool {
        switch state {
        case .finished, .failed, .cancelled:
            return false
        default:
            state = .cancelled
            return true
        }
    }

    private mutating func fail(_ error: ScanError) -> ScanError {
        if state == .cancelled { return Self.cancelledError(offset: bytesSent) }
        var error = error
        if error.offset == nil { error.offset = bytesSent }
        state = .failed(error)
        return error
    }

    static func cancelledError(offset: Int) -> ScanError {
        ScanError(.cancelled, "the scan session was cancelled", offset: offset)
    }
}
