/// The small XML subset S3 answers in: elements, text, the five named entities and character
/// references, CDATA, comments and the `<?xml?>` declaration. No DTDs (so no entity expansion),
/// no namespaces beyond dropping a `prefix:`. Bounded: the caller limits the bytes; this limits
/// depth and element count before building anything.
package struct XMLElement: Sendable {
    package var name: String
    package var text: String
    package var children: [XMLElement]

    package func child(_ name: String) -> XMLElement? { children.first { $0.name == name } }
    package func children(_ name: String) -> [XMLElement] { children.filter { $0.name == name } }
    /// The text of the first child so named.
    package func value(_ name: String) -> String? { child(name)?.text }
}

package struct XMLParseError: Error, Sendable {
    package let message: String
    package let offset: Int
}

package enum XMLDocument {
    package static let maxDepth = 32

    package static func parse(_ bytes: [UInt8], maxElements: Int) throws(XMLParseError) -> XMLElement {
        var parser = Parser(bytes: bytes, maxElements: maxElements)
        return try parser.document()
    }

    private struct Parser {
        let bytes: [UInt8]
        let maxElements: Int
        var index = 0
        var elements = 0

        init(bytes: [UInt8], maxElements: Int) {
            self.bytes = bytes
            self.maxElements = maxElements
        }

        func fail(_ message: String) -> XMLParseError { XMLParseError(message: message, offset: index) }

        mutating func document() throws(XMLParseError) -> XMLElement {
            // A UTF-8 byte order mark may lead.
            if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
            try skipMisc()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "<") else { throw fail("no root element") }
            let root = try element(depth: 1)
            try skipMisc()
            guard index == bytes.count else { throw fail("content after the root element") }
            return root
        }

        /// Whitespace, comments and processing instructions between top-level parts.
        mutating func skipMisc() throws(XMLParseError) {
            while index < bytes.count {
                let byte = bytes[index]
                if byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D {
                    index += 1
                } else if starts("<?") {
                    try skip(past: "?>")
                } else if starts("<!--") {
                    try skip(past: "-->")
                } else if starts("<!") {
                    throw fail("document type declarations are refused")
                } else {
                    return
                }
            }
        }

        func starts(_ text: StaticString) -> Bool {
            let count = text.utf8CodeUnitCount
            guard index + count <= bytes.count else { return false }
            return text.withUTF8Buffer { pattern in
                for offset in 0..<count where bytes[index + offset] != pattern[offset] { return false }
                return true
            }
        }

        mutating func skip(past text: StaticString) throws(XMLParseError) {
            while index < bytes.count {
                if starts(text) {
                    index += text.utf8CodeUnitCount
                    return
                }
                index += 1
            }
            throw fail("unterminated markup")
        }

        mutating func name() throws(XMLParseError) -> String {
            let start = index
            while index < bytes.count {
                let byte = bytes[index]
                if byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == UInt8(ascii: ">")
                    || byte == UInt8(ascii: "/") || byte == UInt8(ascii: "=")
                {
                    break
                }
                index += 1
            }
            guard index > start, index - start <= 256 else { throw fail("bad element name") }
            var raw = bytes[start..<index]
            if let colon = raw.lastIndex(of: UInt8(ascii: ":")) { raw = raw[(colon + 1)...] }
            return String(decoding: raw, as: UTF8.self)
        }

        mutating func element(depth: Int) throws(XMLParseError) -> XMLElement {
            guard depth <= XMLDocument.maxDepth else { throw fail("elements nested too deep") }
            elements += 1
            guard elements <= maxElements else { throw fail("more than \(maxElements) elements") }
            index += 1  // "<"
            let elementName = try name()
            // Attributes are skipped (S3 uses none we need); quoted values may hold '>'.
            while true {
                guard index < bytes.count else { throw fail("unterminated start tag") }
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
                    index += 1
                    while index < bytes.count && bytes[index] != byte { index += 1 }
                    guard index < bytes.count else { throw fail("unterminated attribute") }
                    index += 1
                } else if byte == UInt8(ascii: "/") {
                    guard index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: ">") else { throw fail("bad empty tag") }
                    index += 2
                    return XMLElement(name: elementName, text: "", children: [])
                } else if byte == UInt8(ascii: ">") {
                    index += 1
                    break
                } else {
                    index += 1
                }
            }
            var text: [UInt8] = []
            var children: [XMLElement] = []
            while true {
                guard index < bytes.count else { throw fail("unterminated element \(elementName)") }
                let byte = bytes[index]
                if byte == UInt8(ascii: "<") {
                    if starts("</") {
                        index += 2
                        let closing = try name()
                        while index < bytes.count && (bytes[index] == 0x20 || bytes[index] == 0x09 || bytes[index] == 0x0A || bytes[index] == 0x0D) {
                            index += 1
                        }
                        guard closing == elementName, index < bytes.count, bytes[index] == UInt8(ascii: ">") else {
                            throw fail("mismatched end tag")
                        }
                        index += 1
                        guard let decoded = String(validating: text, as: UTF8.self) else { throw fail("text is not UTF-8") }
                        return XMLElement(name: elementName, text: decoded, children: children)
                    } else if starts("<![CDATA[") {
                        index += 9
                        let start = index
                        try skip(past: "]]>")
                        text.append(contentsOf: bytes[start..<(index - 3)])
                    } else if starts("<!--") {
                        try skip(past: "-->")
                    } else if starts("<?") {
                        try skip(past: "?>")
                    } else if starts("<!") {
                        throw fail("declarations are refused inside elements")
                    } else {
                        children.append(try element(depth: depth + 1))
                    }
                } else if byte == UInt8(ascii: "&") {
                    try entity(into: &text)
                } else {
                    text.append(byte)
                    index += 1
                }
            }
        }

        mutating func entity(into text: inout [UInt8]) throws(XMLParseError) {
            let start = index + 1
            var end = start
            while end < bytes.count && end - start < 12 && bytes[end] != UInt8(ascii: ";") { end += 1 }
            guard end < bytes.count, bytes[end] == UInt8(ascii: ";") else { throw fail("bad entity") }
            let body = String(decoding: bytes[start..<end], as: UTF8.self)
            index = end + 1
            switch body {
            case "lt": text.append(UInt8(ascii: "<"))
            case "gt": text.append(UInt8(ascii: ">"))
            case "amp": text.append(UInt8(ascii: "&"))
            case "quot": text.append(UInt8(ascii: "\""))
            case "apos": text.append(UInt8(ascii: "'"))
            default:
                var scalarValue: UInt32?
                if body.hasPrefix("#x") || body.hasPrefix("#X") {
                    scalarValue = UInt32(body.dropFirst(2), radix: 16)
                } else if body.hasPrefix("#") {
                    scalarValue = UInt32(body.dropFirst(), radix: 10)
                }
                guard let scalarValue, let scalar = Unicode.Scalar(scalarValue) else { throw fail("unknown entity") }
                text.append(contentsOf: Array(String(Character(scalar)).utf8))
            }
        }
    }
}
