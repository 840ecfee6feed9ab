import Testing

@testable import JSONFormat

@Suite struct ParserValueTests {
    @Test func scalarsAtTopLevel() throws {
        #expect(try events("true") == [.bool(true)])
        #expect(try events(" false ") == [.bool(false)])
        #expect(try events("\n\tnull\r\n") == [.null])
        #expect(try events("\"\"") == [.string("")])
        #expect(try events("0") == [.int("0")])
        #expect(try events("-0") == [.int("-0")])
    }

    @Test func nestedValuesInDocumentOrder() throws {
        let text = #"{"a": [1, {"b": null}, []], "c": {}, "a": "dup"}"#
        #expect(
            try events(text) == [
                .beginObject,
                .key("a"), .beginArray, .int("1"), .beginObject, .key("b"), .null, .endObject,
                .beginArray, .endArray, .endArray,
                .key("c"), .beginObject, .endObject,
                .key("a"), .string("dup"),  // duplicate keys pass through in order
                .endObject,
            ])
    }

    @Test(arguments: [
        ("0", JSONNumberKind.integer), ("-0", .integer), ("123", .integer), ("-9876543210", .integer),
        ("123456789012345678901234567890123456789", .integer),
        ("0.5", .decimal), ("-0.0", .decimal), ("1e5", .decimal), ("1E5", .decimal),
        ("1e+5", .decimal), ("1e-5", .decimal), ("-1.25E-007", .decimal), ("0e0", .decimal),
        ("1.7976931348623157e309", .decimal),
    ])
    func numbersPassAsText(text: String, kind: JSONNumberKind) throws {
        #expect(try events(text) == [.number(text, kind)])
        #expect(try events("[\(text)]") == [.beginArray, .number(text, kind), .endArray])
        #expect(try events("{\"n\":\(text)}") == [.beginObject, .key("n"), .number(text, kind), .endObject])
    }

    @Test(arguments: [
        "01", "-01", "00", "1.", "1.e5", ".5", "+1", "1e", "1e+", "1E-", "-", "--1", "1.0.0",
        "1e5e5", "0x10", "1_000", "Infinity", "-Infinity", "NaN", "1ee5", "2.", "-.5",
    ])
    func invalidNumbers(text: String) {
        let error = parseError(text)
        #expect(error != nil, "\(text) accepted")
        #expect(error?.code != .limitExceeded)
        #expect(parseError("[\(text)]") != nil, "[\(text)] accepted")
    }

    @Test func numberErrorsAreLocatedAndNamed() {
        let leadingZero = parseError("[1, 012]")
        #expect(leadingZero?.code == .invalidNumber)
        #expect(leadingZero?.column == 6)
        #expect(leadingZero?.reason.contains("leading zero") == true)
        let fraction = parseError("[1.]")
        #expect(fraction?.code == .invalidNumber)
        #expect(fraction?.column == 4)
        let exponent = parseError("[1e+]")
        #expect(exponent?.code == .invalidNumber)
        #expect(exponent?.reason.contains("exponent") == true)
        #expect(parseError("-")?.code == .truncated)
        #expect(parseError("1.")?.code == .truncated)
    }

    @Test func literals() {
        #expect(parseError("tru")?.code == .truncated)
        #expect(parseError("[fals")?.code == .truncated)
        #expect(parseError("nul")?.code == .truncated)
        #expect(parseError("True")?.code == .syntax)
        #expect(parseError("nulL")?.code == .syntax)
        #expect(parseError("trueX")?.code == .syntax)
        #expect(parseError("[nullnull]")?.code == .syntax)
        #expect(parseError("[true false]")?.column == 7)
    }
}

@Suite struct ParserStringTests {
    @Test func everyEscape() throws {
        let text = #""\"\\\/\b\f\n\r\t\u0041\u00e9\u20AC\uD834\uDD1E\u0000""#
        let expected: [UInt8] =
            [0x22, 0x5C, 0x2F, 0x08, 0x0C, 0x0A, 0x0D, 0x09, 0x41]
            + [0xC3, 0xA9]  // é
            + [0xE2, 0x82, 0xAC]  // €
            + [0xF0, 0x9D, 0x84, 0x9E]  // U+1D11E, from a surrogate pair
            + [0x00]
        #expect(try events(text) == [.string(expected)])
        #expect(try events("{\(text):1}") == [.beginObject, .key(expected), .int("1"), .endObject])
    }

    @Test func escapesBetweenPlainRunsOfEveryLength() throws {
        // Exercise the 8-byte scanning around escapes at every alignment.
        for before in 0..<18 {
            for after in 0..<18 {
                let a = String(repeating: "a", count: before)
                let b = String(repeating: "é", count: after)
                #expect(try events("\"\(a)\\n\(b)\\u00e9\(a)\"") == [.string("\(a)\n\(b)é\(a)")])
                #expect(try events("\"\(a)\(b)\"") == [.string(a + b)])
            }
        }
    }

    @Test func hexDigitsInEitherCase() throws {
        #expect(try events(#""\u00Ff\u00fF""#) == [.string("ÿÿ")])
    }

    @Test(arguments: [
        (#""\x""#, JSONError.Code.invalidEscape), (#""\u12""#, .invalidEscape), (#""\u12G4""#, .invalidEscape),
        (#""\U0041""#, .invalidEscape), (#""\'""#, .invalidEscape), (#""\a""#, .invalidEscape),
        (#""\ud800""#, .invalidEscape), (#""\ud800x""#, .invalidEscape), (#""\ud800\n""#, .invalidEscape),
        (#""\ud800\u0041""#, .invalidEscape), (#""\udc00""#, .invalidEscape),
        (#""\udd1e\ud834""#, .invalidEscape), (#""\ud800\ud800""#, .invalidEscape),
        (#""\"#, .truncated), (#""\u00"#, .truncated), (#""abc"#, .truncated),
    ])
    func badEscapes(text: String, code: JSONError.Code) {
        #expect(parseError(text)?.code == code, "\(text): \(String(describing: parseError(text)))")
    }

    @Test func loneSurrogateIsLocatedAtItsEscape() {
        let error = parseError(#"{"k": "ab\udc00"}"#)
        #expect(error?.code == .invalidEscape)
        #expect(error?.column == 10)
        #expect(error?.reason.contains("lone") == true)
    }

    @Test func controlCharactersMustBeEscaped() {
        for byte in UInt8(0)..<0x20 {
            let error = parseError([0x22, 0x61, byte, 0x22])
            #expect(error?.code == .syntax, "control byte \(byte)")
            #expect(error?.column == 3)
        }
        // DEL (0x7F) is allowed raw.
        #expect(parseError([0x22, 0x7F, 0x22]) == nil)
    }

    static let validUTF8: [[UInt8]] = [
        [0x7F], [0xC2, 0x80], [0xDF, 0xBF], [0xE0, 0xA0, 0x80], [0xED, 0x9F, 0xBF],
        [0xEE, 0x80, 0x80], [0xEF, 0xBF, 0xBF], [0xF0, 0x90, 0x80, 0x80], [0xF4, 0x8F, 0xBF, 0xBF],
        [0xF3, 0xBF, 0xBF, 0xBF],
    ]

    static let invalidUTF8: [[UInt8]] = [
        [0x80], [0xBF], [0xC0, 0x80], [0xC1, 0xBF],  // continuation alone, overlong 2-byte
        [0xE0, 0x80, 0x80], [0xE0, 0x9F, 0xBF],  // overlong 3-byte
        [0xED, 0xA0, 0x80], [0xED, 0xBF, 0xBF],  // UTF-16 surrogates encoded in UTF-8
        [0xF0, 0x80, 0x80, 0x80], [0xF0, 0x8F, 0xBF, 0xBF],  // overlong 4-byte
        [0xF4, 0x90, 0x80, 0x80], [0xF5, 0x80, 0x80, 0x80], [0xFF],  // above U+10FFFF
        [0xC2], [0xE2, 0x82], [0xF0, 0x9D, 0x84],  // truncated before the quote
        [0xC2, 0x41], [0xE2, 0x41, 0x80], [0xF0, 0x9D, 0x41, 0x9E],  // bad continuation
        [0xFE], [0xF8, 0x88, 0x80, 0x80, 0x80],
    ]

    @Test func utf8EdgeCases() throws {
        for sequence in Self.validUTF8 {
            for padding in 0..<9 {  // at every alignment of the 8-byte scan
                let plain = [UInt8](repeating: 0x61, count: padding)
                let string = plain + sequence + plain
                #expect(try events([0x22] + string + [0x22]) == [.string(string)], "\(sequence)")
                #expect(try events([0x22] + string + [0x5C, 0x6E, 0x22]) == [.string(string + [0x0A])], "\(sequence)")
            }
        }
        for sequence in Self.invalidUTF8 {
            for padding in 0..<9 {
                let plain = [UInt8](repeating: 0x61, count: padding)
                let error = parseError([0x22] + plain + sequence + plain + [0x22])
                #expect(error?.code == .invalidUTF8, "\(sequence): \(String(describing: error))")
                #expect(error?.offset == 1 + padding, "\(sequence)")
                // after an escape (the copying path)
                let escaped = parseError([0x22, 0x5C, 0x74] + plain + sequence + [0x22])
                #expect(escaped?.code == .invalidUTF8, "\(sequence) after an escape")
                // in a key
                let key = parseError([0x7B, 0x22] + sequence + [0x22, 0x3A, 0x31, 0x7D])
                #expect(key?.code == .invalidUTF8, "\(sequence) in a key")
            }
        }
        // The same at the very end of the input, unterminated.
        #expect(parseError([0x22, 0xE2, 0x82])?.code == .invalidUTF8)
    }

    @Test func byteOrderMarkIsNotWhitespaceForTheParser() {
        let error = parseError([0xEF, 0xBB, 0xBF, 0x7B, 0x7D])
        #expect(error?.code == .syntax)
        #expect(error?.offset == 0)
        #expect(error?.reason.contains("byte order mark") == true)
        #expect(parseError([0x5B, 0xEF, 0xBB, 0xBF, 0x5D])?.code == .syntax)
    }

    @Test func stringLimitCountsUnescapedBytes() throws {
        let limits = JSONLimits(maxStringBytes: 4)
        #expect(try events("\"abcd\"", limits: limits) == [.string("abcd")])
        #expect(try events(#""\u0061\u0062\u0063\u0064""#, limits: limits) == [.string("abcd")])
        #expect(parseError("\"abcde\"", limits: limits)?.code == .limitExceeded)
        #expect(parseError(#""ab\ncde""#, limits: limits)?.code == .limitExceeded)
        #expect(parseError(#"{"abcde":1}"#, limits: limits)?.code == .limitExceeded)
        let error = parseError(#"[1, "abcdefgh"]"#, limits: limits)
        #expect(error?.column == 5)  // at the string's opening quote
    }

    @Test func longStringsWithEscapesGrowTheScratchSpace() throws {
        let plain = String(repeating: "xyz\\n", count: 10_000)
        let expected = String(repeating: "xyz\n", count: 10_000)
        var parser = JSONParser()
        var recorder = Recorder()
        try Array("[\"\(plain)\", \"\\t\"]".utf8).withUnsafeBytes { try parser.parse($0, into: &recorder) }
        #expect(recorder.events == [.beginArray, .string(expected), .string("\t"), .endArray])
    }
}

@Suite struct ParserStructureTests {
    @Test func errorsTellLineColumnAndOffset() {
        let text = "{\n  \"a\": 1,\n  \"b\" 2\n}"
        let error = parseError(text)
        #expect(error?.code == .syntax)
        #expect(error?.line == 3)
        #expect(error?.column == 7)
        #expect(error?.offset == 18)
        #expect(error?.reason == "expected ':' after an object key, found a digit")
        #expect(error?.description == "line 3, column 7 (byte 18): expected ':' after an object key, found a digit")
    }

    @Test func baseLocationIsAdded() {
        let error = parseError(Array("[1,\n 2 3]".utf8), baseOffset: 1000, baseLine: 10, baseColumn: 5)
        #expect(error?.offset == 1007)
        #expect(error?.line == 11)
        #expect(error?.column == 4)
        let first = parseError(Array("[1 2]".utf8), baseOffset: 1000, baseLine: 10, baseColumn: 5)
        #expect(first?.line == 10)
        #expect(first?.column == 8)
    }

    @Test(arguments: [
        ("", JSONError.Code.truncated, "expected a value, found the end of the input"),
        ("   ", .truncated, "expected a value, found the end of the input"),
        ("[1,]", .syntax, "expected a value, found ']' (trailing comma?)"),
        ("[1 2]", .syntax, "expected ',' or ']' after an array element, found a digit"),
        ("{\"a\":1,}", .syntax, "expected a string key after ',', found '}'"),
        ("{\"a\":1 \"b\":2}", .syntax, "expected ',' or '}' after an object member, found '\"'"),
        ("{1:2}", .syntax, "expected a string key or '}', found a digit"),
        ("{'a':2}", .syntax, "expected a string key or '}', found '''"),
        ("{\"a\" 1}", .syntax, "expected ':' after an object key, found a digit"),
        ("{\"a\":}", .syntax, "expected a value, found '}'"),
        ("[1", .truncated, "the input ends inside an array (expected ',' or ']')"),
        ("{\"a\":1", .truncated, "the input ends inside an object (expected ',' or '}')"),
        ("{\"a\"", .truncated, "expected ':' after an object key, found the end of the input"),
        ("[1]]", .syntax, "unexpected data after the value (found ']')"),
        ("{} {}", .syntax, "unexpected data after the value (found '{')"),
        ("[\"a\" , ]", .syntax, "expected a value, found ']' (trailing comma?)"),
        ("['a']", .syntax, "expected a value, found ''' (strings take double quotes)"),
        ("[NaN]", .syntax, "expected a value (Infinity and NaN are not JSON)"),
        ("[1]\u{0}", .syntax, "unexpected data after the value (found a control character)"),
        ("/* c */ 1", .syntax, "expected a value, found '/'"),
        ("[\u{0B}1]", .syntax, "expected a value, found a control character"),
    ])
    func syntaxErrors(text: String, code: JSONError.Code, reason: String) {
        let error = parseError(text)
        #expect(error?.code == code, "\(text)")
        #expect(error?.reason == reason, "\(text)")
    }

    @Test func reasonsNeverQuoteTheInput() {
        let error = parseError("[secret]")
        #expect(error?.description.contains("secret") == false)
        #expect(error?.description.hasSuffix("expected a value, found a letter") == true)
    }

    @Test func depthLimit() throws {
        let limits = JSONLimits(maxDepth: 3)
        #expect(try events("[[[]]]", limits: limits).count == 6)
        #expect(try events(#"{"a":{"b":[1]}}"#, limits: limits).count == 9)
        let error = parseError("[[[[]]]]", limits: limits)
        #expect(error?.code == .depthExceeded)
        #expect(error?.column == 4)
        #expect(parseError(#"{"a":{"b":[{}]}}"#, limits: limits)?.code == .depthExceeded)
        // Deep nesting is an error, never a crash: a million brackets.
        let deep = [UInt8](repeating: 0x5B, count: 1_000_000)
        #expect(parseError(deep)?.code == .depthExceeded)
        let huge = JSONLimits(maxDepth: 100_000)
        let balanced = [UInt8](repeating: 0x5B, count: 100_000) + [UInt8](repeating: 0x5D, count: 100_000)
        #expect(try events(balanced, limits: huge).count == 200_000)
        #expect(parseError([0x5B] + balanced + [0x5D], limits: huge)?.code == .depthExceeded)
    }

    @Test func numberLimit() {
        let limits = JSONLimits(maxNumberBytes: 5)
        #expect(parseError("[12345, -1234, 1.5e3]", limits: limits) == nil)
        let error = parseError("[1, 123456]", limits: limits)
        #expect(error?.code == .limitExceeded)
        #expect(error?.column == 5)
        #expect(parseError("-12345", limits: limits)?.code == .limitExceeded)
        let long = "1" + String(repeating: "0", count: 2000)
        #expect(parseError(long)?.code == .limitExceeded)
    }

    @Test func emptyBufferWithoutBaseAddress() {
        var parser = JSONParser()
        var recorder = Recorder()
        #expect(throws: JSONError.self) {
            try parser.parse(UnsafeRawBufferPointer(start: nil, count: 0), into: &recorder)
        }
    }

    struct Stop: Error, Equatable { var at: Int }

    /// Throws its own error at the n-th event.
    struct Failing: JSONVisitor {
        var remaining: Int
        mutating func tick() throws {
            remaining -= 1
            if remaining == 0 { throw Stop(at: 0) }
        }
        mutating func beginObject() throws { try tick() }
        mutating func key(_ utf8: UnsafeRawBufferPointer) throws { try tick() }
        mutating func endObject() throws { try tick() }
        mutating func beginArray() throws { try tick() }
        mutating func endArray() throws { try tick() }
        mutating func string(_ utf8: UnsafeRawBufferPointer) throws { try tick() }
        mutating func number(_ text: UnsafeRawBufferPointer, kind: JSONNumberKind) throws { try tick() }
        mutating func bool(_ value: Bool) throws { try tick() }
        mutating func null() throws { try tick() }
    }

    @Test func visitorErrorsPropagateUnchanged() throws {
        let bytes = Array(#"{"a":[1,"x",true,null,{}],"b":false}"#.utf8)
        let count = try events(bytes).count
        var parser = JSONParser()
        for n in 1...count {
            var visitor = Failing(remaining: n)
            #expect(throws: Stop(at: 0)) {
                try bytes.withUnsafeBytes { try parser.parse($0, into: &visitor) }
            }
        }
        // The parser is still usable afterwards.
        var recorder = Recorder()
        try bytes.withUnsafeBytes { try parser.parse($0, into: &recorder) }
        #expect(recorder.events.count == count)
    }

    @Test func parserIsReusableAndCopiesAreIndependent() throws {
        var parser = JSONParser()
        var copy = parser
        var a = Recorder()
        var b = Recorder()
        try Array(#"["\n\n"]"#.utf8).withUnsafeBytes { x in
            try Array(#"["\t"]"#.utf8).withUnsafeBytes { y in
                try parser.parse(x, into: &a)
                try copy.parse(y, into: &b)
            }
        }
        #expect(a.events == [.beginArray, .string("\n\n"), .endArray])
        #expect(b.events == [.beginArray, .string("\t"), .endArray])
        for _ in 0..<3 {
            var r = Recorder()
            try Array(#"{"k": [1, 2.5]}"#.utf8).withUnsafeBytes { try parser.parse($0, into: &r) }
            #expect(r.events == [.beginObject, .key("k"), .beginArray, .int("1"), .decimal("2.5"), .endArray, .endObject])
        }
    }

    @Test func whitespaceOfEveryShape() throws {
        let compact = try events(#"{"a":[1,{"b":null}],"c":"d"}"#)
        for indent in 0..<20 {
            for tab in [false, true] {
                let pad = String(repeating: " ", count: indent) + (tab ? "\t \r" : "")
                let text = "\n\(pad){\n\(pad)\"a\"\n\(pad):\n\(pad)[\n\(pad)1\n\(pad),\n\(pad){\"b\"\n\(pad):\(pad)null}\n\(pad)]\n\(pad),\r\n\(pad)\"c\":\"d\"\n\(pad)}\n\(pad)"
                #expect(try events(text) == compact, "indent \(indent)")
                let error = parseError(text + "x")
                #expect(error?.line == 14, "indent \(indent)")
            }
        }
    }

    @Test func inputEndingAtEveryByte() throws {
        // Every proper prefix of a document is rejected (truncated or otherwise), never crashes.
        let text = Array(#"{"a": [1, -2.5e3, "x\u00e9\n", true, false, null, {"b": {}}], "c": "é"}"#.utf8)
        _ = try events(text)
        for n in 0..<text.count {
            let error = parseError(Array(text[..<n]))
            #expect(error != nil, "prefix of \(n) bytes accepted")
            #expect((error?.offset ?? -1) <= n)
        }
    }
}
