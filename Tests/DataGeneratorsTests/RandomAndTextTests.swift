@testable import DataGenerators
import Testing

@Suite("Seeded random numbers")
struct RandomTests {
    @Test("xoshiro256** seeded by SplitMix64 gives the reference values")
    func referenceValues() {
        // Computed with an independent implementation of both algorithms.
        var zero = SeededRandom(seed: 0)
        #expect([zero.next(), zero.next(), zero.next()] == [0x99EC_5F36_CB75_F2B4, 0xBF6E_1F78_4956_452A, 0x1A5F_849D_4933_E6E0])
        var fortyTwo = SeededRandom(seed: 42)
        #expect([fortyTwo.next(), fortyTwo.next()] == [0x1578_0B2E_0C2E_C716, 0x6104_D986_6D11_3A7E])
    }

    @Test("bounded draws stay in range and cover it evenly")
    func bounded() {
        var random = SeededRandom(seed: 9)
        var counts = [Int](repeating: 0, count: 7)
        for _ in 0..<70_000 { counts[random.below(7)] += 1 }
        #expect(counts.allSatisfy { (9_500...10_500).contains($0) }, "\(counts)")
        for _ in 0..<10_000 {
            let unit = random.unit()
            #expect(unit >= 0 && unit < 1)
            #expect((-3...3).contains(random.int(in: -3...3)))
            #expect((-1...1).contains(random.bell()))
            let heavy = random.pareto(minimum: 10, cap: 1000)
            #expect(heavy >= 10 && heavy <= 1000)
        }
        #expect(random.below(1) == 0)
    }

    @Test("streams of one seed are independent; seeds differ")
    func streams() {
        var a = SeededRandom(seed: 1, stream: 1)
        var b = SeededRandom(seed: 1, stream: 2)
        var c = SeededRandom(seed: 2, stream: 1)
        let first = (a.next(), b.next(), c.next())
        #expect(first.0 != first.1 && first.0 != first.2)
    }

    @Test("weighted draws follow their weights")
    func weighted() {
        var random = SeededRandom(seed: 3)
        let index = WeightedIndex([1, 0, 3, 6])
        var counts = [0, 0, 0, 0]
        for _ in 0..<100_000 { counts[index.draw(&random)] += 1 }
        #expect(counts[1] == 0)
        #expect((9_300...10_700).contains(counts[0]) && (29_000...31_000).contains(counts[2]) && (59_000...61_000).contains(counts[3]),
                "\(counts)")
        let zipf = WeightedIndex.zipf(count: 100)
        var top = 0
        for _ in 0..<10_000 where zipf.draw(&random) == 0 { top += 1 }
        #expect((1_700...2_200).contains(top), "rank 1 of Zipf(100) is about 19% of draws, got \(top)")
    }
}

@Suite("Text appenders")
struct TextTests {
    func written(_ body: (inout [UInt8]) -> Void) -> String {
        var out: [UInt8] = []
        body(&out)
        return text(out)
    }

    @Test("integers and fixed-point numbers")
    func numbers() {
        #expect(written { $0.decimal(0) } == "0")
        #expect(written { $0.decimal(-1234567) } == "-1234567")
        #expect(written { $0.decimal(Int.min) } == "-9223372036854775808")
        #expect(written { $0.decimal(Int.max) } == "9223372036854775807")
        #expect(written { $0.fixed(5_252_000, scale: 5) } == "52.52")
        #expect(written { $0.fixed(134_050, scale: 4) } == "13.405")
        #expect(written { $0.fixed(-1_278, scale: 4) } == "-0.1278")
        #expect(written { $0.fixed(1_200, scale: 2) } == "12.0")
        #expect(written { $0.fixed(1_200, scale: 2, minFraction: 2) } == "12.00")
        #expect(written { $0.fixed(7, scale: 2, minFraction: 0) } == "0.07")
        #expect(written { $0.fixed(700, scale: 2, minFraction: 0) } == "7")
        #expect(written { $0.padded(42, width: 5) } == "00042")
        #expect(written { $0.hex(0xABC, digits: 6) } == "000abc")
    }

    @Test("UUIDs are version 4, variant 1, canonical")
    func uuid() {
        var random = SeededRandom(seed: 5)
        for _ in 0..<100 {
            let id = written { $0.uuid(&random) }
            let parts = id.split(separator: "-").map(\.count)
            #expect(parts == [8, 4, 4, 4, 12])
            #expect(Array(id)[14] == "4")
            #expect("89ab".contains(Array(id)[19]))
        }
    }

    @Test("JSON strings escape quotes, backslashes and control characters, and keep UTF-8")
    func jsonStrings() {
        #expect(written { $0.jsonString("plain") } == "\"plain\"")
        #expect(written { $0.jsonString("say \"hi\"\\ \n\t\r\u{08}\u{0C}\u{01}\u{1F}") }
            == #""say \"hi\"\\ \n\t\r\b\f\u0001\u001f""#)
        #expect(written { $0.jsonString("München 東京 🔥") } == "\"München 東京 🔥\"")
    }

    @Test("CSV fields are quoted only when they must be")
    func csvFields() {
        let comma = UInt8(ascii: ",")
        #expect(written { $0.csvField(Array("plain text".utf8), delimiter: comma) } == "plain text")
        #expect(written { $0.csvField(Array("a,b".utf8), delimiter: comma) } == "\"a,b\"")
        #expect(written { $0.csvField(Array("a,b".utf8), delimiter: 0x09) } == "a,b")
        #expect(written { $0.csvField(Array("12\" pizza".utf8), delimiter: comma) } == "\"12\"\" pizza\"")
        #expect(written { $0.csvField(Array("two\nlines".utf8), delimiter: comma) } == "\"two\nlines\"")
    }

    @Test("timestamps format and parse")
    func timestamps() {
        let start = CivilTime.parse("2026-03-01T00:00:00Z")
        #expect(start == WebEventGenerator.defaultStart)
        #expect(CivilTime.parse("2026-01-01") == VehicleFileGenerator.defaultStart)
        #expect(CivilTime.parse("2026-01-01T00:00:00") == VehicleFileGenerator.defaultStart)
        #expect(CivilTime.parse("2026-01-01T00:00") == VehicleFileGenerator.defaultStart)
        #expect(CivilTime.parse("2026-01-01 00:00:00.250") == VehicleFileGenerator.defaultStart + 250)
        for invalid in ["", "2026", "2026-02-30", "2026-13-01", "2026-01-01T24:00", "2026-01-01T10:00:61", "1969-12-31", "2026-01-01X"] {
            #expect(CivilTime.parse(invalid) == nil, "\(invalid)")
        }
        let time = CivilTime.parse("2024-02-29T23:59:58.007")!
        #expect(written { $0.timestamp(time) } == "2024-02-29T23:59:58.007Z")
        #expect(written { $0.timestamp(time, naive: true) } == "2024-02-29 23:59:58")
        #expect(written { $0.compactTimestamp(time) } == "20240229235958")
        #expect(written { $0.date(days: 0) } == "1970-01-01")
        // Every day of a few years round-trips through format and parse.
        for day in stride(from: 19_000, to: 21_000, by: 1) {
            let formatted = written { $0.date(days: day) }
            #expect(CivilTime.parse(formatted) == day * CivilTime.millisecondsPerDay)
        }
    }

    @Test("pretty JSON indents by two spaces and keeps empty containers on one line")
    func pretty() {
        var json = PrettyJSON()
        json.beginObject()
        json.key("a")
        json.beginArray()
        json.element()
        json.bytes.decimal(1)
        json.element()
        json.beginObject()
        json.endObject()
        json.endArray()
        json.key("b")
        json.beginArray()
        json.endArray()
        json.endObject()
        json.finish()
        #expect(text(json.bytes) == "{\n  \"a\": [\n    1,\n    {}\n  ],\n  \"b\": []\n}\n")
    }
}
