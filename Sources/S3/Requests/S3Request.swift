/// One S3 request before addressing and signing: which operation, on which bucket and key,
/// with which query, headers and body. Pure data; `S3RequestPreparer` turns it into a URL and
/// signed headers.
package struct S3Request: Sendable {
    package var operation: String
    package var method: String
    package var bucket: String
    /// nil for bucket operations (ListObjectsV2, CreateBucket).
    package var key: String?
    /// Raw names and values; encoded when prepared.
    package var query: [(String, String)]
    /// Headers to send and sign (lower-case names).
    package var headers: [(String, String)]
    package var body: [UInt8]
    /// Whether sending it twice does no harm, so connection errors may be retried.
    package var idempotent: Bool

    package init(
        operation: String, method: String, bucket: String, key: String? = nil, query: [(String, String)] = [],
        headers: [(String, String)] = [], body: [UInt8] = [], idempotent: Bool = true
    ) {
        self.operation = operation
        self.method = method
        self.bucket = bucket
        self.key = key
        self.query = query
        self.headers = headers
        self.body = body
        self.idempotent = idempotent
    }

    package func error(
        _ code: S3Error.Code, _ message: String, status: Int? = nil, s3Code: String? = nil, requestId: String? = nil,
        retryable: Bool? = nil
    ) -> S3Error {
        S3Error(
            code, message, operation: operation, bucket: bucket, key: key, httpStatus: status, s3Code: s3Code,
            requestId: requestId, isRetryable: retryable)
    }
}

/// A request ready for the wire: the URL to connect to and every header, Host and Authorization
/// included.
package struct PreparedRequest: Sendable {
    package var method: String
    package var url: String
    package var headers: [(String, String)]
    package var body: [UInt8]

    package func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }
}

/// Addressing (path or virtual-host), the canonical URI and query, and the signature.
package struct S3RequestPreparer: Sendable {
    let configuration: S3Configuration
    let endpoint: S3Endpoint
    let signer: SignatureV4

    package init(configuration: S3Configuration) throws(S3Error) {
        try configuration.validate()
        self.configuration = configuration
        self.endpoint = try configuration.parsedEndpoint()
        self.signer = SignatureV4(credentials: configuration.credentials, region: configuration.region)
    }

    package func prepare(_ request: S3Request, at time: S3Timestamp) throws(S3Error) -> PreparedRequest {
        try Self.validate(bucket: request.bucket, addressing: configuration.addressing, request: request)
        let encodedKey: String
        if let key = request.key {
            guard !key.isEmpty, key.utf8.count <= 1024 else {
                throw request.error(.invalidArgument, "an object key has 1 to 1,024 bytes")
            }
            encodedKey = S3Encoding.uriEncode(key, keepSlash: true)
        } else {
            encodedKey = ""
        }
        let host: String
        let path: String
        switch configuration.addressing {
        case .path:
            host = endpoint.authority
            path = "/" + request.bucket + (request.key == nil ? "" : "/" + encodedKey)
        case .virtualHost:
            host = request.bucket + "." + endpoint.host + (endpoint.port.map { ":\($0)" } ?? "")
            path = "/" + encodedKey
        }
        let payloadHash: String
        if endpoint.secure && configuration.payloadSigning == .unsignedOverHTTPS {
            payloadHash = SignatureV4.unsignedPayload
        } else {
            payloadHash = request.body.isEmpty ? SignatureV4.emptyPayloadHash : S3Encoding.sha256Hex(request.body)
        }
        var headers = [("host", host)] + request.headers
        headers += signer.sign(
            method: request.method, path: path, query: request.query, headers: headers, payloadHash: payloadHash, at: time)
        let query = SignatureV4.canonicalQuery(request.query)
        let connectAuthority = configuration.connectTo.map { "\($0.host):\($0.port)" } ?? host
        let url = endpoint.scheme + "://" + connectAuthority + path + (query.isEmpty ? "" : "?" + query)
        return PreparedRequest(method: request.method, url: url, headers: headers, body: request.body)
    }

    /// Bucket names as S3 allows them (3 to 63 of `a-z 0-9 . -`, plus upper case and `_` that
    /// older and compatible stores accept on path-style requests). Virtual-host names must be DNS labels.
    static func validate(bucket: String, addressing: S3Configuration.Addressing, request: S3Request) throws(S3Error) {
        let bytes = Array(bucket.utf8)
        let lowerDNS = bytes.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2E || $0 == 0x2D }
        let lenient = bytes.allSatisfy {
            ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2E || $0 == 0x2D
                || $0 == 0x5F
        }
        guard (3...63).contains(bytes.count), addressing == .virtualHost ? lowerDNS : lenient,
            bytes.first != UInt8(ascii: "."), bytes.last != UInt8(ascii: "."), !bucket.contains("..")
        else {
            throw request.error(
                .invalidArgument,
                addressing == .virtualHost
                    ? "a bucket for virtual-host addressing is 3 to 63 of a-z, 0-9, '.' and '-'"
                    : "a bucket name is 3 to 63 of letters, digits, '.', '-' and '_'")
        }
    }
}
