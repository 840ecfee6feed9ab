/// What went wrong in the table layer, with the table, object or commit it concerns. Never
/// carries credentials or row data.
public struct TableError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// A key, name, URL or option that cannot be accepted.
        case invalidArgument
        /// The table, namespace or object does not exist.
        case notFound
        /// It exists already.
        case alreadyExists
        /// Another writer committed first and the change conflicts with it.
        case conflict
        /// The catalog or data is not what this version understands.
        case unsupported
        /// Reading or writing storage failed.
        case io
        /// The catalog holds something inconsistent.
        case corrupt
    }

    public let code: Code
    public let reason: String
    /// The table (`namespace.name`) or object key concerned, when there is one.
    public let subject: String?

    public init(_ code: Code, _ reason: String, subject: String? = nil) {
        self.code = code
        self.reason = reason
        self.subject = subject
    }

    public var description: String {
        if let subject { return "\(subject): \(reason)" }
        return reason
    }
}
