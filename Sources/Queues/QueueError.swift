import Database
import Redis

/// What went wrong with a queue: the kind (and so whether to retry), the queue's name and the job
/// concerned. Never carries field values; a backend's error is kept by its description, which is
/// itself free of passwords and bound values.
public struct QueueError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        /// The message was delivered again (or acknowledged, released, dead-lettered) since this
        /// lease was given: the caller no longer holds it and must not act on it.
        case leaseLost
        /// A job id, field, consumer name or limit that cannot be accepted.
        case invalidArgument
        /// The backend cannot be reached or lost the connection: retrying later may succeed.
        case unavailable
        /// The backend refused the operation.
        case backend
        /// Stored data this queue cannot read.
        case corrupt
        /// The queue was closed.
        case closed
    }

    public var code: Code
    public var message: String
    /// The queue's name (as `JobQueue.name`).
    public var queue: String?
    public var jobId: String?
    public var isRetryable: Bool

    public init(_ code: Code, _ message: String, queue: String? = nil, jobId: String? = nil, isRetryable: Bool? = nil) {
        self.code = code
        self.message = message
        self.queue = queue
        self.jobId = jobId
        self.isRetryable = isRetryable ?? (code == .unavailable)
    }

    public static func leaseLost(queue: String, jobId: String) -> QueueError {
        QueueError(.leaseLost, "the lease is no longer held by this delivery", queue: queue, jobId: jobId)
    }

    public var description: String {
        var text = "QueueError.\(code.rawValue)"
        if let queue { text += " [\(queue)]" }
        if let jobId { text += " job \(jobId)" }
        return text + ": \(message)"
    }

    static func from(_ error: DatabaseError, queue: String, jobId: String? = nil) -> QueueError {
        // Every queue operation may be tried again (delivery is at-least-once; a repeated
        // acknowledgement answers .leaseLost), so a lost connection is retryable here even when
        // the outcome of its last statement is unknown.
        let transient: Bool
        switch error.kind {
        case .connectionLost, .busy, .serializationFailure: transient = true
        default: transient = false
        }
        return QueueError(transient ? .unavailable : .backend, error.description, queue: queue, jobId: jobId, isRetryable: transient)
    }

    static func from(_ error: RedisError, queue: String, jobId: String? = nil) -> QueueError {
        QueueError(
            error.isRetryable ? .unavailable : .backend, error.description, queue: queue,
            jobId: jobId, isRetryable: error.isRetryable)
    }

    /// Maps whatever a backend threw.
    static func from(_ error: any Error, queue: String, jobId: String? = nil) -> QueueError {
        switch error {
        case let error as QueueError: error
        case let error as DatabaseError: from(error, queue: queue, jobId: jobId)
        case let error as RedisError: from(error, queue: queue, jobId: jobId)
        default: QueueError(.backend, String(describing: error), queue: queue, jobId: jobId)
        }
    }
}
