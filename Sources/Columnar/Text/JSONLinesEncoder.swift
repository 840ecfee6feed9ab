/// Writes record batches as JSON lines: one object per row, keys in schema order.
///
/// Values: integers as numbers; floats as numbers in shortest round-trip form, NaN and
/// infinities as the strings "NaN", "Infinity", "-Infinity"; strings as strings; binary and
/// fixed-size binary as base64; decimals as strings with their exact scale; dates as
/// `YYYY-MM-DD`; times as `HH:MM:SS.fraction`; timestamps as ISO-8601 with the unit's digits
/// and `Z` when UTC-adjusted; uuids in canonical form; lists as arrays; structs as objects;
/// maps as arrays of `{"key":…,"value":…}`.
public struct JSONLinesEncoder: Sendable {
    public init() {}

    /// Appends rows `rows` of `batch` to `out`, each followed by a newline.
    public func encode(_ batch: RecordBatch, rows: Range<Int>? = nil, to out: inout [UInt8]) {
        let keys = batch.schema.fields.map { field -> [UInt8] in
            var key: [UInt8] = []
            Array(field.name.utf8).withUnsafeBytes { TextFormatting.appendJSONString($0, to: &key) }
            key.append(UInt8(ascii: ":"))
            return key
        }
        for row in rows ?? 0..<batch.rowCount {
            out.append(UInt8(ascii: "{"))
            for (i, column) in batch.columns.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                out.append(contentsOf: keys[i])
                appendValue(column, row, to: &out)
            }
            out.append(contentsOf: [UInt8(ascii: "}"), 0x0A])
        }
    }

    /// Appends one value of `column` as JSON.
    public func appendValue(_ column: Column, _ index: Int, to out: inout [UInt8]) {
        if column.isNull(index) {
            out.append(contentsOf: "null".utf8)
            return
        }
        switch column.type {
        case .null:
            out.append(contentsOf: "null".utf8)
        case .boolean:
            out.append(contentsOf: (column.value(at: index, as: UInt8.self) != 0 ? "true" : "false").utf8)
        case .int8: TextFormatting.appendInteger(column.value(at: index, as: Int8.self), to: &out)
        case .int16: TextFormatting.appendInteger(column.value(at: index, as: Int16.self), to: &out)
        case .int32: TextFormatting.appendInteger(column.value(at: index, as: Int32.self), to: &out)
        case .int64: TextFormatting.appendInteger(column.value(at: index, as: Int64.self), to: &out)
        case .uint8: TextFormatting.appendInteger(column.value(at: index, as: UInt8.self), to: &out)
        case .uint16: TextFormatting.appendInteger(column.value(at: index, as: UInt16.self), to: &out)
        case .uint32: TextFormatting.appendInteger(column.value(at: index, as: UInt32.self), to: &out)
        case .uint64: TextFormatting.appendInteger(column.value(at: index, as: UInt64.self), to: &out)
        case .float16:
            appendFloat(Float16Bits.toFloat(column.value(at: index, as: UInt16.self)), to: &out)
        case .float32:
            appendFloat(column.value(at: index, as: Float.self), to: &out)
        case .float64:
            appendDouble(column.value(at: index, as: Double.self), to: &out)
        case .decimal(_, let scale):
            out.append(UInt8(ascii: "\""))
            TextFormatting.appendDecimal(column.value(at: index, as: Int128.self), scale: scale, to: &out)
            out.append(UInt8(ascii: "\""))
        case .string:
            column.withBytes(at: index) { TextFormatting.appendJSONString($0, to: &out) }
        case .binary:
            out.append(UInt8(ascii: "\""))
            column.withBytes(at: index) { TextFormatting.appendBase64($0, to: &out) }
            out.append(UInt8(ascii: "\""))
        case .fixedSizeBinary(let width):
            out.append(UInt8(ascii: "\""))
            column.values.withUnsafeBytes {
                TextFormatting.appendBase64(UnsafeRawBufferPointer(rebasing: $0[(index * width)..<((index + 1) * width)]), to: &out)
            }
            out.append(UInt8(ascii: "\""))
        case .uuid:
            out.append(UInt8(ascii: "\""))
            column.values.withUnsafeBytes {
                TextFormatting.appendUUID(UnsafeRawBufferPointer(rebasing: $0[(index * 16)..<((index + 1) * 16)]), to: &out)
            }
            out.append(UInt8(ascii: "\""))
        case .date:
            out.append(UInt8(ascii: "\""))
            TextFormatting.appendDate(days: Int64(column.value(at: index, as: Int32.self)), to: &out)
            out.append(UInt8(ascii: "\""))
        case .time(let unit):
            out.append(UInt8(ascii: "\""))
            TextFormatting.appendTime(column.value(at: index, as: Int64.self), unit: unit, to: &out)
            out.append(UInt8(ascii: "\""))
        case .timestamp(let unit, let utc):
            out.append(UInt8(ascii: "\""))
            TextFormatting.appendTimestamp(column.value(at: index, as: Int64.self), unit: unit, utc: utc, to: &out)
            out.append(UInt8(ascii: "\""))
        case .list:
            out.append(UInt8(ascii: "["))
            for (n, entry) in column.range(at: index).enumerated() {
                if n > 0 { out.append(UInt8(ascii: ",")) }
                appendValue(column.children[0], entry, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .map:
            out.append(UInt8(ascii: "["))
            for (n, entry) in column.range(at: index).enumerated() {
                if n > 0 { out.append(UInt8(ascii: ",")) }
                out.append(contentsOf: "{\"key\":".utf8)
                appendValue(column.children[0], entry, to: &out)
                out.append(contentsOf: ",\"value\":".utf8)
                appendValue(column.children[1], entry, to: &out)
                out.append(UInt8(ascii: "}"))
            }
            out.append(UInt8(ascii: "]"))
        case .structure(let fields):
            out.append(UInt8(ascii: "{"))
            for (n, field) in fields.enumerated() {
                if n > 0 { out.append(UInt8(ascii: ",")) }
                Array(field.name.utf8).withUnsafeBytes { TextFormatting.appendJSONString($0, to: &out) }
                out.append(UInt8(ascii: ":"))
                appendValue(column.children[n], index, to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    private func appendDouble(_ value: Double, to out: inout [UInt8]) {
        if let text = TextFormatting.finiteText(value) {
            out.append(contentsOf: text.utf8)
        } else {
            out.append(contentsOf: "\"\(TextFormatting.nonFiniteName(value))\"".utf8)
        }
    }

    private func appendFloat(_ value: Float, to out: inout [UInt8]) {
        if value.isFinite {
            out.append(contentsOf: value.description.utf8)
        } else {
            out.append(contentsOf: "\"\(TextFormatting.nonFiniteName(Double(value)))\"".utf8)
        }
    }
}
