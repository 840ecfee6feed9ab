/// A glob over object keys, compiled once: `*` matches within one folder (no `/`), `?` one
/// character other than `/`, `**` any run of folders (`a/**/b` matches `a/b` and `a/x/y/b`;
/// a trailing `logs/**` matches everything below `logs/`), `{json,csv}` any of its
/// alternatives (which may hold wildcards, not further braces), and `\` makes the next
/// character literal. A key matches when the whole key matches. No regex engine: matching is
/// a table over (pattern position, key position), linear in their product.
public struct GlobPattern: Sendable, Hashable, CustomStringConvertible {
    enum Token: Sendable, Hashable {
        case literal(Unicode.Scalar)
        /// `?`
        case one
        /// `*`
        case star
        /// `**` not followed by `/`: anything, folders included.
        case anyPath
        /// `**/`: nothing, or any run of folders each ending with `/`.
        case anyFolders
    }

    public let pattern: String
    /// One token list per brace alternative.
    let alternatives: [[Token]]

    public static let maxLength = 1024
    static let maxAlternatives = 256

    public init(_ pattern: String) throws(ConfigurationError) {
        guard !pattern.isEmpty else { throw ConfigurationError(.invalidValue, "an empty pattern matches nothing") }
        guard pattern.unicodeScalars.count <= Self.maxLength else {
            throw ConfigurationError(.invalidValue, "a pattern is at most \(Self.maxLength) characters")
        }
        guard !pattern.hasPrefix("/") else {
            throw ConfigurationError(.invalidValue, "a pattern is relative to the client's prefix: no leading '/'")
        }
        self.pattern = pattern
        var expanded: [[Unicode.Scalar]] = [[]]
        let scalars = Array(pattern.unicodeScalars)
        var i = 0
        while i < scalars.count {
            let c = scalars[i]
            if c == "\\" {
                guard i + 1 < scalars.count else { throw ConfigurationError(.invalidValue, "a pattern cannot end with '\\'") }
                for k in expanded.indices { expanded[k] += [c, scalars[i + 1]] }
                i += 2
                continue
            }
            if c == "}" {
                throw ConfigurationError(.invalidValue, "'}' without '{' in the pattern")
            }
            guard c == "{" else {
                for k in expanded.indices { expanded[k].append(c) }
                i += 1
                continue
            }
            // One brace group: split its alternatives at top-level commas.
            var options: [[Unicode.Scalar]] = [[]]
            var j = i + 1
            var closed = false
            while j < scalars.count {
                let d = scalars[j]
                if d == "\\", j + 1 < scalars.count {
                    options[options.count - 1] += [d, scalars[j + 1]]
                    j += 2
                    continue
                }
                if d == "{" { throw ConfigurationError(.invalidValue, "braces in the pattern do not nest") }
                if d == "}" {
                    closed = true
                    break
                }
                if d == "," { options.append([]) } else { options[options.count - 1].append(d) }
                j += 1
            }
            guard closed else { throw ConfigurationError(.invalidValue, "'{' without '}' in the pattern") }
            guard expanded.count * options.count <= Self.maxAlternatives else {
                throw ConfigurationError(.invalidValue, "the pattern's braces expand to more than \(Self.maxAlternatives) alternatives")
            }
            expanded = expanded.flatMap { prefix in options.map { prefix + $0 } }
            i = j + 1
        }
        alternatives = expanded.map(Self.tokens)
    }

    private static func tokens(_ scalars: [Unicode.Scalar]) -> [Token] {
        var tokens: [Token] = []
        var i = 0
        while i < scalars.count {
            let c = scalars[i]
            switch c {
            case "\\":
                tokens.append(.literal(scalars[i + 1]))
                i += 2
                continue
            case "?":
                tokens.append(.one)
            case "*":
                if i + 1 < scalars.count, scalars[i + 1] == "*" {
                    while i + 1 < scalars.count, scalars[i + 1] == "*" { i += 1 }
                    let startsSegment = tokens.isEmpty || tokens.last == .literal("/")
                    if startsSegment, i + 1 < scalars.count, scalars[i + 1] == "/" {
                        tokens.append(.anyFolders)
                        i += 1  // the '/' is part of the token
                    } else {
                        tokens.append(.anyPath)
                    }
                } else {
                    tokens.append(.star)
                }
            default:
                tokens.append(.literal(c))
            }
            i += 1
        }
        return tokens
    }

    /// Whether the whole of `key` matches.
    public func matches(_ key: String) -> Bool {
        let scalars = Array(key.unicodeScalars)
        return alternatives.contains { Self.matches($0, scalars) }
    }

    private static func matches(_ tokens: [Token], _ key: [Unicode.Scalar]) -> Bool {
        let n = key.count
        // next[j]: tokens[i+1...] match key[j...]; built from the last token backwards.
        var next = [Bool](repeating: false, count: n + 1)
        next[n] = true
        var current = [Bool](repeating: false, count: n + 1)
        for token in tokens.reversed() {
            switch token {
            case .literal(let c):
                current[n] = false
                for j in stride(from: n - 1, through: 0, by: -1) { current[j] = key[j] == c && next[j + 1] }
            case .one:
                current[n] = false
                for j in stride(from: n - 1, through: 0, by: -1) { current[j] = key[j] != "/" && next[j + 1] }
            case .star:
                current[n] = next[n]
                for j in stride(from: n - 1, through: 0, by: -1) { current[j] = next[j] || (key[j] != "/" && current[j + 1]) }
            case .anyPath:
                current[n] = next[n]
                for j in stride(from: n - 1, through: 0, by: -1) { current[j] = next[j] || current[j + 1] }
            case .anyFolders:
                // Nothing, or characters up to and including some '/' after which the rest matches.
                var laterSlash = false
                current[n] = next[n]
                for j in stride(from: n - 1, through: 0, by: -1) {
                    laterSlash = laterSlash || (key[j] == "/" && next[j + 1])
                    current[j] = next[j] || laterSlash
                }
            }
            swap(&next, &current)
        }
        return next[0]
    }

    public var description: String { pattern }
}
