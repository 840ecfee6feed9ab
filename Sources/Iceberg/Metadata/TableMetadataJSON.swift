import Columnar

/// Reading and writing the metadata JSON, member by member as the spec names them. Reading
/// tolerates members it does not know (kept in `otherMembers` and written back), an absent or
/// -1 `current-snapshot-id` (no snapshot), and absent optional lists.
extension TableMetadata {
    static let knownMembers: Set<String> = [
        "format-version", "table-uuid", "location", "last-sequence-number", "last-updated-ms", "last-column-id",
        "schemas", "current-schema-id", "partition-specs", "default-spec-id", "last-partition-id", "properties",
        "current-snapshot-id", "snapshots", "snapshot-log", "metadata-log", "sort-orders", "default-sort-order-id",
        "refs",
    ]

    /// Reads a metadata file; the lists that grow with history are read from their text (see
    /// `MetadataHistoryText`), and unchanged snapshots are printed back from it by `jsonBytes`.
    public init(jsonBytes bytes: [UInt8]) throws(IcebergError) {
        if let history = try MetadataHistoryText.read(bytes) {
            try self.init(json: history.json, history: history)
        } else {
            try self.init(json: try IcebergJSON.parse(bytes), history: nil)
        }
    }

    public init(json: IcebergJSON) throws(IcebergError) {
        try self.init(json: json, history: nil)
    }

    private init(json: IcebergJSON, history: MetadataHistoryText?) throws(IcebergError) {
        let object = try JSONObjectReader(json, path: "")
        let version = try object.int("format-version")
        guard version == 2 else {
            throw IcebergError(.unsupported, "format-version \(version) (only 2 is supported)", field: "format-version")
        }

        var schemas: [IcebergSchema] = []
        for (index, item) in try object.array("schemas").enumerated() {
            schemas.append(try IcebergSchema(json: item, path: "schemas[\(index)]"))
        }
        var specs: [PartitionSpec] = []
        for (index, item) in try object.array("partition-specs").enumerated() {
            specs.append(try PartitionSpec(json: item, path: "partition-specs[\(index)]"))
        }
        var properties = KeyValueMetadata()
        if let members = object.optional("properties") {
            guard let pairs = members.objectValue else {
                throw IcebergError(.invalidMetadata, "expected an object", field: "properties")
            }
            for pair in pairs { properties[pair.key] = pair.value.stringValue ?? pair.value.text }
        }
        var current = try object.optionalInt64("current-snapshot-id")
        if current == -1 { current = nil }

        var snapshots: [Snapshot] = try history?.snapshots() ?? []
        for (index, item) in try object.array("snapshots", required: false).enumerated() {
            snapshots.append(try Snapshot(json: item, path: "snapshots[\(index)]"))
        }
        var snapshotLog: [SnapshotLogEntry] = try history?.snapshotLog() ?? []
        for (index, item) in try object.array("snapshot-log", required: false).enumerated() {
            snapshotLog.append(try SnapshotLogEntry(json: item, path: "snapshot-log[\(index)]"))
        }
        var metadataLog: [MetadataLogEntry] = try history?.metadataLog() ?? []
        for (index, item) in try object.array("metadata-log", required: false).enumerated() {
            metadataLog.append(try MetadataLogEntry(json: item, path: "metadata-log[\(index)]"))
        }
        var sortOrders: [SortOrder] = []
        for (index, item) in try object.array("sort-orders", required: false).enumerated() {
            sortOrders.append(try SortOrder(json: item, path: "sort-orders[\(index)]"))
        }
        if sortOrders.isEmpty { sortOrders = [.unsorted] }
        var refs: [SnapshotRef] = []
        if let members = object.optional("refs") {
            guard let pairs = members.objectValue else {
                throw IcebergError(.invalidMetadata, "expected an object", field: "refs")
            }
            for pair in pairs { refs.append(try SnapshotRef(name: pair.key, json: pair.value)) }
        } else if let current {
            // Older writers leave refs out; main is then the current snapshot.
            refs = [SnapshotRef(name: "main", snapshotId: current)]
        }

        self.init(
            formatVersion: version, tableUUID: try object.string("table-uuid"), location: try object.string("location"),
            lastSequenceNumber: try object.int64("last-sequence-number"), lastUpdatedMs: try object.int64("last-updated-ms"),
            lastColumnId: try object.int("last-column-id"), schemas: schemas,
            currentSchemaId: try object.int("current-schema-id"), partitionSpecs: specs,
            defaultSpecId: try object.int("default-spec-id"), lastPartitionId: try object.int("last-partition-id"),
            properties: properties, currentSnapshotId: current, snapshots: snapshots, snapshotLog: snapshotLog,
            metadataLog: metadataLog, sortOrders: sortOrders,
            defaultSortOrderId: try object.optionalInt("default-sort-order-id") ?? 0, refs: refs,
            otherMembers: object.unknownMembers(known: Self.knownMembers).map { IcebergJSONMember($0.key, $0.value) })
        try validate()
    }

    /// The metadata as JSON, members in the order pyiceberg writes them.
    public var json: IcebergJSON { json(reusingText: false) }

    /// The metadata file's bytes (compact UTF-8 JSON). Snapshots read from a file and still
    /// unchanged are printed back from their text, and the logs straight into bytes: a file
    /// keeps a hundred snapshots and a hundred log entries, and building each as a JSON value
    /// on every commit made a commit cost more the longer the table's history.
    public var jsonBytes: [UInt8] {
        // Room for the snapshots (their text, or about 600 bytes each), the logs and the rest.
        let snapshotBytes = snapshots.reduce(0) { $0 + ($1.source?.count ?? 600) + 1 }
        let logBytes = snapshotLog.count * 56 + metadataLog.reduce(0) { $0 + $1.metadataFile.utf8.count + 40 }
        return json(reusingText: true).bytes(reserving: snapshotBytes + logBytes + (16 << 10))
    }

    private func json(reusingText: Bool) -> IcebergJSON {
        var members: [(key: String, value: IcebergJSON)] = [
            ("location", .string(location)),
            ("table-uuid", .string(tableUUID)),
            ("last-updated-ms", .int(lastUpdatedMs)),
            ("last-column-id", .int(lastColumnId)),
            ("schemas", .array(schemas.map(\.json))),
            ("current-schema-id", .int(currentSchemaId)),
            ("partition-specs", .array(partitionSpecs.map(\.json))),
            ("default-spec-id", .int(defaultSpecId)),
            ("last-partition-id", .int(lastPartitionId)),
            ("properties", .object(properties.pairs.map { (key: $0.key, value: IcebergJSON.string($0.value)) })),
        ]
        if let currentSnapshotId { members.append(("current-snapshot-id", .int(currentSnapshotId))) }
        members += [
            ("snapshots", .array(snapshots.map { $0.json(reusingText: reusingText) })),
            ("snapshot-log", reusingText ? .encoded(Self.printed(snapshotLog)[...]) : .array(snapshotLog.map(\.json))),
            ("metadata-log", reusingText ? .encoded(Self.printed(metadataLog)[...]) : .array(metadataLog.map(\.json))),
            ("sort-orders", .array(sortOrders.map(\.json))),
            ("default-sort-order-id", .int(defaultSortOrderId)),
            ("refs", .object(refs.map { (key: $0.name, value: $0.json) })),
        ]
        members += otherMembers.map { (key: $0.key, value: $0.value) }
        members += [
            ("format-version", .int(formatVersion)),
            ("last-sequence-number", .int(lastSequenceNumber)),
        ]
        return .object(members)
    }

    /// `[{"snapshot-id":…,"timestamp-ms":…},…]`, as `json` would print it.
    static func printed(_ log: [SnapshotLogEntry]) -> [UInt8] {
        printed(log, bytesEach: 56) { entry, out in
            out.append(contentsOf: #"{"snapshot-id":"#.utf8)
            IcebergJSON.appendInteger(entry.snapshotId, to: &out)
            out.append(contentsOf: #","timestamp-ms":"#.utf8)
            IcebergJSON.appendInteger(entry.timestampMs, to: &out)
            out.append(UInt8(ascii: "}"))
        }
    }

    /// `[{"metadata-file":…,"timestamp-ms":…},…]`, as `json` would print it.
    static func printed(_ log: [MetadataLogEntry]) -> [UInt8] {
        printed(log, bytesEach: 160) { entry, out in
            out.append(contentsOf: #"{"metadata-file":"#.utf8)
            IcebergJSON.appendString(entry.metadataFile, to: &out)
            out.append(contentsOf: #","timestamp-ms":"#.utf8)
            IcebergJSON.appendInteger(entry.timestampMs, to: &out)
            out.append(UInt8(ascii: "}"))
        }
    }

    private static func printed<T>(_ items: [T], bytesEach: Int, _ print: (T, inout [UInt8]) -> Void) -> [UInt8] {
        var out: [UInt8] = [UInt8(ascii: "[")]
        out.reserveCapacity(items.count * bytesEach + 2)
        for (index, item) in items.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            print(item, &out)
        }
        out.append(UInt8(ascii: "]"))
        return out
    }
}

extension SnapshotLogEntry {
    init(json: IcebergJSON, path: String) throws(IcebergError) {
        let entry = try JSONObjectReader(json, path: path)
        self.init(snapshotId: try entry.int64("snapshot-id"), timestampMs: try entry.int64("timestamp-ms"))
    }

    var json: IcebergJSON { .object([("snapshot-id", .int(snapshotId)), ("timestamp-ms", .int(timestampMs))]) }
}

extension MetadataLogEntry {
    init(json: IcebergJSON, path: String) throws(IcebergError) {
        let entry = try JSONObjectReader(json, path: path)
        self.init(metadataFile: try entry.string("metadata-file"), timestampMs: try entry.int64("timestamp-ms"))
    }

    var json: IcebergJSON { .object([("metadata-file", .string(metadataFile)), ("timestamp-ms", .int(timestampMs))]) }
}

extension Snapshot {
    static let knownMembers: Set<String> = [
        "snapshot-id", "parent-snapshot-id", "sequence-number", "timestamp-ms", "manifest-list", "summary", "schema-id",
    ]

    public init(json: IcebergJSON, path: String) throws(IcebergError) {
        let object = try JSONObjectReader(json, path: path)
        let summaryJSON = try object.required("summary")
        _ = try JSONObjectReader(summaryJSON, path: object.memberPath("summary"))  // an object, or an error naming it
        let summary = SnapshotSummary(json: summaryJSON)
        guard let manifestList = try object.optionalString("manifest-list") else {
            throw IcebergError(
                .unsupported, "a snapshot without a manifest list (format version 1 manifests)",
                field: object.memberPath("manifest-list"))
        }
        self.init(
            snapshotId: try object.int64("snapshot-id"), parentSnapshotId: try object.optionalInt64("parent-snapshot-id"),
            sequenceNumber: try object.optionalInt64("sequence-number") ?? 0, timestampMs: try object.int64("timestamp-ms"),
            manifestList: manifestList, summary: summary, schemaId: try object.optionalInt("schema-id"),
            otherMembers: object.unknownMembers(known: Self.knownMembers).map { IcebergJSONMember($0.key, $0.value) })
    }

    public var json: IcebergJSON { json(reusingText: false) }

    /// With `reusingText`, the text it was read from while it holds what it was read as.
    func json(reusingText: Bool) -> IcebergJSON {
        if reusingText, let source { return .encoded(source) }
        var members: [(key: String, value: IcebergJSON)] = [("snapshot-id", .int(snapshotId))]
        if let parentSnapshotId { members.append(("parent-snapshot-id", .int(parentSnapshotId))) }
        members += [
            ("sequence-number", .int(sequenceNumber)),
            ("timestamp-ms", .int(timestampMs)),
            ("manifest-list", .string(manifestList)),
            ("summary", summary.json(reusingText: reusingText)),
        ]
        if let schemaId { members.append(("schema-id", .int(schemaId))) }
        members += otherMembers.map { (key: $0.key, value: $0.value) }
        return .object(members)
    }
}

extension SnapshotRef {
    init(name: String, json: IcebergJSON) throws(IcebergError) {
        let object = try JSONObjectReader(json, path: "refs." + name)
        self.init(
            name: name, snapshotId: try object.int64("snapshot-id"), type: try object.string("type"),
            maxRefAgeMs: try object.optionalInt64("max-ref-age-ms"),
            maxSnapshotAgeMs: try object.optionalInt64("max-snapshot-age-ms"),
            minSnapshotsToKeep: try object.optionalInt("min-snapshots-to-keep"))
    }

    var json: IcebergJSON {
        var members: [(key: String, value: IcebergJSON)] = [("snapshot-id", .int(snapshotId)), ("type", .string(type))]
        if let maxRefAgeMs { members.append(("max-ref-age-ms", .int(maxRefAgeMs))) }
        if let maxSnapshotAgeMs { members.append(("max-snapshot-age-ms", .int(maxSnapshotAgeMs))) }
        if let minSnapshotsToKeep { members.append(("min-snapshots-to-keep", .int(minSnapshotsToKeep))) }
        return .object(members)
    }
}

extension SortOrder {
    init(json: IcebergJSON, path: String) throws(IcebergError) {
        let object = try JSONObjectReader(json, path: path)
        var fields: [SortField] = []
        for (index, item) in try object.array("fields", required: false).enumerated() {
            let field = try JSONObjectReader(item, path: object.memberPath("fields[\(index)]"))
            fields.append(
                SortField(
                    sourceId: try field.int("source-id"), transform: Transform(parsing: try field.string("transform")),
                    direction: try field.string("direction"), nullOrder: try field.string("null-order")))
        }
        self.init(orderId: try object.int("order-id"), fields: fields)
    }

    var json: IcebergJSON {
        .object([
            ("order-id", .int(orderId)),
            (
                "fields",
                .array(
                    fields.map {
                        .object([
                            ("transform", .string($0.transform.description)), ("source-id", .int($0.sourceId)),
                            ("direction", .string($0.direction)), ("null-order", .string($0.nullOrder)),
                        ])
                    })
            ),
        ])
    }
}
