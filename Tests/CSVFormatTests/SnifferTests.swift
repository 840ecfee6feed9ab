import CSVFormat
import Testing

@Suite("Sniffing the delimiter")
struct SnifferTests {
    func sniff(_ text: String) -> UInt8? {
        bytes(text).withUnsafeBytes { CSVTokenizer.sniffDialect($0)?.delimiter }
    }

    @Test("each candidate in a plain table")
    func plainTables() {
        #expect(sniff("a,b,c\n1,2,3\n4,5,6\n") == UInt8(ascii: ","))
        #expect(sniff("a;b;c\n1;2;3\n") == UInt8(ascii: ";"))
        #expect(sniff("a\tb\tc\n1\t2\t3\n") == UInt8(ascii: "\t"))
        #expect(sniff("1|155190|7706|1|17|21168.23|0.04|egular courts, above the|\n2|1|2|3|4|5|6|x|\n") == UInt8(ascii: "|"))
    }

    @Test("delimiters inside quotes do not count; consistency beats frequency")
    func quotedAndInconsistent() {
        #expect(sniff("\"a;b;c\",d\n\"e;f\",g\n\"h\",i\n") == UInt8(ascii: ","))
        // Decimal commas appear on some lines only.
        #expect(sniff("name;price\nfoo;1,5\nbar;2\nbaz;3\n") == UInt8(ascii: ";"))
        // A quote closed mid-field under ';' rules ';' out.
        #expect(sniff("\"x\",\"y;z\"\n\"1\",\"2;3\"\n") == UInt8(ascii: ","))
    }

    @Test("a cut last line is ignored; a BOM and CRLF are fine; no line end reads the one line")
    func prefixes() {
        #expect(sniff("\u{FEFF}a;b\r\nc;d\r\ne,f,g,h,i") == UInt8(ascii: ";"))
        #expect(sniff("a|b|c") == UInt8(ascii: "|"))
    }

    @Test("nil when no candidate appears")
    func nothing() {
        #expect(sniff("") == nil)
        #expect(sniff("single\ncolumn\n") == nil)
        #expect(sniff("\"a,b\"\n\"c,d\"\n") == nil)
    }

    @Test("the sniffed dialect is the default with that delimiter")
    func dialectShape() {
        let dialect = bytes("a\tb\n").withUnsafeBytes { CSVTokenizer.sniffDialect($0) }
        #expect(dialect == CSVDialect(delimiter: UInt8(ascii: "\t")))
    }
}
