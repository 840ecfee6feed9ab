import Columnar
import Foundation
import LakegateCore
import Parquet
import StorageLocal
import Testing

/// Helpers shared by the reader's tests: the conformance corpus and value shorthands.
enum ReadCorpus {
    struct Missing: Error, CustomStringConvertible {
        let path: String
        var description: String {
            "conformance corpus not found at \(path): set LAKEGATE_CONFORMANCE or check out ../shared/conformance"
        }
    }

    /// `parquet-testing` of the conformance corpus: `$LAKEGATE_CONFORMANCE/parquet-testing`,
    /// or `../shared/conformance/parquet-testing` beside the package.
    static func root() throws -> URL {
        let base: URL
        if let configured = ProcessInfo.processInfo.environment["LAKEGATE_CONFORMANCE"], !configured.isEmpty {
            base = URL(fileURLWithPath: configured)
        } else {
            base = URL(fileURLWithPath: #filePath)
                .deletingLastPathComponent()  // ParquetTests
                .deletingLastPathComponent()  // Tests
                .deletingLastPathComponent()  // package root
                .deletingLastPathComponent()
                .appendingPathComponent("shared/conformance")
        }
        let root = base.appendingPathComponent("parquet-testing")
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw Missing(path: root.path)
        }
        return root
    }

    static func path(_ relative: String) throws -> String {
        try root().appendingPathComponent(relative).path
    }

    static func reader(_ relative: String, options: ParquetReadOptions = .init()) throws -> ParquetFileReader {
        let path = try path(relative)
        return try ParquetFileReader(source: LocalFileSource(path: path), path: path, options: options)
    }

    /// Every row of the file as values, row groups concatenated.
    static func rows(_ relative: String, columns: [String]? = nil, options: ParquetReadOptions = .init()) throws -> [[Value]] {
        let reader = try reader(relative, options: options)
        var rows: [[Value]] = []
        for group in 0..<reader.rowGroupCount {
            let batch = try reader.readRowGroup(group, columns: columns)
            for row in 0..<batch.rowCount { rows.append(batch.row(row)) }
        }
        return rows
    }

    /// One column of the file as values.
    static func column(_ relative: String, _ name: String) throws -> [Value] {
        try rows(relative, columns: [name]).map { $0[0] }
    }

    /// Files under `directory` of the corpus whose names end in `.parquet`, sorted.
    static func files(in directory: String) throws -> [String] {
        let url = try root().appendingPathComponent(directory)
        return try FileManager.default.contentsOfDirectory(atPath: url.path)
            .filter { $0.hasSuffix(".parquet") }
            .sorted()
    }

    /// A small CSV reader for the corpus' `_expect.csv` files: quoted fields, empty unquoted
    /// fields as nil.
    static func csv(_ relative: String) throws -> (header: [String], rows: [[String?]]) {
        let text = try String(contentsOfFile: try path(relative), encoding: .utf8)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        let header = parseLine(lines.removeFirst()).map { $0 ?? "" }
        return (header, lines.map(parseLine))
    }

    private static func parseLine(_ line: String) -> [String?] {
        var fields: [String?] = []
        var current = ""
        var quoted = false
        var wasQuoted = false
        var iterator = Array(line.replacingOccurrences(of: "\r", with: "")).makeIterator()
        var pending: Character? = nil
        while let c = pending ?? iterator.next() {
            pending = nil
            if quoted {
                if c == "\"" {
                    if let next = iterator.next() {
                        if next == "\"" { current.append("\"") } else { quoted = false; pending = next }
                    } else {
                        quoted = false
                    }
                } else {
                    current.append(c)
                }
            } else if c == "\"" {
                quoted = true
                wasQuoted = true
            } else if c == "," {
                fields.append(current.isEmpty && !wasQuoted ? nil : current)
                current = ""
                wasQuoted = false
            } else {
                current.append(c)
            }
        }
        fields.append(current.isEmpty && !wasQuoted ? nil : current)
        return fields
    }
}

/// Value shorthands for expectations.
func int(_ v: Int64) -> Value { .int(v) }
func str(_ s: String) -> Value { .string(s) }
func list(_ items: Value...) -> Value { .list(items) }
func map(_ entries: (Value, Value)...) -> Value { .map(entries.map { Value.MapEntry(key: $0.0, value: $0.1) }) }
func bytes(_ s: String) -> Value { .binary(Array(s.utf8)) }
