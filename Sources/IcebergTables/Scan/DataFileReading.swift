public import Columnar
import Iceberg
import Parquet
public import Tables

extension IcebergCatalog {
    /// Reads a data file of the table into batches of `schema` (the table's Columnar schema):
    /// columns matched by field id, widened as the schema evolved, missing ones null.
    func readDataFile(_ url: String, schema: Schema, table: TableIdentifier) async throws(TableError) -> [RecordBatch] {
        let key = try files.key(url)
        let source = try await store.reader(for: key)
        var out: [RecordBatch] = []
        do {
            let reader = try ParquetFileReader(source: source, path: url)
            var batches = try reader.batches()
            while let batch = try batches.next() {
                out.append(try BatchConversion.project(batch, onto: schema, table: table.description))
            }
        } catch let error as TableError {
            throw error
        } catch {
            throw TableError(.corrupt, "cannot read the data file: \(error)", subject: url)
        }
        return out
    }

    /// Every row of the table's current snapshot (or of the files a filter may match: the
    /// filter prunes files, it does not filter rows), in the table's current schema. For
    /// tests, checks and small tables: it holds everything in memory.
    public func readRows(_ table: TableIdentifier, filter: ScanFilter? = nil) async throws(TableError) -> [RecordBatch] {
        let plan = try await plan(table, filter: filter)
        var out: [RecordBatch] = []
        for task in plan.tasks {
            out += try await readDataFile(task.url, schema: plan.schema, table: table)
        }
        return out
    }
}
