/// An object as a listing or HEAD reports it. `etag` is exactly what the server sent, quotes
/// included, so it can go back in If-Match.
public struct S3Object: Sendable, Hashable {
    public var key: String
    public var size: Int
    public var etag: String
    /// Seconds since the epoch.
    public var lastModified: Double

    public init(key: String, size: Int, etag: String, lastModified: Double) {
        self.key = key
        self.size = size
        self.etag = etag
        self.lastModified = lastModified
    }
}

/// One ListObjectsV2 page. Keys come in UTF-8 byte order.
public struct S3ListPage: Sendable {
    public var objects: [S3Object]
    /// Folder-like prefixes when a delimiter was given.
    public var commonPrefixes: [String]
    public var isTruncated: Bool
    /// Pass to the next call to continue; nil on the last page.
    public var nextContinuationToken: String?
}

/// What HEAD says about an object.
public struct S3ObjectHead: Sendable, Hashable {
    public var size: Int
    public var etag: String
    /// Seconds since the epoch, nil when the server sent no readable Last-Modified.
    public var lastModified: Double?
    public var contentType: String?
}

/// A part uploaded in a multipart upload: its number (1…10,000) and the ETag to complete with.
public struct S3UploadedPart: Sendable, Hashable {
    public var partNumber: Int
    public var etag: String
    public init(partNumber: Int, etag: String) {
        self.partNumber = partNumber
        self.etag = etag
    }
}

/// A multipart upload under way (started, neither completed nor aborted).
public struct S3MultipartUpload: Sendable, Hashable {
    public var key: String
    public var uploadId: String
    /// Seconds since the epoch.
    public var initiated: Double
}

/// One ListMultipartUploads page; pass both markers to the next call while `isTruncated`.
public struct S3MultipartUploadsPage: Sendable {
    public var uploads: [S3MultipartUpload]
    public var isTruncated: Bool
    public var nextKeyMarker: String?
    public var nextUploadIdMarker: String?
}

/// The parsed `<Error>` document of a failed request.
package struct S3ErrorDocument: Sendable {
    package var code: String?
    package var message: String?
    package var requestId: String?
}

/// Parsers of the XML documents S3 answers with, each checked against the request's limits.
package enum S3XML {
    static func root(_ bytes: [UInt8], limits: S3Configuration.Limits, request: S3Request) throws(S3Error) -> XMLElement {
        guard bytes.count <= limits.maxXMLBytes else {
            throw request.error(.invalidResponse, "an XML answer of more than \(limits.maxXMLBytes) bytes")
        }
        do {
            return try XMLDocument.parse(bytes, maxElements: limits.maxXMLElements)
        } catch {
            throw request.error(.invalidResponse, "unreadable XML answer: \(error.message) at byte \(error.offset)")
        }
    }

    /// The error document inside an answer, when the answer is one (S3 may send `<Error>` with
    /// 200 OK to CompleteMultipartUpload and CopyObject).
    package static func errorDocument(_ bytes: [UInt8], limits: S3Configuration.Limits, request: S3Request) -> S3ErrorDocument? {
        guard let root = try? root(bytes, limits: limits, request: request), root.name == "Error" else { return nil }
        return S3ErrorDocument(code: root.value("Code"), message: root.value("Message"), requestId: root.value("RequestId"))
    }

    package static func listObjectsV2(
        _ bytes: [UInt8], limits: S3Configuration.Limits, request: S3Request
    ) throws(S3Error) -> S3ListPage {
        let root = try root(bytes, limits: limits, request: request)
        guard root.name == "ListBucketResult" else { throw request.error(.invalidResponse, "expected ListBucketResult, got \(root.name)") }
        let keys = ListedKeys(root, request: request)
        let contents = try listed(root, "Contents", limits: limits, request: request)
        var objects: [S3Object] = []
        objects.reserveCapacity(contents.count)
        for item in contents {
            guard let rawKey = item.value("Key"), let size = item.value("Size").flatMap({ Int($0) }), size >= 0 else {
                throw request.error(.invalidResponse, "a listed object lacks a key or a size")
            }
            let modified = item.value("LastModified").flatMap(S3Timestamp.parse) ?? 0
            objects.append(S3Object(key: try keys.decode(rawKey), size: size, etag: item.value("ETag") ?? "", lastModified: modified))
        }
        var prefixes: [String] = []
        for prefix in root.children("CommonPrefixes") {
            if let text = prefix.value("Prefix") { prefixes.append(try keys.decode(text)) }
        }
        let truncated = root.value("IsTruncated") == "true"
        let token = root.value("NextContinuationToken").flatMap { $0.isEmpty ? nil : $0 }
        guard !truncated || token != nil else {
            throw request.error(.invalidResponse, "a truncated list page without a continuation token")
        }
        return S3ListPage(objects: objects, commonPrefixes: prefixes, isTruncated: truncated, nextContinuationToken: token)
    }

    /// The `name` children of a listing's root, at most `limits.maxListKeys` of them.
    private static func listed(
        _ root: XMLElement, _ name: String, limits: S3Configuration.Limits, request: S3Request
    ) throws(S3Error) -> [XMLElement] {
        let items = root.children(name)
        guard items.count <= limits.maxListKeys else {
            throw request.error(.invalidResponse, "a page of \(items.count) \(name) entries, more than \(limits.maxListKeys)")
        }
        return items
    }

    /// Keys in a listing, percent-decoded when the answer says `EncodingType` url (form
    /// encoding: `+` is a space).
    private struct ListedKeys {
        let urlEncoded: Bool
        let request: S3Request

        init(_ root: XMLElement, request: S3Request) {
            urlEncoded = root.value("EncodingType") == "url"
            self.request = request
        }

        func decode(_ text: String) throws(S3Error) -> String {
            guard urlEncoded else { return text }
            guard let decoded = S3Encoding.percentDecode(text, plusIsSpace: true) else {
                throw request.error(.invalidResponse, "a listed key is not valid URL encoding")
            }
            return decoded
        }
    }

    package static func multipartUploads(
        _ bytes: [UInt8], limits: S3Configuration.Limits, request: S3Request
    ) throws(S3Error) -> S3MultipartUploadsPage {
        let root = try root(bytes, limits: limits, request: request)
        guard root.name == "ListMultipartUploadsResult" else {
            throw request.error(.invalidResponse, "expected ListMultipartUploadsResult, got \(root.name)")
        }
        let keys = ListedKeys(root, request: request)
        let items = try listed(root, "Upload", limits: limits, request: request)
        var uploads: [S3MultipartUpload] = []
        for item in items {
            guard let key = item.value("Key"), let id = item.value("UploadId"), !id.isEmpty else {
                throw request.error(.invalidResponse, "a listed upload lacks a key or an id")
            }
            uploads.append(
                S3MultipartUpload(key: try keys.decode(key), uploadId: id, initiated: item.value("Initiated").flatMap(S3Timestamp.parse) ?? 0))
        }
        let truncated = root.value("IsTruncated") == "true"
        let nextKey = try root.value("NextKeyMarker").flatMap { $0.isEmpty ? nil : $0 }.map(keys.decode)
        let nextId = root.value("NextUploadIdMarker").flatMap { $0.isEmpty ? nil : $0 }
        guard !truncated || nextKey != nil else { throw request.error(.invalidResponse, "a truncated page without a next marker") }
        return S3MultipartUploadsPage(uploads: uploads, isTruncated: truncated, nextKeyMarker: nextKey, nextUploadIdMarker: nextId)
    }

    package static func uploadId(_ bytes: [UInt8], limits: S3Configuration.Limits, request: S3Request) throws(S3Error) -> String {
        let root = try root(bytes, limits: limits, request: request)
        guard root.name == "InitiateMultipartUploadResult", let id = root.value("UploadId"), !id.isEmpty, id.utf8.count <= 1024 else {
            throw request.error(.invalidResponse, "no upload id in the answer")
        }
        return id
    }

    /// The ETag of a completed multipart upload or of a copy (CompleteMultipartUploadResult,
    /// CopyObjectResult); an `<Error>` document becomes the error it reports.
    package static func resultETag(
        _ bytes: [UInt8], expecting name: String, limits: S3Configuration.Limits, request: S3Request
    ) throws(S3Error) -> String {
        let root = try root(bytes, limits: limits, request: request)
        guard root.name == name else { throw request.error(.invalidResponse, "expected \(name), got \(root.name)") }
        return root.value("ETag") ?? ""
    }

    /// The body of CompleteMultipartUpload.
    package static func completeBody(_ parts: [S3UploadedPart]) -> [UInt8] {
        var text = "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
        for part in parts {
            text += "<Part><PartNumber>\(part.partNumber)</PartNumber><ETag>\(escape(part.etag))</ETag></Part>"
        }
        text += "</CompleteMultipartUpload>"
        return Array(text.utf8)
    }

    static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.append(character)
            }
        }
        return out
    }
}
