/// Finds where each snapshot's `summary` object lies in a metadata file's text, so that
/// `IcebergJSON.parseMetadata` can keep those objects as text instead of building them (see
/// `SnapshotSummary`). A walk over bytes that only tracks strings and nesting; the document is
/// validated by the full parser all the same, and every index is bounds-checked, so a malformed
/// document gives wrong spans at worst, never a crash.
struct SnapshotSummarySpans {
    private let bytes: UnsafeRawBufferPointer

    /// The byte ranges of `snapshots[i].summary` objects of the top-level object, in document
    /// order (the last `summary` of a snapshot when one repeats).
    static func find(in text: [UInt8]) -> [Range<Int>] {
        text.withUnsafeBytes { SnapshotSummarySpans(bytes: $0).find() }
    }

    private func find() -> [Range<Int>] {
        var spans: [Range<Int>] = []
        var i = skipWhitespace(0)
        guard byte(i) == UInt8(ascii: "{") else { return [] }
        i += 1
        while true {
            i = skipWhitespace(i)
            guard byte(i) == UInt8(ascii: "\"") else { return spans }
            let key = i
            i = skipValue(i)
            let isSnapshots = matches(key..<i, "\"snapshots\"")
            i = skipWhitespace(i)
            guard byte(i) == UInt8(ascii: ":") else { return spans }
            i = skipWhitespace(i + 1)
            if isSnapshots, byte(i) == UInt8(ascii: "[") {
                spans = summaries(inArrayAt: i)  // a repeated member: the last one counts, as in parsing
            }
            i = skipWhitespace(skipValue(i))
            guard byte(i) == UInt8(ascii: ",") else { return spans }
            i += 1
        }
    }

    /// The summary object of each element of the array at `start` that has one.
    private func summaries(inArrayAt start: Int) -> [Range<Int>] {
        var spans: [Range<Int>] = []
        var i = skipWhitespace(start + 1)
        if byte(i) == UInt8(ascii: "]") { return spans }
        while i < bytes.count {
            if byte(i) == UInt8(ascii: "{"), let span = summary(inObjectAt: i) { spans.append(span) }
            i = skipWhitespace(skipValue(i))
            guard byte(i) == UInt8(ascii: ",") else { return spans }
            i = skipWhitespace(i + 1)
        }
        return spans
    }

    private func summary(inObjectAt start: Int) -> Range<Int>? {
        var found: Range<Int>?
        var i = skipWhitespace(start + 1)
        while byte(i) == UInt8(ascii: "\"") {
            let key = i
            i = skipValue(i)
            let isSummary = matches(key..<i, "\"summary\"")
            i = skipWhitespace(i)
            guard byte(i) == UInt8(ascii: ":") else { return nil }
            i = skipWhitespace(i + 1)
            let value = i
            i = skipValue(i)
            if isSummary { found = byte(value) == UInt8(ascii: "{") ? value..<i : nil }
            i = skipWhitespace(i)
            guard byte(i) == UInt8(ascii: ",") else { break }
            i = skipWhitespace(i + 1)
        }
        return found
    }

    // MARK: Bytes

    /// The byte at `i`, 0 past the end (a byte no branch matches).
    private func byte(_ i: Int) -> UInt8 { i >= 0 && i < bytes.count ? bytes[i] : 0 }

    private func matches(_ range: Range<Int>, _ literal: StaticString) -> Bool {
        guard range.count == literal.utf8CodeUnitCount, range.upperBound <= bytes.count else { return false }
        for offset in 0..<range.count where bytes[range.lowerBound + offset] != literal.utf8Start[offset] { return false }
        return true
    }

    private func skipWhitespace(_ start: Int) -> Int {
        var i = start
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
        return i
    }

    /// The index just past the value (or key) starting at `start`.
    private func skipValue(_ start: Int) -> Int {
        var i = start
        var depth = 0
        while i < bytes.count {
            switch bytes[i] {
            case UInt8(ascii: "\""):
                i += 1
                while i < bytes.count, bytes[i] != UInt8(ascii: "\"") { i += bytes[i] == UInt8(ascii: "\\") ? 2 : 1 }
                i += 1
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
                i += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                if depth == 0 { return i }
                depth -= 1
                i += 1
            case UInt8(ascii: ","), 0x20, 0x0A, 0x0D, 0x09, UInt8(ascii: ":"):
                if depth == 0 { return i }
                i += 1
            default:
                i += 1
            }
            if depth == 0, i > start, bytes[start] == UInt8(ascii: "\"") || bytes[start] == UInt8(ascii: "{")
                || bytes[start] == UInt8(ascii: "[")
            {
                return min(i, bytes.count)
            }
        }
        return bytes.count
    }
}
