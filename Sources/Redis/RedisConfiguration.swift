import LakegateCore
/// Where Redis is and how to talk to it. The password never appears in a description, a mirror
/// or an error.
public struct RedisConfiguration: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    public var host: String
    public var port: Int
    /// An ACL user (Redis 6+); nil authenticates as `default` when a password is given.
    public var username: String?
    public var password: String?
    /// The logical database, selected after connecting (SELECT) when not 0.
    public var database: Int
    public var connectTimeout: Duration
    /// How long a command waits for its reply. On expiry the connection is closed: later replies
    /// could no longer be matched to their commands. Blocking commands get their block time on top.
    public var commandTimeout: Duration
    /// Bounds on what a reply may make the client allocate.
    public var limits: RESPParser.Limits
    /// Idle connections of the blocking lane kept for reuse; more are opened while needed.
    public var maxIdleBlockingConnections: Int

    public init(
        host: String = "127.0.0.1", port: Int = 6379, username: String? = nil, password: String? = nil,
        database: Int = 0, connectTimeout: Duration = .seconds(10), commandTimeout: Duration = .seconds(30),
        limits: RESPParser.Limits = RESPParser.Limits(), maxIdleBlockingConnections: Int = 8
    ) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.connectTimeout = connectTimeout
        self.commandTimeout = commandTimeout
        self.limits = limits
        self.maxIdleBlockingConnections = maxIdleBlockingConnections
    }

    /// Parses `redis://[user:password@]host[:port][/db]` (also `redis://:password@host`). User and
    /// password may be percent-encoded; an IPv6 host goes in brackets. TLS (`rediss://`) is not
    /// supported. Messages never quote the URL: it may hold the password.
    public init(url: String) throws(RedisError) {
        self.init()
        var rest = Substring(url).drop(while: \.isWhitespace)
        while rest.last?.isWhitespace == true { rest = rest.dropLast() }
        if rest.hasPrefix("rediss://") { throw Self.invalid("rediss:// (TLS) is not supported") }
        guard rest.hasPrefix("redis://") else { throw Self.invalid("a Redis URL starts with redis://") }
        rest = rest.dropFirst("redis://".count)
        if let query = rest.firstIndex(of: "?") { rest = rest[..<query] }
        var path: Substring = ""
        if let slash = rest.firstIndex(of: "/") {
            path = rest[rest.index(after: slash)...]
            rest = rest[..<slash]
        }
        // The last "@" ends the user info: a password may hold an unencoded "@".
        if let at = rest.lastIndex(of: "@") {
            let userInfo = rest[..<at]
            rest = rest[rest.index(after: at)...]
            if let colon = userInfo.firstIndex(of: ":") {
                let user = try Self.decode(userInfo[..<colon])
                username = user.isEmpty ? nil : user
                password = try Self.decode(userInfo[userInfo.index(after: colon)...])
            } else if !userInfo.isEmpty {
                // A lone user info is the password, as redis-cli and most clients read it.
                password = try Self.decode(userInfo)
            }
        }
        var hostPart = rest
        if hostPart.hasPrefix("[") {
            guard let close = hostPart.firstIndex(of: "]") else { throw Self.invalid("unclosed [ in the host") }
            let after = hostPart[hostPart.index(after: close)...]
            hostPart = hostPart[hostPart.index(after: hostPart.startIndex)..<close]
            if after.hasPrefix(":") {
                port = try Self.port(after.dropFirst())
            } else if !after.isEmpty {
                throw Self.invalid("unexpected text after the IPv6 host")
            }
        } else if let colon = hostPart.lastIndex(of: ":") {
            port = try Self.port(hostPart[hostPart.index(after: colon)...])
            hostPart = hostPart[..<colon]
        }
        guard !hostPart.isEmpty else { throw Self.invalid("the URL has no host") }
        host = String(hostPart)
        if !path.isEmpty {
            guard let number = Int(path), (0...65_535).contains(number) else {
                throw Self.invalid("the database after / must be a number from 0")
            }
            database = number
        }
    }

    /// The URL without the password, for logs and messages.
    public var description: String {
        var text = "redis://"
        if username != nil || password != nil {
            text += username ?? ""
            if password != nil { text += ":***" }
            text += "@"
        }
        text += host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        if database != 0 { text += "/\(database)" }
        return text
    }

    public var debugDescription: String { "RedisConfiguration(\(description))" }

    public var customMirror: Mirror {
        Mirror(self, children: ["description": description], displayStyle: .struct)
    }

    /// host:port, for connection errors.
    var endpoint: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    private static func invalid(_ message: String) -> RedisError {
        RedisError(.invalidArgument, "Redis URL: " + message)
    }

    private static func port(_ text: Substring) throws(RedisError) -> Int {
        guard let value = Int(text), (1...65_535).contains(value) else {
            throw invalid("the port must be a number from 1 to 65535")
        }
        return value
    }

    private static func decode(_ text: Substring) throws(RedisError) -> String {
        guard let decoded = PercentEncoding.decode(text) else {
            throw invalid("bad percent-encoding in the user info, or not UTF-8 once decoded")
        }
        return decoded
    }
}
