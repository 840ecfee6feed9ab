/// What went wrong in the ingestion pipeline, with the job, client and object it concerns.
/// Never carries credentials or file contents.
public struct IngestionError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// A setting, client name, key or argument that cannot be accepted.
        case invalidArgument
        /// No such job, object or client.
        case notFound
        /// The file could not be read or loaded (bad content, transform failure, schema clash).
        case badInput
        /// A key that would leave its zone or reach another client's prefix.
        case hostileKey
        /// The scanner could not give a verdict (down, timing out, answering an error).
        case scannerUnavailable
        /// Storage, the catalog database or the queue failed; a retry may help.
        case unavailable
        /// A job is not in a state that allows the operation.
        case invalidState
    }

    public let code: Code
    public let message: String
    public let jobId: String?
    public let subject: String?

    public init(_ code: Code, _ message: String, jobId: String? = nil, subject: String? = nil) {
        self.code = code
        self.message = message
        self.jobId = jobId
        self.subject = subject
    }

    /// Whether trying the same work again later may succeed.
    public var isRetryable: Bool { code == .scannerUnavailable || code == .unavailable }

    public var description: String {
        var text = message
        if let subject { text = "\(subject): " + text }
        if let jobId { text = "job \(jobId): " + text }
        return text
    }
}
