public import Columnar
import Iceberg
public import Tables

extension IcebergCatalog {
    public func beginAppend(_ table: TableIdentifier, schema: Schema) async throws(TableError) -> any TableAppend {
        let loaded = try await load(table)
        let append = IcebergAppend(catalog: self, table: table, base: loaded.metadata)
        try append.evolve(toInclude: schema)
        return append
    }
}

/// An append in progress: batches are cast to the table's schema (grown by new columns, with
/// new field ids) and written to data files; `commit` adds the files in one snapshot.
final class IcebergAppend: TableAppend {
    let catalog: IcebergCatalog
    let table: TableIdentifier
    /// The table's metadata when the append began, with the schema grown to take in every
    /// batch seen (not committed: the commit evolves the then-current metadata the same way).
    private(set) var metadata: TableMetadata
    private var schema: IcebergSchema
    private var columnar: Schema
    private var writer: IcebergFileWriter?
    /// Files of writers closed when the schema grew.
    private var finished: [WrittenFile] = []
    private var state: State = .open

    enum State { case open, committed, aborted }

    init(catalog: IcebergCatalog, table: TableIdentifier, base: TableMetadata) {
        self.catalog = catalog
        self.table = table
        self.metadata = base
        self.schema = base.currentSchema ?? IcebergSchema(fields: [])
        self.columnar = schema.columnarSchema()
    }

    /// Grows the schema when `incoming` has columns (or nested fields, or wider types) the
    /// table lacks. `write` closes the files open before a change: a file has one schema.
    func evolve(toInclude incoming: Schema) throws(TableError) {
        let evolved: (metadata: TableMetadata, changed: Bool)
        do {
            evolved = try metadata.evolvingSchema(toInclude: incoming)
        } catch {
            throw TableError.iceberg(error, "taking in the batch's columns", subject: table.description)
        }
        guard evolved.changed else { return }
        metadata = evolved.metadata
        guard let current = metadata.currentSchema else {
            throw TableError(.corrupt, "the evolved schema is missing", subject: table.description)
        }
        schema = current
        columnar = current.columnarSchema()
    }

    func write(_ batch: RecordBatch) async throws(TableError) {
        guard state == .open else { throw TableError(.invalidArgument, "the append is over", subject: table.description) }
        if batch.schema != columnar, hasNewFields(batch.schema) {
            let before = schema
            try evolve(toInclude: batch.schema)
            if schema != before, let open = writer {
                finished.append(contentsOf: try await open.finish())
                writer = nil
            }
        }
        let cast = try BatchConversion.cast(batch, to: columnar, table: table.description)
        if writer == nil {
            let spec: PartitionSpec
            do {
                spec = try metadata.requireDefaultSpec()
            } catch {
                throw TableError.iceberg(error, "reading the partition spec", subject: table.description)
            }
            writer = IcebergFileWriter(
                store: catalog.store, schema: schema, spec: spec, tableKey: try catalog.tableKey(table),
                options: catalog.options.parquet, targetFileBytes: catalog.options.targetFileBytes,
                maxOpenFiles: catalog.options.maxOpenFiles)
        }
        try await writer!.write(cast)
    }

    /// Whether `incoming` names a column (at any depth) the write schema lacks, or holds a
    /// type that does not cast to the column's (a promotion the schema must record).
    private func hasNewFields(_ incoming: Schema) -> Bool {
        func covers(_ known: DataType, _ type: DataType) -> Bool {
            switch (known, type) {
            case (.structure(let a), .structure(let b)):
                return b.allSatisfy { field in a.contains { $0.name == field.name && covers($0.type, field.type) } }
            case (.list(let a), .list(let b)): return covers(a.type, b.type)
            case (.map(let ak, let av), .map(let bk, let bv)): return covers(ak.type, bk.type) && covers(av.type, bv.type)
            default:
                if known.isNested || type.isNested { return false }
                return Self.widens(type, to: known)
            }
        }
        return !incoming.fields.allSatisfy { field in columnar[field.name].map { covers($0.type, field.type) } ?? false }
    }

    /// Whether values of `type` fit a column of the canonical type `known` without a schema change.
    static func widens(_ type: DataType, to known: DataType) -> Bool {
        switch (type, known) {
        case (.int8, .int32), (.int16, .int32), (.int32, .int32), (.uint8, .int32), (.uint16, .int32): return true
        case (.int8, .int64), (.int16, .int64), (.int32, .int64), (.int64, .int64), (.uint8, .int64), (.uint16, .int64),
            (.uint32, .int64):
            return true
        case (.float16, .float32), (.float32, .float32), (.float16, .float64), (.float32, .float64), (.float64, .float64):
            return true
        case (.decimal(let p, let s), .decimal(let q, let t)): return s == t && p <= q
        case (.timestamp(_, let a), .timestamp(_, let b)): return a == b
        case (.time, .time): return true
        case (.null, _): return true
        default: return type == known || (type == .fixedSizeBinary(16) && known == .uuid)
        }
    }

    func commit(idempotencyKey: String?, message: String?) async throws(TableError) -> CommitOutcome {
        guard state == .open else { throw TableError(.invalidArgument, "the append is over", subject: table.description) }
        if let key = idempotencyKey, key.isEmpty || key.utf8.count > 1000 {
            throw TableError(.invalidArgument, "an idempotency key has 1 to 1000 bytes", subject: table.description)
        }
        var written = finished
        if let open = writer {
            do {
                written += try await open.finish()
            } catch {
                await abort()
                throw error
            }
            writer = nil
        }
        finished = []
        let commit = AppendCommit(
            catalog: catalog, table: table, schema: schema, specId: metadata.defaultSpecId, files: written,
            key: idempotencyKey, message: message)
        do {
            let outcome = try await commit.run()
            state = .committed
            return outcome
        } catch {
            state = .aborted
            throw error
        }
    }

    func abort() async {
        guard state == .open else { return }
        state = .aborted
        var keys = finished.map(\.key)
        if let open = writer { keys += open.abort() }
        writer = nil
        finished = []
        for key in keys { try? await catalog.store.delete(key) }
    }
}
