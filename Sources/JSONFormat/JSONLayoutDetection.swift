extension JSONRecordFramer {
    /// How many leading bytes `detectLayout` needs at most to decide (unless the input is
    /// shorter).
    public static let layoutDetectionBytes = 64 << 10

    /// Guesses the layout from the first bytes of the input.
    ///
    /// After a UTF-8 byte order mark and whitespace:
    /// 1. nothing at all (an empty input): `.ndjson` (zero records);
    /// 2. a first value with no line break inside it (outside strings), followed by another
    ///    value on a later line: `.ndjson`; this wins over the rules below, so NDJSON whose
    ///    lines are arrays is not taken for a top-level array;
    /// 3. otherwise, a value starting with `[`: `.array`;
    /// 4. an object whose first member's value is an array whose first element is an object,
    ///    and that (when the whole object is in the prefix) has no other member:
    ///    `.rootKey(nil)`;
    /// 5. anything else: `.singleValue` (invalid input included: the parser then reports it).
    ///
    /// Returns nil while more bytes are needed: when the first value, or what follows it, is
    /// not yet in `prefix`, unless `isEndOfInput` or `prefix` already holds
    /// `layoutDetectionBytes` bytes, in which case it decides with what it has (a first value
    /// longer than that is never taken for NDJSON).
    public static func detectLayout(_ prefix: UnsafeRawBufferPointer, isEndOfInput: Bool) -> JSONLayout? {
        let n = prefix.count
        let decideNow = isEndOfInput || n >= layoutDetectionBytes
        var i = 0
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        if n >= 3 && prefix[0] == 0xEF && prefix[1] == 0xBB && prefix[2] == 0xBF {
            i = 3
        } else if n < 3 && !isEndOfInput && prefix.elementsEqual(bom.prefix(n)) {
            return nil
        }
        while i < n && _JSONScanner.isWhitespace(prefix[i]) { i += 1 }
        guard i < n else { return decideNow ? .ndjson : nil }

        let first = i
        let value = skipValue(prefix, from: first)
        if let end = value.end {
            var j = end
            var lineBreak = false
            while j < n && _JSONScanner.isWhitespace(prefix[j]) {
                if prefix[j] == 0x0A { lineBreak = true }
                j += 1
            }
            if j < n {
                if lineBreak && !value.lineBreakInside && startsValue(prefix[j]) { return .ndjson }
            } else if !decideNow {
                return nil
            }
        } else if !decideNow {
            return nil
        }

        switch prefix[first] {
        case 0x5B:
            return .array
        case 0x7B where hasRootKeyShape(prefix, objectAt: first):
            return .rootKey(nil)
        default:
            return .singleValue
        }
    }

    private static func startsValue(_ b: UInt8) -> Bool {
        switch b {
        case 0x7B, 0x5B, 0x22, 0x2D, 0x30...0x39, 0x74, 0x66, 0x6E: return true
        default: return false
        }
    }

    /// Skips the value at `i` structurally: its end (nil when it runs past the prefix) and
    /// whether a line break occurs inside it outside strings.
    private static func skipValue(_ bytes: UnsafeRawBufferPointer, from i: Int) -> (end: Int?, lineBreakInside: Bool) {
        let n = bytes.count
        var j = i
        switch bytes[i] {
        case 0x7B, 0x5B, 0x22:
            var depth = 0
            var inString = false
            var lineBreak = false
            while j < n {
                let b = bytes[j]
                j += 1
                if inString {
                    if b == 0x5C {
                        j += 1
                    } else if b == 0x22 {
                        inString = false
                        if depth == 0 { return (j, lineBreak) }
                    }
                    continue
                }
                switch b {
                case 0x22: inString = true
                case 0x7B, 0x5B: depth += 1
                case 0x7D, 0x5D:
                    depth -= 1
                    if depth <= 0 { return (j, lineBreak) }
                case 0x0A: lineBreak = true
                default: break
                }
            }
            return (nil, lineBreak)
        default:
            while j < n {
                switch bytes[j] {
                case 0x20, 0x09, 0x0A, 0x0D, 0x2C, 0x5D, 0x7D, 0x5B, 0x7B, 0x22, 0x3A: return (j, false)
                default: j += 1
                }
            }
            return (nil, false)
        }
    }

    /// `{ "key" : [ {` … and, when the object ends within `bytes`, no member after the array.
    private static func hasRootKeyShape(_ bytes: UnsafeRawBufferPointer, objectAt start: Int) -> Bool {
        let n = bytes.count
        var i = start + 1
        func skipWhitespace() { while i < n && _JSONScanner.isWhitespace(bytes[i]) { i += 1 } }
        skipWhitespace()
        guard i < n, bytes[i] == 0x22, let keyEnd = skipValue(bytes, from: i).end else { return false }
        i = keyEnd
        skipWhitespace()
        guard i < n, bytes[i] == 0x3A else { return false }
        i += 1
        skipWhitespace()
        guard i < n, bytes[i] == 0x5B else { return false }
        let array = i
        i += 1
        skipWhitespace()
        guard i < n, bytes[i] == 0x7B else { return false }
        guard let arrayEnd = skipValue(bytes, from: array).end else { return true }
        i = arrayEnd
        skipWhitespace()
        return i >= n || bytes[i] == 0x7D
    }
}
