import CSVFormat
import DataGenerators
import Foundation
import Testing

@Suite("Wide CSV")
struct WideCSVTests {
    func csv(_ rows: Int, seed: UInt64 = 42, delimiter: UInt8 = UInt8(ascii: ",")) -> [UInt8] {
        var generator = WideCSVGenerator(seed: seed, delimiter: delimiter)
        var out: [UInt8] = []
        generator.appendHeader(to: &out)
        generator.append(rows: rows, to: &out)
        #expect(generator.rows == rows)
        return out
    }

    /// Every record's fields as strings, and whether any field was quoted.
    func records(_ bytes: [UInt8], delimiter: UInt8 = UInt8(ascii: ",")) throws -> (rows: [[String]], quoted: Int) {
        var rows: [[String]] = []
        var quoted = 0
        try bytes.withUnsafeBytes { raw in
            try CSVTokenizer.forEachRecord(in: raw, dialect: CSVDialect(delimiter: delimiter)) { record in
                rows.append((0..<record.count).map { String(decoding: record.field($0), as: UTF8.self) })
                for i in 0..<record.count where record.wasQuoted(i) { quoted += 1 }
            }
        }
        return (rows, quoted)
    }

    @Test("the same seed gives the same bytes; another seed other bytes")
    func determinism() {
        let first = csv(2_000)
        #expect(first == csv(2_000))
        #expect(first != csv(2_000, seed: 1))
        #expect(Array(csv(3_000).prefix(first.count)) == first)
    }

    @Test("output is pinned: the same bytes on every machine and build (a deliberate change updates the value)")
    func pinned() {
        #expect(fingerprint(csv(1_000)) == 14_015_186_121_893_454_278)
    }

    @Test("a header and the same number of fields in every row, some quoted, some spanning lines",
          arguments: [UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "|"), 0x09])
    func shape(_ delimiter: UInt8) throws {
        let output = csv(5_000, delimiter: delimiter)
        let (rows, quoted) = try records(output, delimiter: delimiter)
        #expect(rows.count == 5_001)
        #expect(rows[0] == WideCSVGenerator.columns.map(\.name))
        #expect(rows.allSatisfy { $0.count == 24 })
        #expect(quoted > 0)
        #expect(rows.contains { $0.contains { $0.contains("\n") } })
        #expect(rows.contains { $0.contains { $0.contains("\"") } })
        let lineCount = output.filter { $0 == 0x0A }.count
        #expect(lineCount > 5_001, "some notes span lines")
    }

    @Test("every field reads as its column's type; empty fields only where nulls are allowed")
    func types() throws {
        let (rows, _) = try records(csv(5_000))
        let columns = WideCSVGenerator.columns
        let nullable: Set<String> = ["discount", "is_gift", "shipped_at", "rating", "notes"]
        var nulls = Set<String>()
        let dateFormatter = ISO8601DateFormatter()
        dateFormatter.formatOptions = [.withFullDate]
        for row in rows.dropFirst() {
            for (field, column) in zip(row, columns) {
                if field.isEmpty {
                    #expect(nullable.contains(column.name), "\(column.name) is empty")
                    nulls.insert(column.name)
                    continue
                }
                switch column.type {
                case "int": #expect(Int32(field) != nil, "\(column.name): \(field)")
                case "bigint": #expect(Int64(field).map { $0 > Int64(Int32.max) } == true, "\(column.name): \(field)")
                case "double": #expect(Double(field) != nil, "\(column.name): \(field)")
                case "decimal": #expect(field.split(separator: ".").last?.count == 2 && Double(field) != nil, "\(field)")
                case "bool": #expect(field == "true" || field == "false")
                case "date": #expect(field.count == 10 && dateFormatter.date(from: field) != nil, "\(field)")
                case "timestamptz": #expect(milliseconds(field) != nil, "\(field)")
                case "timestamp": #expect(field.count == 19 && milliseconds(field.replacingOccurrences(of: " ", with: "T") + ".000Z") != nil)
                case "uuid": #expect(UUID(uuidString: field) != nil)
                default: #expect(column.type == "string")
                }
            }
        }
        #expect(nulls == nullable)
    }
}
