/// What went wrong talking to Redis. Carries the command's name (never its arguments, which hold
/// job fields), the server's error code and message, or the byte offset of a malformed reply. A
/// password never appears here: connection errors name the host and port only.
public struct RedisError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        /// A URL, option or command argument that cannot be accepted.
        case invalidArgument
        /// The server could not be reached (refused, unresolvable, connect timeout).
        case connectionFailed
        /// The connection died while a command was in flight: it may or may not have run.
        case connectionLost
        /// No reply within the command timeout; the connection is closed (its replies would no
        /// longer match their commands) and the command may or may not have run.
        case timeout
        /// AUTH failed or the server wants a password (WRONGPASS, NOAUTH).
        case authentication
        /// The server answered with an error reply; `serverCode` is its first word.
        case server
        /// The reply is not RESP: the connection is closed.
        case protocolError
        /// A reply exceeds a configured limit (bulk length, array count, nesting, line length).
        case limitExceeded
        /// The reply is well-formed but not what the command returns.
        case unexpectedReply
        /// The client or connection was closed by its owner.
        case closed
    }

    public var code: Code
    public var message: String
    /// The server's error code (ERR, WRONGTYPE, BUSYGROUP, NOGROUP, LOADING…) for `.server`.
    public var serverCode: String?
    /// The command's name (XADD), never its arguments.
    public var command: String?
    /// Where in the reply stream a protocol error or limit was found.
    public var offset: Int?

    public init(_ code: Code, _ message: String, serverCode: String? = nil, command: String? = nil, offset: Int? = nil) {
        self.code = code
        self.message = message
        self.serverCode = serverCode
        self.command = command
        self.offset = offset
    }

    /// Whether sending the command again (after a reconnect) may succeed. Server errors are not,
    /// except those that say the server is busy loading or failing over.
    public var isRetryable: Bool {
        switch code {
        case .connectionFailed, .connectionLost, .timeout: true
        case .server: ["LOADING", "BUSY", "TRYAGAIN", "MASTERDOWN", "CLUSTERDOWN"].contains(serverCode ?? "")
        default: false
        }
    }

    public var description: String {
        var text = "RedisError.\(code.rawValue)"
        if let command { text += " (\(command))" }
        text += ": \(message)"
        if let offset { text += " at byte \(offset)" }
        return text
    }

    /// An error reply's text made safe to keep: its first line, cut before any echo of the
    /// command's arguments ("unknown command 'X', with args beginning with: …"), at most 200
    /// characters.
    static func serverMessage(_ text: String) -> String {
        var line = Substring(text.split(separator: "\r", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
        if let echo = line.firstRange(of: ", with args beginning with:") { line = line[..<echo.lowerBound] }
        return line.count > 200 ? String(line.prefix(200)) + "…" : String(line)
    }

    /// The error for an error reply to `command`.
    public static func fromReply(_ text: String, command: String?) -> RedisError {
        let message = serverMessage(text)
        let code = message.split(separator: " ", maxSplits: 1).first.map(String.init) ?? "ERR"
        let kind: Code = ["WRONGPASS", "NOAUTH"].contains(code) ? .authentication : .server
        return RedisError(kind, message, serverCode: code, command: command)
    }
}
