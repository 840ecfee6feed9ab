/// Cuts expression text into tokens, each with its offset in Unicode scalars. The parser pulls
/// one token at a time, so that it can read a CAST's type name as raw text.
struct Lexer {
    enum Symbol: String, Sendable {
        case plus = "+", minus = "-", star = "*", slash = "/", percent = "%"
        case equal = "=", notEqual = "!=", lessGreater = "<>", less = "<", lessOrEqual = "<="
        case greater = ">", greaterOrEqual = ">="
        case concat = "||", openParen = "(", closeParen = ")", comma = ","
    }

    enum Keyword: String, Sendable {
        case and, or, not, `is`, null, `in`, `true`, `false`, cast, try_cast, `as`
    }

    enum Kind: Equatable, Sendable {
        case identifier(String)
        case quotedIdentifier(String)
        /// Digits only.
        case integer(String)
        /// Digits with a point and no exponent.
        case decimal(String)
        /// Digits with an exponent.
        case float(String)
        case string(String)
        case symbol(Symbol)
        case keyword(Keyword)
        case end
    }

    struct Token: Sendable {
        var kind: Kind
        var offset: Int
    }

    /// Expressions longer than this are refused (they come from a configuration file).
    static let maxLength = 65_536

    let scalars: [Unicode.Scalar]
    var position = 0

    init(_ text: String) {
        scalars = Array(text.unicodeScalars)
    }

    private func peek(_ ahead: Int = 0) -> Unicode.Scalar? {
        position + ahead < scalars.count ? scalars[position + ahead] : nil
    }

    private mutating func skipSpace() {
        while let c = peek(), c == " " || c == "\t" || c == "\n" || c == "\r" { position += 1 }
    }

    static func isIdentifierStart(_ c: Unicode.Scalar) -> Bool {
        (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c == "_"
    }

    static func isIdentifierPart(_ c: Unicode.Scalar) -> Bool {
        isIdentifierStart(c) || isDigit(c)
    }

    static func isDigit(_ c: Unicode.Scalar) -> Bool { c >= "0" && c <= "9" }

    mutating func next() throws(TransformError) -> Token {
        skipSpace()
        let start = position
        guard let c = peek() else { return Token(kind: .end, offset: start) }
        if Self.isIdentifierStart(c) { return Token(kind: identifier(), offset: start) }
        if Self.isDigit(c) || (c == "." && peek(1).map(Self.isDigit) == true) {
            return Token(kind: try number(), offset: start)
        }
        if c == "'" { return Token(kind: .string(try quoted("'")), offset: start) }
        if c == "\"" {
            let name = try quoted("\"")
            guard !name.isEmpty else { throw TransformError(.syntax, "empty quoted column name", offset: start) }
            return Token(kind: .quotedIdentifier(name), offset: start)
        }
        position += 1
        let symbol: Symbol
        switch c {
        case "+": symbol = .plus
        case "-": symbol = .minus
        case "*": symbol = .star
        case "/": symbol = .slash
        case "%": symbol = .percent
        case "=":
            if peek() == "=" { position += 1 }  // `==` reads as `=`
            symbol = .equal
        case "(": symbol = .openParen
        case ")": symbol = .closeParen
        case ",": symbol = .comma
        case "!":
            guard peek() == "=" else { throw TransformError(.syntax, "unexpected '!' (use != or NOT)", offset: start) }
            position += 1
            symbol = .notEqual
        case "<":
            if peek() == "=" {
                position += 1
                symbol = .lessOrEqual
            } else if peek() == ">" {
                position += 1
                symbol = .lessGreater
            } else {
                symbol = .less
            }
        case ">":
            if peek() == "=" {
                position += 1
                symbol = .greaterOrEqual
            } else {
                symbol = .greater
            }
        case "|":
            guard peek() == "|" else { throw TransformError(.syntax, "unexpected '|' (use || to concatenate)", offset: start) }
            position += 1
            symbol = .concat
        default:
            throw TransformError(.syntax, "unexpected character '\(Self.printable(c))'", offset: start)
        }
        return Token(kind: .symbol(symbol), offset: start)
    }

    /// Letters, digits and `_`, with `.` joining parts of a flattened column's name.
    private mutating func identifier() -> Kind {
        let start = position
        while let c = peek() {
            if Self.isIdentifierPart(c) {
                position += 1
            } else if c == ".", let after = peek(1), Self.isIdentifierStart(after) {
                position += 1
            } else {
                break
            }
        }
        let text = String(String.UnicodeScalarView(scalars[start..<position]))
        if !text.contains("."), let keyword = Keyword(rawValue: text.lowercased()) { return .keyword(keyword) }
        return .identifier(text)
    }

    private mutating func number() throws(TransformError) -> Kind {
        let start = position
        var sawPoint = false
        var sawExponent = false
        while let c = peek(), Self.isDigit(c) { position += 1 }
        if peek() == "." {
            sawPoint = true
            position += 1
            guard let c = peek(), Self.isDigit(c) else {
                throw TransformError(.syntax, "expected digits after the decimal point", offset: position)
            }
            while let c = peek(), Self.isDigit(c) { position += 1 }
        }
        if let c = peek(), c == "e" || c == "E" {
            sawExponent = true
            position += 1
            if let sign = peek(), sign == "+" || sign == "-" { position += 1 }
            guard let c = peek(), Self.isDigit(c) else {
                throw TransformError(.syntax, "expected digits in the exponent", offset: position)
            }
            while let c = peek(), Self.isDigit(c) { position += 1 }
        }
        if let c = peek(), Self.isIdentifierPart(c) || c == "." {
            throw TransformError(.syntax, "unexpected '\(Self.printable(c))' after a number", offset: position)
        }
        let text = String(String.UnicodeScalarView(scalars[start..<position]))
        if sawExponent { return .float(text) }
        return sawPoint ? .decimal(text) : .integer(text)
    }

    /// Text between `quote`s, a doubled quote standing for one.
    private mutating func quoted(_ quote: Unicode.Scalar) throws(TransformError) -> String {
        let start = position
        position += 1
        var text = String.UnicodeScalarView()
        while true {
            guard let c = peek() else {
                let what = quote == "'" ? "string" : "quoted column name"
                throw TransformError(.syntax, "unterminated \(what)", offset: start)
            }
            position += 1
            if c == quote {
                if peek() == quote {
                    position += 1
                } else {
                    return String(text)
                }
            }
            text.append(c)
        }
    }

    /// The raw text of a type name after `AS`, up to the `)` that closes the CAST; the lexer
    /// stops before that `)`.
    mutating func typeText() -> (text: String, offset: Int) {
        skipSpace()
        let start = position
        var depth = 0
        while let c = peek() {
            if c == "(" || c == "[" || c == "<" {
                depth += 1
            } else if c == "]" || c == ">" {
                depth -= 1
            } else if c == ")" {
                if depth == 0 { break }
                depth -= 1
            }
            position += 1
        }
        var end = position
        while end > start, scalars[end - 1] == " " || scalars[end - 1] == "\t" { end -= 1 }
        return (String(String.UnicodeScalarView(scalars[start..<end])), start)
    }

    static func printable(_ c: Unicode.Scalar) -> String {
        c.properties.generalCategory == .control ? "U+" + String(c.value, radix: 16, uppercase: true) : String(c)
    }
}
