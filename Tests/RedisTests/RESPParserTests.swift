import Redis
import Testing

/// The parser is a state machine over bytes: every value must come out the same however its bytes
/// are cut, and every malformed or oversized input must fail with a typed error at its offset.
@Suite("RESP parser and encoder")
struct RESPParserTests {
    static let corpus: [RESPValue] = [
        .simpleString("OK"),
        .simpleString(""),
        .error("ERR unknown command"),
        .integer(0),
        .integer(-1),
        .integer(Int64.max),
        .integer(Int64.min),
        .bulkString(nil),
        .bulkString([]),
        .bulk("hello"),
        .bulkString(Array("line one\r\nline two\r\n".utf8)),
        .bulkString([0, 13, 10, 255, 0x24, 0x2a]),
        .bulk("ünïcödé ☃"),
        .array(nil),
        .array([]),
        .array([.bulk("XADD"), .integer(3), .bulkString(nil), .array(nil)]),
        .array([.array([.array([.bulk("deep")]), .array([])]), .simpleString("after")]),
        .null,
        .boolean(true),
        .boolean(false),
        .double(1.5),
        .double(-0.25),
        .double(.infinity),
        .bigNumber("3492890328409238509324850943850943825024385"),
        .verbatimString("some text"),
        .map([RESPPair(key: .bulk("a"), value: .integer(1)), RESPPair(key: .simpleString("b"), value: .array([]))]),
        .set([.bulk("x"), .bulk("y")]),
    ]

    /// Feeds `bytes` in the given pieces and collects every value.
    static func parse(_ bytes: [UInt8], cuts: [Int], limits: RESPParser.Limits = .init()) throws -> [RESPValue] {
        var parser = RESPParser(limits: limits)
        var values: [RESPValue] = []
        var start = 0
        for cut in cuts + [bytes.count] where cut >= start {
            parser.append(bytes[start..<cut])
            start = cut
            while let value = try parser.next() { values.append(value) }
        }
        #expect(parser.bufferedByteCount == 0)
        #expect(!parser.isMidValue)
        return values
    }

    @Test func everyValueSurvivesASplitAtEveryOffset() throws {
        for value in Self.corpus {
            let bytes = RESPEncoder.encode(value)
            for cut in 0...bytes.count {
                #expect(try Self.parse(bytes, cuts: [cut]) == [value], "cut at \(cut) of \(bytes.count)")
            }
            // One byte at a time: the worst case for a state machine.
            #expect(try Self.parse(bytes, cuts: Array(0..<bytes.count)) == [value])
        }
    }

    @Test func aStreamOfValuesInChunksOfEverySize() throws {
        var bytes: [UInt8] = []
        for value in Self.corpus { RESPEncoder.append(value, to: &bytes) }
        for size in [1, 2, 3, 5, 7, 16, 64, bytes.count] {
            let cuts = Array(stride(from: size, to: bytes.count, by: size))
            #expect(try Self.parse(bytes, cuts: cuts) == Self.corpus, "chunks of \(size)")
        }
    }

    @Test func partialInputNeedsMore() throws {
        var parser = RESPParser()
        parser.append(Array("*2\r\n$5\r\nhel".utf8))
        #expect(try parser.next() == nil)
        #expect(parser.isMidValue)
        parser.append(Array("lo\r\n:4".utf8))
        #expect(try parser.next() == nil)
        parser.append(Array("2\r\n+next\r\n".utf8))
        #expect(try parser.next() == .array([.bulk("hello"), .integer(42)]))
        #expect(try parser.next() == .simpleString("next"))
        #expect(try parser.next() == nil)
        #expect(!parser.isMidValue)
    }

    @Test func encodesCommandsAsArraysOfBulkStrings() throws {
        #expect(String(decoding: RESPEncoder.command(["SET", "k", "v"]), as: UTF8.self) == "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n")
        #expect(String(decoding: RESPEncoder.command(["GET", ""]), as: UTF8.self) == "*2\r\n$3\r\nGET\r\n$0\r\n\r\n")
        // Binary arguments with CRLF inside travel as they are, and parse back.
        let binary: [[UInt8]] = [Array("SET".utf8), [13, 10, 0], Array("ü\r\n".utf8)]
        let bytes = RESPEncoder.command(bytes: binary)
        #expect(try Self.parse(bytes, cuts: []) == [.array(binary.map { .bulkString($0) })])
    }

    private static func expectError(
        _ code: RedisError.Code, _ text: String, limits: RESPParser.Limits = .init(), offset: Int? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        var parser = RESPParser(limits: limits)
        parser.append(Array(text.utf8))
        do {
            while try parser.next() != nil {}
            Issue.record("expected \(code) for \(text.debugDescription)", sourceLocation: sourceLocation)
        } catch {
            #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
            if let offset { #expect(error.offset == offset, "\(error)", sourceLocation: sourceLocation) }
            // The parser stays failed: the rest of the stream cannot be trusted.
            parser.append(Array("+OK\r\n".utf8))
            #expect(throws: RedisError.self, sourceLocation: sourceLocation) { try parser.next() }
        }
    }

    @Test func malformedInputIsATypedErrorAtItsOffset() {
        Self.expectError(.protocolError, "?what\r\n", offset: 0)
        Self.expectError(.protocolError, "+OK\r\n:12a\r\n", offset: 5)
        Self.expectError(.protocolError, ":\r\n")
        Self.expectError(.protocolError, ":-\r\n")
        Self.expectError(.protocolError, ":99999999999999999999\r\n")
        Self.expectError(.protocolError, "$abc\r\n")
        Self.expectError(.protocolError, "$-2\r\n")
        Self.expectError(.protocolError, "*-5\r\n")
        Self.expectError(.protocolError, "+OK\rX\n")
        Self.expectError(.protocolError, "$3\r\nabcXY", offset: 7)
        Self.expectError(.protocolError, "#x\r\n")
        Self.expectError(.protocolError, ",notanumber\r\n")
        Self.expectError(.protocolError, "_x\r\n")
        Self.expectError(.protocolError, "(12a\r\n")
        Self.expectError(.protocolError, "=3\r\nabc\r\n")
        Self.expectError(.protocolError, "|1\r\n+a\r\n+b\r\n")
        Self.expectError(.protocolError, "*2\r\n+ok\r\n!\r\n")
    }

    @Test func limitsAreCheckedBeforeTheBytesArrive() {
        let small = RESPParser.Limits(maxBulkLength: 10, maxAggregateCount: 4, maxDepth: 3, maxLineLength: 20)
        // Only the header has arrived: the declared size is refused at once.
        Self.expectError(.limitExceeded, "$11\r\n", limits: small, offset: 0)
        Self.expectError(.limitExceeded, "$536870913\r\n")  // over Redis's own 512 MiB
        Self.expectError(.limitExceeded, "*5\r\n", limits: small)
        Self.expectError(.limitExceeded, "%3\r\n", limits: small)  // a map's keys and values count
        Self.expectError(.limitExceeded, "*1\r\n*1\r\n*1\r\n*1\r\n", limits: small)
        Self.expectError(.limitExceeded, "+" + String(repeating: "a", count: 21) + "\r\n", limits: small)
        // A line that never ends fails once it is too long, without waiting for the CRLF.
        Self.expectError(.limitExceeded, "+" + String(repeating: "a", count: 30), limits: small)
        Self.expectError(.limitExceeded, "*9223372036854775807\r\n")
    }

    @Test func valuesAtTheLimitsPass() throws {
        let small = RESPParser.Limits(maxBulkLength: 10, maxAggregateCount: 4, maxDepth: 3, maxLineLength: 20)
        let values: [RESPValue] = [
            .bulkString(Array(repeating: 65, count: 10)),
            .array([.integer(1), .integer(2), .integer(3), .integer(4)]),
            .array([.array([.array([.simpleString("three deep")])])]),
            .simpleString(String(repeating: "a", count: 20)),
        ]
        for value in values {
            #expect(try Self.parse(RESPEncoder.encode(value), cuts: [1], limits: small) == [value])
        }
    }

    @Test func readersOfValues() {
        #expect(RESPValue.bulk("12").int == 12)
        #expect(RESPValue.integer(7).int == 7)
        #expect(RESPValue.simpleString("PONG").string == "PONG")
        #expect(RESPValue.bulkString(nil).isNull)
        #expect(RESPValue.array(nil).array == nil)
        #expect(RESPValue.array([]).array == [])
        #expect(RESPValue.bulkString(nil).kindName == "null bulk string")
    }
}
