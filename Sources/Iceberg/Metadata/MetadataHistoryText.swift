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
                guard let element = element(at: start, spans) else { return nil }
                elements.append(element)
                return element.range.upperBound
            }
            lists[list] = elements
            return end
        }
        guard end != nil, given.allSatisfy({ $0 <= 1 }) else { return nil }
        return lists
    }

    /// The list element starting at `start`, with its members when it is an object.
    private static func element(at start: Int, _ spans: JSONSpans) -> Element? {
        guard spans.byte(start) == UInt8(ascii: "{") else {
            return Element(range: start..<spans.skipValue(start), members: nil)
        }
        var members: [JSONSpans.Member] = []
        members.reserveCapacity(8)  // a snapshot has seven members
        let end = spans.forEachMember(ofObjectAt: start) { key, value in
            let end = spans.skipValue(value)
            members.append(JSONSpans.Member(key: key, value: value..<end))
            return end
        }
        return end.map { Element(range: start..<$0, members: members) }
    }

    func snapshots() throws(IcebergError) -> [Snapshot] {
        try read(snapshotElements, list: "snapshots", fast: { spans, element in Snapshot(text, spans, element) }, full: Snapshot.init)
    }

    func snapshotLog() throws(IcebergError) -> [SnapshotLogEntry] {
        try read(snapshotLogElements, list: "snapshot-log", fast: { spans, element in
            let members = element.members ?? []
            guard let id = spans.last(members, "\"snapshot-id\"").flatMap(spans.plainInt64),
                let time = spans.last(members, "\"timestamp-ms\"").flatMap(spans.plainInt64),
                !members.contains(where: { spans.hasEscape($0.key) })
            else { return nil }
            return SnapshotLogEntry(snapshotId: id, timestampMs: time)
        }, full: SnapshotLogEntry.init)
    }

    func metadataLog() throws(IcebergError) -> [MetadataLogEntry] {
        try read(metadataLogElements, list: "metadata-log", fast: { spans, element in
            let members = element.members ?? []
            guard let file = spans.last(members, "\"metadata-file\"").flatMap(spans.plainString),
                let time = spans.last(members, "\"timestamp-ms\"").flatMap(spans.plainInt64),
                !members.contains(where: { spans.hasEscape($0.key) })
            else { return nil }
            return MetadataLogEntry(metadataFile: file, timestampMs: time)
        }, full: MetadataLogEntry.init)
    }

    /// Each element through `fast`, or through the full parser and `full` when `fast` gives nil.
    private func read<T>(
        _ elements: [Element], list: String, fast: (JSONSpans, Element) -> T?,
        full: (IcebergJSON, String) throws(IcebergError) -> T
    ) throws(IcebergError) -> [T] {
        try withSpans { (spans) throws(IcebergError) in
            var values: [T] = []
            values.reserveCapacity(elements.count)
            for (index, element) in elements.enumerated() {
                if let value = fast(spans, element) {
                    values.append(value)
                } else {
                    values.append(try full(try IcebergJSON.parse(spans.text(element.range)), "\(list)[\(index)]"))
                }
            }
            return values
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
    /// `text` is the file the spans walk (slices of it are kept, not copies).
    init?(_ text: [UInt8], _ spans: JSONSpans, _ element: MetadataHistoryText.Element) {
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
                summary = SnapshotSummary(encoded: text[value])
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
        source = text[element.range]
    }
}
