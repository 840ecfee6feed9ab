import CSVFormat
import Testing

@Suite("Writing fields")
struct WriterTests {
    func written(_ fields: [String?], _ writer: CSVWriter = CSVWriter()) throws -> String {
        var out: [UInt8] = []
        try writer.appendRecord(fields, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    @Test("quotes only what needs it")
    func minimalQuoting() throws {
        #expect(try written(["plain", "a,b", "say \"hi\"", "two\nlines", "cr\r", " lead", "trail\t", "", nil, "x"])
            == "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\"cr\r\",\" lead\",\"trail\t\",\"\",,x\n")
        #expect(try written(["\u{FEFF}bom", "mid\u{FEFF}"]) == "\"\u{FEFF}bom\",mid\u{FEFF}\n")
        #expect(try written(["a\"b"]) == "\"a\"\"b\"\n")
    }

    @Test("needsQuotes follows the dialect's delimiter")
    func needsQuotes() {
        let pipe = CSVWriter(dialect: CSVDialect(delimiter: UInt8(ascii: "|")))
        #expect(bytes("a,b").withUnsafeBytes { pipe.needsQuotes($0) } == false)
        #expect(bytes("a|b").withUnsafeBytes { pipe.needsQuotes($0) } == true)
        #expect(bytes("").withUnsafeBytes { pipe.needsQuotes($0) } == true)
    }

    @Test("always quoting, CRLF line ends, backslash escapes")
    func options() throws {
        #expect(try written(["a", nil, ""], CSVWriter(quoting: .always)) == "\"a\",,\"\"\n")
        #expect(try written(["a", "b"], CSVWriter(lineEnd: .crlf)) == "a,b\r\n")
        let escaping = CSVWriter(dialect: CSVDialect(escape: UInt8(ascii: "\\")))
        #expect(try written(["a\"b", "c\\d", "e,f\\"], escaping) == "\"a\\\"b\",c\\d,\"e,f\\\\\"\n")
    }

    @Test("a dialect without quotes cannot write a delimiter or a line end")
    func unquotedDialect() throws {
        let writer = CSVWriter(dialect: .tpchTable)
        #expect(try written(["a", " b ", "", "\"c\""], writer) == "a| b ||\"c\"\n")
        #expect(throws: CSVError.self) { try written(["a|b"], writer) }
        #expect(throws: CSVError.self) { try written(["a\nb"], writer) }
    }

    @Test("what the writer writes, the tokenizer reads back", arguments: [
        CSVDialect(), CSVDialect(delimiter: UInt8(ascii: "\t")), CSVDialect(escape: UInt8(ascii: "\\")),
    ])
    func roundTrip(_ dialect: CSVDialect) throws {
        var random = SplitMix(seed: 7)
        let alphabet: [Character] = ["a", "b", ",", "\t", "\"", "\\", "\n", "\r", " ", "é", "|", "\u{FEFF}"]
        var rows: [[String?]] = []
        for _ in 0..<300 {
            let width = Int.random(in: 2...5, using: &random)
            rows.append((0..<width).map { _ in
                if Int.random(in: 0..<6, using: &random) == 0 { return nil }
                return String((0..<Int.random(in: 0...8, using: &random)).map { _ in alphabet.randomElement(using: &random)! })
            })
        }
        for lineEnd in [CSVWriter.LineEnd.lf, .crlf] {
            let writer = CSVWriter(dialect: dialect, lineEnd: lineEnd)
            var out: [UInt8] = []
            for row in rows { try writer.appendRecord(row, to: &out) }
            let outcome = tokenize(out, dialect)
            #expect(outcome.error == nil)
            let read: [[String?]] = outcome.records.map { record in
                zip(record.fields, record.quoted).map { field, quoted in
                    field.isEmpty && !quoted ? nil : String(decoding: field, as: UTF8.self)
                }
            }
            #expect(read == rows)
        }
    }
}
