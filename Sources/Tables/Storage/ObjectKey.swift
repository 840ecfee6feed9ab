/// A validated, relative object key (`main/events/ducklake-….parquet`): the only way a name
/// reaches a filesystem path or an object store. Keys are `/`-separated segments, none empty,
/// `.` or `..`, no NUL or other control character, no backslash, at most 1,024 bytes: a key
/// can never climb out of the store's root.
public struct ObjectKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let path: String

    public static let maxBytes = 1024

    public init(_ path: String) throws(TableError) {
        guard !path.isEmpty, path.utf8.count <= Self.maxBytes else {
            throw TableError(.invalidArgument, "an object key must have 1 to \(Self.maxBytes) bytes")
        }
        guard !path.hasPrefix("/") else { throw TableError(.invalidArgument, "an object key is relative", subject: path) }
        for segment in path.split(separator: "/", omittingEmptySubsequences: false) {
            guard !segment.isEmpty, segment != ".", segment != ".." else {
                throw TableError(.invalidArgument, "an object key has no empty, '.' or '..' segments", subject: path)
            }
        }
        for byte in path.utf8 where byte < 0x20 || byte == 0x7F || byte == UInt8(ascii: "\\") {
            throw TableError(.invalidArgument, "an object key has no control characters or backslashes", subject: path)
        }
        self.path = path
    }

    /// This key followed by more segments (each validated).
    public func appending(_ more: String) throws(TableError) -> ObjectKey { try ObjectKey(path + "/" + more) }

    /// The key of a folder-like prefix ends with `/` when listing; this is the key without it.
    public var segments: [Substring] { path.split(separator: "/") }
    public var lastSegment: String { String(segments.last ?? "") }

    public func hasPrefix(_ prefix: ObjectKey) -> Bool { path == prefix.path || path.hasPrefix(prefix.path + "/") }

    public var description: String { path }
    /// UTF-8 byte order, as S3 lists keys (String's order can differ for text not in NFC).
    public static func < (a: ObjectKey, b: ObjectKey) -> Bool { a.path.utf8.lexicographicallyPrecedes(b.path.utf8) }
}
