import Columnar
import FileFormats
import Tables

/// A client: the prefix its files arrive under in the landing zone. Prefixes never overlap, so
/// a key belongs to at most one client, decided by the key alone (never by what a message says).
public struct ClientZone: Sendable, Equatable {
    public var name: String
    /// Ends in "/": "acme/".
    public var prefix: String

    public init(name: String, prefix: String? = nil) {
        self.name = name
        let given = prefix ?? name + "/"
        self.prefix = given.hasSuffix("/") ? given : given + "/"
    }

    /// The key relative to the client's prefix, nil when the key is not under it.
    public func relative(_ key: String) -> String? {
        guard key.hasPrefix(prefix), key.count > prefix.count else { return nil }
        return String(key.dropFirst(prefix.count))
    }
}

/// Which table a file goes to and how it is read and transformed.
public struct TableRoute: Sendable {
    public var table: TableIdentifier
    /// nil: detected from the content.
    public var format: InputFormat?
    public var partitionBy: [String]
    /// Prepares the table's transforms for an input schema (type checks happen there); nil: none.
    public var transform: (@Sendable (Schema) throws -> any BatchTransform)?

    public init(
        table: TableIdentifier, format: InputFormat? = nil, partitionBy: [String] = [],
        transform: (@Sendable (Schema) throws -> any BatchTransform)? = nil
    ) {
        self.table = table
        self.format = format
        self.partitionBy = partitionBy
        self.transform = transform
    }
}

/// Transforms compiled for one input schema.
public protocol BatchTransform {
    var outputSchema: Schema { get }
    func apply(_ batch: RecordBatch) throws -> RecordBatch
}

/// Clients and their table rules, as the configuration gives them.
public protocol Routing: Sendable {
    var clients: [ClientZone] { get }
    /// The route of a key relative to the client's prefix; nil when no rule matches.
    func route(client: String, relativeKey: String) -> TableRoute?
}

extension Routing {
    /// The client whose prefix holds `key`.
    public func client(owning key: String) -> ClientZone? {
        clients.first { $0.relative(key) != nil }
    }
}

/// Routing from closures, for tests and one-shot commands.
public struct StaticRouting: Routing {
    public let clients: [ClientZone]
    private let rule: @Sendable (String, String) -> TableRoute?

    public init(clients: [ClientZone], rule: @escaping @Sendable (_ client: String, _ relativeKey: String) -> TableRoute?) {
        self.clients = clients
        self.rule = rule
    }

    public func route(client: String, relativeKey: String) -> TableRoute? { rule(client, relativeKey) }

    /// Every file of a client into one table `<client>.<name>` (default namespace: the client).
    public static func oneTable(clients: [ClientZone], named name: String = "files") -> StaticRouting {
        StaticRouting(clients: clients) { client, _ in
            (try? TableIdentifier(namespace: client, name: name)).map { TableRoute(table: $0) }
        }
    }
}

/// Where a job's copies live in the trusted and quarantine zones: under the client's name, the
/// key's folders as they were relative to the client's prefix, and the file name led by the job
/// id (`acme/incoming/<job id>-data.csv`). Two versions of one key never share a place, and
/// nothing is written outside the client's folder.
///
/// No folder per job: creating a directory costs a filesystem far more than a file (ext4
/// searches for an inode group), a tenth of the time of a small file's ingestion. A name that
/// would pass 255 bytes with the id in front gets a folder of its own instead (`<job id>/name`).
enum ZoneKeys {
    static func copy(client: ClientZone, jobId: String, landingKey: String) throws(IngestionError) -> ObjectKey {
        guard let relative = client.relative(landingKey) else {
            throw IngestionError(.hostileKey, "key is outside the client's prefix", jobId: jobId, subject: client.name)
        }
        let slash = relative.lastIndex(of: "/")
        let folder = slash.map { String(relative[...$0]) } ?? ""
        let name = slash.map { String(relative[relative.index(after: $0)...]) } ?? relative
        let placed = jobId.utf8.count + 1 + name.utf8.count <= 255 ? jobId + "-" + name : jobId + "/" + name
        do {
            return try ObjectKey(client.name + "/" + folder + placed)
        } catch {
            throw IngestionError(.hostileKey, "key cannot be stored: \(error.reason)", jobId: jobId, subject: client.name)
        }
    }
}
