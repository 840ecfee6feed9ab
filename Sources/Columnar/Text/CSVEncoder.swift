/// Writes record batches as RFC 4180 CSV: a header row, fields quoted only when needed,
/// nulls as empty fields. Scalars are spelled as in `JSONLinesEncoder` but without JSON
/// quotes; nested values are written as their JSON text.
public struct CSVEncoder: Sendable {
    public var delimiter: UInt8

    public init(delimiter: UInt8 = UInt8(ascii: ",")) { self.delimiter = delimiter }

    public func encodeHeader(_ schema: Schema, to out: inout [UInt8]) {
        for (i, field) in schema.fields.enumerated() {
            if i > 0 { out.append(delimiter) }
            appendField(Array(field.name.utf8), to: &out)
        }
        out.append(0x0A)
    }

    public func encode(_ batch: RecordBatch, rows: Range<Int>? = nil, to out: inout [UInt8]) {
        let json = JSONLinesEncoder()
        var scratch: [UInt8] = []
        for row in rows ?? 0..<batch.rowCount {
            for (i, column) in batch.columns.enumerated() {
                if i > 0 { out.append(delimiter) }
                if column.isNull(row) { continue }
                scratch.removeAll(keepingCapacity: true)
                switch column.type {
                case .string:
                    column.withBytes(at: row) { scratch.append(contentsOf: $0) }
                default:
                    json.appendValue(column, row, to: &scratch)
                    // Scalars that JSON quotes (dates, decimals, base64…) lose their quotes in CSV.
                    if !column.type.isNested, scratch.count >= 2, scratch.first == UInt8(ascii: "\""),
                        scratch.last == UInt8(ascii: "\"")
                    {
                        scratch = Array(scratch[1..<(scratch.count - 1)])
                    }
                }
                appendField(scratch, to: &out)
            }
            out.append(0x0A)
        }
    }

    private func appendField(_ bytes: [UInt8], to out: inout [UInt8]) {
        let needsQuotes = bytes.contains { $0 == delimiter || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D }
        guard needsQuotes else {
            out.append(contentsOf: bytes)
            return
        }
        out.append(UInt8(ascii: "\""))
        for byte in bytes {
            if byte == UInt8(ascii: "\"") { out.append(byte) }
            out.append(byte)
        }
        out.append(UInt8(ascii: "\""))
    }
}
