import Crypto

/// AWS Signature Version 4 for S3, pure: a canonical request from the method, the encoded path,
/// the query and the headers, a string to sign over its SHA-256, and an HMAC chain from the
/// secret. Checked byte for byte against botocore's `S3SigV4Auth` in the tests.
package struct SignatureV4: Sendable {
    package static let unsignedPayload = "UNSIGNED-PAYLOAD"
    package static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    let credentials: S3Credentials
    let region: String
    let service: String

    package init(credentials: S3Credentials, region: String, service: String = "s3") {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// The headers signing adds: x-amz-date, x-amz-content-sha256, x-amz-security-token (with a
    /// session token) and Authorization. `path` is already URI-encoded (S3 paths are not
    /// normalized); `query` holds raw names and values; `headers` must include `host`.
    package func sign(
        method: String, path: String, query: [(String, String)], headers: [(String, String)], payloadHash: String,
        at time: S3Timestamp
    ) -> [(String, String)] {
        let amzDate = time.amzDate
        var added: [(String, String)] = [("x-amz-date", amzDate), ("x-amz-content-sha256", payloadHash)]
        if let token = credentials.sessionToken { added.append(("x-amz-security-token", token)) }
        let all = headers + added
        let (canonicalHeaders, signedHeaders) = Self.canonicalHeaders(all)
        let canonicalRequest = [
            method.uppercased(), path, Self.canonicalQuery(query), canonicalHeaders, signedHeaders, payloadHash,
        ].joined(separator: "\n")
        let scope = "\(time.day)/\(region)/\(service)/aws4_request"
        let stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, S3Encoding.sha256Hex(Array(canonicalRequest.utf8))]
            .joined(separator: "\n")
        let signature = S3Encoding.hex(HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: signingKey(day: time.day)))
        added.append(
            ("Authorization", "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyId)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)"))
        return added
    }

    func signingKey(day: String) -> SymmetricKey {
        func mac(_ key: SymmetricKey, _ text: String) -> SymmetricKey {
            SymmetricKey(data: Array(HMAC<SHA256>.authenticationCode(for: Array(text.utf8), using: key)))
        }
        let secret = SymmetricKey(data: Array("AWS4\(credentials.secretAccessKey)".utf8))
        return mac(mac(mac(mac(secret, day), region), service), "aws4_request")
    }

    /// Names and values encoded (everything but unreserved bytes, `/` included), sorted by name
    /// then value, `name=value` joined by `&`; an empty value keeps its `=`.
    package static func canonicalQuery(_ query: [(String, String)]) -> String {
        query.map { (S3Encoding.uriEncode($0.0, keepSlash: false), S3Encoding.uriEncode($0.1, keepSlash: false)) }
            .sorted { $0.0 == $1.0 ? $0.1.utf8.lexicographicallyPrecedes($1.1.utf8) : $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }
            .map { "\($0.0)=\($0.1)" }
            .joined(separator: "&")
    }

    /// `name:value\n` per header, names lower-cased and sorted, values trimmed with inner runs of
    /// spaces collapsed, repeated names joined by `,`; and the `;`-joined list of names.
    static func canonicalHeaders(_ headers: [(String, String)]) -> (String, String) {
        var byName: [String: [String]] = [:]
        for (name, value) in headers {
            let trimmed = value.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }).joined(separator: " ")
            byName[name.lowercased(), default: []].append(trimmed)
        }
        let names = byName.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        var text = ""
        for name in names { text += "\(name):\(byName[name, default: []].joined(separator: ","))\n" }
        return (text, names.joined(separator: ";"))
    }
}
