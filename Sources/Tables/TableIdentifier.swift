/// A table's name: `name` or `namespace.name` (namespace `main` when omitted). Names are
/// 1 to 255 bytes of letters, digits, `_` and `-` (they become folder names and SQL strings).
public struct TableIdentifier: Hashable, Sendable, CustomStringConvertible {
    public let namespace: String
    public let name: String

    public static let defaultNamespace = "main"

    public init(namespace: String = TableIdentifier.defaultNamespace, name: String) throws(TableError) {
        try Self.check(namespace, what: "namespace")
        try Self.check(name, what: "table name")
        self.namespace = namespace
        self.name = name
    }

    /// Parses `name` or `namespace.name`.
    public init(parsing text: String) throws(TableError) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        switch parts.count {
        case 1: try self.init(name: parts[0])
        case 2: try self.init(namespace: parts[0], name: parts[1])
        default: throw TableError(.invalidArgument, "a table is 'name' or 'namespace.name'", subject: text)
        }
    }

    public var description: String { "\(namespace).\(name)" }

    static func check(_ text: String, what: String) throws(TableError) {
        guard !text.isEmpty, text.utf8.count <= 255,
            text.utf8.allSatisfy({
                ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x5F
                    || $0 == 0x2D
            })
        else {
            throw TableError(.invalidArgument, "a \(what) is 1 to 255 letters, digits, '_' or '-'", subject: text)
        }
    }
}
