import CSVFormat
import Testing

@Suite("Chunk boundaries and the reference model")
struct ChunkingTests {
    static let backslash = CSVDialect(escape: UInt8(ascii: "\\"))
    static let tight = CSVDialect(maxFieldBytes: 5, maxFieldsPerRecord: 3, maxRecordBytes: 9)

    /// Inputs that exercise every path, each read with the dialects in `dialects`.
    static let documents: [String] = [
        "aaa,bbb,ccc\r\nzzz,yyy,xxx\r\n",
        "\"aaa\",\"b\r\nbb\",\"ccc\"\r\nzzz,yyy,xxx",
        "\"a\"\"b\",\"\",,x\n\"\"\"\"\r\n\"c\rd\"\r",
        "\u{FEFF}h1,h2\n\n\r\n1,\"2\n3\"\r4,5",
        "\r\n\r\r\n\na\r\rb\r\n\n",
        "\"a\\\"b\",\"c\\\\\",\"\\\n\"\n\"x\\\r\n\"",
        "a\"b,c\"\"d, \"e\" ,\"f\"\r\n",
        "one,two,three,four\nshort\n\"long field here\",x\n",
        "\"open\nquote, never closed\n",
        "\"ab\"c,d\n",
        "x\n\"a\nb\"c\n",
        "é|日本|🙂\n\"|\"|\"\"\n",
        "12345678901234567890,123456789012345678901234567890\n\"1234567890123456789\",\"\"\"12345\"\"67890\"\n",
    ]

    static let dialects: [CSVDialect] = [
        CSVDialect(), backslash, CSVDialect(quote: nil), CSVDialect(delimiter: UInt8(ascii: "|")), tight,
    ]

    @Test("every document: one piece, every single cut and byte by byte agree with the model",
          arguments: documents)
    func everySplit(_ text: String) {
        let input = bytes(text)
        for dialect in Self.dialects {
            let expected = referenceTokenize(input, dialect)
            let whole = tokenize(input, dialect)
            #expect(sameOutcome(whole, expected), "one piece, \(dialect)\n\(whole)\nexpected\n\(expected)")
            #expect(sameOutcome(tokenizeBytewise(input, dialect), expected), "byte by byte, \(dialect)")
            for cut in 0...input.count {
                let outcome = tokenize(input, dialect, cuts: [cut])
                #expect(sameOutcome(outcome, expected), "cut at \(cut), \(dialect)\n\(outcome)")
            }
        }
    }

    @Test("short documents: every pair of cuts", arguments: documents.filter { $0.utf8.count <= 40 })
    func everyPairOfCuts(_ text: String) {
        let input = bytes(text)
        for dialect in [CSVDialect(), Self.backslash] {
            let expected = tokenize(input, dialect)
            for first in 0...input.count {
                for second in first...input.count {
                    let outcome = tokenize(input, dialect, cuts: [first, second])
                    #expect(outcome == expected, "cuts \(first), \(second)")
                }
            }
        }
    }

    @Test("random inputs agree with the model, whole and in random pieces", arguments: 0..<8)
    func randomAgainstModel(_ seed: Int) {
        var random = SplitMix(seed: UInt64(seed) &* 7919 &+ 1)
        // Bytes that matter, plus some that could fool a word-at-a-time search: ones with the
        // high bit set whose low bits equal a special byte.
        let alphabet: [UInt8] = bytes("ab,,\"\"\n\r\\| ;") + [0x8A, 0x8D, 0xAC, 0xA2, 0xDC, 0xEF, 0xBB, 0xBF, 0x00]
        for round in 0..<400 {
            let length = Int.random(in: 0...(round % 10 == 0 ? 300 : 40), using: &random)
            var input = (0..<length).map { _ in alphabet.randomElement(using: &random)! }
            if Int.random(in: 0..<8, using: &random) == 0 { input = [0xEF, 0xBB, 0xBF] + input }
            let dialect = Self.dialects.randomElement(using: &random)!
            let expected = referenceTokenize(input, dialect)
            let whole = tokenize(input, dialect)
            #expect(sameOutcome(whole, expected), "seed \(seed) round \(round) \(input) \(dialect)\n\(whole)\nexpected\n\(expected)")
            for _ in 0..<3 {
                let cuts = (0..<Int.random(in: 1...6, using: &random)).map { _ in Int.random(in: 0...length, using: &random) }.sorted()
                let pieces = tokenize(input, dialect, cuts: cuts)
                #expect(pieces == whole, "seed \(seed) round \(round) cuts \(cuts) \(input)")
            }
            if length <= 40 {
                #expect(tokenizeBytewise(input, dialect) == whole, "seed \(seed) round \(round) byte by byte")
            }
        }
    }

    @Test("a large input in odd-sized chunks equals the one-piece reading")
    func largeInput() {
        var random = SplitMix(seed: 42)
        var text = "id,name,note\n"
        for i in 0..<3000 {
            let note = Int.random(in: 0..<4, using: &random) == 0 ? "\"multi\nline \"\"quoted\"\" note\"" : "plain note \(i)"
            text += "\(i),name \(i % 97),\(note)\(i % 5 == 0 ? "\r\n" : "\n")"
        }
        let input = bytes(text)
        let expected = referenceTokenize(input, CSVDialect())
        #expect(expected.error == nil)
        #expect(sameOutcome(tokenize(input), expected))
        for size in [1, 7, 64, 1000, 4093] {
            let cuts = Array(stride(from: size, to: input.count, by: size))
            #expect(tokenize(input, cuts: cuts) == tokenize(input), "chunks of \(size)")
        }
    }
}
