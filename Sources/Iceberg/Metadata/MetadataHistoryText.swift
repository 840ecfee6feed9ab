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

    /// A list's element: its span and, for an object, its members.
    struct Element {
        var range: Range<Int>
        var members: [JSONSpans.Member]?
    }

    private var snapshotElements: [Element] = []
    private var snapshotLogElements: [Element] = []
    private var metadataLogElements: [Element] = []

    /// nil when the walk disagrees with the parser (the caller parses plainly then).
    static func read(_ text: [UInt8]) throws(IcebergError) -> MetadataHistoryText? {
        let (json, deferred) = try IcebergJSON.parseDeferringHistory(text)
        guard let lists = text.withUnsafeBytes({ walk(JSONSpans(bytes: $0)) }), lists.map(\.count) == deferred else {
            return nil
        }
        var found = MetadataHistoryText(text: text, json: json)
        (found.snapshotElements, found.snapshotLogElements, found.metadataLogElements) = (lists[0], lists[1], lists[2])
        return found
    }

    /// One pass over the text: the elements of each of `IcebergJSON.historyLists`, with the
    /// members of those that are objects. nil when the top level cannot be followed or a list
    /// is given twice (the parser counted both, the walk would keep one).
    private static func walk(_ spans: JSONSpans) -> [[Element]]? {
        var lists: [[Element]] = Array(repeating: [], count: IcebergJSON.historyLists.count)
        var given = Array(repeating: 0, count: lists.count)
        let end = spans.forEachMember(ofObjectAt: spans.skipWhitespace(0)) { key, value in
            let list: Int
            if spans.matches(key, "\"snapshots\"") {
                list = 0
            } else if spans.matches(key, "\"snapshot-log\"") {
                list = 1
            } else if spans.matches(key, "\"metadata-log\"") {
                list = 2
            } else {
                return spans.skipValue(value)
            }
            guard spans.byte(value) == UInt8(ascii: "[") else { return spans.skipValue(value) }
            given[list] += 1
            var elements: [Element] = []
            let end = spans.forEachElement(ofArrayAt: value) { start in
                guard spans.byte(start) == UInt8(ascii: "{") else {
                    let end = spans.skipValue(start)
                    elements.append(Element(range: start..<end, members: nil))
                    return end
                }
                var members: [JSONSpans.Member] = []
                guard
                    let end = spans.forEachMember(
                        ofObjectAt: start,
                        { key, value in
                            let end = spans.skipValue(value)
                            members.append(JSONSpans.Member(key: key, value: value..<end))
                            return end
                        })
                else { return nil }
                elements.append(Element(range: start..<end, members: members))
                return end
            }
            lists[list] = elements
            return end
        }
        guard end != nil, given.allSatisfy({ $0 <= 1 }) else { return nil }
        return lists
    }

    func snapshots() throws(IcebergError) -> [Snapshot] {
        try withSpans { (spans) throws(IcebergError) in
            var snapshots: [Snapshot] = []
            snapshots.reserveCapacity(snapshotElements.count)
            for (index, element) in snapshotElements.enumerated() {
                if let snapshot = Snapshot(spans, element) {
                    snapshots.append(snapshot)
                } else {
                    snapshots.append(
                        try Snapshot(json: try IcebergJSON.parse(spans.text(element.range)), path: "snapshots[\(index)]"))
                }
            }
            return snapshots
        }
    }

    func snapshotLog() throws(IcebergError) -> [SnapshotLogEntry] {
        try withSpans { (spans) throws(IcebergError) in
            var entries: [SnapshotLogEntry] = []
            entries.reserveCapacity(snapshotLogElements.count)
            for (index, element) in snapshotLogElements.enumerated() {
                let members = element.members ?? []
                let id = members.last { spans.matches($0.key, "\"snapshot-id\"") }.flatMap { spans.plainInt64($0.value) }
                let time = members.last { spans.matches($0.key, "\"timestamp-ms\"") }.flatMap { spans.plainInt64($0.value) }
                if let id, let time, !members.contains(where: { spans.hasEscape($0.key) }) {
                    entries.append(SnapshotLogEntry(snapshotId: id, timestampMs: time))
                } else {
                    entries.append(
                        try SnapshotLogEntry(json: try IcebergJSON.parse(spans.text(element.range)), path: "snapshot-log[\(index)]"))
                }
            }
            return entries
        }
    }

    func metadataLog() throws(IcebergError) -> [MetadataLogEntry] {
        try withSpans { (spans) throws(IcebergError) in
            var entries: [MetadataLogEntry] = []
            entries.reserveCapacity(metadataLogElements.count)
            for (index, element) in metadataLogElements.enumerated() {
                let members = element.members ?? []
                let file = members.last { spans.matches($0.key, "\"metadata-file\"") }.flatMap { spans.plainString($0.value) }
                let time = members.last { spans.matches($0.key, "\"timestamp-ms\"") }.flatMap { spans.plainInt64($0.value) }
                if let file, let time, !members.contains(where: { spans.hasEscape($0.key) }) {
                    entries.append(MetadataLogEntry(metadataFile: file, timestampMs: time))
                } else {
                    entries.append(
                        try MetadataLogEntry(json: try IcebergJSON.parse(spans.text(element.range)), path: "metadata-log[\(index)]"))
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
    init?(_ spans: JSONSpans, _ element: MetadataHistoryText.Element) {
        guard let members = element.members else { return nil }
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
        source = Source(text: spans.text(element.range), readAs: self)
    }
}
