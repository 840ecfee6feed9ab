/// How an `S3Client` reaches its storage. Plain values with defaults; `validate()` runs in the
/// client's initializer, so a bad endpoint or region fails before any request.
public struct S3Configuration: Sendable {
    public enum Addressing: String, Sendable {
        /// `https://endpoint/bucket/key`: what S3-compatible servers (MinIO, moto, Ceph) expect.
        case path
        /// `https://bucket.endpoint/key`: AWS's default.
        case virtualHost
    }

    /// Whether the body's SHA-256 goes into the signature. Over plain HTTP it always does (as
    /// botocore does); over HTTPS `.unsignedOverHTTPS` sends `UNSIGNED-PAYLOAD` and relies on
    /// TLS and Content-MD5, saving one hash pass over every uploaded byte.
    public enum PayloadSigning: Sendable {
        case signed
        case unsignedOverHTTPS
    }

    /// `scheme://host[:port]` without a path; nil means AWS: `https://s3.<region>.amazonaws.com`.
    public var endpoint: String?
    public var region: String
    public var addressing: Addressing
    public var credentials: S3Credentials
    public var payloadSigning: PayloadSigning
    /// Connect to this host and port instead of the endpoint's own (like curl's `--connect-to`),
    /// keeping the signed Host header. For virtual-host addressing against a server on loopback,
    /// where `bucket.host` does not resolve.
    public var connectTo: (host: String, port: Int)?
    public var timeouts: Timeouts
    public var retry: RetryPolicy
    public var limits: Limits

    public struct Timeouts: Sendable {
        /// Seconds to establish a connection.
        public var connect: Double = 10
        /// Seconds for a whole request without a body worth mentioning (list, head, delete, small
        /// puts); for a streamed GET, until its answer starts.
        public var request: Double = 60
        /// The longest silence, in seconds, while a streamed body is expected to flow.
        public var read: Double = 60
        /// Seconds for a request moving up to `limits.partSize`-like bodies (parts, ranged reads).
        public var transfer: Double = 300
        public init() {}
    }

    /// Retries of transient failures (5xx, SlowDown, connection errors), with exponential backoff
    /// and full jitter. Connection errors are retried only for idempotent requests: a POST that may
    /// have reached the server is not sent twice.
    public struct RetryPolicy: Sendable {
        /// Attempts in all, the first included (1 turns retries off).
        public var maxAttempts: Int = 4
        /// Seconds before the first retry (before jitter), doubling each time.
        public var baseDelay: Double = 0.1
        /// The longest wait between attempts, in seconds.
        public var maxDelay: Double = 5
        public init() {}
        public init(maxAttempts: Int, baseDelay: Double = 0.1, maxDelay: Double = 5) {
            self.maxAttempts = maxAttempts
            self.baseDelay = baseDelay
            self.maxDelay = maxDelay
        }

        /// The wait before attempt `attempt + 1` (attempt counts from 1), before jitter.
        package func ceiling(afterAttempt attempt: Int) -> Double {
            min(maxDelay, baseDelay * Double(1 << min(max(attempt - 1, 0), 30)))
        }
    }

    /// Bounds on what the server's answers may make us hold in memory.
    public struct Limits: Sendable {
        /// The largest XML document accepted (a ListObjectsV2 page of 1,000 long keys is ~1 MiB).
        public var maxXMLBytes: Int = 8 << 20
        /// The most elements one XML document may have.
        public var maxXMLElements: Int = 100_000
        /// The largest single response header value kept (ETag, request id, …).
        public var maxHeaderBytes: Int = 8 << 10
        /// Most keys a list page may return (S3's own maximum is 1,000).
        public var maxListKeys: Int = 1000
        public init() {}
    }

    public init(
        endpoint: String? = nil, region: String, addressing: Addressing = .path, credentials: S3Credentials,
        payloadSigning: PayloadSigning = .signed
    ) {
        self.endpoint = endpoint
        self.region = region
        self.addressing = addressing
        self.credentials = credentials
        self.payloadSigning = payloadSigning
        self.connectTo = nil
        self.timeouts = Timeouts()
        self.retry = RetryPolicy()
        self.limits = Limits()
    }

    /// Credentials from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN; the region from
    /// AWS_REGION, else AWS_DEFAULT_REGION; the endpoint from AWS_ENDPOINT_URL_S3, else
    /// AWS_ENDPOINT_URL (nil: AWS). A custom endpoint gets path-style addressing, AWS virtual-host.
    public static func fromEnvironment(_ environment: [String: String]) throws(S3Error) -> S3Configuration {
        guard let credentials = S3Credentials.fromEnvironment(environment) else {
            throw S3Error(.invalidArgument, "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set", operation: "Configure")
        }
        let region = [environment["AWS_REGION"], environment["AWS_DEFAULT_REGION"]].compactMap { $0 }.first { !$0.isEmpty }
        guard let region else {
            throw S3Error(.invalidArgument, "AWS_REGION or AWS_DEFAULT_REGION must be set", operation: "Configure")
        }
        let endpoint = [environment["AWS_ENDPOINT_URL_S3"], environment["AWS_ENDPOINT_URL"]].compactMap { $0 }.first { !$0.isEmpty }
        let configuration = S3Configuration(
            endpoint: endpoint, region: region, addressing: endpoint == nil ? .virtualHost : .path, credentials: credentials)
        try configuration.validate()
        return configuration
    }

    /// The endpoint as parts; checks region, endpoint and limits.
    package func validate() throws(S3Error) {
        guard !region.isEmpty, region.utf8.count <= 64,
            region.utf8.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D || ($0 >= 0x41 && $0 <= 0x5A) || $0 == 0x5F })
        else {
            throw S3Error(.invalidArgument, "a region is letters, digits, '-' and '_'", operation: "Configure")
        }
        guard !credentials.accessKeyId.isEmpty, !credentials.secretAccessKey.isEmpty else {
            throw S3Error(.invalidArgument, "the access key id and secret must not be empty", operation: "Configure")
        }
        _ = try parsedEndpoint()
        guard retry.maxAttempts >= 1, retry.maxAttempts <= 20, retry.baseDelay >= 0, retry.maxDelay >= 0 else {
            throw S3Error(.invalidArgument, "retries: 1 to 20 attempts, delays not negative", operation: "Configure")
        }
        guard timeouts.connect > 0, timeouts.request > 0, timeouts.read > 0, timeouts.transfer > 0,
            timeouts.transfer < 1e6, timeouts.request < 1e6, timeouts.read < 1e6, timeouts.connect < 1e6
        else {
            throw S3Error(.invalidArgument, "timeouts are positive numbers of seconds", operation: "Configure")
        }
        guard limits.maxXMLBytes > 0, limits.maxXMLElements > 0, limits.maxHeaderBytes > 0, limits.maxListKeys > 0 else {
            throw S3Error(.invalidArgument, "limits must be positive", operation: "Configure")
        }
    }

    package func parsedEndpoint() throws(S3Error) -> S3Endpoint {
        guard let endpoint else {
            return S3Endpoint(secure: true, host: "s3.\(region).amazonaws.com", port: nil)
        }
        return try S3Endpoint(parsing: endpoint)
    }
}

/// `scheme://host[:port]`, checked: no user info, path, query or fragment (so nothing in it can
/// change what is signed).
package struct S3Endpoint: Sendable, Hashable {
    package var secure: Bool
    package var host: String
    /// nil: the scheme's default (not written in the Host header).
    package var port: Int?

    package init(secure: Bool, host: String, port: Int?) {
        self.secure = secure
        self.host = host
        self.port = port
    }

    package init(parsing text: String) throws(S3Error) {
        var rest = Substring(text)
        if rest.hasPrefix("https://") {
            secure = true
            rest = rest.dropFirst(8)
        } else if rest.hasPrefix("http://") {
            secure = false
            rest = rest.dropFirst(7)
        } else {
            throw S3Error(.invalidArgument, "an endpoint starts with http:// or https://", operation: "Configure")
        }
        if rest.hasSuffix("/") { rest = rest.dropLast() }
        var hostPart = rest
        port = nil
        if let colon = rest.lastIndex(of: ":"), !rest[colon...].contains("]") {
            hostPart = rest[..<colon]
            guard let number = Int(rest[rest.index(after: colon)...]), number > 0, number < 65536 else {
                throw S3Error(.invalidArgument, "an endpoint's port is 1 to 65535", operation: "Configure")
            }
            port = number
        }
        let allowed = hostPart.utf8.allSatisfy { byte in
            (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x30 && byte <= 0x39)
                || byte == 0x2D || byte == 0x2E || byte == 0x5B || byte == 0x5D || byte == 0x3A
        }
        guard !hostPart.isEmpty, hostPart.utf8.count <= 253, allowed else {
            throw S3Error(.invalidArgument, "an endpoint is scheme://host[:port], nothing more", operation: "Configure")
        }
        host = hostPart.lowercased()
        if port == (secure ? 443 : 80) { port = nil }
    }

    /// `host` or `host:port`, as the Host header carries it.
    package var authority: String { port.map { "\(host):\($0)" } ?? host }
    package var scheme: String { secure ? "https" : "http" }
}
