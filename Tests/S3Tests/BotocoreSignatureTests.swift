import Foundation
import TestServers
import Testing

@testable import S3

/// Our Signature V4 against botocore's `S3SigV4Auth`, byte for byte: the same requests signed at
/// the same instant by scripts/testenv/botocore_sign.py (run with .venv/bin/python) and by us.
@Suite struct BotocoreSignatureTests {
    struct Case {
        var name: String
        var method: String
        var endpoint: String
        var addressing: S3Configuration.Addressing = .path
        var bucket = "lakegate-bucket"
        var key: String?
        var query: [(String, String)] = []
        var headers: [(String, String)] = []
        var body: [UInt8] = []
        var region = "us-east-1"
        var accessKey = "AKIDEXAMPLE"
        var secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
        var token: String?
        var unsigned = false
        var time: Int64 = 1_767_323_045
    }

    static let cases: [Case] = [
        Case(name: "plain GET, path style, port", method: "GET", endpoint: "http://127.0.0.1:9000", key: "data/file.parquet"),
        Case(
            name: "virtual host on AWS, spaces and unicode", method: "GET", endpoint: "https://s3.eu-west-1.amazonaws.com",
            addressing: .virtualHost, key: "landing zone/Zürich 2026/日本 語.csv", region: "eu-west-1"),
        Case(
            name: "ListObjectsV2 with reserved characters in the query", method: "GET", endpoint: "http://localhost:4566",
            query: [
                ("list-type", "2"), ("encoding-type", "url"), ("prefix", "a b/c+d=e&f?g#h"), ("start-after", "ünï/cødé~x"),
                ("continuation-token", "1+abc/def=="), ("max-keys", "1000"),
            ]),
        Case(name: "CreateMultipartUpload: an empty query value", method: "POST", endpoint: "http://127.0.0.1:9000", key: "big.bin", query: [("uploads", "")]),
        Case(
            name: "PUT with a signed body and Content-MD5", method: "PUT", endpoint: "http://127.0.0.1:9000", key: "small.json",
            headers: [("content-md5", "XrY7u+Ae7tCTyyK7j1rNww=="), ("content-type", "application/json")], body: Array("hello world".utf8)),
        Case(
            name: "PUT over HTTPS with UNSIGNED-PAYLOAD", method: "PUT", endpoint: "https://s3.us-west-2.amazonaws.com",
            addressing: .virtualHost, key: "part.bin", query: [("partNumber", "3"), ("uploadId", "a/b+c==")],
            headers: [("content-md5", "XrY7u+Ae7tCTyyK7j1rNww==")], body: Array(repeating: 7, count: 4096), region: "us-west-2",
            unsigned: true),
        Case(
            name: "range and If-Match headers", method: "GET", endpoint: "http://127.0.0.1:9000", key: "f.parquet",
            headers: [("range", "bytes=100-199"), ("if-match", "\"0123456789abcdef\"")]),
        Case(
            name: "session token", method: "HEAD", endpoint: "https://s3.ap-southeast-2.amazonaws.com", addressing: .virtualHost,
            key: "k", region: "ap-southeast-2", token: "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQ+x/y=="),
        Case(
            name: "DELETE, empty body, upload id", method: "DELETE", endpoint: "http://127.0.0.1:9000", key: "x/y",
            query: [("uploadId", "2~Zk9x-_.AB")]),
        Case(
            name: "hostile key", method: "GET", endpoint: "http://127.0.0.1:9000",
            key: "/leading//double/100% + plus=eq&amp?q#frag~tilde!*'();:@$,[]\u{7F}é"),
        Case(
            name: "CopyObject header and trimmed header values", method: "PUT", endpoint: "http://127.0.0.1:9000", key: "to/b c",
            headers: [("x-amz-copy-source", "lakegate-bucket/from/a%20b%2Bc"), ("x-amz-copy-source-if-match", "\"e\""), ("content-type", "  text/plain;   charset=utf-8  ")]),
        Case(
            name: "virtual host with a port, bucket request", method: "GET", endpoint: "http://s3.lakegate.test:9000", addressing: .virtualHost,
            query: [("list-type", "2"), ("prefix", "")], time: 951_782_399),
        Case(name: "empty-body PUT", method: "PUT", endpoint: "http://127.0.0.1:9000", key: "empty", headers: [("content-md5", "1B2M2Y8AsgTpgAmY7PhCfg==")]),
    ]

    @Test func signaturesMatchBotocore() async throws {
        let python = MotoTestServer.python
        guard FileManager.default.isExecutableFile(atPath: python) else {
            Issue.record("\(python) is missing: run scripts/setup.sh (it creates .venv with botocore)")
            return
        }
        let input: [[String: Any]] = Self.cases.map { c in
            [
                "method": c.method, "endpoint": c.endpoint, "addressing": c.addressing == .path ? "path" : "virtual",
                "bucket": c.bucket, "key": c.key as Any, "params": c.query.map { [$0.0, $0.1] }, "headers": c.headers.map { [$0.0, $0.1] },
                "body_hex": S3Encoding.hex(c.body), "region": c.region, "access_key": c.accessKey, "secret_key": c.secret,
                "token": c.token as Any, "unsigned": c.unsigned, "timestamp": S3Timestamp(secondsSinceEpoch: c.time).amzDate,
            ]
        }
        let file = NSTemporaryDirectory() + "lakegate-sign-\(UUID().uuidString).json"
        try JSONSerialization.data(withJSONObject: input).write(to: URL(fileURLWithPath: file))
        defer { try? FileManager.default.removeItem(atPath: file) }
        let result = try await TestProcess.run(python, [MotoTestServer.projectFile("scripts/testenv/botocore_sign.py"), file])
        guard result.exitCode == 0 else {
            Issue.record("botocore_sign.py failed (run scripts/setup.sh if botocore is missing): \(result.errors)")
            return
        }
        let expected = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [[String: Any]])
        try #require(expected.count == Self.cases.count)
        for (c, theirs) in zip(Self.cases, expected) {
            var configuration = S3Configuration(
                endpoint: c.endpoint, region: c.region, addressing: c.addressing,
                credentials: S3Credentials(accessKeyId: c.accessKey, secretAccessKey: c.secret, sessionToken: c.token),
                payloadSigning: c.unsigned ? .unsignedOverHTTPS : .signed)
            configuration.connectTo = nil
            let request = S3Request(operation: c.name, method: c.method, bucket: c.bucket, key: c.key, query: c.query, headers: c.headers, body: c.body)
            let ours = try S3RequestPreparer(configuration: configuration).prepare(request, at: S3Timestamp(secondsSinceEpoch: c.time))
            // botocore's URL keeps the query apart (params); compare the path part.
            let ourURL = ours.url.split(separator: "?", maxSplits: 1).first.map(String.init)
            #expect(ourURL == theirs["url"] as? String, "\(c.name): URL")
            #expect(ours.header("authorization") == theirs["authorization"] as? String, "\(c.name): Authorization")
            #expect(ours.header("x-amz-date") == theirs["x-amz-date"] as? String, "\(c.name): x-amz-date")
            #expect(ours.header("x-amz-content-sha256") == theirs["x-amz-content-sha256"] as? String, "\(c.name): x-amz-content-sha256")
            #expect(ours.header("x-amz-security-token") == theirs["x-amz-security-token"] as? String, "\(c.name): x-amz-security-token")
        }
        #expect(Self.cases.count >= 10)
    }
}
