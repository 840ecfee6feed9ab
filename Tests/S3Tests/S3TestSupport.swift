import Foundation
import S3
import TestServers

/// Clients of the suite's moto server, each test in its own bucket.
enum S3TestSupport {
    static func configuration(
        addressing: S3Configuration.Addressing = .path, accessKeyId: String = "lakegate-test", secret: String = "lakegate-test-secret"
    ) throws -> S3Configuration {
        let server = try MotoTestServer.current
        var configuration = S3Configuration(
            endpoint: addressing == .path ? server.url : "http://s3.lakegate.test:\(server.port)", region: "us-east-1",
            addressing: addressing, credentials: S3Credentials(accessKeyId: accessKeyId, secretAccessKey: secret))
        if addressing == .virtualHost {
            // bucket.s3.lakegate.test does not resolve: connect to loopback, sign and send that Host.
            configuration.connectTo = ("127.0.0.1", server.port)
        }
        configuration.retry = .init(maxAttempts: 3, baseDelay: 0.05, maxDelay: 0.5)
        return configuration
    }

    /// A client (shut down afterwards) and a fresh bucket.
    static func withBucket<T>(
        addressing: S3Configuration.Addressing = .path, _ body: (S3Client, String) async throws -> T
    ) async throws -> T {
        let client = try S3Client(configuration: try configuration(addressing: addressing))
        do {
            let bucket = "lakegate-\(UUID().uuidString.lowercased().prefix(18))"
            try await client.createBucket(bucket)
            let result = try await body(client, bucket)
            try await client.shutdown()
            return result
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    /// Deterministic bytes that differ at every offset's neighbourhood (catches shifted ranges).
    static func pattern(_ count: Int, seed: UInt64 = 1) -> [UInt8] {
        var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        return (0..<count).map { _ in
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return UInt8(truncatingIfNeeded: state)
        }
    }
}
