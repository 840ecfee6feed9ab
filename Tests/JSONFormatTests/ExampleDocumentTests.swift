import Foundation
import Testing

@testable import JSONFormat

/// Real documents: what our parser reports must match an independent count made with
/// Foundation's JSONSerialization (used here only, never by the module).
@Suite struct ExampleDocumentTests {
    static let directory = conformanceDirectory + "/examples"

    static func read(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: directory + "/" + name)))
    }

    /// The reference tally of a JSONSerialization tree.
    struct Reference {
        var objects = 0, arrays = 0, trues = 0, falses = 0, nulls = 0
        var keys: [String] = []
        var strings: [String] = []
        var numbers: [Double] = []

        mutating func add(_ value: Any) {
            switch value {
            case let object as [String: Any]:
                objects += 1
                for (key, member) in object {
                    keys.append(key)
                    add(member)
                }
            case let array as [Any]:
                arrays += 1
                for element in array { add(element) }
            case let string as String:
                strings.append(string)
            case is NSNull:
                nulls += 1
            case let number as NSNumber:
                if "\(type(of: number))".contains("Boolean") {  // __NSCFBoolean, on every platform
                    if number.boolValue { trues += 1 } else { falses += 1 }
                } else {
                    numbers.append(number.doubleValue)
                }
            default:
                Issue.record("unexpected \(type(of: value))")
            }
        }
    }

    static func compare(_ tally: Tally, _ reference: Reference, _ name: String) {
        #expect(tally.objects == reference.objects, "\(name) objects")
        #expect(tally.arrays == reference.arrays, "\(name) arrays")
        #expect(tally.trues == reference.trues && tally.falses == reference.falses, "\(name) booleans")
        #expect(tally.nulls == reference.nulls, "\(name) nulls")
        #expect(tally.keys.sorted() == reference.keys.sorted(), "\(name) keys")
        #expect(tally.strings.sorted() == reference.strings.sorted(), "\(name) strings")
        #expect(tally.numbers.count == reference.numbers.count, "\(name) numbers")
        #expect(tally.numbers.sorted() == reference.numbers.sorted(), "\(name) number values")
    }

    @Test(arguments: ["twitter.json", "github_events.json", "numbers.json", "random.json"])
    func wholeDocument(name: String) throws {
        let bytes = try Self.read(name)
        var parser = JSONParser()
        var tally = Tally()
        try bytes.withUnsafeBytes { try parser.parse($0, into: &tally) }
        var reference = Reference()
        reference.add(try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed]))
        Self.compare(tally, reference, name)
        #expect(tally.objects + tally.arrays + tally.strings.count + tally.numbers.count > 1000)
    }

    @Test func ndjsonDocumentThroughTheFramer() throws {
        let name = "amazon_cellphones.ndjson"
        let bytes = try Self.read(name)
        var reference = Reference()
        var lines = 0
        for line in bytes.split(separator: 0x0A) where !line.allSatisfy({ $0 == 0x20 || $0 == 0x0D }) {
            reference.add(try JSONSerialization.jsonObject(with: Data(line), options: [.fragmentsAllowed]))
            lines += 1
        }
        // Fed in odd-sized chunks, like reads from a file.
        var framer = JSONRecordFramer(layout: .ndjson)
        var parser = JSONParser()
        var tally = Tally()
        var records = 0
        var previousLine = 0
        func drain() throws {
            while let record = try framer.nextRecord() {
                records += 1
                #expect(record.line > previousLine)
                previousLine = record.line
                try parser.parse(record.bytes, baseOffset: record.offset, baseLine: record.line, baseColumn: record.column, into: &tally)
            }
        }
        var start = 0
        while start < bytes.count {
            let end = min(bytes.count, start + 4093)
            bytes[start..<end].withUnsafeBytes { framer.append($0) }
            try drain()
            start = end
        }
        try framer.finish()
        try drain()
        #expect(records == lines)
        Self.compare(tally, reference, name)
    }

    @Test func arrayOfRecordsThroughTheFramer() throws {
        // github_events.json is a top-level array of events; twitter.json holds its records
        // under "statuses" (with another member after it, so it needs a key name and fails
        // with none).
        let events = try Self.read("github_events.json")
        #expect(events.withUnsafeBytes { JSONRecordFramer.detectLayout($0, isEndOfInput: true) } == .array)
        let framed = frame(events, layout: .array, cuts: stride(from: 1000, to: events.count, by: 1000).map { $0 })
        #expect(framed.error == nil)
        let reference = try JSONSerialization.jsonObject(with: Data(events)) as? [Any]
        #expect(framed.records.count == reference?.count)

        let twitter = try Self.read("twitter.json")
        #expect(twitter.withUnsafeBytes { JSONRecordFramer.detectLayout($0, isEndOfInput: true) } == .singleValue)
        let statuses = frame(twitter, layout: .rootKey("statuses"))
        let root = try JSONSerialization.jsonObject(with: Data(twitter)) as? [String: Any]
        #expect(statuses.records.count == (root?["statuses"] as? [Any])?.count)
        #expect(statuses.error?.code == .layoutMismatch)  // "search_metadata" follows
        var parser = JSONParser()
        for record in statuses.records {
            var tally = Tally()
            try Array(record.text.utf8).withUnsafeBytes {
                try parser.parse($0, baseOffset: record.offset, baseLine: record.line, baseColumn: record.column, into: &tally)
            }
            #expect(tally.objects > 0)
        }
    }
}
