@testable import Avro
import Columnar
import Foundation
import LakegateCore
import Testing

/// Helpers shared by the Avro tests.
enum AvroTestSupport {
    /// A column of `type` built from values (slow path; for tests).
    static func column(_ type: DataType, _ values: [Value]) throws -> Column {
        let builder = ColumnBuilder(type: type)
        for value in values {
            if type == .float16, case .double(let number) = value {
                builder.append(fixed: Float16(Float(number)).bitPattern)
            } else {
                try builder.append(value)
            }
        }
        return builder.finish()
    }

    /// A batch from fields and the values of each column.
    static func batch(_ fields: [Field], columns: [[Value]]) throws -> RecordBatch {
        try RecordBatch(schema: Schema(fields), columns: zip(fields, columns).map { try column($0.type, $1) })
    }

    static let fixedSync: [UInt8] = Array(0..<16)

    /// Writes batches into memory.
    static func write(_ schema: Schema, _ batches: [RecordBatch], options: AvroWriteOptions = AvroWriteOptions()) throws -> [UInt8] {
        var options = options
        if options.syncMarker == nil { options.syncMarker = fixedSync }
        return try AvroFileWriter.bytes(schema: schema, batches: batches, options: options)
    }

    /// Reads every batch of a file in memory.
    static func read(_ bytes: [UInt8], options: AvroReadOptions = AvroReadOptions()) throws -> (Schema, [RecordBatch]) {
        let reader = try AvroFileReader(source: MemoryByteSource(bytes), path: "memory.avro", options: options)
        let batches = try reader.readAll()
        // Every decoded column has a layout that fits its type.
        for batch in batches {
            for column in batch.columns { try column.validate() }
        }
        return (reader.schema, batches)
    }

    /// Every row of a file in memory, as values.
    static func rows(_ bytes: [UInt8], options: AvroReadOptions = AvroReadOptions()) throws -> [[Value]] {
        let (_, batches) = try read(bytes, options: options)
        return batches.flatMap { batch in (0..<batch.rowCount).map { batch.row($0) } }
    }

    /// The values of column `index` over all rows.
    static func columnValues(_ rows: [[Value]], _ index: Int) -> [Value] { rows.map { $0[index] } }

    /// The bytes of a fixture file beside this source file.
    static func fixture(_ name: String, filePath: String = #filePath) throws -> [UInt8] {
        let url = URL(fileURLWithPath: filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/" + name)
        return Array(try Data(contentsOf: url))
    }

    /// Expects `body` to throw an `AvroError` with `code`; returns it.
    @discardableResult
    static func expectError(
        _ code: AvroError.Code, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void
    ) -> AvroError? {
        do {
            try body()
            Issue.record("expected an AvroError \(code), but nothing was thrown", sourceLocation: sourceLocation)
        } catch let error as AvroError {
            #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
            #expect(error.description.hasPrefix("avro "), sourceLocation: sourceLocation)
            return error
        } catch {
            Issue.record("expected an AvroError \(code), got \(error)", sourceLocation: sourceLocation)
        }
        return nil
    }

    /// A container file assembled by hand: header with `schema` and `codec`, then `blocks`
    /// (each: row count, the block's bytes as stored, and whether to end it with the sync marker).
    static func container(
        schema: String, codec: String? = nil, blocks: [(rows: Int64, data: [UInt8])], sync: [UInt8] = fixedSync,
        blockSync: [UInt8]? = nil
    ) -> [UInt8] {
        var out: [UInt8] = [0x4F, 0x62, 0x6A, 0x01]
        var meta: [(String, String)] = [("avro.schema", schema)]
        if let codec { meta.append(("avro.codec", codec)) }
        AvroBinaryEncoder.appendLong(Int64(meta.count), to: &out)
        for (key, value) in meta {
            AvroBinaryEncoder.appendString(key, to: &out)
            AvroBinaryEncoder.appendString(value, to: &out)
        }
        out.append(0)
        out.append(contentsOf: sync)
        for block in blocks {
            AvroBinaryEncoder.appendLong(block.rows, to: &out)
            AvroBinaryEncoder.appendLong(Int64(block.data.count), to: &out)
            out.append(contentsOf: block.data)
            out.append(contentsOf: blockSync ?? sync)
        }
        return out
    }

    /// Zig-zag long bytes.
    static func long(_ value: Int64) -> [UInt8] {
        var out: [UInt8] = []
        AvroBinaryEncoder.appendLong(value, to: &out)
        return out
    }

    static func string(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        AvroBinaryEncoder.appendString(text, to: &out)
        return out
    }
}
