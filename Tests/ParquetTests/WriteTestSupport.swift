import Columnar
import Foundation
import LakegateCore
import Parquet
import ParquetFormat
import Testing

/// Helpers shared by the writer's tests.
enum WriteTestSupport {
    /// A column of `type` built from values (slow path; for tests).
    static func column(_ type: DataType, _ values: [Value]) throws -> Column {
        let builder = ColumnBuilder(type: type)
        for value in values {
            // The builder takes float16 as its bit pattern only.
            if type == .float16, case .double(let number) = value {
                builder.append(fixed: Float16(Float(number)).bitPattern)
            } else {
                try builder.append(value)
            }
        }
        return builder.finish()
    }

    /// A batch from fields and their values.
    static func batch(_ fields: [Field], _ values: [[Value]]) throws -> RecordBatch {
        try RecordBatch(schema: Schema(fields), columns: zip(fields, values).map { try column($0.type, $1) })
    }

    /// Writes `batches` into memory and returns the file bytes.
    static func write(
        _ schema: Schema, _ batches: [RecordBatch], options: ParquetWriteOptions = ParquetWriteOptions()
    ) throws -> [UInt8] {
        try ParquetFileWriter.bytes(schema: schema, batches: batches, options: options)
    }

    /// The footer of a file in memory.
    static func footer(_ bytes: [UInt8]) throws -> FileMetaData {
        let length = bytes.withUnsafeBytes { Int(UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: bytes.count - 8, as: UInt32.self))) }
        return try FileMetaData.decode(Array(bytes[(bytes.count - 8 - length)..<(bytes.count - 8)]))
    }

    /// The page headers of a column chunk, in order, with each body's offset.
    static func pages(_ bytes: [UInt8], _ metadata: ColumnMetaData) throws -> [(header: PageHeader, body: Int)] {
        var offset = Int(metadata.chunkStartOffset)
        let end = offset + Int(metadata.totalCompressedSize)
        var result: [(PageHeader, Int)] = []
        while offset < end {
            let (header, length) = try bytes.withUnsafeBytes { raw in
                try PageHeader.decodePrefix(UnsafeRawBufferPointer(rebasing: raw[offset..<end]))
            }
            result.append((header, offset + length))
            offset += length + Int(header.compressedPageSize)
        }
        return result
    }

    /// A fresh temporary directory for files that other tools read.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("lakegate-write-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Runs a Python check when `LAKEGATE_PYTHON` names an interpreter with pyarrow and duckdb;
    /// returns its standard output, or nil when the variable is not set.
    static func python(_ script: String, arguments: [String] = []) throws -> String? {
        guard let python = ProcessInfo.processInfo.environment["LAKEGATE_PYTHON"], !python.isEmpty else { return nil }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-c", script] + arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            Issue.record("python failed: \(String(decoding: errorData, as: UTF8.self))")
            return nil
        }
        return String(decoding: data, as: UTF8.self)
    }
}
