/// Where clamd listens: its Unix socket (clamd.conf's LocalSocket) or a TCP address (TCPSocket
/// and TCPAddr).
public enum ClamdAddress: Sendable, Hashable, CustomStringConvertible {
    case unix(String)
    case tcp(host: String, port: Int)

    /// clamd's default TCPSocket.
    public static let defaultPort = 3310

    /// Parses "unix:/run/clamav/clamd.ctl" (also "unix:///run/…" or a bare absolute path),
    /// "tcp://127.0.0.1:3310", "tcp://[::1]:3310" or "tcp://clamav" (port 3310).
    public init(parsing text: String) throws(ScanError) {
        guard text.utf8.count <= 1024 else { throw ScanError(.invalidArgument, "a clamd address is at most 1024 bytes") }
        let shown = String(text.prefix(200))
        if text.hasPrefix("tcp://") {
            self = try Self.parseTCP(String(text.dropFirst("tcp://".count)), shown: shown)
            return
        }
        var path = text
        if path.hasPrefix("unix://") {
            path = String(path.dropFirst("unix://".count))
        } else if path.hasPrefix("unix:") {
            path = String(path.dropFirst("unix:".count))
        } else if !path.hasPrefix("/") {
            throw ScanError(.invalidArgument, "clamd address \"\(shown)\": expected unix:/path/to/socket or tcp://host:port")
        }
        guard path.hasPrefix("/") else {
            throw ScanError(.invalidArgument, "clamd address \"\(shown)\": the socket path must be absolute")
        }
        // sun_path holds 108 bytes with the terminating NUL.
        guard path.utf8.count <= 107, !path.utf8.contains(0) else {
            throw ScanError(.invalidArgument, "clamd address \"\(shown)\": a Unix socket path is at most 107 bytes")
        }
        self = .unix(path)
    }

    private static func parseTCP(_ rest: String, shown: String) throws(ScanError) -> ClamdAddress {
        var authority = Substring(rest)
        if authority.hasSuffix("/") { authority = authority.dropLast() }
        let host: Substring
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else {
                throw ScanError(.invalidArgument, "clamd address \"\(shown)\": unclosed [ in the IPv6 host")
            }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else {
                    throw ScanError(.invalidArgument, "clamd address \"\(shown)\": expected :port after the IPv6 host")
                }
                portText = after.dropFirst()
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            portText = authority[authority.index(after: colon)...]
        } else {
            host = authority
        }
        let bracketed = authority.hasPrefix("[")
        let allowed = host.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: "_"):
                true
            case UInt8(ascii: ":"): bracketed
            default: false
            }
        }
        guard !host.isEmpty, host.utf8.count <= 253, allowed else {
            throw ScanError(.invalidArgument, "clamd address \"\(shown)\": expected tcp://host:port with a host name or IP address")
        }
        var port = defaultPort
        if let portText {
            guard let value = Int(portText), (1...65535).contains(value) else {
                throw ScanError(.invalidArgument, "clamd address \"\(shown)\": the port must be 1…65535")
            }
            port = value
        }
        return .tcp(host: String(host), port: port)
    }

    public var description: String {
        switch self {
        case .unix(let path): "unix:\(path)"
        case .tcp(let host, let port): host.contains(":") ? "tcp://[\(host)]:\(port)" : "tcp://\(host):\(port)"
        }
    }
}
