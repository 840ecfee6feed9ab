import CSVFormat
import Testing

@Suite("Errors and bounds")
struct ErrorTests {
    /// The outcome, after checking that every single cut gives the same one.
    func tokenizeAllCuts(_ text: String, _ dialect: CSVDialect = CSVDialect()) -> Outcome {
        let input = bytes(text)
        let whole = tokenize(input, dialect)
        for cut in 0...input.count {
            let outcome = tokenize(input, dialect, cuts: [cut])
            #expect(outcome == whole, "cut at \(cut)")
        }
        #expect(tokenizeBytewise(input, dialect) == whole)
        return whole
    }

    @Test("an unterminated quote at the end is located at its opening line")
    func unterminatedQuote() throws {
        let outcome = tokenizeAllCuts("a,b\nc,\"d\ne\r\nf")
        #expect(outcome.strings == [["a", "b"]])
        let error = try #require(outcome.error)
        #expect(error.code == .unterminatedQuote)
        #expect(error.line == 2)
        #expect(error.offset == 4)
        #expect(error.column == 2)
        #expect(tokenizeAllCuts("\"").error?.code == .unterminatedQuote)
        #expect(tokenizeAllCuts("x\n\"ab\"\"").error?.line == 2)
    }

    @Test("text after a closing quote is an invalid quote, located")
    func invalidQuote() throws {
        let outcome = tokenizeAllCuts("h\n\"ab\"c,d\n")
        let error = try #require(outcome.error)
        #expect(error.code == .invalidQuote)
        #expect(error.line == 2)
        #expect(error.offset == 2)
        #expect(error.column == 1)
        let later = try #require(tokenizeAllCuts("x,\"a\nb\" ,c").error)
        #expect(later.code == .invalidQuote)
        #expect(later.line == 2)
        #expect(later.column == 2)
    }

    @Test("a field longer than maxFieldBytes, quotes counted")
    func fieldTooLong() throws {
        let dialect = CSVDialect(maxFieldBytes: 4)
        #expect(tokenizeAllCuts("abcd,\"ab\"\n", dialect).error == nil)
        let unquoted = try #require(tokenizeAllCuts("abcd\nab,abcde,x\n", dialect).error)
        #expect(unquoted.code == .fieldTooLong)
        #expect(unquoted.line == 2)
        #expect(unquoted.column == 2)
        let quoted = try #require(tokenizeAllCuts("\"a\nb\"\n\"abcd\"", CSVDialect(maxFieldBytes: 5)).error)
        #expect(quoted.code == .fieldTooLong)
        #expect(quoted.line == 3)
        // A bad byte after a closing quote counts as one of the field's bytes: when those are too
        // many, the length is reported.
        #expect(tokenizeAllCuts("\"ab\"x", dialect).error?.code == .fieldTooLong)
        #expect(tokenizeAllCuts("\"a\"x", dialect).error?.code == .invalidQuote)
        #expect(tokenizeAllCuts("\"abcdef", dialect).error?.code == .fieldTooLong)
    }

    @Test("a record with more than maxFieldsPerRecord fields")
    func tooManyFields() throws {
        let dialect = CSVDialect(maxFieldsPerRecord: 3)
        #expect(tokenizeAllCuts("a,b,c\n,,\n", dialect).error == nil)
        let error = try #require(tokenizeAllCuts("a,b,c\n1,2,3,4\n", dialect).error)
        #expect(error.code == .tooManyFields)
        #expect(error.line == 2)
        #expect(error.column == 4)
        #expect(error.offset == 6)
        // Past the first buffer size of field slots.
        let wide = (0..<5000).map(String.init).joined(separator: ",")
        let fine = tokenize(bytes(wide + "\n" + wide), CSVDialect(maxFieldsPerRecord: 5000))
        #expect(fine.error == nil)
        #expect(fine.records.map(\.fields.count) == [5000, 5000])
        #expect(tokenize(bytes(wide), CSVDialect(maxFieldsPerRecord: 4999)).error?.code == .tooManyFields)
    }

    @Test("a record longer than maxRecordBytes")
    func recordTooLong() throws {
        let dialect = CSVDialect(maxFieldBytes: 4, maxRecordBytes: 8)
        #expect(tokenizeAllCuts("abcd,abc\n", dialect).error == nil)
        let error = try #require(tokenizeAllCuts("abcd,abc\nabcd,abcd\n", dialect).error)
        #expect(error.code == .recordTooLong)
        #expect(error.line == 2)
        #expect(error.column == 2)
    }

    @Test("an endless field or record fails while it is fed, holding little")
    func boundedBuffering() throws {
        var tokenizer = CSVTokenizer(dialect: CSVDialect(maxFieldBytes: 1000, maxRecordBytes: 4000))
        let piece = [UInt8](repeating: UInt8(ascii: "x"), count: 100)
        var fed = 0
        var caught: CSVError?
        do {
            try bytes("\"").withUnsafeBytes { try tokenizer.feed($0) { _ in } }
            for _ in 0..<1000 {
                try piece.withUnsafeBytes { try tokenizer.feed($0) { _ in } }
                fed += piece.count
            }
        } catch let error as CSVError {
            caught = error
        }
        #expect(caught?.code == .fieldTooLong)
        #expect(fed < 1100)

        var fields = CSVTokenizer(dialect: CSVDialect(maxFieldBytes: 10, maxRecordBytes: 100))
        caught = nil
        fed = 0
        do {
            for _ in 0..<1000 {
                try bytes("abc,").withUnsafeBytes { try fields.feed($0) { _ in } }
                fed += 4
            }
        } catch let error as CSVError {
            caught = error
        }
        #expect(caught?.code == .recordTooLong)
        #expect(fed < 120)
    }

    @Test("an error's description locates it and carries no input bytes")
    func descriptionWithoutData() throws {
        let error = try #require(tokenize(bytes("secret,\"password\"x\n")).error)
        #expect(!error.description.contains("secret"))
        #expect(!error.description.contains("password"))
        #expect(error.description.contains("line 1"))
        #expect(error.description.contains("field 2"))
    }
}
