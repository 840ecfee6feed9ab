import Foundation
import TestServers
import Testing

@testable import S3

/// The client against a real moto_server on loopback (started by scripts/testenv/moto.sh).
@Suite(.motoServer) struct S3ClientTests {
    @Test(arguments: [S3Configuration.Addressing.path, .virtualHost])
    func putGetHeadDelete(addressing: S3Configuration.Addressing) async throws {
        try await S3TestSupport.withBucket(addressing: addressing) { client, bucket in
            let bytes = S3TestSupport.pattern(10_000)
            let etag = try await client.putObject(bucket: bucket, key: "dir/file.bin", bytes: bytes, contentType: "application/octet-stream")
            #expect(etag.hasPrefix("\"") && etag.count > 2)
            let head = try #require(try await client.headObject(bucket: bucket, key: "dir/file.bin"))
            #expect(head.size == 10_000 && head.etag == etag)
            #expect(head.lastModified.map { abs($0 - Date().timeIntervalSince1970) < 3600 } == true)
            #expect(try await client.getObjectBytes(bucket: bucket, key: "dir/file.bin", limit: 10_000) == bytes)
            #expect(try await client.getObjectBytes(bucket: bucket, key: "dir/file.bin", range: 5..<17, limit: 100) == Array(bytes[5..<17]))
            #expect(try await client.getObjectBytes(bucket: bucket, key: "dir/file.bin", range: 9_990..<10_000, limit: 100) == Array(bytes[9_990...]))
            // Whole reads honour the caller's limit.
            do throws(S3Error) {
                _ = try await client.getObjectBytes(bucket: bucket, key: "dir/file.bin", limit: 9_999)
                Issue.record("a read above the limit succeeded")
            } catch {
                #expect(error.code == .tooLarge)
            }
            try await client.deleteObject(bucket: bucket, key: "dir/file.bin")
            try await client.deleteObject(bucket: bucket, key: "dir/file.bin")  // twice is fine
            #expect(try await client.headObject(bucket: bucket, key: "dir/file.bin") == nil)
            let empty = try await client.putObject(bucket: bucket, key: "empty", bytes: [])
            #expect(!empty.isEmpty)
            #expect(try await client.headObject(bucket: bucket, key: "empty")?.size == 0)
            #expect(try await client.getObjectBytes(bucket: bucket, key: "empty", limit: 10) == [])
        }
    }

    @Test func missingObjectsAreTypedNotFound() async throws {
        try await S3TestSupport.withBucket { client, bucket in
            do throws(S3Error) {
                _ = try await client.getObjectBytes(bucket: bucket, key: "no/such key", limit: 100)
                Issue.record("a missing object was read")
            } catch {
                #expect(error.code == .notFound && error.isNotFound && !error.isRetryable)
                #expect(error.httpStatus == 404 && error.s3Code == "NoSuchKey")
                #expect(error.operation == "GetObject" && error.bucket == bucket && error.key == "no/such key")
                #expect(error.requestId != nil)
            }
            do throws(S3Error) {
                _ = try await client.getObject(bucket: bucket, key: "missing")
                Issue.record("a missing object was streamed")
            } catch {
                #expect(error.code == .notFound && error.s3Code == "NoSuchKey")
            }
            do throws(S3Error) {
                _ = try await client.listObjectsV2(bucket: "lakegate-no-such-bucket")
                Issue.record("a missing bucket was listed")
            } catch {
                #expect(error.code == .notFound && error.s3Code == "NoSuchBucket")
            }
        }
    }

    @Test func hostileKeysRoundTrip() async throws {
        let keys = [
            "with space/and+plus", "percent%20literal%", "unicode/Zürich/日本語/😀.txt", "equals=and&amp;?query#hash",
            "tilde~star*paren()quote'bang!", "double//slash", "trailing/", "[brackets]{braces}|pipe^caret`tick",
            "semi;colon:comma,at@dollar$", "a+b+c", "a b c", "-leading-dash", "é",
        ]
        try await S3TestSupport.withBucket { client, bucket in
            for (index, key) in keys.enumerated() {
                try await client.putObject(bucket: bucket, key: key, bytes: Array(key.utf8) + [UInt8(index)])
            }
            for (index, key) in keys.enumerated() {
                #expect(try await client.getObjectBytes(bucket: bucket, key: key, limit: 1000) == Array(key.utf8) + [UInt8(index)], "\(key)")
                #expect(try await client.headObject(bucket: bucket, key: key)?.size == key.utf8.count + 1, "\(key)")
            }
            let listed = try await client.listAllObjects(bucket: bucket).map(\.key)
            #expect(listed == keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
            // Prefixes and start-after with the same characters.
            #expect(try await client.listObjectsV2(bucket: bucket, prefix: "unicode/Zürich/").objects.map(\.key) == ["unicode/Zürich/日本語/😀.txt"])
            #expect(try await client.listObjectsV2(bucket: bucket, prefix: "a", startAfter: "a b c").objects.map(\.key) == ["a+b+c"])
            try await client.copyObject(bucket: bucket, sourceKey: "percent%20literal%", to: "copy of/100% + more")
            #expect(try await client.getObjectBytes(bucket: bucket, key: "copy of/100% + more", limit: 100).count == "percent%20literal%".utf8.count + 1)
            for key in keys { try await client.deleteObject(bucket: bucket, key: key) }
            #expect(try await client.listAllObjects(bucket: bucket).map(\.key) == ["copy of/100% + more"])
        }
    }

    @Test func listingPaginates() async throws {
        try await S3TestSupport.withBucket { client, bucket in
            let keys = (0..<2_100).map { "events/" + String(format: "%05d", $0) + ".json" }
            // Sixteen uploads at a time.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (index, key) in keys.enumerated() {
                    if index >= 16 { try await group.next() }
                    group.addTask { try await client.putObject(bucket: bucket, key: key, bytes: [UInt8(index % 256)]) }
                }
                try await group.waitForAll()
            }
            try await client.putObject(bucket: bucket, key: "other/x", bytes: [1])
            let first = try await client.listObjectsV2(bucket: bucket, prefix: "events/", maxKeys: 1000)
            #expect(first.objects.count == 1000 && first.isTruncated && first.nextContinuationToken != nil)
            #expect(first.objects.first?.key == "events/00000.json" && first.objects.last?.key == "events/00999.json")
            #expect(first.objects.allSatisfy { $0.size == 1 && !$0.etag.isEmpty && $0.lastModified > 0 })
            var pages: [Int] = []
            var all: [String] = []
            for try await page in client.listPages(bucket: bucket, prefix: "events/") {
                pages.append(page.objects.count)
                all += page.objects.map(\.key)
            }
            #expect(pages == [1000, 1000, 100])
            #expect(all == keys)
            let after = try await client.listObjectsV2(bucket: bucket, prefix: "events/", startAfter: "events/02000.json", maxKeys: 1000)
            #expect(after.objects.map(\.key) == Array(keys[2001...]) && !after.isTruncated && after.nextContinuationToken == nil)
            #expect(try await client.listAllObjects(bucket: bucket, startAfter: "events/02098.json").map(\.key) == ["events/02099.json", "other/x"])
            let folders = try await client.listObjectsV2(bucket: bucket, delimiter: "/")
            #expect(folders.commonPrefixes == ["events/", "other/"] && folders.objects.isEmpty)
            do throws(S3Error) {
                _ = try await client.listAllObjects(bucket: bucket, limit: 1500)
                Issue.record("listing past its limit succeeded")
            } catch {
                #expect(error.code == .tooLarge)
            }
        }
    }

    @Test func streamingAndConditionalReads() async throws {
        try await S3TestSupport.withBucket { client, bucket in
            let bytes = S3TestSupport.pattern(3 << 20, seed: 7)
            let etag = try await client.putObject(bucket: bucket, key: "big", bytes: bytes)
            var received: [UInt8] = []
            var chunks = 0
            let body = try await client.getObject(bucket: bucket, key: "big", ifMatch: etag)
            #expect(body.contentLength == bytes.count && body.etag == etag)
            for try await chunk in body {
                received += chunk
                chunks += 1
            }
            #expect(received == bytes)
            #expect(chunks > 1)  // delivered piecewise, not as one buffer
            var ranged: [UInt8] = []
            for try await chunk in try await client.getObject(bucket: bucket, key: "big", range: 1_000_000..<1_000_100) { ranged += chunk }
            #expect(ranged == Array(bytes[1_000_000..<1_000_100]))
            // The object changes: a read pinned to the old ETag fails.
            try await client.putObject(bucket: bucket, key: "big", bytes: [1, 2, 3])
            do throws(S3Error) {
                _ = try await client.getObjectBytes(bucket: bucket, key: "big", range: 0..<2, ifMatch: etag, limit: 10)
                Issue.record("a read with a stale If-Match succeeded")
            } catch {
                #expect(error.code == .preconditionFailed && error.httpStatus == 412)
            }
            do throws(S3Error) {
                _ = try await client.getObjectBytes(bucket: bucket, key: "big", range: 10..<20, limit: 10)
                Issue.record("a range past the end succeeded")
            } catch {
                #expect(error.code == .invalidRange)
            }
        }
    }

    @Test func multipartUploadOfTwentyMegabytes() async throws {
        try await S3TestSupport.withBucket { client, bucket in
            let partSize = 5 << 20
            let bytes = S3TestSupport.pattern(20 << 20 + 12_345, seed: 3)
            let uploadId = try await client.createMultipartUpload(bucket: bucket, key: "multi/part.bin")
            var parts: [S3UploadedPart] = []
            var offset = 0
            while offset < bytes.count {
                let end = min(bytes.count, offset + partSize)
                parts.append(
                    try await client.uploadPart(
                        bucket: bucket, key: "multi/part.bin", uploadId: uploadId, partNumber: parts.count + 1, bytes: Array(bytes[offset..<end])))
                offset = end
            }
            #expect(parts.count == 5)
            #expect(try await client.headObject(bucket: bucket, key: "multi/part.bin") == nil)  // not visible before completion
            let etag = try await client.completeMultipartUpload(bucket: bucket, key: "multi/part.bin", uploadId: uploadId, parts: parts)
            #expect(etag.hasSuffix("-5\""))
            #expect(try await client.headObject(bucket: bucket, key: "multi/part.bin")?.size == bytes.count)
            #expect(try await client.getObjectBytes(bucket: bucket, key: "multi/part.bin", limit: bytes.count) == bytes)

            // An aborted upload leaves nothing, and its id is gone.
            let aborted = try await client.createMultipartUpload(bucket: bucket, key: "multi/aborted.bin")
            _ = try await client.uploadPart(bucket: bucket, key: "multi/aborted.bin", uploadId: aborted, partNumber: 1, bytes: Array(bytes[0..<partSize]))
            let listed = try await client.listMultipartUploads(bucket: bucket, prefix: "multi/")
            #expect(listed.uploads.map(\.uploadId) == [aborted] && listed.uploads.first?.key == "multi/aborted.bin" && !listed.isTruncated)
            try await client.abortMultipartUpload(bucket: bucket, key: "multi/aborted.bin", uploadId: aborted)
            try await client.abortMultipartUpload(bucket: bucket, key: "multi/aborted.bin", uploadId: aborted)  // twice is fine
            #expect(try await client.listMultipartUploads(bucket: bucket).uploads.isEmpty)
            #expect(try await client.headObject(bucket: bucket, key: "multi/aborted.bin") == nil)
        }
    }

    @Test func copy() async throws {
        try await S3TestSupport.withBucket { client, bucket in
            let etag = try await client.putObject(bucket: bucket, key: "source", bytes: [1, 2, 3])
            let copied = try await client.copyObject(bucket: bucket, sourceKey: "source", to: "target", ifMatch: etag)
            #expect(copied == etag)  // same bytes, same MD5
            #expect(try await client.getObjectBytes(bucket: bucket, key: "target", limit: 10) == [1, 2, 3])
            // moto ignores x-amz-copy-source-if-match (AWS answers 412 to a wrong one): that the
            // header is sent and signed is checked against botocore in BotocoreSignatureTests.
            do throws(S3Error) {
                try await client.copyObject(bucket: bucket, sourceKey: "missing", to: "target3")
                Issue.record("a copy of nothing succeeded")
            } catch {
                #expect(error.code == .notFound)
            }
        }
    }

    @Test func connectionFailuresAreRetriedThenTyped() async throws {
        // A port nobody listens on: refused at once, retried, then a typed connection error.
        var configuration = try S3TestSupport.configuration()
        configuration.endpoint = "http://127.0.0.1:1"
        configuration.retry = .init(maxAttempts: 2, baseDelay: 0.01, maxDelay: 0.01)
        configuration.timeouts.connect = 0.5  // the HTTP client keeps trying to connect until then
        let client = try S3Client(configuration: configuration)
        do throws(S3Error) {
            _ = try await client.headObject(bucket: "lakegate-any", key: "k")
            Issue.record("a request to a closed port succeeded")
        } catch {
            #expect(error.code == .connection && error.isRetryable)
            #expect(!error.description.contains(configuration.credentials.secretAccessKey))
        }
        do throws(S3Error) {
            _ = try client.getObjectBytesBlocking(bucket: "lakegate-any", key: "k", limit: 10)
            Issue.record("a blocking request to a closed port succeeded")
        } catch {
            #expect(error.code == .connection)
        }
        try await client.shutdown()
    }
}

/// moto in its authenticating mode: it recomputes every signature (with botocore) against the
/// secret of an IAM user, so a request succeeds only when our signature is right.
@Suite(.motoServer(authenticated: true)) struct S3AuthenticationTests {
    @Test func rightCredentialsWorkWrongOnesAreTypedAndSecretFree() async throws {
        let server = try MotoTestServer.current
        let id = try #require(server.accessKeyId)
        let secret = try #require(server.secretAccessKey)
        let good = try S3Client(configuration: try S3TestSupport.configuration(accessKeyId: id, secret: secret))
        let bucket = "lakegate-auth"
        try await good.createBucket(bucket)
        for key in ["plain", "with space/ü+%.bin"] {
            try await good.putObject(bucket: bucket, key: key, bytes: [1, 2, 3])
            #expect(try await good.getObjectBytes(bucket: bucket, key: key, range: 1..<3, limit: 10) == [2, 3])
        }
        #expect(try await good.listObjectsV2(bucket: bucket, prefix: "with space/").objects.count == 1)
        try await good.shutdown()

        let wrongSecret = "wrong-secret-\(UUID().uuidString)"
        for (keyId, secretKey, s3Code) in [(id, wrongSecret, "SignatureDoesNotMatch"), ("AKIAUNKNOWNKEY000000", wrongSecret, "InvalidAccessKeyId")] {
            let bad = try S3Client(configuration: try S3TestSupport.configuration(accessKeyId: keyId, secret: secretKey))
            do throws(S3Error) {
                _ = try await bad.listObjectsV2(bucket: bucket)
                Issue.record("wrong credentials were accepted")
            } catch {
                #expect(error.code == .invalidCredentials && error.s3Code == s3Code && error.httpStatus == 403)
                #expect(!error.isRetryable)
                #expect(!error.description.contains(secretKey) && !error.description.contains("Signature="))
                #expect(!String(reflecting: error).contains(secretKey))
            }
            try await bad.shutdown()
        }
    }
}
