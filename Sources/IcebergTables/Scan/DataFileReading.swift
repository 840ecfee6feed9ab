public import Columnar
import Iceberg
import Parquet
public import Tables

extension IcebergCatalog {
    /// Reads a data file of the table batch by batch, each mapped onto `schema` (the table's
    /// Columnar schema): columns matched by field id, widened as the schema evolved, missing
    /// ones null.
    func forEachBatch(
        ofDataFile url: String, schema: Schema, table: TableIdentifier,
        _ body: (RecordBatch) async throws(TableError) -> Void
    ) async throws(TableError) {
        let key = try files.key(url)
        let source = try await store.reader(for: key)
        let reader: ParquetFileReader
        var batches: ParquetBatchReader
        do {
            reader = try ParquetFileReader(source: source, path: url)
            batches = try reader.batches()
        } catch {
            throw TableError(.corrupt, "cannot read the data file: \(error)", subject: url)
        }
        while true {
            let next: RecordBatch?
            do {
                next = try batches.next()
            } catch {
                throw TableError(.corrupt, "cannot read the data file: \(error)", subject: url)
            }
            guard let batch = next else { return }
            try await body(try BatchConversion.project(batch, onto: schema, table: table.description))
        }
    }

    /// Every row of the table's current snapshot (or of the files a filter may match: the
    /// filter prunes files, it does not filter rows), in the table's current schema. For
    /// tests, checks and small tables: it holds everything in memory.
    public func readRows(_ table: TableIdentifier, filter: ScanFilter? = nil) async throws(TableError) -> [RecordBatch] {
        let plan = try await plan(table, filter: filter)
        var out: [RecordBatch] = []
        for task in plan.tasks {
            try await forEachBatch(ofDataFile: task.url, schema: plan.schema, table: table) { out.append($0) }
        }
        return out
    }
}
