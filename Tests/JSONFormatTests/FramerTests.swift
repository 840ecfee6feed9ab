import Testing

@testable import JSONFormat

@Suite struct FramerLayoutTests {
    @Test func ndjsonLines() {
        let text = "{\"a\":1}\n\n  \n[1,2]\r\n\"s\"\n 7 \r\n\t\n"
        let (records, error) = frame(text, layout: .ndjson)
        #expect(error == nil)
        #expect(
            records == [
                FramedRecord(text: "{\"a\":1}", offset: 0, line: 1, column: 1),
                FramedRecord(text: "[1,2]", offset: 12, line: 4, column: 1),
                FramedRecord(text: "\"s\"", offset: 19, line: 5, column: 1),
                FramedRecord(text: " 7 ", offset: 23, line: 6, column: 1),
            ])
    }

    @Test func parsingARecordLocatesErrorsInTheWholeInput() throws {
        var framer = JSONRecordFramer(layout: .array)
        Array("[{\"a\": 1},\n {\"b\": tru}]".utf8).withUnsafeBytes { framer.append($0) }
        try framer.finish()
        var parser = JSONParser()
        var recorder = Recorder()
        let first = try #require(try framer.nextRecord())
        try parser.parse(first, into: &recorder)
        #expect(recorder.events == [.beginObject, .key("a"), .int("1"), .endObject])
        let second = try #require(try framer.nextRecord())
        #expect(throws: JSONError(.syntax, "invalid literal (expected 'true', 'false' or 'null')", offset: 18, line: 2, column: 8)) {
            try parser.parse(second, into: &recorder)
        }
        #expect(try framer.nextRecord() == nil)
    }

    @Test func ndjsonLastLineWithoutNewline() {
        let (records, error) = frame("1\n{\"b\":2}", layout: .ndjson)
        #expect(error == nil)
        #expect(records.map(\.text) == ["1", "{\"b\":2}"])
        #expect(records.last?.line == 2)
        #expect(frame("", layout: .ndjson).records.isEmpty)
        #expect(frame("\n\r\n  ", layout: .ndjson).records.isEmpty)
    }

    @Test func ndjsonLinesAreFramedNotValidated() {
        // A bad line is still a record; the parser rejects it with the right location.
        let (records, error) = frame("{\"a\":1}\n{\"a\" 1}\n", layout: .ndjson)
        #expect(error == nil)
        #expect(records.count == 2)
        let bad = records[1]
        let parseFailure = parseError(Array(bad.text.utf8), baseOffset: bad.offset, baseLine: bad.line, baseColumn: bad.column)
        #expect(parseFailure?.line == 2)
        #expect(parseFailure?.column == 6)
        #expect(parseFailure?.offset == 13)
    }

    @Test func arrayElements() {
        let text = "[\n  {\"a\": [1, {\"]\": \"}\"}]},\n  \"x\\\"]\" , -1.5e3,true,null,\n  [[]] ]\n"
        let (records, error) = frame(text, layout: .array)
        #expect(error == nil)
        #expect(
            records == [
                FramedRecord(text: "{\"a\": [1, {\"]\": \"}\"}]}", offset: 4, line: 2, column: 3),
                FramedRecord(text: "\"x\\\"]\"", offset: 30, line: 3, column: 3),
                FramedRecord(text: "-1.5e3", offset: 39, line: 3, column: 12),
                FramedRecord(text: "true", offset: 46, line: 3, column: 19),
                FramedRecord(text: "null", offset: 51, line: 3, column: 24),
                FramedRecord(text: "[[]]", offset: 59, line: 4, column: 3),
            ])
        #expect(frame("[]", layout: .array) .records.isEmpty)
        #expect(frame(" [ ] ", layout: .array).error == nil)
    }

    @Test func singleValue() {
        #expect(frame(" {\"a\": [1]}\n", layout: .singleValue).records == [FramedRecord(text: "{\"a\": [1]}", offset: 1, line: 1, column: 2)])
        #expect(frame("\n\n42", layout: .singleValue).records == [FramedRecord(text: "42", offset: 2, line: 3, column: 1)])
        #expect(frame("\"a\"", layout: .singleValue).records.map(\.text) == ["\"a\""])
    }

    @Test func rootKeyWithoutAName() {
        let text = "{\"vehicles_events\": [ {\"id\": 1}, {\"id\": 2} ]}\n"
        let (records, error) = frame(text, layout: .rootKey(nil))
        #expect(error == nil)
        #expect(records.map(\.text) == ["{\"id\": 1}", "{\"id\": 2}"])
        #expect(records.map(\.offset) == [22, 33])
        #expect(frame("{\"k\":[]}", layout: .rootKey(nil)).error == nil)
    }

    @Test func rootKeyWithANameSkipsMembersBeforeIt() {
        let text = #"{"meta": {"n": [1, "]"]}, "count": 2, "ev\u0065nts": [{"id": 1}, {"id": 2}]}"#
        let (records, error) = frame(text, layout: .rootKey("events"))
        #expect(error == nil)
        #expect(records.map(\.text) == [#"{"id": 1}"#, #"{"id": 2}"#])
    }

    @Test func rootKeyErrors() {
        let after = frame("{\"events\": [1, 2], \"more\": 3}", layout: .rootKey(nil))
        #expect(after.records.map(\.text) == ["1", "2"])
        #expect(after.error?.code == .layoutMismatch)
        #expect(after.error?.column == 18)
        #expect(after.error?.reason.contains("--format json") == true)

        let missing = frame("{\"a\": 1, \"b\": [2]}", layout: .rootKey("events"))
        #expect(missing.error?.code == .layoutMismatch)
        #expect(missing.error?.reason.contains("\"events\"") == true)
        #expect(missing.error?.column == 18)

        let notArray = frame("{\"events\": {\"a\": 1}}", layout: .rootKey("events"))
        #expect(notArray.error?.code == .layoutMismatch)
        #expect(notArray.error?.column == 12)
        #expect(frame("{}", layout: .rootKey(nil)).error?.code == .layoutMismatch)
        #expect(frame("[{}]", layout: .rootKey(nil)).error?.code == .layoutMismatch)
        #expect(frame("{\"a\": [1] ", layout: .rootKey(nil)).error?.code == .truncated)
        #expect(frame("{\"a\\x\": [1]}", layout: .rootKey(nil)).error?.code == .invalidEscape)
        #expect(frame("{\"a\" [1]}", layout: .rootKey(nil)).error?.code == .syntax)
        #expect(frame("{\"a\": [1]} x", layout: .rootKey(nil)).error?.code == .syntax)
    }

    @Test(arguments: [
        ("[1, 2", JSONError.Code.truncated, 1, 6),
        ("[1, {\"a\": 2", .truncated, 1, 12),
        ("[\"abc", .truncated, 1, 6),
        ("[1,,2]", .syntax, 1, 4),
        ("[1,]", .syntax, 1, 4),
        ("[1 2]", .syntax, 1, 4),
        ("[{\"a\": [}]", .syntax, 1, 9),
        ("[{]", .syntax, 1, 3),
        ("[1]\n\n x", .syntax, 3, 2),
        ("[1] [2]", .syntax, 1, 5),
        ("{\"a\": 1}", .layoutMismatch, 1, 1),
        ("", .truncated, 1, 1),
        ("   \n ", .truncated, 2, 2),
    ])
    func arrayErrors(text: String, code: JSONError.Code, line: Int, column: Int) {
        let error = frame(text, layout: .array).error
        #expect(error?.code == code, "\(text): \(String(describing: error))")
        #expect(error?.line == line && error?.column == column, "\(text): \(String(describing: error))")
    }

    @Test func singleValueErrors() {
        let trailing = frame("{\"a\": 1}\n{\"a\": 2}\n", layout: .singleValue)
        #expect(trailing.records.count == 1)
        #expect(trailing.error?.code == .syntax)
        #expect(trailing.error?.line == 2)
        #expect(frame("{\"a\": 1", layout: .singleValue).error?.code == .truncated)
        #expect(frame("", layout: .singleValue).error?.code == .truncated)
        #expect(frame("}", layout: .singleValue).error?.code == .syntax)
    }

    @Test func byteOrderMarkAtTheStartIsSkipped() {
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        for layout in [JSONLayout.ndjson, .singleValue] {
            let (records, error) = frame(bom + Array("{\"a\":1}\n".utf8), layout: layout)
            #expect(error == nil)
            #expect(records == [FramedRecord(text: "{\"a\":1}", offset: 3, line: 1, column: 4)])
        }
        #expect(frame(bom + Array("[1]".utf8), layout: .array).records.map(\.text) == ["1"])
        #expect(frame(bom + Array("{\"k\":[1]}".utf8), layout: .rootKey(nil)).records.map(\.text) == ["1"])
        // Split inside the mark.
        for cut in 0...3 {
            let (records, _) = frame(bom + Array("[2]".utf8), layout: .array, cuts: [cut])
            #expect(records.map(\.text) == ["2"], "cut at \(cut)")
        }
        // A second mark, or one later on, is left to the parser, which rejects it.
        let (records, _) = frame(bom + bom + Array("1".utf8), layout: .ndjson)
        #expect(records.count == 1)
        #expect(parseError(Array(records[0].text.utf8))?.code == .syntax)
        #expect(frame(bom + bom + Array("1".utf8), layout: .array).error?.code == .layoutMismatch)
        // Only part of a mark: not skipped.
        #expect(frame([0xEF, 0xBB] + Array("1".utf8), layout: .singleValue).records.count == 1)
    }

    @Test func recordLimit() {
        let limits = JSONLimits(maxRecordBytes: 8)
        let ndjson = frame("12345678\n123456789\n", layout: .ndjson, limits: limits)
        #expect(ndjson.records.map(\.text) == ["12345678"])
        #expect(ndjson.error?.code == .limitExceeded)
        #expect(ndjson.error?.line == 2 && ndjson.error?.offset == 9)

        let array = frame("[\"123456\", \"1234567\"]", layout: .array, limits: limits)
        #expect(array.records.map(\.text) == ["\"123456\""])
        #expect(array.error?.code == .limitExceeded)
        #expect(array.error?.offset == 11 && array.error?.column == 12)

        // An unterminated huge record fails as soon as it is past the limit, not at the end.
        var framer = JSONRecordFramer(layout: .ndjson, limits: limits)
        Array("1234567890".utf8).withUnsafeBytes { framer.append($0) }
        #expect(throws: JSONError.self) { _ = try framer.nextRecord() }
        // And the error sticks.
        #expect(throws: JSONError.self) { _ = try framer.nextRecord() }
        #expect(throws: JSONError.self) { try framer.finish() }

        // Members skipped in the rootKey layout are not records: no limit, nothing kept.
        let skipped = frame("{\"big\": \"0123456789012345\", \"r\": [1]}", layout: .rootKey("r"), limits: limits)
        #expect(skipped.error == nil)
        #expect(skipped.records.map(\.text) == ["1"])
    }

    @Test func depthLimitWhileFraming() {
        let limits = JSONLimits(maxDepth: 2)
        #expect(frame("[[[1]], [2]]", layout: .array, limits: limits).error == nil)
        let error = frame("[[1], [[[2]]]]", layout: .array, limits: limits).error
        #expect(error?.code == .depthExceeded)
        #expect(error?.column == 9)
        let deep = [UInt8](repeating: 0x5B, count: 1_000_000)
        #expect(frame(deep, layout: .singleValue).error?.code == .depthExceeded)
    }

    @Test func bufferIsCompactedAndBounded() throws {
        // Many small records through a framer fed in small chunks: memory stays small and
        // offsets stay exact.
        var framer = JSONRecordFramer(layout: .ndjson)
        var line = 0
        var expectedOffset = 0
        let record = Array("{\"n\": 123456789}\n".utf8)
        for _ in 0..<20_000 {
            record.withUnsafeBytes { framer.append($0) }
            while let r = try framer.nextRecord() {
                line += 1
                #expect(r.line == line)
                #expect(r.offset == expectedOffset)
                expectedOffset += record.count
            }
        }
        try framer.finish()
        #expect(try framer.nextRecord() == nil)
        #expect(line == 20_000)
        #expect(framer.state.capacity <= 1 << 16)
        #expect(framer.bytesAppended == 20_000 * record.count)
    }

    @Test func copiesAreIndependent() throws {
        var a = JSONRecordFramer(layout: .array)
        Array("[1, 2, ".utf8).withUnsafeBytes { a.append($0) }
        #expect(try a.nextRecord()?.bytes.count == 1)
        var b = a
        Array("3]".utf8).withUnsafeBytes { a.append($0) }
        Array("4, 5]".utf8).withUnsafeBytes { b.append($0) }
        var fromA: [String] = []
        var fromB: [String] = []
        while let r = try a.nextRecord() { fromA.append(String(decoding: r.bytes, as: UTF8.self)) }
        while let r = try b.nextRecord() { fromB.append(String(decoding: r.bytes, as: UTF8.self)) }
        try a.finish()
        try b.finish()
        #expect(fromA == ["2", "3"])
        #expect(fromB == ["2", "4", "5"])
    }
}

/// Feeding a document in any split gives the same records and errors as feeding it whole.
@Suite struct FramerChunkingTests {
    static let documents: [(String, JSONLayout)] = [
        ("{\"a\":1}\n\n[1,\"x\\n\"]\r\n  \"s\\\"\\\\\"\n7\n{\"é\":\"ü\"}", .ndjson),
        ("\u{FEFF}{\"a\":1}\r\n2", .ndjson),
        ("[\n {\"a\": [1, {\"]\": \"}\"}]},\n \"x\\\"]\\\\\" , -1.5e3,true,null,\n [[]], {}, \"é\" ]\n", .array),
        ("\u{FEFF} [1,22,333] ", .array),
        ("{\"skip\": [1, {\"a\": \"]}\\\"\"}], \"events\": [ {\"id\": 1},\n {\"id\": 2}, 3 ] }\n", .rootKey("events")),
        ("{\"events\": [ {\"id\": 1}, {\"id\": 2} ], \"x\": 1}", .rootKey(nil)),
        ("  {\"a\": {\"b\": [\"c\\u0041\", 1e5]}}  ", .singleValue),
        ("12345", .singleValue),
        ("[1, 2", .array),
        ("[1, {\"a\": ]}]", .array),
        ("{\"a\": 1} x", .singleValue),
        ("[\"abc\\", .array),
    ]

    @Test func everySplitPointAndOneByteAtATime() {
        for (text, layout) in Self.documents {
            let input = Array(text.utf8)
            let whole = frame(input, layout: layout)
            #expect(whole.records.count > 0 || whole.error != nil)
            for cut in 0...input.count {
                let split = frame(input, layout: layout, cuts: [cut])
                #expect(split.records == whole.records, "\(text) cut at \(cut)")
                #expect(split.error == whole.error, "\(text) cut at \(cut)")
            }
            let bytewise = frame(input, layout: layout, cuts: Array(0...input.count))
            #expect(bytewise.records == whole.records, "\(text) byte by byte")
            #expect(bytewise.error == whole.error, "\(text) byte by byte")
        }
    }

    @Test func randomSplits() {
        var generator = SeededGenerator(seed: 42)
        for (text, layout) in Self.documents {
            let input = Array(text.utf8)
            let whole = frame(input, layout: layout)
            for _ in 0..<50 {
                let cuts = (0..<Int.random(in: 1...6, using: &generator))
                    .map { _ in Int.random(in: 0...input.count, using: &generator) }.sorted()
                let split = frame(input, layout: layout, cuts: cuts)
                #expect(split.records == whole.records, "\(text) cut at \(cuts)")
                #expect(split.error == whole.error, "\(text) cut at \(cuts)")
            }
        }
    }

    @Test func expectedRecordsOfTheSplitDocuments() {
        #expect(frame(Self.documents[2].0, layout: .array).records.map(\.text) == [
            "{\"a\": [1, {\"]\": \"}\"}]}", "\"x\\\"]\\\\\"", "-1.5e3", "true", "null", "[[]]", "{}", "\"é\"",
        ])
        #expect(frame(Self.documents[4].0, layout: .rootKey("events")).records.map(\.text) == ["{\"id\": 1}", "{\"id\": 2}", "3"])
        #expect(frame(Self.documents[1].0, layout: .ndjson).records == [
            FramedRecord(text: "{\"a\":1}", offset: 3, line: 1, column: 4), FramedRecord(text: "2", offset: 12, line: 2, column: 1),
        ])
    }
}

@Suite struct LayoutDetectionTests {
    static func detect(_ text: String, end: Bool = true) -> JSONLayout? {
        Array(text.utf8).withUnsafeBytes { JSONRecordFramer.detectLayout($0, isEndOfInput: end) }
    }

    @Test func rules() {
        #expect(Self.detect("[1, 2]") == .array)
        #expect(Self.detect("[\n  {\"a\": 1}\n]\n") == .array)
        #expect(Self.detect("{\"a\": 1}\n{\"a\": 2}\n") == .ndjson)
        #expect(Self.detect("[1, 2]\n[3, 4]\n") == .ndjson)  // NDJSON of arrays
        #expect(Self.detect("1\n2") == .ndjson)
        #expect(Self.detect("{\"a\": 1}") == .singleValue)
        #expect(Self.detect("{\"a\": 1}\n") == .singleValue)
        #expect(Self.detect("{\"a\": 1} {\"a\": 2}") == .singleValue)  // same line: not NDJSON
        #expect(Self.detect("{\n\"a\": 1\n}\n{\n\"a\": 2\n}") == .singleValue)  // pretty-printed values
        #expect(Self.detect("{\"vehicles_events\": [ {\"id\": 1}, {\"id\": 2} ]}") == .rootKey(nil))
        #expect(Self.detect("{\n  \"data\" : [\n {\"id\": 1}") == .rootKey(nil))  // prefix of a long one
        #expect(Self.detect("{\"data\": [{\"id\": 1}], \"meta\": {}}") == .singleValue)  // other members
        #expect(Self.detect("{\"data\": [1, 2]}") == .singleValue)  // not objects
        #expect(Self.detect("{\"data\": []}") == .singleValue)
        #expect(Self.detect("\u{FEFF}[1]") == .array)
        #expect(Self.detect("") == .ndjson)
        #expect(Self.detect("  \n") == .ndjson)
        #expect(Self.detect("garbage") == .singleValue)
    }

    @Test func asksForMoreBytes() {
        #expect(Self.detect("{\"a\": 1", end: false) == nil)
        #expect(Self.detect("{\"a\": 1}\n", end: false) == nil)
        #expect(Self.detect("{\"a\": 1}\n{", end: false) == .ndjson)
        #expect(Self.detect("", end: false) == nil)
        #expect(Self.detect("123", end: false) == nil)
        #expect(Array([0xEF, 0xBB] as [UInt8]).withUnsafeBytes { JSONRecordFramer.detectLayout($0, isEndOfInput: false) } == nil)
        // With enough bytes it decides even though the first value is not complete.
        let long = "[" + String(repeating: "1,", count: JSONRecordFramer.layoutDetectionBytes)
        #expect(Self.detect(long, end: false) == .array)
    }
}
