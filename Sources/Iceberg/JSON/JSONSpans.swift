/// Where values lie in JSON text: objects' members and arrays' elements as byte ranges, and
/// plain numbers and strings read straight from their bytes. A walk that tracks only strings and
/// nesting, for text the full parser validates as well (see `TableMetadata.init(jsonBytes:)`);
/// every index is bounds-checked, so malformed text gives wrong spans at worst, never a crash.
struct JSONSpans {
    let bytes: UnsafeRawBufferPointer

    struct Member {
        /// The key with its quotes.
        var key: Range<Int>
        var value: Range<Int>
    }

    /// Calls `body` with each member's key and the start of its value; `body` returns the index
    /// just past the value (nil, or no progress, stops the walk). Returns the index just past
    /// the object, nil when `start` holds no object or it is cut short.
    func forEachMember(ofObjectAt start: Int, _ body: (_ key: Range<Int>, _ value: Int) -> Int?) -> Int? {
        guard byte(start) == UInt8(ascii: "{") else { return nil }
        var i = skipWhitespace(start + 1)
        if byte(i) == UInt8(ascii: "}") { return i + 1 }
        while byte(i) == UInt8(ascii: "\"") {
            let keyEnd = skipString(i)
            var j = skipWhitespace(keyEnd)
            guard byte(j) == UInt8(ascii: ":") else { return nil }
            j = skipWhitespace(j + 1)
            guard let valueEnd = body(i..<keyEnd, j), valueEnd > j else { return nil }
            i = skipWhitespace(valueEnd)
            if byte(i) == UInt8(ascii: "}") { return i + 1 }
            guard byte(i) == UInt8(ascii: ",") else { return nil }
            i = skipWhitespace(i + 1)
        }
        return nil
    }

    /// Calls `body` with the start of each element of the array at `start`; `body` returns the
    /// index just past the element (nil, or no progress, stops the walk). Returns the index just
    /// past the array, nil when `start` holds no array or it is cut short.
    func forEachElement(ofArrayAt start: Int, _ body: (_ element: Int) -> Int?) -> Int? {
        guard byte(start) == UInt8(ascii: "[") else { return nil }
        var i = skipWhitespace(start + 1)
        if byte(i) == UInt8(ascii: "]") { return i + 1 }
        while i < bytes.count {
            guard let end = body(i), end > i else { return nil }
            i = skipWhitespace(end)
            if byte(i) == UInt8(ascii: "]") { return i + 1 }
            guard byte(i) == UInt8(ascii: ",") else { return nil }
            i = skipWhitespace(i + 1)
        }
        return nil
    }

    // MARK: Values

    /// Whether `range` holds exactly the bytes of `literal` (a key with its quotes, say).
    func matches(_ range: Range<Int>, _ literal: StaticString) -> Bool {
        guard range.count == literal.utf8CodeUnitCount, range.lowerBound >= 0, range.upperBound <= bytes.count else {
            return false
        }
        let text = literal.utf8Start
        for offset in 0..<range.count where bytes[range.lowerBound + offset] != text[offset] { return false }
        return true
    }

    func isNull(_ range: Range<Int>) -> Bool { matches(range, "null") }

    /// The value of the last member keyed `key` (with its quotes), as a parse would take it.
    func last(_ members: [Member], _ key: StaticString) -> Range<Int>? {
        members.last { matches($0.key, key) }?.value
    }

    /// Whether the string at `range` holds an escape (then only the full parser decodes it).
    func hasEscape(_ range: Range<Int>) -> Bool {
        for i in range where bytes[i] == UInt8(ascii: "\\") { return true }
        return false
    }

    /// A string without escapes, nil otherwise (and for anything not a string).
    func plainString(_ range: Range<Int>) -> String? {
        guard range.count >= 2, byte(range.lowerBound) == UInt8(ascii: "\""), byte(range.upperBound - 1) == UInt8(ascii: "\""),
            !hasEscape(range)
        else { return nil }
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[(range.lowerBound + 1)..<(range.upperBound - 1)]), as: UTF8.self)
    }

    /// An integer written as plain digits (an optional minus, then at most 19 digits) that fits
    /// in Int64; nil otherwise.
    func plainInt64(_ range: Range<Int>) -> Int64? {
        var i = range.lowerBound
        let negative = byte(i) == UInt8(ascii: "-")
        if negative { i += 1 }
        guard i < range.upperBound, range.upperBound - i <= 19, range.upperBound <= bytes.count else { return nil }
        var magnitude: UInt64 = 0  // 19 digits never overflow it
        while i < range.upperBound {
            let digit = bytes[i] &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            magnitude = magnitude * 10 + UInt64(digit)
            i += 1
        }
        if negative { return magnitude <= Int64.min.magnitude ? Int64(truncatingIfNeeded: 0 &- magnitude) : nil }
        return magnitude <= UInt64(Int64.max) ? Int64(magnitude) : nil
    }

    func text(_ range: Range<Int>) -> [UInt8] { Array(bytes[range]) }

    // MARK: Walking

    /// The byte at `i`, 0 past the end (a byte no branch matches).
    func byte(_ i: Int) -> UInt8 { i >= 0 && i < bytes.count ? bytes[i] : 0 }

    func skipWhitespace(_ start: Int) -> Int {
        var i = start
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
        return i
    }

    /// Just past the string whose opening quote is at `start`.
    private func skipString(_ start: Int) -> Int {
        var i = start + 1
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "\"") { return i + 1 }
            i += b == UInt8(ascii: "\\") ? 2 : 1
        }
        return bytes.count
    }

    /// Just past the value starting at `start` (`start` itself when none starts there).
    func skipValue(_ start: Int) -> Int {
        switch byte(start) {
        case UInt8(ascii: "\""):
            return skipString(start)
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            var i = start
            while i < bytes.count {
                switch bytes[i] {
                case UInt8(ascii: "\""):
                    i = skipString(i)
                    continue
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0 { return i + 1 }
                default:
                    break
                }
                i += 1
            }
            return bytes.count
        case 0, UInt8(ascii: ","), UInt8(ascii: ":"), UInt8(ascii: "}"), UInt8(ascii: "]"):
            return start
        default:
            var i = start
            while i < bytes.count {
                switch bytes[i] {
                case UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), 0x20, 0x0A, 0x0D, 0x09: return i
                default: i += 1
                }
            }
            return i
        }
    }
}
