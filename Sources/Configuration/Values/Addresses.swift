import LakegateCore
/// Where clamd listens: `tcp://host:port` or `unix:/path/to/clamd.ctl`.
public enum ClamdAddress: Sendable, Hashable, CustomStringConvertible {
    case tcp(host: String, port: Int)
    case unix(path: String)

    /// `tcp://host:port` or `unix:/path` (also `unix:///path`); nil when it is neither.
    public init?(parsing text: String) {
        guard let address = Self.parse(text) else { return nil }
        self = address
    }

    static func parse(_ text: String) -> ClamdAddress? {
        if text.hasPrefix("unix:") {
            var path = String(text.dropFirst("unix:".count))
            if path.hasPrefix("//") { path.removeFirst(2) }  // unix:///run/… as well as unix:/run/…
            guard path.hasPrefix("/"), path.utf8.count <= 107 else { return nil }  // sun_path holds 108 bytes
            return .unix(path: path)
        }
        guard text.hasPrefix("tcp://"), let (host, port) = HostPort.parse(String(text.dropFirst("tcp://".count))) else {
            return nil
        }
        return .tcp(host: host, port: port)
    }

    public var description: String {
        switch self {
        case .tcp(let host, let port): return "tcp://\(HostPort.format(host, port))"
        case .unix(let path): return "unix:\(path)"
        }
    }
}

enum HostPort {
    /// `host:port` or `[v6]:port`, port 1–65535, a host of letters, digits, `.`, `-`, `_` (or an IPv6 literal).
    static func parse(_ text: String) -> (String, Int)? {
        let host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else { return nil }
            host = text[text.index(after: text.startIndex)..<close]
            portText = text[text.index(close, offsetBy: 2)...]
            guard !host.isEmpty, host.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else { return nil }
        } else {
            guard let colon = text.lastIndex(of: ":") else { return nil }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
            guard isHostName(host) else { return nil }
        }
        guard portText.count <= 5, portText.allSatisfy({ $0.isASCII && $0.isNumber }), let port = Int(portText),
            (1...65535).contains(port)
        else { return nil }
        return (String(host), port)
    }

    static func isHostName<S: StringProtocol>(_ host: S) -> Bool {
        !host.isEmpty && host.utf8.count <= 253
            && host.unicodeScalars.allSatisfy { $0.properties.isAlphabetic && $0.isASCII || ("0"..."9").contains($0) || $0 == "." || $0 == "-" || $0 == "_" }
    }

    static func format(_ host: String, _ port: Int) -> String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}

/// A Redis server: `redis://[user[:password]@]host[:port][/db]`, or `rediss://` for TLS.
/// The password is a `Secret`; the description never shows it.
public struct RedisURL: Sendable, Hashable, CustomStringConvertible {
    public var tls: Bool
    public var host: String
    public var port: Int
    public var database: Int
    public var username: String?
    public var password: Secret?

    public init(tls: Bool = false, host: String, port: Int = 6379, database: Int = 0, username: String? = nil, password: Secret? = nil) {
        self.tls = tls
        self.host = host
        self.port = port
        self.database = database
        self.username = username
        self.password = password
    }

    static func parse(_ text: String) -> RedisURL? {
        let tls: Bool
        var rest: Substring
        if text.hasPrefix("redis://") {
            tls = false
            rest = text.dropFirst("redis://".count)
        } else if text.hasPrefix("rediss://") {
            tls = true
            rest = text.dropFirst("rediss://".count)
        } else {
            return nil
        }
        var database = 0
        if let slash = rest.firstIndex(of: "/") {
            let path = rest[rest.index(after: slash)...]
            if !path.isEmpty {
                guard path.count <= 5, path.allSatisfy({ $0.isASCII && $0.isNumber }), let db = Int(path) else { return nil }
                database = db
            }
            rest = rest[..<slash]
        }
        var username: String?
        var password: Secret?
        if let at = rest.lastIndex(of: "@") {
            let userInfo = rest[..<at]
            if let colon = userInfo.firstIndex(of: ":") {
                let user = String(userInfo[..<colon])
                username = user.isEmpty ? nil : percentDecoded(user)
                password = Secret(percentDecoded(String(userInfo[userInfo.index(after: colon)...])))
            } else if !userInfo.isEmpty {
                // redis://secret@host: a lone user part is Redis's (legacy) password.
                password = Secret(percentDecoded(String(userInfo)))
            }
            rest = rest[rest.index(after: at)...]
        }
        let host: String
        var port = 6379
        if rest.contains(":") && !(rest.hasPrefix("[") && rest.hasSuffix("]")) {
            guard let (h, p) = HostPort.parse(String(rest)) else { return nil }
            host = h
            port = p
        } else {
            let bare = rest.hasPrefix("[") ? rest.dropFirst().dropLast() : rest
            guard HostPort.isHostName(bare) || bare.contains(":") else { return nil }
            host = String(bare)
        }
        return RedisURL(tls: tls, host: host, port: port, database: database, username: username, password: password)
    }

    public var description: String {
        var text = tls ? "rediss://" : "redis://"
        if username != nil || password != nil {
            text += username ?? ""
            if password != nil { text += ":<redacted>" }
            text += "@"
        }
        return text + HostPort.format(host, port) + "/\(database)"
    }
}

/// User info decoded for display and use; a broken escape is kept as written (validation of
/// the URL as a whole happens where it is used).
func percentDecoded(_ text: String) -> String {
    PercentEncoding.decode(text) ?? text
}

/// A zone (landing, trusted, quarantine): a local folder (absolute once loaded) or an S3
/// bucket with a key prefix.
public enum ZoneLocation: Sendable, Hashable, CustomStringConvertible {
    case folder(String)
    /// `prefix` is empty or ends with `/`.
    case s3(bucket: String, prefix: String)

    public var description: String {
        switch self {
        case .folder(let path): return path
        case .s3(let bucket, let prefix): return "s3://\(bucket)/\(prefix)"
        }
    }

    /// S3 bucket names: 3–63 lowercase letters, digits, `.` and `-`, starting and ending with a
    /// letter or digit, no `..`, not an IPv4 address, none of the reserved prefixes and suffixes.
    static func bucketProblem(_ bucket: String) -> String? {
        let bytes = Array(bucket.utf8)
        guard (3...63).contains(bytes.count) else { return "a bucket name is 3 to 63 characters" }
        let allowed = bytes.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2E || $0 == 0x2D }
        guard allowed else { return "a bucket name has only lowercase letters, digits, '.' and '-'" }
        let isAlnum: (UInt8) -> Bool = { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) }
        guard isAlnum(bytes[0]), isAlnum(bytes[bytes.count - 1]) else {
            return "a bucket name starts and ends with a letter or digit"
        }
        guard !bucket.contains("..") else { return "a bucket name has no '..'" }
        let parts = bucket.split(separator: ".")
        if parts.count == 4, parts.allSatisfy({ UInt8($0) != nil }) { return "a bucket name is not an IP address" }
        for prefix in ["xn--", "sthree-", "amzn-s3-demo-"] where bucket.hasPrefix(prefix) {
            return "a bucket name does not start with '\(prefix)'"
        }
        for suffix in ["-s3alias", "--ol-s3", "--x-s3", "--table-s3", ".mrap"] where bucket.hasSuffix(suffix) {
            return "a bucket name does not end with '\(suffix)'"
        }
        return nil
    }
}

/// Where jobs and the embedded queue keep their state.
public enum StateLocation: Sendable, Hashable, CustomStringConvertible {
    /// In the lake's own catalog database (DuckLake and Iceberg lakes).
    case lakeCatalog
    case sqlite(path: String)
    /// A PostgreSQL connection URL (its password is redacted when printed).
    case postgres(Secret)

    public var description: String {
        switch self {
        case .lakeCatalog: return "the lake's catalog database"
        case .sqlite(let path): return "sqlite:\(path)"
        case .postgres(let url): return Redaction.connectionString(url.value)
        }
    }
}

/// `host:port` the notification endpoint listens on.
public struct ListenAddress: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    public var description: String { HostPort.format(host, port) }
}

enum Paths {
    /// `path` resolved against `base` when relative, with `.` segments and doubled slashes removed.
    static func resolve(_ path: String, against base: String) -> String {
        let joined = path.hasPrefix("/") ? path : base + "/" + path
        let absolute = joined.hasPrefix("/")
        let parts = joined.split(separator: "/", omittingEmptySubsequences: true).filter { $0 != "." }
        let body = parts.joined(separator: "/")
        if absolute { return "/" + body }
        return body.isEmpty ? "." : body
    }
}
