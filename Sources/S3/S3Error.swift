/// The one error type of the S3 module. It says which operation failed on which bucket and key,
/// what the server answered (HTTP status, S3's error code and request id) and whether trying
/// again may help. It never carries credentials, signatures or object contents: the client scrubs
/// its secret and session token from any server message before keeping it.
public struct S3Error: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        /// No such key, bucket or multipart upload (404, NoSuchKey, NoSuchBucket, NoSuchUpload).
        case notFound
        /// The server refused the credentials: unknown access key, bad signature, expired token.
        case invalidCredentials
        /// The credentials are valid but not allowed to do this (AccessDenied).
        case accessDenied
        /// A condition (If-Match, x-amz-copy-source-if-match) did not hold: the object changed (412).
        case preconditionFailed
        /// The range asked for lies outside the object (416).
        case invalidRange
        /// The server asked us to slow down (503 SlowDown, 429).
        case throttled
        /// The server failed (5xx, InternalError).
        case serverError
        /// The connection failed, was reset or timed out before an answer came.
        case connection
        /// The answer could not be understood, or broke a limit (XML too large, bad numbers).
        case invalidResponse
        /// A bucket, key, option or configuration this client refuses before sending anything.
        case invalidArgument
        /// An object is larger than the caller's limit for reading it whole.
        case tooLarge
        /// The server rejected the request for another reason (400 and friends).
        case requestRejected
    }

    public var code: Code
    /// Ours, or the server's message (at most 200 characters, secrets scrubbed).
    public var message: String
    /// The S3 operation, e.g. `GetObject`.
    public var operation: String
    public var bucket: String?
    public var key: String?
    public var httpStatus: Int?
    /// S3's own error code (`NoSuchKey`, `SignatureDoesNotMatch`, `SlowDown`, …).
    public var s3Code: String?
    /// `x-amz-request-id` (or the error document's RequestId), for the storage provider's support.
    public var requestId: String?
    /// Whether sending the same request again may succeed.
    public var isRetryable: Bool

    public init(
        _ code: Code, _ message: String, operation: String, bucket: String? = nil, key: String? = nil,
        httpStatus: Int? = nil, s3Code: String? = nil, requestId: String? = nil, isRetryable: Bool? = nil
    ) {
        self.code = code
        self.message = Self.excerpt(message)
        self.operation = operation
        self.bucket = bucket
        self.key = key
        self.httpStatus = httpStatus
        self.s3Code = s3Code
        self.requestId = requestId
        self.isRetryable = isRetryable ?? (code == .throttled || code == .serverError || code == .connection)
    }

    public var isNotFound: Bool { code == .notFound }

    public var description: String {
        var text = "S3Error.\(code.rawValue) in \(operation)"
        if let bucket { text += " s3://\(bucket)/" + (key ?? "") }
        var details: [String] = []
        if let httpStatus { details.append("HTTP \(httpStatus)") }
        if let s3Code { details.append(s3Code) }
        if let requestId { details.append("request \(requestId)") }
        if !details.isEmpty { text += " [" + details.joined(separator: ", ") + "]" }
        text += ": \(message)"
        if isRetryable { text += " (retryable)" }
        return text
    }

    /// The error for an S3 error code from a response, by AWS's documented meaning.
    static func code(forS3Code s3Code: String?, status: Int) -> Code {
        switch s3Code {
        case "NoSuchKey", "NoSuchBucket", "NoSuchUpload", "NoSuchVersion": return .notFound
        case "InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken", "InvalidToken", "TokenRefreshRequired",
            "AuthorizationHeaderMalformed", "InvalidSecurity", "RequestTimeTooSkewed":
            return .invalidCredentials
        case "AccessDenied", "AllAccessDisabled", "AccountProblem": return .accessDenied
        case "PreconditionFailed": return .preconditionFailed
        case "InvalidRange": return .invalidRange
        case "SlowDown", "Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequests": return .throttled
        case "InternalError", "ServiceUnavailable", "RequestTimeout": return .serverError
        default: break
        }
        switch status {
        case 404: return .notFound
        case 401: return .invalidCredentials
        case 403: return .accessDenied
        case 412: return .preconditionFailed
        case 416: return .invalidRange
        case 429: return .throttled
        case 500...599: return .serverError
        default: return .requestRejected
        }
    }

    static func excerpt(_ text: String) -> String {
        // Control characters could forge log lines; long messages are someone else's data.
        var cleaned = String(String.UnicodeScalarView(text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? " " : $0 }))
        if cleaned.count > 200 { cleaned = String(cleaned.prefix(200)) + "…" }
        return cleaned
    }
}
