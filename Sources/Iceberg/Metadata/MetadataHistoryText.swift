/// The three lists of a metadata file that grow with a table's history (`snapshots`,
/// `snapshot-log`, `metadata-log`: up to a hundred entries each), read straight from the file's
/// text instead of built as JSON values first. Every commit reads and rewrites the whole file,
/// and building those values made the thousandth commit slower than the tenth.
///
/// The full parser still validates the document (`IcebergJSON.parseDeferringHistory`); a byte
/// walk (`JSONSpans`) finds each element's span. Anything the fast path does not expect (an
/// escape in a key or a string, a number that is not plain digits, a missing member) sends that
/// element through the full parser, so errors and values are those of `init(json:)`; and when
/// the walk and the parser disagree on the lists at all, the whole file is parsed plainly.
struct MetadataHistoryText {
    let text: [UInt8]
    /// The rest of the document (the three lists empty).
    let json: IcebergJSON
    private var snapshotSpans: [Range<Int>] = []
    private var snapshotLogSpans: [Range<Int>] = []
    private var metadataLogSpans: [Range<Int>] = []

    /// nil when the walk disagrees with the parser (the caller parses plainly then).
    static func read(_ text: [UInt8]) throws(IcebergError) -> MetadataHistoryText? {
        let (json, deferred) = try IcebergJSON.parseDeferringHistory(text)
        var found = MetadataHistoryText(text: text, json: json)
        let agrees = text.withUnsafeBytes { raw -> Bool in
            let spans = JSONSpans(bytes: raw)
            guard let top = spans.members(ofObjectAt: spans.skipWhitespace(0)) else { return false }
            var lists: [[Range<Int>]] = Array(repeating: [], count: IcebergJSON.historyLists.count)
            var arrays = Array(repeating: 0, count: lists.count)
            for member in top.members {
                let list: Int
                if spans.matches(member.key, "\"snapshots\"") {
                    list = 0
                } else if spans.matches(member.key, "\"snapshot-log\"") {
                    list = 1
                } else if spans.matches(member.key, "\"metadata-log\"") {
                    list = 2
                } else {
                    continue
                }
                guard spans.byte(member.value.lowerBound) == UInt8(ascii: "[") else { continue }
                guard let elements = spans.elements(ofArrayAt: member.value.lowerBound) else { return false }
                lists[list] = elements.elements
                arrays[list] += 1
            }
            // A list given twice: the parser counted both, the walk kept the last.
            guard arrays.allSatisfy({ $0 <= 1 }), lists.map(\.count) == deferred else { return false }
            (found.snapshotSpans, found.snapshotLogSpans, found.metadataLogSpans) = (lists[0], lists[1], lists[2])
            return true
        }
        return agrees ? found : nil
    }

    func snapshots() throws(IcebergError) -> [Snapshot] {
        try withSpans { (spans) throws(IcebergError) in
            var snapshots: [Snapshot] = []
            snapshots.reserveCapacity(snapshotSpans.count)
            for (index, range) in snapshotSpans.enumerated() {
                if let snapshot = Snapshot(spans, range) {
                    snapshots.append(snapshot)
                } else {
                    snapshots.append(try Snapshot(json: try IcebergJSON.parse(spans.text(range)), path: "snapshots[\(index)]"))
                }
            }
            return snapshots
        }
    }

    func snapshotLog() throws(IcebergError) -> [SnapshotLogEntry] {
        try withSpans { (spans) throws(IcebergError) in
            var entries: [SnapshotLogEntry] = []
            entries.reserveCapacity(snapshotLogSpans.count)
            for (index, range) in snapshotLogSpans.enumerated() {
                let members = spans.members(ofObjectAt: range.lowerBound)?.members ?? []
                let id = members.last { spans.matches($0.key, "\"snapshot-id\"") }.flatMap { spans.plainInt64($0.value) }
                let time = members.last { spans.matches($0.key, "\"timestamp-ms\"") }.flatMap { spans.plainInt64($0.value) }
                if let id, let time, !members.contains(where: { spans.hasEscape($0.key) }) {
                    entries.append(SnapshotLogEntry(snapshotId: id, timestampMs: time))
                } else {
                    entries.append(try SnapshotLogEntry(json: try IcebergJSON.parse(spans.text(range)), path: "snapshot-log[\(index)]"))
                }
            }
            return entries
        }
    }

    func metadataLog() throws(IcebergError) -> [MetadataLogEntry] {
        try withSpans { (spans) throws(IcebergError) in
            var entries: [MetadataLogEntry] = []
            entries.reserveCapacity(metadataLogSpans.count)
            for (index, range) in metadataLogSpans.enumerated() {
                let members = spans.members(ofObjectAt: range.lowerBound)?.members ?? []
                let file = members.last { spans.matches($0.key, "\"metadata-file\"") }.flatMap { spans.plainString($0.value) }
                let time = members.last { spans.matches($0.key, "\"timestamp-ms\"") }.flatMap { spans.plainInt64($0.value) }
                if let file, let time, !members.contains(where: { spans.hasEscape($0.key) }) {
                    entries.append(MetadataLogEntry(metadataFile: file, timestampMs: time))
                } else {
                    entries.append(try MetadataLogEntry(json: try IcebergJSON.parse(spans.text(range)), path: "metadata-log[\(index)]"))
                }
            }
            return entries
        }
    }

    private func withSpans<T>(_ body: (JSONSpans) throws(IcebergError) -> T) throws(IcebergError) -> T {
        let result: Result<T, IcebergError> = text.withUnsafeBytes { raw in
            do throws(IcebergError) {
                return .success(try body(JSONSpans(bytes: raw)))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }
}

extension Snapshot {
    /// A snapshot read from its text when it holds only what the fast path expects; nil sends
    /// it through the full parser.
    init?(_ spans: JSONSpans, _ range: Range<Int>) {
        guard let (members, end) = spans.members(ofObjectAt: range.lowerBound), end == range.upperBound else { return nil }
        var snapshotId: Int64?
        var parentSnapshotId: Int64?
        var sequenceNumber: Int64?
        var timestampMs: Int64?
        var manifestList: String?
        var summary: SnapshotSummary?
        var schemaId: Int?
        var otherMembers: [IcebergJSONMember] = []
        /// A number member: plain digits or null (nil), else the slow path.
        func number(_ value: Range<Int>) -> Int64?? {
            if spans.isNull(value) { return .some(nil) }
            return spans.plainInt64(value).map { .some($0) }
        }
        for member in members {
            let value = member.value
            if spans.matches(member.key, "\"snapshot-id\"") {
                guard let n = number(value) else { return nil }
                snapshotId = n
            } else if spans.matches(member.key, "\"parent-snapshot-id\"") {
                guard let n = number(value) else { return nil }
                parentSnapshotId = n
            } else if spans.matches(member.key, "\"sequence-number\"") {
                guard let n = number(value) else { return nil }
                sequenceNumber = n
            } else if spans.matches(member.key, "\"timestamp-ms\"") {
                guard let n = number(value) else { return nil }
                timestampMs = n
            } else if spans.matches(member.key, "\"manifest-list\"") {
                guard let text = spans.plainString(value) else { return nil }
                manifestList = text
            } else if spans.matches(member.key, "\"summary\"") {
                guard spans.byte(value.lowerBound) == UInt8(ascii: "{") else { return nil }
                summary = SnapshotSummary(encoded: spans.text(value))
            } else if spans.matches(member.key, "\"schema-id\"") {
                guard let n = number(value) else { return nil }
                guard let n else {
                    schemaId = nil
                    continue
                }
                guard let small = Int32(exactly: n) else { return nil }
                schemaId = Int(small)
            } else {
                guard let key = spans.plainString(member.key), let parsed = try? IcebergJSON.parse(spans.text(value)) else {
                    return nil
                }
                otherMembers.append(IcebergJSONMember(key, parsed))
            }
        }
        guard let snapshotId, let timestampMs, let manifestList, let summary else { return nil }
        self.init(
            snapshotId: snapshotId, parentSnapshotId: parentSnapshotId, sequenceNumber: sequenceNumber ?? 0,
            timestampMs: timestampMs, manifestList: manifestList, summary: summary, schemaId: schemaId,
            otherMembers: otherMembers)
        source = Source(text: spans.text(range), readAs: self)
    }
}
