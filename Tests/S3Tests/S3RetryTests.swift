import Foundation
import TestServers
import Testing

@testable import S3

/// A scripted stand-in (scripts/testenv/s3_fake.py) answers what moto never does: throttling,
/// server errors, dropped connections, errors inside 200 answers. It logs every request, so the
/// tests see how many attempts the client made.
struct FakeS3 {
    struct Response {
        var status = 200
        var headers: [String: String] = [:]
        var body = ""
        var close = false
    }

    let process: TestProcess
    let port: Int
    let logPath: String

    static func start(_ responses: [Response]) async throws -> FakeS3 {
        let python = MotoTestServer.python
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw TestServerError(message: "\(python) is missing: run scripts/setup.sh")
        }
        let base = NSTemporaryDirectory() + "lakegate-s3fake-\(UUID().uuidString)"
        let script: [[String: Any]] = responses.map {
            $0.close ? ["close": true] : ["status": $0.status, "headers": $0.headers, "body": $0.body]
        }
        try JSONSerialization.data(withJSONObject: script).write(to: URL(fileURLWithPath: base + ".json"))
        let process = try TestProcess.spawn(
            python, [MotoTestServer.projectFile("scripts/testenv/s3_fake.py"), base + ".json", base + ".port", base + ".log"])
        for _ in 0..<600 {  // Python may start slowly on a loaded machine: up to a minute
            if let text = try? String(contentsOfFile: base + ".port", encoding: .utf8), let port = Int(text) {
                return FakeS3(process: process, port: port, logPath: base + ".log")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        kill(process.pid, SIGTERM)
        _ = await process.finished()
        throw TestServerError(message: "s3_fake.py did not start")
    }

    /// Stops the server and returns the requests it saw (method and path).
    func finish() async -> [(method: String, path: String, headers: [String: String])] {
        kill(process.pid, SIGTERM)
        _ = await process.finished()
        let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        let base = String(logPath.dropLast(4))
        for suffix in [".json", ".port", ".log"] { unlink(base + suffix) }
        return text.split(separator: "\n").compactMap { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                let method = object["method"] as? String, let path = object["path"] as? String
            else { return nil }
            return (method, path, object["headers"] as? [String: String] ?? [:])
        }
    }

    func client(attempts: Int) throws -> S3Client {
        var configuration = S3Configuration(
            endpoint: "http://127.0.0.1:\(port)", region: "us-east-1",
            credentials: S3Credentials(accessKeyId: "AKIDFAKE", secretAccessKey: "fake-secret-never-shown", sessionToken: "fake-token-never-shown"))
        configuration.retry = .init(maxAttempts: attempts, baseDelay: 0.01, maxDelay: 0.05)
        configuration.timeouts.request = 20
        return try S3Client(configuration: configuration)
    }

    static func error(_ code: String, _ message: String = "x") -> String {
        "<?xml version=\"1.0\"?><Error><Code>\(code)</Code><Message>\(message)</Message><RequestId>REQ-\(code)</RequestId></Error>"
    }
}

@Suite struct S3RetryTests {
    @Test func throttlingAndServerErrorsAreRetriedWithBackoff() async throws {
        let fake = try await FakeS3.start([
            .init(status: 503, body: FakeS3.error("SlowDown")),
            .init(status: 500, body: FakeS3.error("InternalError")),
            .init(status: 200, headers: ["ETag": "\"e\""], body: "hello"),
        ])
        let client = try fake.client(attempts: 3)
        let bytes = try await client.getObjectBytes(bucket: "bucket", key: "k", limit: 100)
        try await client.shutdown()
        let requests = await fake.finish()
        #expect(bytes == Array("hello".utf8))
        #expect(requests.map(\.path) == ["/bucket/k", "/bucket/k", "/bucket/k"])
        // Every attempt is signed afresh with the session token.
        #expect(requests.allSatisfy { $0.headers["X-Amz-Security-Token"] == "fake-token-never-shown" || $0.headers["x-amz-security-token"] == "fake-token-never-shown" })
    }

    @Test func retriesStopAtTheLimitWithATypedRetryableError() async throws {
        let fake = try await FakeS3.start([
            .init(status: 503, body: FakeS3.error("SlowDown", "Please reduce your request rate.")),
            .init(status: 503, body: FakeS3.error("SlowDown", "Please reduce your request rate.")),
        ])
        let client = try fake.client(attempts: 2)
        do throws(S3Error) {
            _ = try await client.listObjectsV2(bucket: "bucket", prefix: "p/")
            Issue.record("a throttled listing succeeded")
        } catch {
            #expect(error.code == .throttled && error.isRetryable && error.s3Code == "SlowDown" && error.httpStatus == 503)
            #expect(error.requestId == "REQ-SlowDown" && error.operation == "ListObjectsV2")
        }
        try await client.shutdown()
        #expect(await fake.finish().count == 2)
    }

    @Test func droppedConnectionsAreRetriedOnlyForIdempotentRequests() async throws {
        let fake = try await FakeS3.start([
            .init(close: true),
            .init(status: 200, headers: ["ETag": "\"p\""]),
            .init(close: true),
        ])
        let client = try fake.client(attempts: 3)
        // A PUT may go again after the connection dropped.
        #expect(try await client.putObject(bucket: "bucket", key: "k", bytes: [1, 2, 3]) == "\"p\"")
        // CreateMultipartUpload (a POST) may not: a second upload could be left behind.
        do throws(S3Error) {
            _ = try await client.createMultipartUpload(bucket: "bucket", key: "k")
            Issue.record("a dropped POST succeeded")
        } catch {
            #expect(error.code == .connection && error.isRetryable)
        }
        try await client.shutdown()
        #expect(await fake.finish().map(\.method) == ["PUT", "PUT", "POST"])
    }

    @Test func anErrorInsideA200AnswerIsAnError() async throws {
        let fake = try await FakeS3.start([
            .init(status: 200, body: FakeS3.error("InternalError", "We encountered an internal error. Please try again.")),
            .init(status: 200, body: "<CompleteMultipartUploadResult><ETag>\"m-2\"</ETag></CompleteMultipartUploadResult>"),
        ])
        let client = try fake.client(attempts: 2)
        let parts = [S3UploadedPart(partNumber: 1, etag: "\"a\""), S3UploadedPart(partNumber: 2, etag: "\"b\"")]
        // The first answer says the completion failed (retryable); the second completes.
        #expect(try await client.completeMultipartUpload(bucket: "bucket", key: "k", uploadId: "u", parts: parts) == "\"m-2\"")
        try await client.shutdown()
        #expect(await fake.finish().count == 2)
    }

    @Test func messagesAreScrubbedOfSecrets() async throws {
        // A misbehaving server (or proxy) echoing what it received.
        let echo = "bad request: secret fake-secret-never-shown token fake-token-never-shown in Authorization AWS4-HMAC-SHA256 Credential=AKIDFAKE/x, Signature=abc123"
        let fake = try await FakeS3.start([.init(status: 400, body: FakeS3.error("InvalidRequest", echo))])
        let client = try fake.client(attempts: 1)
        do throws(S3Error) {
            _ = try await client.headObject(bucket: "bucket", key: "k")  // HEAD: no body, status only
            Issue.record("a 400 HEAD succeeded")
        } catch {
            #expect(error.code == .requestRejected && error.httpStatus == 400)
        }
        try await client.shutdown()
        _ = await fake.finish()

        let second = try await FakeS3.start([.init(status: 400, body: FakeS3.error("InvalidRequest", echo))])
        let other = try second.client(attempts: 1)
        do throws(S3Error) {
            _ = try await other.getObjectBytes(bucket: "bucket", key: "k", limit: 10)
            Issue.record("a 400 GET succeeded")
        } catch {
            #expect(error.code == .requestRejected && error.s3Code == "InvalidRequest")
            #expect(error.message.contains("bad request: secret <redacted> token <redacted> in"))
            for secret in ["fake-secret-never-shown", "fake-token-never-shown", "abc123"] {
                #expect(!error.description.contains(secret), "\(secret)")
                #expect(!error.message.contains(secret), "\(secret)")
            }
        }
        try await other.shutdown()
        _ = await second.finish()
    }
}
