/// The bits of PostgreSQL's lexical grammar needed to find placeholders and statement ends:
/// quoted strings ('…', E'…' with backslash escapes), quoted identifiers ("…"), dollar-quoted
/// bodies ($tag$…$tag$), and comments (-- …, nested /* … */). Works on UTF-8 bytes: every
/// character it looks for is ASCII, and UTF-8 never uses ASCII bytes inside a multi-byte character.
enum PostgresSQLText {
    /// Rewrites each `?` outside quotes and comments to $1, $2, …, and counts them.
    /// PostgreSQL's jsonb operators `?`, `?|`, `?&` cannot be written this way: use
    /// jsonb_exists(), jsonb_exists_any(), jsonb_exists_all() instead.
    static func rewritePlaceholders(_ sql: String) -> (sql: String, count: Int) {
        let bytes = Array(sql.utf8)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + 16)
        var count = 0
        var copied = 0
        scan(bytes) { event in
            if case .code(let index) = event, bytes[index] == UInt8(ascii: "?") {
                output.append(contentsOf: bytes[copied..<index])
                count += 1
                output.append(contentsOf: "$\(count)".utf8)
                copied = index + 1
            }
        }
        if count == 0 { return (sql, 0) }
        output.append(contentsOf: bytes[copied...])
        return (String(decoding: output, as: UTF8.self), count)
    }

    /// Splits a script at each `;` outside quotes and comments; drops empty statements.
    static func splitStatements(_ sql: String) -> [String] {
        let bytes = Array(sql.utf8)
        var statements: [String] = []
        var start = 0
        var hasContent = false
        func flush(upTo end: Int) {
            if hasContent {
                let text = String(decoding: bytes[start..<end], as: UTF8.self)
                statements.append(text.trimmingWhitespace())
            }
            hasContent = false
        }
        scan(bytes) { event in
            switch event {
            case .code(let index):
                if bytes[index] == UInt8(ascii: ";") {
                    flush(upTo: index)
                    start = index + 1
                } else if !isSpace(bytes[index]) {
                    hasContent = true
                }
            case .quoted:
                hasContent = true
            }
        }
        flush(upTo: bytes.count)
        return statements
    }

    enum Event {
        /// A byte of SQL code, outside any quote or comment.
        case code(Int)
        /// A quoted string, identifier or dollar-quoted body (its bytes are not reported).
        case quoted
    }

    static func scan(_ bytes: [UInt8], _ visit: (Event) -> Void) {
        var i = 0
        let n = bytes.count
        func at(_ k: Int) -> UInt8 { k < n ? bytes[k] : 0 }
        while i < n {
            let byte = bytes[i]
            switch byte {
            case UInt8(ascii: "'"):
                // E'…' (not part of a longer identifier) allows backslash escapes.
                let escapes = i > 0 && (bytes[i - 1] == UInt8(ascii: "E") || bytes[i - 1] == UInt8(ascii: "e"))
                    && (i < 2 || !isIdentifier(bytes[i - 2]))
                i += 1
                while i < n {
                    if escapes && bytes[i] == UInt8(ascii: "\\") {
                        i += 2
                    } else if bytes[i] == UInt8(ascii: "'") {
                        if at(i + 1) == UInt8(ascii: "'") { i += 2 } else { i += 1; break }
                    } else {
                        i += 1
                    }
                }
                visit(.quoted)
            case UInt8(ascii: "\""):
                i += 1
                while i < n {
                    if bytes[i] == UInt8(ascii: "\"") {
                        if at(i + 1) == UInt8(ascii: "\"") { i += 2 } else { i += 1; break }
                    } else {
                        i += 1
                    }
                }
                visit(.quoted)
            case UInt8(ascii: "-") where at(i + 1) == UInt8(ascii: "-"):
                while i < n, bytes[i] != UInt8(ascii: "\n") { i += 1 }
            case UInt8(ascii: "/") where at(i + 1) == UInt8(ascii: "*"):
                var depth = 1
                i += 2
                while i < n, depth > 0 {
                    if bytes[i] == UInt8(ascii: "/"), at(i + 1) == UInt8(ascii: "*") {
                        depth += 1
                        i += 2
                    } else if bytes[i] == UInt8(ascii: "*"), at(i + 1) == UInt8(ascii: "/") {
                        depth -= 1
                        i += 2
                    } else {
                        i += 1
                    }
                }
            case UInt8(ascii: "$") where i == 0 || !isIdentifier(bytes[i - 1]):
                // $tag$ or $$; $1 is a parameter, not a quote.
                var j = i + 1
                while j < n, isIdentifier(bytes[j]), bytes[j] != UInt8(ascii: "$") { j += 1 }
                let tagIsValid = j < n && bytes[j] == UInt8(ascii: "$") && !isDigit(at(i + 1))
                guard tagIsValid else {
                    visit(.code(i))
                    i += 1
                    continue
                }
                let tag = bytes[i...j]
                i = j + 1
                while i < n {
                    if bytes[i] == UInt8(ascii: "$"), i + tag.count <= n, bytes[i..<(i + tag.count)].elementsEqual(tag) {
                        i += tag.count
                        break
                    }
                    i += 1
                }
                if i >= n { i = n }
                visit(.quoted)
            default:
                visit(.code(i))
                i += 1
            }
        }
    }

    private static func isIdentifier(_ byte: UInt8) -> Bool {
        byte >= 0x80 || isDigit(byte) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "$")
            || (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "z"))
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x0C
    }
}

extension String {
    fileprivate func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }
}
