/// A value that must not be printed: an S3 secret key, a session token, a password. Its
/// description, debug description and reflection (`dump`) show `<redacted>`; only `value`
/// gives the text, for the code that authenticates with it.
public struct Secret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public let value: String

    public init(_ value: String) { self.value = value }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}

enum Redaction {
    /// A URL or connection string with its password replaced: `postgresql://u:<redacted>@h/db`,
    /// `redis://:<redacted>@h:6379/0`, libpq `password=<redacted>`, `?password=<redacted>`.
    static func connectionString(_ text: String) -> String {
        var result = text
        // user:password@ in a URL's authority.
        if let schemeEnd = result.range(of: "://") {
            let afterScheme = result[schemeEnd.upperBound...]
            let authorityEnd = afterScheme.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? afterScheme.endIndex
            let authority = result[schemeEnd.upperBound..<authorityEnd]
            if let at = authority.lastIndex(of: "@") {
                let userInfo = result[schemeEnd.upperBound..<at]
                if let colon = userInfo.firstIndex(of: ":") {
                    result.replaceSubrange(result.index(after: colon)..<at, with: "<redacted>")
                }
            }
        }
        // password=… as a query parameter or a libpq keyword.
        for marker in ["password=", "PASSWORD=", "Password="] {
            var searchStart = result.startIndex
            while let range = result.range(of: marker, range: searchStart..<result.endIndex) {
                var end = range.upperBound
                if end < result.endIndex, result[end] == "'" {
                    end = result[result.index(after: end)...].firstIndex(of: "'").map { result.index(after: $0) } ?? result.endIndex
                } else {
                    end = result[end...].firstIndex(where: { $0 == "&" || $0 == " " || $0 == "#" }) ?? result.endIndex
                }
                result.replaceSubrange(range.upperBound..<end, with: "<redacted>")
                searchStart = result.index(range.upperBound, offsetBy: "<redacted>".count)
            }
        }
        return result
    }
}
