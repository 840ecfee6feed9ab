import Iceberg
import Tables

/// Every fast append adds one manifest, so after a thousand appends a snapshot's manifest list
/// names a thousand manifests, and each commit and scan plan reads them all. As Java's merging
/// appends do, once the current snapshot has `commit.manifest.min-count-to-merge` (100) data
/// manifests of the default spec, an append rewrites them as one manifest of EXISTING entries
/// (numbers explicit) that its own snapshot adds. `commit.manifest-merge.enabled=false` turns
/// it off, as does a nil `IcebergCatalogOptions.manifestMergeMinCount` without that property.
struct ManifestMerge {
    var manifests: [ManifestFile]
    /// The merged manifest to write, and its entries.
    var written: (file: PlannedFile, entries: [ManifestEntry])?

    init(manifests: [ManifestFile], written: (file: PlannedFile, entries: [ManifestEntry])? = nil) {
        self.manifests = manifests
        self.written = written
    }

    static let enabledProperty = "commit.manifest-merge.enabled"
    static let minCountProperty = "commit.manifest.min-count-to-merge"
    /// Manifests this large are left as they are.
    static let largeManifestBytes: Int64 = 8 << 20

    /// The parent's manifests, with the small data manifests of the default spec merged when
    /// there are enough of them (`written` is then the new manifest to write).
    static func merge(
        _ parent: [ManifestFile], metadata: TableMetadata, snapshotId: Int64, commitUUID: String, files: TableFiles,
        table: TableIdentifier, defaultMinCount: Int?
    ) async throws(TableError) -> ManifestMerge {
        let properties = metadata.properties
        if properties[enabledProperty]?.lowercased() == "false" { return ManifestMerge(manifests: parent) }
        guard let configured = properties[minCountProperty].flatMap({ Int($0) }) ?? defaultMinCount else {
            return ManifestMerge(manifests: parent)
        }
        let minCount = max(2, configured)
        let isCandidate = { (manifest: ManifestFile) in
            manifest.content == 0 && Int(manifest.partitionSpecId) == metadata.defaultSpecId
                && manifest.manifestLength < largeManifestBytes
        }
        let candidates = parent.filter(isCandidate)
        guard candidates.count >= minCount, let schema = metadata.currentSchema, let spec = metadata.defaultSpec else {
            return ManifestMerge(manifests: parent)
        }
        var entries: [ManifestEntry] = []
        for manifest in candidates {
            for raw in try await files.entries(manifest, metadata: metadata) where raw.status.isLive {
                var entry = raw.inheriting(from: manifest)
                // An EXISTING entry must carry its numbers; without them, leave the manifests be.
                guard entry.sequenceNumber != nil, entry.snapshotId != nil else { return ManifestMerge(manifests: parent) }
                entry.status = .existing
                entries.append(entry)
            }
        }
        let path = TableMetadata.trimmed(metadata.location) + "/metadata/\(commitUUID)-m1.avro"
        let merged: ManifestFile
        let bytes: [UInt8]
        do {
            bytes = try Manifests.manifestBytes(entries, schema: schema, spec: spec)
            merged = try ManifestFile(
                summarizing: entries, path: path, length: Int64(bytes.count), spec: spec, schema: schema,
                sequenceNumber: metadata.lastSequenceNumber + 1, addedSnapshotId: snapshotId)
        } catch {
            throw TableError.iceberg(error, "merging manifests", subject: table.description)
        }
        // The merged manifest takes the place of the first one it replaces.
        var out: [ManifestFile] = []
        var placed = false
        for manifest in parent {
            if isCandidate(manifest) {
                if !placed { out.append(merged) }
                placed = true
            } else {
                out.append(manifest)
            }
        }
        return ManifestMerge(
            manifests: out,
            written: (PlannedFile(path: path, bytes: bytes), entries))
    }
}

extension TableMetadata {
    static func trimmed(_ location: String) -> String {
        var text = location
        while text.count > 1 && text.hasSuffix("/") { text.removeLast() }
        return text
    }
}
