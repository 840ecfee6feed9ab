import Columnar

/// The operation a snapshot records.
public enum SnapshotOperation: String, Sendable, Hashable {
    case append, replace, overwrite, delete
}

/// A snapshot's `summary`: the operation, then string properties in order (`added-data-files`,
/// `total-records`, …).
///
/// A summary read from a metadata file stays the JSON text it was until something asks for
/// its contents, and is printed back from that text: a metadata file keeps up to a hundred
/// snapshots, every commit reads and rewrites it, and decoding and re-encoding every old
/// summary each time made a commit cost more the longer the table's history.
public struct SnapshotSummary: Sendable, Hashable {
    private struct Contents: Sendable, Hashable {
        var operationName: String
        var properties: KeyValueMetadata
    }

    private enum Storage: Sendable {
        case decoded(Contents)
        /// A JSON object's text (a slice of its file), validated when the file was read.
        case encoded(ArraySlice<UInt8>)
    }

    private var storage: Storage

    public init(operation: SnapshotOperation, properties: KeyValueMetadata = [:]) {
        storage = .decoded(Contents(operationName: operation.rawValue, properties: properties))
    }

    /// A summary kept as the JSON object text `bytes` (already validated as JSON).
    init(encoded bytes: ArraySlice<UInt8>) {
        storage = .encoded(bytes)
    }

    private var contents: Contents {
        get {
            switch storage {
            case .decoded(let contents): return contents
            case .encoded(let bytes):
                // The text was validated with its file; a failure here would be a bug, and an
                // empty summary is what a reader of a summary-less snapshot sees anyway.
                guard let json = try? IcebergJSON.parse(Array(bytes)) else { return Contents(operationName: "append", properties: [:]) }
                return Self.contents(of: json)
            }
        }
        set { storage = .decoded(newValue) }
    }

    /// The operation as written; `operation` parses it.
    public var operationName: String {
        get { contents.operationName }
        set { contents.operationName = newValue }
    }

    /// Every other property, in order.
    public var properties: KeyValueMetadata {
        get { contents.properties }
        set { contents.properties = newValue }
    }

    public var operation: SnapshotOperation? { SnapshotOperation(rawValue: operationName) }

    public subscript(key: String) -> String? {
        get { properties[key] }
        set { properties[key] = newValue }
    }

    /// A numeric property, nil when absent or not an integer.
    public func count(_ key: String) -> Int64? { properties[key].flatMap { Int64($0) } }

    public static func == (lhs: SnapshotSummary, rhs: SnapshotSummary) -> Bool { lhs.contents == rhs.contents }
    public func hash(into hasher: inout Hasher) { hasher.combine(contents) }

    // MARK: JSON

    /// The summary from its JSON object: `operation` (default append), then the other
    /// members as strings (non-strings as their JSON text); a repeated key keeps its last value.
    init(json: IcebergJSON) {
        storage = .decoded(Self.contents(of: json))
    }

    private static func contents(of json: IcebergJSON) -> Contents {
        var pairs: [(key: String, value: String)] = []
        var operation = "append"
        for pair in json.objectValue ?? [] {
            let text = pair.value.stringValue ?? pair.value.text
            if pair.key == "operation" { operation = text } else { pairs.append((pair.key, text)) }
        }
        // Appended whole; only a repeated key needs the slower path.
        var properties = KeyValueMetadata(pairs)
        if Set(pairs.map(\.key)).count != pairs.count {
            properties = KeyValueMetadata()
            for pair in pairs { properties[pair.key] = pair.value }
        }
        return Contents(operationName: operation, properties: properties)
    }

    /// The JSON object; with `reusingText`, the text it was read as when it holds that still.
    func json(reusingText: Bool) -> IcebergJSON {
        if reusingText, case .encoded(let bytes) = storage { return .encoded(bytes) }
        let contents = contents
        return .object(
            [(key: "operation", value: .string(contents.operationName))]
                + contents.properties.pairs.map { (key: $0.key, value: IcebergJSON.string($0.value)) })
    }
}

/// A snapshot: the table's state after one commit.
public struct Snapshot: Sendable, Hashable {
    // Any change drops `source`, so that the snapshot is written from its values.
    public var snapshotId: Int64 { didSet { source = nil } }
    public var parentSnapshotId: Int64? { didSet { source = nil } }
    public var sequenceNumber: Int64 { didSet { source = nil } }
    public var timestampMs: Int64 { didSet { source = nil } }
    /// Location of the manifest list (Avro).
    public var manifestList: String { didSet { source = nil } }
    public var summary: SnapshotSummary { didSet { source = nil } }
    public var schemaId: Int? { didSet { source = nil } }
    /// Members this implementation does not know, printed back unchanged.
    public var otherMembers: [IcebergJSONMember] { didSet { source = nil } }

    /// The text this snapshot was read from (a slice of its metadata file), while it holds
    /// what it was read as: `jsonBytes` prints it back as it is (see
    /// `TableMetadata.init(jsonBytes:)`). Not part of the snapshot's value.
    var source: ArraySlice<UInt8>? {
        get { carried.text }
        set { carried.text = newValue }
    }
    private var carried = CarriedText()

    public init(
        snapshotId: Int64, parentSnapshotId: Int64?, sequenceNumber: Int64, timestampMs: Int64, manifestList: String,
        summary: SnapshotSummary, schemaId: Int?, otherMembers: [IcebergJSONMember] = []
    ) {
        self.snapshotId = snapshotId
        self.parentSnapshotId = parentSnapshotId
        self.sequenceNumber = sequenceNumber
        self.timestampMs = timestampMs
        self.manifestList = manifestList
        self.summary = summary
        self.schemaId = schemaId
        self.otherMembers = otherMembers
    }
}

/// Text kept beside a value that equality and hashing ignore, so that a value read from a file
/// equals the same value built in memory.
struct CarriedText: Sendable, Hashable {
    var text: ArraySlice<UInt8>?
    static func == (lhs: CarriedText, rhs: CarriedText) -> Bool { true }
    func hash(into hasher: inout Hasher) {}
}

/// A JSON object member kept as it was read (so that Hashable synthesizes).
public struct IcebergJSONMember: Sendable, Hashable {
    public var key: String
    public var value: IcebergJSON
    public init(_ key: String, _ value: IcebergJSON) {
        self.key = key
        self.value = value
    }
}

public struct SnapshotLogEntry: Sendable, Hashable {
    public var snapshotId: Int64
    public var timestampMs: Int64
    public init(snapshotId: Int64, timestampMs: Int64) {
        self.snapshotId = snapshotId
        self.timestampMs = timestampMs
    }
}

public struct MetadataLogEntry: Sendable, Hashable {
    public var metadataFile: String
    public var timestampMs: Int64
    public init(metadataFile: String, timestampMs: Int64) {
        self.metadataFile = metadataFile
        self.timestampMs = timestampMs
    }
}

/// A named reference to a snapshot: a branch (`main`) or a tag.
public struct SnapshotRef: Sendable, Hashable {
    public var name: String
    public var snapshotId: Int64
    /// `branch` or `tag`.
    public var type: String
    public var maxRefAgeMs: Int64?
    public var maxSnapshotAgeMs: Int64?
    public var minSnapshotsToKeep: Int?

    public init(
        name: String, snapshotId: Int64, type: String = "branch", maxRefAgeMs: Int64? = nil,
        maxSnapshotAgeMs: Int64? = nil, minSnapshotsToKeep: Int? = nil
    ) {
        self.name = name
        self.snapshotId = snapshotId
        self.type = type
        self.maxRefAgeMs = maxRefAgeMs
        self.maxSnapshotAgeMs = maxSnapshotAgeMs
        self.minSnapshotsToKeep = minSnapshotsToKeep
    }
}

public struct SortField: Sendable, Hashable {
    public var sourceId: Int
    public var transform: Transform
    /// `asc` or `desc`.
    public var direction: String
    /// `nulls-first` or `nulls-last`.
    public var nullOrder: String

    public init(sourceId: Int, transform: Transform = .identity, direction: String = "asc", nullOrder: String = "nulls-first") {
        self.sourceId = sourceId
        self.transform = transform
        self.direction = direction
        self.nullOrder = nullOrder
    }
}

public struct SortOrder: Sendable, Hashable {
    public var orderId: Int
    public var fields: [SortField]
    public init(orderId: Int, fields: [SortField] = []) {
        self.orderId = orderId
        self.fields = fields
    }
    /// Order 0 with no fields: the table is not sorted.
    public static let unsorted = SortOrder(orderId: 0)
}

/// A table's metadata file (format version 2): schemas, partition specs, snapshots, logs and
/// refs. Read with `init(json:)` / `init(jsonBytes:)`, written with `json` / `jsonBytes`.
public struct TableMetadata: Sendable, Hashable {
    public var formatVersion: Int
    public var tableUUID: String
    public var location: String
    public var lastSequenceNumber: Int64
    public var lastUpdatedMs: Int64
    public var lastColumnId: Int
    public var schemas: [IcebergSchema]
    public var currentSchemaId: Int
    public var partitionSpecs: [PartitionSpec]
    public var defaultSpecId: Int
    public var lastPartitionId: Int
    public var properties: KeyValueMetadata
    /// nil when the table has no snapshot (written as absent; -1 is read as nil).
    public var currentSnapshotId: Int64?
    public var snapshots: [Snapshot]
    public var snapshotLog: [SnapshotLogEntry]
    public var metadataLog: [MetadataLogEntry]
    public var sortOrders: [SortOrder]
    public var defaultSortOrderId: Int
    public var refs: [SnapshotRef]
    /// Top-level members this implementation does not know (`statistics`,
    /// `partition-statistics`, …), printed back unchanged.
    public var otherMembers: [IcebergJSONMember]

    public init(
        formatVersion: Int = 2, tableUUID: String, location: String, lastSequenceNumber: Int64 = 0,
        lastUpdatedMs: Int64, lastColumnId: Int, schemas: [IcebergSchema], currentSchemaId: Int,
        partitionSpecs: [PartitionSpec], defaultSpecId: Int, lastPartitionId: Int, properties: KeyValueMetadata = [:],
        currentSnapshotId: Int64? = nil, snapshots: [Snapshot] = [], snapshotLog: [SnapshotLogEntry] = [],
        metadataLog: [MetadataLogEntry] = [], sortOrders: [SortOrder] = [.unsorted], defaultSortOrderId: Int = 0,
        refs: [SnapshotRef] = [], otherMembers: [IcebergJSONMember] = []
    ) {
        self.formatVersion = formatVersion
        self.tableUUID = tableUUID
        self.location = location
        self.lastSequenceNumber = lastSequenceNumber
        self.lastUpdatedMs = lastUpdatedMs
        self.lastColumnId = lastColumnId
        self.schemas = schemas
        self.currentSchemaId = currentSchemaId
        self.partitionSpecs = partitionSpecs
        self.defaultSpecId = defaultSpecId
        self.lastPartitionId = lastPartitionId
        self.properties = properties
        self.currentSnapshotId = currentSnapshotId
        self.snapshots = snapshots
        self.snapshotLog = snapshotLog
        self.metadataLog = metadataLog
        self.sortOrders = sortOrders
        self.defaultSortOrderId = defaultSortOrderId
        self.refs = refs
        self.otherMembers = otherMembers
    }

    /// The metadata of a new, empty table: fresh ids for `schema`, the spec built from
    /// `partitionBy` (field ids from 1000), unsorted, no snapshot.
    public static func newTable(
        schema columnar: Schema, partitionBy: [UnboundPartitionField] = [], identifierFields: [String] = [],
        location: String, tableUUID: String, timestampMs: Int64, properties: KeyValueMetadata = [:]
    ) throws(IcebergError) -> TableMetadata {
        let schema = try IcebergSchema(columnar: columnar, schemaId: 0, identifierFields: identifierFields)
        let spec = try PartitionSpec(schema: schema, fields: partitionBy, specId: 0)
        return TableMetadata(
            tableUUID: tableUUID, location: Self.trimmingSlash(location), lastUpdatedMs: timestampMs,
            lastColumnId: schema.highestFieldId, schemas: [schema], currentSchemaId: 0, partitionSpecs: [spec],
            defaultSpecId: 0, lastPartitionId: spec.fields.map(\.fieldId).max() ?? PartitionSpec.lastIdBeforeFirst,
            properties: properties)
    }

    static func trimmingSlash(_ location: String) -> String {
        var text = location
        while text.count > 1 && text.hasSuffix("/") { text.removeLast() }
        return text
    }

    // MARK: Lookups

    public var currentSchema: IcebergSchema? { schemas.first { $0.schemaId == currentSchemaId } }
    public var defaultSpec: PartitionSpec? { partitionSpecs.first { $0.specId == defaultSpecId } }
    public var currentSnapshot: Snapshot? { currentSnapshotId.flatMap { snapshot(id: $0) } }
    public func snapshot(id: Int64) -> Snapshot? { snapshots.first { $0.snapshotId == id } }
    public func schema(id: Int) -> IcebergSchema? { schemas.first { $0.schemaId == id } }
    public func spec(id: Int) -> PartitionSpec? { partitionSpecs.first { $0.specId == id } }

    /// The current schema, or an error naming the missing id.
    public func requireCurrentSchema() throws(IcebergError) -> IcebergSchema {
        guard let schema = currentSchema else {
            throw IcebergError(.invalidMetadata, "current-schema-id \(currentSchemaId) is not among the schemas")
        }
        return schema
    }

    public func requireDefaultSpec() throws(IcebergError) -> PartitionSpec {
        guard let spec = defaultSpec else {
            throw IcebergError(.invalidMetadata, "default-spec-id \(defaultSpecId) is not among the partition specs")
        }
        return spec
    }

    /// The current snapshot and its ancestors, newest first (stops where a parent is gone).
    public func ancestors(of snapshotId: Int64?) -> [Snapshot] {
        var out: [Snapshot] = []
        var seen: Set<Int64> = []
        var next = snapshotId
        while let id = next, seen.insert(id).inserted, let snapshot = snapshot(id: id) {
            out.append(snapshot)
            next = snapshot.parentSnapshotId
        }
        return out
    }

    /// Checks what pyiceberg checks when it loads metadata, and a little more: the current
    /// schema (valid itself), default spec and default sort order exist, field ids stay within
    /// last-column-id, the current snapshot exists. Older schemas are not checked: another
    /// engine's history should not stop us reading the table.
    public func validate() throws(IcebergError) {
        guard formatVersion == 2 else {
            throw IcebergError(.unsupported, "format-version \(formatVersion) (only 2 is supported)")
        }
        let schema = try requireCurrentSchema()
        _ = try requireDefaultSpec()
        try schema.validate()
        guard schema.highestFieldId <= lastColumnId else {
            throw IcebergError(.invalidMetadata, "a field id is above last-column-id \(lastColumnId)")
        }
        guard sortOrders.contains(where: { $0.orderId == defaultSortOrderId }) else {
            throw IcebergError(.invalidMetadata, "default-sort-order-id \(defaultSortOrderId) is not among the sort orders")
        }
        if let id = currentSnapshotId, snapshot(id: id) == nil {
            throw IcebergError(.invalidMetadata, "current-snapshot-id \(id) is not among the snapshots")
        }
        for snapshot in snapshots where snapshot.sequenceNumber > lastSequenceNumber {
            throw IcebergError(
                .invalidMetadata, "snapshot \(snapshot.snapshotId) has a sequence number above last-sequence-number")
        }
    }

    // MARK: Changes

    /// Metadata whose current schema takes in `columnar` (see `IcebergSchema.evolved`): an
    /// equal existing schema is reused, otherwise one is added with the next schema id.
    /// `changed` is false when the current schema already holds `columnar`.
    public func evolvingSchema(
        toInclude columnar: Schema, missing: MissingColumnPolicy = .keep
    ) throws(IcebergError) -> (metadata: TableMetadata, changed: Bool) {
        let current = try requireCurrentSchema()
        let (evolved, lastId, changed) = try current.evolved(toInclude: columnar, lastColumnId: lastColumnId, missing: missing)
        guard changed else { return (self, false) }
        var copy = self
        copy.lastColumnId = max(lastColumnId, lastId)
        if let existing = schemas.first(where: { $0.sameStructure(as: evolved) }) {
            copy.currentSchemaId = existing.schemaId
        } else {
            var added = evolved
            added.schemaId = (schemas.map(\.schemaId).max() ?? -1) + 1
            copy.schemas.append(added)
            copy.currentSchemaId = added.schemaId
        }
        return (copy, true)
    }

    /// The next metadata file's location: `<location>/metadata/NNNNN-<uuid>.metadata.json`
    /// with NNNNN one above the version in `current`'s file name (00000 for a new table), as
    /// pyiceberg numbers them.
    public func nextMetadataLocation(after current: String?, uuid: String) -> String {
        Self.metadataLocation(
            tableLocation: location, version: current.flatMap(Self.version(ofMetadataLocation:)).map { $0 + 1 } ?? 0,
            uuid: uuid)
    }

    public static func metadataLocation(tableLocation: String, version: Int, uuid: String) -> String {
        let digits = String(version)
        let padded = String(repeating: "0", count: max(0, 5 - digits.count)) + digits
        return trimmingSlash(tableLocation) + "/metadata/" + padded + "-" + uuid + ".metadata.json"
    }

    /// The version number at the start of a metadata file name (`00012-….metadata.json` → 12).
    public static func version(ofMetadataLocation location: String) -> Int? {
        let name = location.split(separator: "/").last.map(String.init) ?? location
        guard let dash = name.firstIndex(of: "-") else { return nil }
        return Int(name[..<dash])
    }
}
