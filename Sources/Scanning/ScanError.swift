/// The one error type of this module: why a scan gave no verdict. A scan that throws leaves the
/// content untrusted (fail closed); `isRetryable` tells the engine whether scanning it again later
/// may work. The description names the scanner and the offset in the stream, never the content
/// or credentials.
public struct ScanError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        /// The scanner cannot be reached: socket missing, connection refused, or lost before a reply.
        case unavailable
        /// Connecting, sending or waiting for the verdict took longer than the configured timeout.
        case timeout
        /// The scanner answered something this client does not understand (garbage, overlong).
        case protocolError
        /// The scanner answered with an error of its own (clamd's "… ERROR", other than a size limit).
        case scannerError
        /// The session was cancelled, or the task awaiting it was.
        case cancelled
        /// An address, option or call the scanner cannot accept (e.g. `send` after `finish`).
        case invalidArgument
        /// Reading the content to scan failed (the `ByteRangeSource` of `scan(_:)`).
        case sourceFailed
    }

    public var code: Code
    public var message: String
    /// The scanner concerned, as `MalwareScanner.name` gives it ("clamd unix:/run/clamav/clamd.ctl").
    public var scanner: String?
    /// Bytes of the stream already handed to the scanner when it happened, for a session.
    public var offset: Int?
    /// Whether scanning the same content again later may give a verdict.
    public var isRetryable: Bool

    public init(_ code: Code, _ message: String, scanner: String? = nil, offset: Int? = nil, isRetryable: Bool? = nil) {
        self.code = code
        self.message = message
        self.scanner = scanner
        self.offset = offset
        self.isRetryable = isRetryable ?? Self.defaultRetryable(code)
    }

    /// A scanner that is down, slow or confused (restarting, reloading its database) may answer
    /// later; a bad address or a misused session will not change by itself.
    static func defaultRetryable(_ code: Code) -> Bool {
        switch code {
        case .unavailable, .timeout, .protocolError, .scannerError: true
        case .cancelled, .invalidArgument, .sourceFailed: false
        }
    }

    public var description: String {
        var text = "ScanError.\(code.rawValue): \(message)"
        if let scanner { text += " (\(scanner))" }
        if let offset { text += " [after \(offset) bytes]" }
        return text
    }

    func with(scanner: String, offset: Int? = nil) -> ScanError {
        var copy = self
        if copy.scanner == nil { copy.scanner = scanner }
        if copy.offset == nil { copy.offset = offset }
        return copy
    }
}
