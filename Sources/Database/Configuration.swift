import LakegateCore
import Foundation
import Logging

/// How to open a SQLite catalog file.
public struct SQLiteConfiguration: Sendable, Hashable, CustomStringConvertible {
    public enum Synchronous: String, Sendable, Hashable {
        /// WAL's usual setting: a commit survives a process crash; the last commits may be lost
        /// if the machine loses power. No fsync per commit.
        case normal = "NORMAL"
        /// Every commit is fsynced.
        case full = "FULL"
    }

    /// The file; ":memory:" for a private in-memory database (tests).
    public var path: String
    /// How long a statement waits for another connection's or process's lock before `.busy`.
    public var busyTimeout: Duration
    public var synchronous: Synchronous
    /// Prepared statements kept per connection, keyed by SQL text.
    public var statementCacheCapacity: Int

    public init(
        path: String, busyTimeout: Duration = .seconds(60), synchronous: Synchronous = .normal,
        statementCacheCapacity: Int = 128
    ) {
        self.path = path
        self.busyTimeout = busyTimeout
        self.synchronous = synchronous
        self.statementCacheCapacity = statementCacheCapacity
    }

    public var description: String { "sqlite:\(path)" }
}

/// How to reach a PostgreSQL server. The password never appears in a description, a mirror or an error.
public struct PostgresConfiguration: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    public enum Endpoint: Sendable, Hashable {
        case tcp(host: String, port: Int)
        /// The socket file itself, e.g. /var/run/postgresql/.s.PGSQL.5432.
        case unixSocket(path: String)
    }

    /// libpq's sslmode. `prefer` and `require` encrypt without verifying the certificate, as libpq does.
    public enum TLSMode: String, Sendable, Hashable {
        case disable
        case allow
        case prefer
        case require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }

    public var endpoint: Endpoint
    public var username: String
    public var password: String?
    public var database: String?
    public var tls: TLSMode
    /// The pool's size: transactions beyond it wait for a free connection.
    public var maxConnections: Int
    public var connectTimeout: Duration
    /// Startup parameters sent as they are (application_name, options).
    public var startupParameters: [String: String]

    public init(
        endpoint: Endpoint, username: String, password: String? = nil, database: String? = nil,
        tls: TLSMode = .prefer, maxConnections: Int = 4, connectTimeout: Duration = .seconds(10),
        startupParameters: [String: String] = ["application_name": "lakegate"]
    ) {
        self.endpoint = endpoint
        self.username = username
        self.password = password
        self.database = database
        self.tls = tls
        self.maxConnections = maxConnections
        self.connectTimeout = connectTimeout
        self.startupParameters = startupParameters
    }

    /// A URL without the password, for logs and messages.
    public var description: String {
        var text = "postgresql://\(username)\(password == nil ? "" : ":***")@"
        switch endpoint {
        case .tcp(let host, let port):
            text += host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        case .unixSocket(let path):
            text += "[unix:\(path)]"
        }
        text += "/\(database ?? "") (sslmode=\(tls.rawValue))"
        return text
    }

    public var debugDescription: String { "PostgresConfiguration(\(description))" }

    public var customMirror: Mirror {
        Mirror(self, children: ["description": description], displayStyle: .struct)
    }
}

/// A parsed connection string: which database and how to open it.
public enum DatabaseConfiguration: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    case sqlite(SQLiteConfiguration)
    case postgres(PostgresConfiguration)

    public var dialect: SQLDialect {
        switch self {
        case .sqlite: .sqlite
        case .postgres: .postgres
        }
    }

    public var description: String {
        switch self {
        case .sqlite(let configuration): configuration.description
        case .postgres(let configuration): configuration.description
        }
    }

    public var debugDescription: String { description }

    public var customMirror: Mirror {
        Mirror(self, children: ["description": description], displayStyle: .enum)
    }

    /// Opens the database: SQLite creates the file if needed; PostgreSQL connects once so that a
    /// wrong address or password fails here.
    public func open(logger: Logger? = nil) async throws -> any SQLDatabase {
        switch self {
        case .sqlite(let configuration):
            try await SQLiteDatabase(configuration: configuration)
        case .postgres(let configuration):
            try await PostgresDatabase(configuration: configuration, logger: logger)
        }
    }
}

/// Connection strings, in the forms DuckDB's DuckLake accepts for its catalog:
///
///     sqlite:PATH, sqlite:///abs/path, or a plain PATH      SQLite
///     postgres:postgresql://user:pass@host:port/db?sslmode=disable
///     postgresql://… or postgres://…                        PostgreSQL, URL form
///     postgres:host=… port=… dbname=… user=… password=…     PostgreSQL, libpq key=value form
///
/// A leading "ducklake:" before "sqlite:" or "postgres:" is dropped. URL query parameters and
/// keys: host (a directory for a Unix socket), port, dbname, user, password, sslmode,
/// application_name, options, connect_timeout. Missing user and dbname default to the OS user, as
/// in libpq; a missing host is localhost, port 5432. Environment variables (PGHOST…) are not read.
public enum DatabaseURL {
    public static func parse(_ text: String) throws(DatabaseError) -> DatabaseConfiguration {
        var rest = Substring(text.trimmingCharacters(in: .whitespaces))
        if rest.hasPrefix("ducklake:sqlite:") || rest.hasPrefix("ducklake:postgres:") {
            rest = rest.dropFirst("ducklake:".count)
        }
        if rest.hasPrefix("sqlite:") {
            var path = rest.dropFirst("sqlite:".count)
            if path.hasPrefix("//") { path = path.dropFirst(2) }
            guard !path.isEmpty else { throw invalid("sqlite: needs a file path") }
            return .sqlite(SQLiteConfiguration(path: String(path)))
        }
        if rest.hasPrefix("postgresql://") || rest.hasPrefix("postgres://") {
            return .postgres(try parsePostgresURL(rest))
        }
        if rest.hasPrefix("postgres:") {
            let body = rest.dropFirst("postgres:".count)
            if body.hasPrefix("postgresql://") || body.hasPrefix("postgres://") {
                return .postgres(try parsePostgresURL(body))
            }
            return .postgres(try parseKeyValues(body))
        }
        if let equals = rest.firstIndex(of: "="), libpqKeys.contains(String(rest[..<equals]).trimmingCharacters(in: .whitespaces)) {
            return .postgres(try parseKeyValues(rest))
        }
        guard !rest.isEmpty else { throw invalid("empty connection string") }
        return .sqlite(SQLiteConfiguration(path: String(rest)))
    }

    /// Parses and opens in one step.
    public static func open(_ text: String, logger: Logger? = nil) async throws -> any SQLDatabase {
        try await parse(text).open(logger: logger)
    }

    private static let libpqKeys: Set<String> = [
        "host", "hostaddr", "port", "dbname", "user", "password", "sslmode", "application_name", "options",
        "connect_timeout",
    ]

    // The messages below never quote the input: it may hold a password.
    private static func invalid(_ message: String) -> DatabaseError {
        DatabaseError(.invalidConfiguration, message: message)
    }

    private static func parsePostgresURL(_ text: Substring) throws(DatabaseError) -> PostgresConfiguration {
        let afterScheme = text[text.index(text.firstIndex(of: ":")!, offsetBy: 3)...]  // after "://"
        var authority = afterScheme
        var path: Substring = ""
        var query: Substring = ""
        if let q = authority.firstIndex(of: "?") {
            query = authority[authority.index(after: q)...]
            authority = authority[..<q]
        }
        if let slash = authority.firstIndex(of: "/") {
            path = authority[authority.index(after: slash)...]
            authority = authority[..<slash]
        }
        var values: [String: String] = [:]
        // The last "@" splits user info from the host: a password may hold an unencoded "@".
        if let at = authority.lastIndex(of: "@") {
            let userInfo = authority[..<at]
            authority = authority[authority.index(after: at)...]
            if let colon = userInfo.firstIndex(of: ":") {
                values["user"] = try decode(userInfo[..<colon])
                values["password"] = try decode(userInfo[userInfo.index(after: colon)...])
            } else {
                values["user"] = try decode(userInfo)
            }
        }
        if !authority.isEmpty {
            var host = authority
            if host.hasPrefix("[") {  // [IPv6]:port
                guard let close = host.firstIndex(of: "]") else { throw invalid("PostgreSQL URL: unclosed [ in the host") }
                let after = host[host.index(after: close)...]
                host = host[host.index(after: host.startIndex)..<close]
                if after.hasPrefix(":") { values["port"] = String(after.dropFirst()) }
            } else if let colon = host.lastIndex(of: ":") {
                values["port"] = String(host[host.index(after: colon)...])
                host = host[..<colon]
            }
            if !host.isEmpty { values["host"] = try decode(host) }
        }
        if !path.isEmpty { values["dbname"] = try decode(path) }
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = try decode(parts[0])
            values[key] = parts.count > 1 ? try decode(parts[1]) : ""
        }
        return try configuration(from: values)
    }

    /// libpq's key=value form: values may be single-quoted, with \' and \\ escapes.
    private static func parseKeyValues(_ text: Substring) throws(DatabaseError) -> PostgresConfiguration {
        var values: [String: String] = [:]
        var index = text.startIndex
        func skipSpaces() {
            while index < text.endIndex, text[index].isWhitespace { index = text.index(after: index) }
        }
        while true {
            skipSpaces()
            if index == text.endIndex { break }
            let keyStart = index
            while index < text.endIndex, text[index] != "=", !text[index].isWhitespace { index = text.index(after: index) }
            let key = String(text[keyStart..<index])
            skipSpaces()
            guard index < text.endIndex, text[index] == "=" else {
                throw invalid("PostgreSQL connection string: expected key=value")
            }
            index = text.index(after: index)
            skipSpaces()
            var value = ""
            if index < text.endIndex, text[index] == "'" {
                index = text.index(after: index)
                var closed = false
                while index < text.endIndex {
                    let c = text[index]
                    index = text.index(after: index)
                    if c == "'" { closed = true; break }
                    if c == "\\", index < text.endIndex {
                        value.append(text[index])
                        index = text.index(after: index)
                    } else {
                        value.append(c)
                    }
                }
                guard closed else { throw invalid("PostgreSQL connection string: unterminated quoted value") }
            } else {
                while index < text.endIndex, !text[index].isWhitespace {
                    if text[index] == "\\", text.index(after: index) < text.endIndex {
                        index = text.index(after: index)
                    }
                    value.append(text[index])
                    index = text.index(after: index)
                }
            }
            values[key] = value
        }
        return try configuration(from: values)
    }

    private static func configuration(from values: [String: String]) throws(DatabaseError) -> PostgresConfiguration {
        for key in values.keys where !libpqKeys.contains(key) {
            throw invalid("PostgreSQL connection string: unknown parameter \"\(key.prefix(40))\"")
        }
        var port = 5432
        if let text = values["port"], !text.isEmpty {
            guard let value = Int(text), (1...65535).contains(value) else {
                throw invalid("PostgreSQL connection string: port must be a number from 1 to 65535")
            }
            port = value
        }
        let host = values["hostaddr"].flatMap { $0.isEmpty ? nil : $0 } ?? values["host"].flatMap { $0.isEmpty ? nil : $0 } ?? "localhost"
        let endpoint: PostgresConfiguration.Endpoint =
            host.hasPrefix("/") ? .unixSocket(path: "\(host)/.s.PGSQL.\(port)") : .tcp(host: host, port: port)
        var tls = PostgresConfiguration.TLSMode.prefer
        if let mode = values["sslmode"] {
            guard let parsed = PostgresConfiguration.TLSMode(rawValue: mode) else {
                throw invalid("PostgreSQL connection string: sslmode must be disable, allow, prefer, require, verify-ca or verify-full")
            }
            tls = parsed
        }
        let user = values["user"].flatMap { $0.isEmpty ? nil : $0 } ?? currentUserName()
        var configuration = PostgresConfiguration(
            endpoint: endpoint, username: user, password: values["password"],
            database: values["dbname"].flatMap { $0.isEmpty ? nil : $0 } ?? user, tls: tls)
        if let name = values["application_name"] { configuration.startupParameters["application_name"] = name }
        if let options = values["options"] { configuration.startupParameters["options"] = options }
        if let text = values["connect_timeout"] {
            guard let seconds = Int(text), seconds >= 0 else {
                throw invalid("PostgreSQL connection string: connect_timeout must be whole seconds")
            }
            if seconds > 0 { configuration.connectTimeout = .seconds(seconds) }
        }
        return configuration
    }

    private static func decode(_ text: Substring) throws(DatabaseError) -> String {
        guard let decoded = PercentEncoding.decode(text) else {
            throw invalid("PostgreSQL URL: bad percent-encoding, or not UTF-8 once decoded")
        }
        return decoded
    }

    private static func currentUserName() -> String {
        if let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name {
            return String(cString: name)
        }
        return "postgres"
    }
}
