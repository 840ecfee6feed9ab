import CSVFormat
import Testing

@Suite("Tokenizing")
struct TokenizerTests {
    let crlf = "\r\n"

    // MARK: RFC 4180, section 2

    @Test("records end with CRLF; the last one may lack it")
    func rfcLineBreaks() {
        let both = tokenize(bytes("aaa,bbb,ccc\r\nzzz,yyy,xxx\r\n"))
        #expect(both.error == nil)
        #expect(both.strings == [["aaa", "bbb", "ccc"], ["zzz", "yyy", "xxx"]])
        #expect(both.records.map(\.line) == [1, 2])
        #expect(both.records.map(\.offset) == [0, 13])
        #expect(tokenize(bytes("aaa,bbb,ccc\r\nzzz,yyy,xxx")).strings == both.strings)
    }

    @Test("a header is an ordinary first record, flagged")
    func rfcHeader() {
        let input = bytes("field_name,field_name,field_name\r\naaa,bbb,ccc\r\n")
        var flags: [Bool] = []
        var tokenizer = CSVTokenizer()
        try? input.withUnsafeBytes { chunk in
            try tokenizer.feed(chunk) { flags.append($0.isHeader) }
        }
        #expect(flags == [true, false])
        var noHeader = CSVTokenizer(dialect: CSVDialect(hasHeader: false))
        flags = []
        try? input.withUnsafeBytes { chunk in
            try noHeader.feed(chunk) { flags.append($0.isHeader) }
        }
        #expect(flags == [false, false])
    }

    @Test("quoted fields, embedded line breaks and doubled quotes")
    func rfcQuoting() {
        #expect(tokenize(bytes("\"aaa\",\"bbb\",\"ccc\"\r\nzzz,yyy,xxx")).strings == [["aaa", "bbb", "ccc"], ["zzz", "yyy", "xxx"]])
        let multiline = tokenize(bytes("\"aaa\",\"b\r\nbb\",\"ccc\"\r\nzzz,yyy,xxx"))
        #expect(multiline.strings == [["aaa", "b\r\nbb", "ccc"], ["zzz", "yyy", "xxx"]])
        #expect(multiline.records.map(\.line) == [1, 3])
        let doubled = tokenize(bytes("\"aaa\",\"b\"\"bb\",\"ccc\""))
        #expect(doubled.strings == [["aaa", "b\"bb", "ccc"]])
        #expect(doubled.records[0].quoted == [true, true, true])
    }

    // MARK: Fields

    @Test("empty fields: unquoted ones can be told from quoted ones")
    func emptyFields() {
        let outcome = tokenize(bytes("a,,b\n,\n\"\",x,\"\"\n\"\"\n"))
        #expect(outcome.strings == [["a", "", "b"], ["", ""], ["", "x", ""], [""]])
        #expect(outcome.records.map(\.quoted) == [[false, false, false], [false, false], [true, false, true], [true]])
    }

    @Test("a quote is special only at a field's start; spaces are kept")
    func quoteOnlyAtStart() {
        let outcome = tokenize(bytes("a\"b,c\"\" , \"d\",e\"\n"))
        #expect(outcome.error == nil)
        #expect(outcome.strings == [["a\"b", "c\"\" ", " \"d\"", "e\""]])
        #expect(outcome.records[0].quoted == [false, false, false, false])
    }

    @Test("delimiters and line ends inside quotes are data")
    func specialsInsideQuotes() {
        let outcome = tokenize(bytes("\"a,b\",\"c\nd\",\"e\rf\",\"g\r\nh\",\"\"\"\"\nnext"))
        #expect(outcome.strings == [["a,b", "c\nd", "e\rf", "g\r\nh", "\""], ["next"]])
        // Three line ends inside quotes, one after the record.
        #expect(outcome.records.map(\.line) == [1, 5])
    }

    @Test("bytes of multi-byte UTF-8 and every other value pass through")
    func allByteValues() {
        let data = (0...255).map { UInt8($0) }.filter { $0 != UInt8(ascii: ",") && $0 != 0x0A && $0 != 0x0D && $0 != UInt8(ascii: "\"") }
        var input = data + [UInt8(ascii: ",")] + [UInt8(ascii: "\"")] + data + [UInt8(ascii: "\"")] + [0x0A]
        input += bytes("é,日本,🙂\n")
        let outcome = tokenize(input)
        #expect(outcome.error == nil)
        #expect(outcome.records.count == 2)
        #expect(outcome.records[0].fields == [data, data])
        #expect(outcome.strings[1] == ["é", "日本", "🙂"])
    }

    // MARK: Line ends, blank lines, BOM

    @Test("LF, CRLF and lone CR end records, mixed in one input")
    func lineEnds() {
        let outcome = tokenize(bytes("a\nb\r\nc\rd\n\re\r\r\nf"))
        #expect(outcome.strings == [["a"], ["b"], ["c"], ["d"], ["e"], ["f"]])
        // Lines: a=1, b=2, c=3, d=4, (LF CR: an empty line 5), e=6, CR CRLF: empty line 7, f=8.
        #expect(outcome.records.map(\.line) == [1, 2, 3, 4, 6, 8])
        #expect(outcome.records.map(\.offset) == [0, 2, 5, 7, 10, 14])
    }

    @Test("blank lines are skipped but counted")
    func blankLines() {
        let outcome = tokenize(bytes("\n\r\n\ra,b\n\n\r\n\nc,d\n\n"))
        #expect(outcome.strings == [["a", "b"], ["c", "d"]])
        #expect(outcome.records.map(\.line) == [4, 8])
        #expect(outcome.records.map(\.index) == [0, 1])
        #expect(tokenize(bytes("\n\n\r\n")).records.isEmpty)
        #expect(tokenize([]).records.isEmpty)
        // A line of spaces is a record.
        #expect(tokenize(bytes(" \n")).strings == [[" "]])
    }

    @Test("a UTF-8 BOM at the start is skipped, and nowhere else")
    func byteOrderMark() {
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        let outcome = tokenize(bom + bytes("a,b\n") + bom + bytes("c\n"))
        #expect(outcome.records.map(\.fields) == [[bytes("a"), bytes("b")], [bom + bytes("c")]])
        #expect(outcome.records.map(\.offset) == [3, 7])
        // A prefix of a BOM is data.
        #expect(tokenize([0xEF, 0xBB] + bytes("x\n")).records.map(\.fields) == [[[0xEF, 0xBB] + bytes("x")]])
        #expect(tokenize([0xEF, 0xBB]).records.map(\.fields) == [[[0xEF, 0xBB]]])
        #expect(tokenize(bom).records.isEmpty)
        #expect(tokenize(bom + bytes("\"q\"")).strings == [["q"]])
    }

    // MARK: Dialects

    @Test("tab, pipe and semicolon delimiters", arguments: ["\t", "|", ";"])
    func otherDelimiters(_ delimiter: String) {
        let d = UInt8(ascii: Unicode.Scalar(delimiter)!)
        let text = "a\(delimiter)\"b\(delimiter)c\"\(delimiter),\n1\(delimiter)2\(delimiter)3\n"
        let outcome = tokenize(bytes(text), CSVDialect(delimiter: d))
        #expect(outcome.error == nil)
        #expect(outcome.strings == [["a", "b\(delimiter)c", ","], ["1", "2", "3"]])
    }

    @Test("TPC-H .tbl lines: pipe-ended, no quoting")
    func tpchTable() {
        let line = "1|155190|7706|1|17|21168.23|0.04|0.02|N|O|1996-03-13|1996-02-12|1996-03-22|DELIVER IN PERSON|TRUCK|egular courts above the|\n"
        let outcome = tokenize(bytes(line + line), .tpchTable)
        #expect(outcome.records.count == 2)
        #expect(outcome.records[0].fields.count == 17)
        #expect(outcome.strings[0][13] == "DELIVER IN PERSON")
        #expect(outcome.strings[0][16] == "")
    }

    @Test("without a quote byte, quotes are data")
    func noQuoting() {
        let outcome = tokenize(bytes("\"a\",\"b\nc\"\"\n"), CSVDialect(quote: nil))
        #expect(outcome.error == nil)
        #expect(outcome.strings == [["\"a\"", "\"b"], ["c\"\""]])
        #expect(outcome.records[0].quoted == [false, false])
    }

    @Test("with a backslash escape: \\\" and \\\\ inside quotes; doubled quotes still accepted")
    func backslashEscape() {
        let dialect = CSVDialect(escape: UInt8(ascii: "\\"))
        let outcome = tokenize(bytes(#""a\"b","c\\d","e""f","\n\,",g\h,"\"""# + "\n" + #""x\"# + "\n" + #"y""#), dialect)
        #expect(outcome.error == nil)
        #expect(outcome.strings == [["a\"b", "c\\d", "e\"f", "n,", "g\\h", "\""], ["x\ny"]])
        #expect(outcome.records.map(\.line) == [1, 2])
        // An escaped closing quote leaves the field open.
        #expect(tokenize(bytes(#""abc\""#), dialect).error?.code == .unterminatedQuote)
        // An escape equal to the quote is RFC 4180 quoting.
        let same = CSVDialect(escape: UInt8(ascii: "\""))
        #expect(tokenize(bytes(#""a""b",c"#), same).strings == [["a\"b", "c"]])
    }

    @Test("a dialect whose bytes collide is refused", arguments: [
        CSVDialect(delimiter: UInt8(ascii: "\n")),
        CSVDialect(delimiter: UInt8(ascii: "\"")),
        CSVDialect(quote: UInt8(ascii: "\r")),
        CSVDialect(quote: nil, escape: UInt8(ascii: "\\")),
        CSVDialect(escape: UInt8(ascii: ",")),
        CSVDialect(maxFieldBytes: 0),
        CSVDialect(maxFieldsPerRecord: 0),
        CSVDialect(maxRecordBytes: -1),
    ])
    func invalidDialect(_ dialect: CSVDialect) {
        #expect(throws: CSVError.self) { try dialect.validate() }
        #expect(tokenize(bytes("a\n"), dialect).error?.code == .invalidDialect)
        #expect(tokenize([], dialect).error?.code == .invalidDialect)
    }

    // MARK: The API around records

    @Test("requireFieldCount reports ragged rows with their place")
    func raggedRows() throws {
        var errors: [CSVError] = []
        try CSVTokenizer.forEachRecord(in: UnsafeRawBufferPointer(start: nil, count: 0)) { _ in }
        try bytes("a,b,c\n1,2\n\n1,2,3,4\n1,2,3\n").withUnsafeBytes { input in
            try CSVTokenizer.forEachRecord(in: input) { record in
                do { try record.requireFieldCount(3) } catch let error as CSVError { errors.append(error) }
            }
        }
        #expect(errors.map(\.code) == [.raggedRow, .raggedRow])
        #expect(errors.map(\.line) == [2, 4])
        #expect(errors.map(\.offset) == [6, 11])
        #expect(errors.map(\.column) == [3, 4])
    }

    @Test("an error thrown by the callback propagates and leaves the records before it")
    func callbackErrors() {
        struct Stop: Error {}
        var seen = 0
        var tokenizer = CSVTokenizer()
        #expect(throws: Stop.self) {
            try bytes("a\nb\nc\n").withUnsafeBytes { chunk in
                try tokenizer.feed(chunk) { record in
                    seen += 1
                    if record.index == 1 { throw Stop() }
                }
            }
        }
        #expect(seen == 2)
    }

    @Test("finish resets: the tokenizer reads a second input from the start")
    func reuseAfterFinish() {
        var tokenizer = CSVTokenizer()
        var lines: [Int] = []
        var offsets: [Int] = []
        for text in ["a\nb", "\u{FEFF}c\nd"] {
            try? bytes(text).withUnsafeBytes { chunk in
                try tokenizer.feed(chunk) { lines.append($0.line); offsets.append($0.offset) }
                try tokenizer.finish { lines.append($0.line); offsets.append($0.offset) }
            }
        }
        #expect(lines == [1, 2, 1, 2])
        #expect(offsets == [0, 2, 3, 5])
        #expect(tokenizer.bytesConsumed == 0)
        #expect(tokenizer.recordCount == 0)
    }

    @Test("copies of a tokenizer holding a partial record go their own ways")
    func copyOnWrite() throws {
        var first = CSVTokenizer()
        try bytes("x,\"ab").withUnsafeBytes { try first.feed($0) { _ in } }
        #expect(first.hasPartialRecord)
        var second = first
        var a: [[String]] = []
        var b: [[String]] = []
        try bytes("c\"\n").withUnsafeBytes { try first.feed($0) { a.append(Rec($0).strings) } }
        try bytes("\"\"d\"").withUnsafeBytes { try second.feed($0) { b.append(Rec($0).strings) } }
        try second.finish { b.append(Rec($0).strings) }
        #expect(a == [["x", "abc"]])
        #expect(b == [["x", "ab\"d"]])
    }

    @Test("fields come from the chunk in place unless quotes were removed")
    func fieldsPointIntoTheChunk() throws {
        let input = bytes("plain,\"quoted\",\"dou\"\"bled\"\n")
        try input.withUnsafeBytes { chunk in
            var tokenizer = CSVTokenizer()
            try tokenizer.feed(chunk) { record in
                let base = chunk.baseAddress!
                #expect(record.field(0).baseAddress == base)
                #expect(record.field(1).baseAddress == base + 7)
                #expect(record.string(2) == "dou\"bled")
                #expect(record.field(2).baseAddress != base + 16)
            }
        }
    }
}
