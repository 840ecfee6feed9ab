import Testing

@testable import S3

/// The parts without I/O: encoding, timestamps, XML, errors, configuration.
@Suite struct S3EncodingTests {
    @Test func uriEncodingKeepsOnlyUnreservedBytes() {
        #expect(S3Encoding.uriEncode("a b/c+d%e~f_g.h-i", keepSlash: true) == "a%20b/c%2Bd%25e~f_g.h-i")
        #expect(S3Encoding.uriEncode("a/b", keepSlash: false) == "a%2Fb")
        #expect(S3Encoding.uriEncode("ü€😀", keepSlash: true) == "%C3%BC%E2%82%AC%F0%9F%98%80")
        #expect(S3Encoding.uriEncode("!*'();:@&=$,?#[]", keepSlash: true) == "%21%2A%27%28%29%3B%3A%40%26%3D%24%2C%3F%23%5B%5D")
        #expect(S3Encoding.percentDecode("a+b%2Bc%20%C3%BC", plusIsSpace: true) == "a b+c ü")
        #expect(S3Encoding.percentDecode("a+b", plusIsSpace: false) == "a+b")
        #expect(S3Encoding.percentDecode("%zz", plusIsSpace: true) == nil)
        #expect(S3Encoding.percentDecode("%C3", plusIsSpace: true) == nil)  // not UTF-8
    }

    @Test func canonicalQuerySortsEncodedNamesThenValues() {
        let query = SignatureV4.canonicalQuery([("prefix", "a b/c"), ("list-type", "2"), ("uploads", ""), ("b", "2"), ("b", "1")])
        #expect(query == "b=1&b=2&list-type=2&prefix=a%20b%2Fc&uploads=")
    }

    @Test func hashesAndBase64() {
        #expect(S3Encoding.sha256Hex([]) == SignatureV4.emptyPayloadHash)
        #expect(S3Encoding.md5Base64([]) == "1B2M2Y8AsgTpgAmY7PhCfg==")
        #expect(S3Encoding.base64(Array("hello".utf8)) == "aGVsbG8=")
        #expect(S3Encoding.base64(Array("hell".utf8)) == "aGVsbA==")
        #expect(S3Encoding.base64(Array("hel".utf8)) == "aGVs")
    }

    @Test func timestamps() {
        #expect(S3Timestamp(secondsSinceEpoch: 0).amzDate == "19700101T000000Z")
        #expect(S3Timestamp(secondsSinceEpoch: 1_767_323_045).amzDate == "20260102T030405Z")
        #expect(S3Timestamp(secondsSinceEpoch: 951_782_400).amzDate == "20000229T000000Z")  // a leap day
        #expect(S3Timestamp(secondsSinceEpoch: 1_767_323_045).day == "20260102")
        #expect(S3Timestamp.parse("2026-01-02T03:04:05.000Z") == 1_767_323_045)
        #expect(S3Timestamp.parse("2026-01-02T03:04:05.250Z") == 1_767_323_045.25)
        #expect(S3Timestamp.parse("Fri, 02 Jan 2026 03:04:05 GMT") == 1_767_323_045)
        #expect(S3Timestamp.parse("yesterday") == nil)
        #expect(S3Timestamp.parse("2026-13-02T03:04:05Z") == nil)
    }
}

@Suite struct S3XMLTests {
    let limits = S3Configuration.Limits()
    let request = S3Request(operation: "ListObjectsV2", method: "GET", bucket: "bucket")

    @Test func listPageWithURLEncodedKeys() throws {
        let xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>bucket</Name><Prefix>a%20b/</Prefix>
            <KeyCount>2</KeyCount><MaxKeys>2</MaxKeys><EncodingType>url</EncodingType><IsTruncated>true</IsTruncated>
            <Contents><Key>a+b/c%2Bd%C3%BC</Key><LastModified>2026-01-02T03:04:05.000Z</LastModified>
            <ETag>&quot;abc&quot;</ETag><Size>12</Size><StorageClass>STANDARD</StorageClass></Contents>
            <Contents><Key>a%20b/x&amp;y</Key><LastModified>2026-01-02T03:04:06.000Z</LastModified><ETag>"d"</ETag><Size>0</Size></Contents>
            <NextContinuationToken>1/abc+=</NextContinuationToken></ListBucketResult>
            """
        let page = try S3XML.listObjectsV2(Array(xml.utf8), limits: limits, request: request)
        #expect(page.objects.map(\.key) == ["a b/c+dü", "a b/x&y"])
        #expect(page.objects.map(\.size) == [12, 0])
        #expect(page.objects[0].etag == "\"abc\"")
        #expect(page.objects[0].lastModified == 1_767_323_045)
        #expect(page.isTruncated && page.nextContinuationToken == "1/abc+=")
    }

    @Test func listPageLimitsAndNonsense() {
        var small = limits
        small.maxListKeys = 1
        let two = "<ListBucketResult><Contents><Key>a</Key><Size>1</Size></Contents><Contents><Key>b</Key><Size>1</Size></Contents></ListBucketResult>"
        #expect(throws: S3Error.self) { try S3XML.listObjectsV2(Array(two.utf8), limits: small, request: request) }
        small = limits
        small.maxXMLBytes = 10
        #expect(throws: S3Error.self) { try S3XML.listObjectsV2(Array(two.utf8), limits: small, request: request) }
        let bad = [
            "<ListBucketResult><Contents><Key>a</Key><Size>-1</Size></Contents></ListBucketResult>",
            "<ListBucketResult><Contents><Key>a</Key><Size>1</Size></Contents>",  // unterminated
            "<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>",  // no token
            "<!DOCTYPE x [<!ENTITY a \"aaaa\">]><ListBucketResult>&a;</ListBucketResult>",
            "<ListBucketResult></Other>", "<Error/>", "", "<ListBucketResult>&bogus;</ListBucketResult>",
            "<ListBucketResult><EncodingType>url</EncodingType><Contents><Key>%zz</Key><Size>1</Size></Contents></ListBucketResult>",
        ]
        for xml in bad {
            #expect(throws: S3Error.self, "\(xml)") { try S3XML.listObjectsV2(Array(xml.utf8), limits: limits, request: request) }
        }
        let deep = String(repeating: "<a>", count: 100) + String(repeating: "</a>", count: 100)
        #expect(throws: XMLParseError.self) { try XMLDocument.parse(Array(deep.utf8), maxElements: 1000) }
        let many = "<r>" + String(repeating: "<a/>", count: 50) + "</r>"
        #expect(throws: XMLParseError.self) { try XMLDocument.parse(Array(many.utf8), maxElements: 10) }
        #expect((try? XMLDocument.parse(Array(many.utf8), maxElements: 100))?.children.count == 50)
    }

    @Test func otherDocuments() throws {
        let initiate = "<InitiateMultipartUploadResult><Bucket>b</Bucket><Key>k</Key><UploadId>up-1</UploadId></InitiateMultipartUploadResult>"
        #expect(try S3XML.uploadId(Array(initiate.utf8), limits: limits, request: request) == "up-1")
        let complete = "<CompleteMultipartUploadResult><ETag>&quot;x-2&quot;</ETag></CompleteMultipartUploadResult>"
        #expect(try S3XML.resultETag(Array(complete.utf8), expecting: "CompleteMultipartUploadResult", limits: limits, request: request) == "\"x-2\"")
        let copy = "<CopyObjectResult><LastModified>2026-01-02T03:04:05.000Z</LastModified><ETag><![CDATA[\"e\"]]></ETag></CopyObjectResult>"
        #expect(try S3XML.resultETag(Array(copy.utf8), expecting: "CopyObjectResult", limits: limits, request: request) == "\"e\"")
        let error = "<?xml version=\"1.0\"?><!-- x --><Error><Code>NoSuchKey</Code><Message>The key &lt;k&gt; does not exist</Message><RequestId>R1</RequestId></Error>"
        let document = try #require(S3XML.errorDocument(Array(error.utf8), limits: limits, request: request))
        #expect(document.code == "NoSuchKey" && document.message == "The key <k> does not exist" && document.requestId == "R1")
        let uploads = """
            <ListMultipartUploadsResult><Bucket>b</Bucket><EncodingType>url</EncodingType><IsTruncated>true</IsTruncated>
            <NextKeyMarker>a%20b</NextKeyMarker><NextUploadIdMarker>u2</NextUploadIdMarker>
            <Upload><Key>a+b</Key><UploadId>u1</UploadId><Initiated>2026-01-02T03:04:05.000Z</Initiated></Upload>
            <Upload><Key>a%20b</Key><UploadId>u2</UploadId></Upload></ListMultipartUploadsResult>
            """
        let page = try S3XML.multipartUploads(Array(uploads.utf8), limits: limits, request: request)
        #expect(page.uploads.map(\.key) == ["a b", "a b"] && page.uploads.map(\.uploadId) == ["u1", "u2"])
        #expect(page.uploads[0].initiated == 1_767_323_045 && page.isTruncated && page.nextKeyMarker == "a b" && page.nextUploadIdMarker == "u2")
        let body = String(decoding: S3XML.completeBody([S3UploadedPart(partNumber: 1, etag: "\"a&b\"")]), as: UTF8.self)
        #expect(body.contains("<Part><PartNumber>1</PartNumber><ETag>&quot;a&amp;b&quot;</ETag></Part>"))
    }
}

@Suite struct S3ErrorAndConfigurationTests {
    @Test func errorCodesAndRetryability() {
        #expect(S3Error.code(forS3Code: "NoSuchKey", status: 404) == .notFound)
        #expect(S3Error.code(forS3Code: "SignatureDoesNotMatch", status: 403) == .invalidCredentials)
        #expect(S3Error.code(forS3Code: "InvalidAccessKeyId", status: 403) == .invalidCredentials)
        #expect(S3Error.code(forS3Code: "AccessDenied", status: 403) == .accessDenied)
        #expect(S3Error.code(forS3Code: "SlowDown", status: 503) == .throttled)
        #expect(S3Error.code(forS3Code: nil, status: 500) == .serverError)
        #expect(S3Error.code(forS3Code: nil, status: 404) == .notFound)
        #expect(S3Error.code(forS3Code: "InvalidArgument", status: 400) == .requestRejected)
        #expect(S3Error(.throttled, "x", operation: "GetObject").isRetryable)
        #expect(S3Error(.serverError, "x", operation: "GetObject").isRetryable)
        #expect(S3Error(.connection, "x", operation: "GetObject").isRetryable)
        #expect(!S3Error(.notFound, "x", operation: "GetObject").isRetryable)
        #expect(!S3Error(.invalidCredentials, "x", operation: "GetObject").isRetryable)
        let error = S3Error(
            .notFound, "gone\nforged line", operation: "GetObject", bucket: "b", key: "k/1", httpStatus: 404, s3Code: "NoSuchKey",
            requestId: "R")
        #expect(error.description == "S3Error.notFound in GetObject s3://b/k/1 [HTTP 404, NoSuchKey, request R]: gone forged line")
        #expect(S3Error(.serverError, String(repeating: "x", count: 500), operation: "PutObject").message.count == 201)
    }

    @Test func credentialsNeverShowTheirSecret() {
        let credentials = S3Credentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI", sessionToken: "TOKEN123")
        #expect(!"\(credentials)".contains("wJalrXUtnFEMI") && !"\(credentials)".contains("TOKEN123"))
        #expect(!String(reflecting: credentials).contains("wJalrXUtnFEMI"))
        #expect("\(credentials)".contains("AKIDEXAMPLE"))
    }

    @Test func configurationFromEnvironment() throws {
        let environment = [
            "AWS_ACCESS_KEY_ID": "id", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_SESSION_TOKEN": "token",
            "AWS_DEFAULT_REGION": "eu-west-1", "AWS_ENDPOINT_URL": "http://127.0.0.1:9000",
        ]
        let configuration = try S3Configuration.fromEnvironment(environment)
        #expect(configuration.credentials == S3Credentials(accessKeyId: "id", secretAccessKey: "secret", sessionToken: "token"))
        #expect(configuration.region == "eu-west-1" && configuration.endpoint == "http://127.0.0.1:9000")
        #expect(configuration.addressing == .path)
        var more = environment
        more["AWS_REGION"] = "us-east-2"
        more["AWS_ENDPOINT_URL_S3"] = "https://s3.example.com"
        let preferred = try S3Configuration.fromEnvironment(more)
        #expect(preferred.region == "us-east-2" && preferred.endpoint == "https://s3.example.com")
        more["AWS_ENDPOINT_URL_S3"] = nil
        more["AWS_ENDPOINT_URL"] = nil
        let aws = try S3Configuration.fromEnvironment(more)
        #expect(aws.endpoint == nil && aws.addressing == .virtualHost)
        #expect(try aws.parsedEndpoint() == S3Endpoint(secure: true, host: "s3.us-east-2.amazonaws.com", port: nil))
        #expect(throws: S3Error.self) { try S3Configuration.fromEnvironment(["AWS_ACCESS_KEY_ID": "id", "AWS_REGION": "x"]) }
        #expect(throws: S3Error.self) { try S3Configuration.fromEnvironment(["AWS_ACCESS_KEY_ID": "id", "AWS_SECRET_ACCESS_KEY": "s"]) }
        do {
            var bad = environment
            bad["AWS_ENDPOINT_URL"] = "ftp://secret@host"
            _ = try S3Configuration.fromEnvironment(bad)
            Issue.record("an ftp endpoint was accepted")
        } catch {
            #expect(error.code == .invalidArgument && !error.description.contains("secret"))
        }
    }

    @Test func endpoints() throws {
        #expect(try S3Endpoint(parsing: "http://127.0.0.1:9000/") == S3Endpoint(secure: false, host: "127.0.0.1", port: 9000))
        #expect(try S3Endpoint(parsing: "https://S3.Example.com:443") == S3Endpoint(secure: true, host: "s3.example.com", port: nil))
        #expect(try S3Endpoint(parsing: "http://[::1]:9000").authority == "[::1]:9000")
        for bad in ["127.0.0.1:9000", "http://", "http://h:0", "http://h:99999", "http://h/path", "http://u:p@h", "http://h?x=1"] {
            #expect(throws: S3Error.self, "\(bad)") { try S3Endpoint(parsing: bad) }
        }
    }

    @Test func addressingAndBucketNames() throws {
        let credentials = S3Credentials(accessKeyId: "id", secretAccessKey: "secret")
        var configuration = S3Configuration(endpoint: "http://s3.test:9000", region: "us-east-1", credentials: credentials)
        let request = S3Request(operation: "GetObject", method: "GET", bucket: "my-bucket", key: "a b/c")
        let pathStyle = try S3RequestPreparer(configuration: configuration).prepare(request, at: S3Timestamp(secondsSinceEpoch: 0))
        #expect(pathStyle.url == "http://s3.test:9000/my-bucket/a%20b/c")
        #expect(pathStyle.header("host") == "s3.test:9000")
        configuration.addressing = .virtualHost
        configuration.connectTo = ("127.0.0.1", 9000)
        let virtual = try S3RequestPreparer(configuration: configuration).prepare(request, at: S3Timestamp(secondsSinceEpoch: 0))
        #expect(virtual.url == "http://127.0.0.1:9000/a%20b/c")
        #expect(virtual.header("host") == "my-bucket.s3.test:9000")
        let list = S3Request(operation: "ListObjectsV2", method: "GET", bucket: "my-bucket", query: [("list-type", "2"), ("prefix", "a/b")])
        #expect(try S3RequestPreparer(configuration: configuration).prepare(list, at: S3Timestamp(secondsSinceEpoch: 0)).url
            == "http://127.0.0.1:9000/?list-type=2&prefix=a%2Fb")
        for bucket in ["ab", "Upper_Case", "a..b", ".ab", String(repeating: "a", count: 64), "a/b", "a b"] {
            let bad = S3Request(operation: "GetObject", method: "GET", bucket: bucket, key: "k")
            #expect(throws: S3Error.self, "\(bucket)") { try S3RequestPreparer(configuration: configuration).prepare(bad, at: S3Timestamp(secondsSinceEpoch: 0)) }
        }
        configuration.addressing = .path
        let legacy = S3Request(operation: "GetObject", method: "GET", bucket: "Upper_Case", key: "k")
        #expect(try S3RequestPreparer(configuration: configuration).prepare(legacy, at: S3Timestamp(secondsSinceEpoch: 0)).url.hasSuffix("/Upper_Case/k"))
        let longKey = S3Request(operation: "GetObject", method: "GET", bucket: "bucket", key: String(repeating: "k", count: 1025))
        #expect(throws: S3Error.self) { try S3RequestPreparer(configuration: configuration).prepare(longKey, at: S3Timestamp(secondsSinceEpoch: 0)) }
    }

    @Test func retryBackoffGrowsToItsCeiling() {
        let policy = S3Configuration.RetryPolicy(maxAttempts: 5, baseDelay: 0.1, maxDelay: 1)
        #expect(policy.ceiling(afterAttempt: 1) == 0.1)
        #expect(policy.ceiling(afterAttempt: 2) == 0.2)
        #expect(policy.ceiling(afterAttempt: 4) == 0.8)
        #expect(policy.ceiling(afterAttempt: 5) == 1)
        #expect(policy.ceiling(afterAttempt: 60) == 1)
    }
}
