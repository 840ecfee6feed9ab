import Columnar
import Foundation
import Parquet
import Tables

/// One append to a Hive-style table: files are staged as batches arrive, and `commit` records
/// the commit, then moves them into their partition folders (see `HiveCatalog`).
final class HiveAppend: TableAppend {
    private let catalog: HiveCatalog
    private let store: any ObjectStore
    private let table: TableIdentifier
    private let schema: Schema
    private let partitioning: HivePartitioning
    private let writer: PartitionedFileWriter
    private let commitId = UUID().uuidString.lowercased()
    /// Staged key -> final key, per file (filled as the writer names files).
    private let finalKeys = KeyBook()
    private var done = false

    init(catalog: HiveCatalog, store: any ObjectStore, table: TableIdentifier, schema: Schema, partitionBy: [String])
        throws(TableError)
    {
        self.catalog = catalog
        self.store = store
        self.table = table
        self.schema = schema
        partitioning = try HivePartitioning(partitionBy, schema: schema)
        let root = try catalog.tableKey(table)
        let staging = try root.appending("\(HiveCatalog.control)/staging/\(commitId)")
        let partitioning = self.partitioning
        let book = finalKeys
        var counter = 0
        writer = PartitionedFileWriter(
            store: store, schema: schema, options: ParquetWriteOptions(codec: .zstd(level: 3)),
            partitionKeys: partitioning.isEmpty ? nil : { batch throws(TableError) in try partitioning.keys(batch) },
            fileKey: { partition throws(TableError) in
                counter += 1
                let name = "part-\(String(format: "%05d", counter))-\(UUID().uuidString.lowercased()).parquet"
                let folder = partitioning.path(partition)
                let final = try root.appending(folder.isEmpty ? name : folder + "/" + name)
                let staged = try staging.appending("\(counter).parquet.staged")
                book.finals[staged] = final
                return staged
            })
    }

    func write(_ batch: RecordBatch) async throws(TableError) {
        // Columns the batch lacks are null; the table's column order is kept.
        try await writer.write(try Self.conform(batch, to: schema))
    }

    static func conform(_ batch: RecordBatch, to schema: Schema) throws(TableError) -> RecordBatch {
        if batch.schema.fields.map(\.name) == schema.fields.map(\.name) { return batch }
        // Files already written have the schema the append started with: a column that shows
        // up later would be lost, so it is refused (append such inputs in a later commit).
        if let extra = batch.schema.fields.first(where: { schema[$0.name] == nil }) {
            throw TableError(
                .unsupported,
                "column '\(extra.name)' appeared after the append started; a Hive table takes new columns in a new append")
        }
        let columns = schema.fields.map { field -> Column in
            if let index = batch.schema.index(of: field.name) { return batch.columns[index] }
            return Column.nulls(field.type, count: batch.rowCount)
        }
        do {
            return try RecordBatch(schema: schema, columns: columns)
        } catch {
            throw TableError(.invalidArgument, "batch does not fit the table: \(error)")
        }
    }

    func commit(idempotencyKey: String?, message: String?) async throws(TableError) -> CommitOutcome {
        precondition(!done, "commit after commit or abort")
        done = true
        let files = try await writer.finish()
        let rows = files.reduce(0) { $0 + $1.recordCount }
        if let idempotencyKey, let earlier = try await catalog.readCommits(table, idempotencyKey: idempotencyKey).first {
            // The job committed before (perhaps an attempt that died before moving its files:
            // they are moved now).
            for file in files { try await store.delete(file.key) }
            try await catalog.finishMoves(earlier)
            return .alreadyCommitted(snapshot: earlier.sequence)
        }
        let sequence = Int64(Date().timeIntervalSince1970 * 1_000_000)
        let record = HiveCatalog.CommitRecord(
            sequence: sequence, key: try catalog.commitKey(table, sequence: sequence, idempotencyKey: idempotencyKey),
            idempotencyKey: idempotencyKey,
            timestamp: Date().timeIntervalSince1970, rows: rows,
            moves: files.map { ($0.key, finalKeys.finals[$0.key]!) })
        try await catalog.writeCommit(record)
        if let idempotencyKey {
            // Two writers with one key at once: the first record (by sequence, then name) wins,
            // the other withdraws before any of its files are moved into place.
            let same = try await catalog.readCommits(table, idempotencyKey: idempotencyKey)
            if let winner = same.min(by: { ($0.sequence, $0.key.path) < ($1.sequence, $1.key.path) }), winner.key != record.key {
                try await store.delete(record.key)
                for file in files { try await store.delete(file.key) }
                return .alreadyCommitted(snapshot: winner.sequence)
            }
        }
        // The record is durable and names every move: a move lost in a crash is redone from it
        // (roll forward), so the moves need no fsync of the table's ever-growing folder.
        for (staged, final) in record.moves { try await store.moveUnsynced(staged, to: final) }
        return .committed(snapshot: sequence, files: files.count, rows: rows)
    }

    func abort() async {
        guard !done else { return }
        done = true
        writer.abort()
        let files = (try? await writer.finish()) ?? []
        for file in files { try? await store.delete(file.key) }
    }
}

/// Hive folder names of a table's partitioning: `day(event_time)` gives
/// `year=2025/month=01/day=05`, `hour(…)` adds `hour=13`, `month(…)` and `year(…)` stop
/// earlier, an identity column gives `column=value` (escaped as Hive escapes).
struct HivePartitioning: Sendable {
    struct Field: Sendable {
        var transform: CalendarTransform
        var column: String
        var index: Int
    }
    let fields: [Field]

    init(_ partitionBy: [String], schema: Schema) throws(TableError) {
        var fields: [Field] = []
        for text in partitionBy {
            let (transform, column) = try CalendarTransform.parse(text)
            guard let index = schema.index(of: column) else {
                throw TableError(.invalidArgument, "partition column '\(column)' is not in the schema")
            }
            fields.append(Field(transform: transform, column: column, index: index))
        }
        self.fields = fields
    }

    var isEmpty: Bool { fields.isEmpty }

    /// The calendar parts each transform spells out, coarsest first.
    static func parts(_ transform: CalendarTransform) -> [CalendarTransform] {
        switch transform {
        case .identity: return [.identity]
        case .year: return [.year]
        case .month: return [.year, .month]
        case .day: return [.year, .month, .day]
        case .hour: return [.year, .month, .day, .hour]
        }
    }

    func keys(_ batch: RecordBatch) throws(TableError) -> [PartitionKey] {
        var keys: [PartitionKey] = []
        keys.reserveCapacity(batch.rowCount)
        for row in 0..<batch.rowCount {
            var values: [Value] = []
            for field in fields {
                for part in Self.parts(field.transform) {
                    values.append(try part.apply(batch.columns[field.index], at: row))
                }
            }
            keys.append(PartitionKey(values))
        }
        return keys
    }

    func path(_ key: PartitionKey) -> String {
        var segments: [String] = []
        var index = 0
        for field in fields {
            for part in Self.parts(field.transform) {
                let value = key.values[index]
                index += 1
                let name = part == .identity ? field.column : part.rawValue
                segments.append("\(Self.escape(name))=\(Self.text(value, part: part))")
            }
        }
        return segments.joined(separator: "/")
    }

    static func text(_ value: Value, part: CalendarTransform) -> String {
        switch (value, part) {
        case (.null, _): return "__HIVE_DEFAULT_PARTITION__"
        case (.int(let v), .month), (.int(let v), .day), (.int(let v), .hour): return String(format: "%02lld", v)
        case (.int(let v), _): return String(v)
        case (.string(let s), _): return escape(s)
        case (.bool(let b), _): return b ? "true" : "false"
        case (.date(let days), _):
            let (y, m, d) = TextFormatting.civil(fromDays: days)
            return String(format: "%04lld-%02lld-%02lld", y, m, d)
        default: return escape("\(value)")
        }
    }

    /// Hive's escaping of folder names: `%XX` for `/`, `=`, `%`, control characters and the
    /// other characters Hive escapes, so a value never adds a folder level.
    static func escape(_ text: String) -> String {
        let special: Set<UInt8> = Set("\"#%'*/:=?\\{[]^".utf8)
        var out = ""
        for byte in text.utf8 {
            if byte < 0x20 || byte == 0x7F || special.contains(byte) {
                out += String(format: "%%%02X", byte)
            } else {
                out.unicodeScalars.append(UnicodeScalar(byte))
            }
        }
        return text.utf8.allSatisfy({ $0 < 0x80 }) ? out : Self.escapeUnicode(text, special: special)
    }

    private static func escapeUnicode(_ text: String, special: Set<UInt8>) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            if scalar.value < 0x80, scalar.value < 0x20 || scalar.value == 0x7F || special.contains(UInt8(scalar.value)) {
                out += String(format: "%%%02X", scalar.value)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

/// Where each staged file goes: shared by the append and the writer's naming closure.
private final class KeyBook {
    var finals: [ObjectKey: ObjectKey] = [:]
}
