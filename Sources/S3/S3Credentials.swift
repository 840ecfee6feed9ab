/// An access key pair, with the session token of temporary credentials. Its description shows
/// the access key id only: the secret and the token never reach a log.
public struct S3Credentials: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    public var accessKeyId: String
    public var secretAccessKey: String
    public var sessionToken: String?

    public init(accessKeyId: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
    }

    /// AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and (when set) AWS_SESSION_TOKEN; nil when either
    /// of the first two is missing or empty.
    public static func fromEnvironment(_ environment: [String: String]) -> S3Credentials? {
        guard let id = environment["AWS_ACCESS_KEY_ID"], !id.isEmpty,
            let secret = environment["AWS_SECRET_ACCESS_KEY"], !secret.isEmpty
        else { return nil }
        let token = environment["AWS_SESSION_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        return S3Credentials(accessKeyId: id, secretAccessKey: secret, sessionToken: token)
    }

    public var description: String {
        "S3Credentials(accessKeyId: \(accessKeyId), secret: <redacted>\(sessionToken == nil ? "" : ", session token: <redacted>"))"
    }
    public var debugDescription: String { description }
}
