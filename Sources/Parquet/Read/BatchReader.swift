import Columnar
import LakegateCore
import ParquetFormat

// Row groups as a stream of bounded record batches. Each projected leaf has a
// ColumnChunkReader that decodes its pages on demand; a batch takes the same number of whole
// records from every leaf, so memory stays near one page per column plus one batch.

/// How large the batches of `ParquetFileReader.batches(...)` may grow.
public struct ParquetBatchOptions: Sendable, Hashable {
    /// Most rows (top-level records) in a batch.
    public var maxRows: Int
    /// Bytes of values a column may buffer before its batch is cut: pages are decoded until a
    /// column holds `maxRows` rows or this many bytes, and a column of strings or binaries
    /// holds at most this many bytes in a batch unless a single row is larger. Byte arrays of
    /// a batch never exceed 2 GiB (Columnar offsets are 32-bit), whatever this says.
    public var maxBytes: Int

    public init(maxRows: Int = 65_536, maxBytes: Int = 64 << 20) {
        self.maxRows = maxRows
        self.maxBytes = maxBytes
    }

    /// A whole row group in one batch, when its byte arrays fit.
    static let whole = ParquetBatchOptions(maxRows: .max, maxBytes: .max)
}

extension ParquetFileReader {
    /// The batches of one row group, in order; each holds whole records (a record is one
    /// top-level row with all its repeated entries). `columns` selects top-level fields by
    /// name, in the order given; nil reads every field.
    ///
    /// Pages are fetched from the source as they are needed, never a column chunk at once.
    public func batches(
        rowGroup: Int, columns: [String]? = nil, options batchOptions: ParquetBatchOptions = .init()
    ) throws(ParquetError) -> RowGroupBatchReader {
        guard rowGroup >= 0, rowGroup < metadata.rowGroups.count else {
            throw ParquetError(
                .invalidArgument, "row group \(rowGroup) does not exist (the file has \(metadata.rowGroups.count))",
                path: path)
        }
        guard batchOptions.maxRows >= 1, batchOptions.maxBytes >= 1 else {
            throw ParquetError(.invalidArgument, "batches need room for at least one row and one byte", path: path)
        }
        return try RowGroupBatchReader(
            file: self, rowGroup: rowGroup, plans: try selectFields(columns), options: batchOptions, recycled: [:])
    }

    /// The batches of several row groups (every one by default, or those listed, e.g. by
    /// `rowGroups(matching:)`), in order.
    public func batches(
        rowGroups: [Int]? = nil, columns: [String]? = nil, options batchOptions: ParquetBatchOptions = .init()
    ) throws(ParquetError) -> ParquetBatchReader {
        let groups = rowGroups ?? Array(0..<metadata.rowGroups.count)
        for group in groups where group < 0 || group >= metadata.rowGroups.count {
            throw ParquetError(
                .invalidArgument, "row group \(group) does not exist (the file has \(metadata.rowGroups.count))",
                path: path)
        }
        guard batchOptions.maxRows >= 1, batchOptions.maxBytes >= 1 else {
            throw ParquetError(.invalidArgument, "batches need room for at least one row and one byte", path: path)
        }
        return ParquetBatchReader(file: self, rowGroups: groups, plans: try selectFields(columns), options: batchOptions)
    }
}

/// The batches of several row groups, one row group after another.
public struct ParquetBatchReader {
    private let file: ParquetFileReader
    private let rowGroups: [Int]
    private let plans: [FieldPlan]
    private let options: ParquetBatchOptions
    private var position = 0
    private var current: RowGroupBatchReader?
    /// Buffers of the last row group's readers, for the next one.
    private var recycled: [Int: ColumnChunkReader.Buffers] = [:]

    init(file: ParquetFileReader, rowGroups: [Int], plans: [FieldPlan], options: ParquetBatchOptions) {
        self.file = file
        self.rowGroups = rowGroups
        self.plans = plans
        self.options = options
    }

    /// The row group the last batch came from.
    public var rowGroup: Int? { current?.rowGroup }

    /// The next batch, or nil after the last row group.
    public mutating func next() throws(ParquetError) -> RecordBatch? {
        while true {
            if current == nil {
                guard position < rowGroups.count else { return nil }
                current = try RowGroupBatchReader(
                    file: file, rowGroup: rowGroups[position], plans: plans, options: options,
                    recycled: recycled)
                recycled = [:]
                position += 1
            }
            if let batch = try current!.next() { return batch }
            if position >= rowGroups.count { return nil }
            recycled = current!.releaseBuffers()
            current = nil
        }
    }
}

/// The batches of one row group. Call `next()` until it returns nil; each batch holds at
/// most `maxRows` whole rows, and together they hold the row group's rows in order.
public struct RowGroupBatchReader {
    /// The row group read.
    public let rowGroup: Int
    /// The schema of the batches (the projected fields).
    public let schema: Schema
    /// Rows in the row group.
    public let rowCount: Int
    /// Rows returned so far.
    public private(set) var rowsRead = 0

    private let file: ParquetFileReader
    private let plans: [FieldPlan]
    private let options: ParquetBatchOptions
    /// One reader per projected leaf, and that leaf's index among all leaves.
    private var readers: [ColumnChunkReader] = []
    private var leafIndexes: [Int] = []
    private var failure: ParquetError?
    private var finished = false

    init(
        file: ParquetFileReader, rowGroup: Int, plans: [FieldPlan], options: ParquetBatchOptions,
        recycled: [Int: ColumnChunkReader.Buffers]
    ) throws(ParquetError) {
        self.file = file
        self.rowGroup = rowGroup
        self.plans = plans
        self.options = options
        let group = file.metadata.rowGroups[rowGroup]
        rowCount = Int(clamping: group.numRows)
        schema = Schema(plans.map(\.field), metadata: file.schema.metadata)
        var decompressors = DecompressorCache()
        var seen = Set<Int>()
        // A batch holds up to maxRows rows, and a page more: buffers start at about that.
        let share = rowCount > 0 ? 2 * Double(options.maxRows) / Double(rowCount) : 1
        for plan in plans {
            for leafIndex in plan.leaves where seen.insert(leafIndex).inserted {
                let leaf = file.readSchema.leaves[leafIndex]
                readers.append(
                    try file.chunkReader(
                        group.columns[leafIndex], leaf: leaf, decompressors: &decompressors, batchShare: share,
                        recycled: recycled[leafIndex]))
                leafIndexes.append(leafIndex)
            }
        }
    }

    /// The next batch of the row group, or nil when every row has been returned. After an
    /// error the reader returns the same error.
    public mutating func next() throws(ParquetError) -> RecordBatch? {
        if let failure { throw failure }
        if finished { return nil }
        do {
            let batch = try nextBatch()
            if batch == nil { finished = true }
            return batch
        } catch {
            let located = error.with(path: file.path)
            failure = located
            throw located
        }
    }

    /// The readers' buffers, keyed by leaf, once the row group is read (for the next one).
    mutating func releaseBuffers() -> [Int: ColumnChunkReader.Buffers] {
        guard finished else { return [:] }
        var buffers: [Int: ColumnChunkReader.Buffers] = [:]
        for r in readers.indices { buffers[leafIndexes[r]] = readers[r].releaseBuffers() }
        return buffers
    }

    /// Whether every column chunk is read to its end and nothing is left to return.
    var isDrained: Bool {
        readers.allSatisfy { $0.isExhausted && $0.bufferedEntries == 0 }
    }

    /// After a batch meant to hold the whole row group: checks that nothing is left.
    mutating func expectEnd() throws(ParquetError) {
        if isDrained {
            // The row count checks.
            guard try next() == nil else {
                throw ParquetError(.corrupt, "row group \(rowGroup) did not decode as one batch", path: file.path)
            }
            return
        }
        if readers.contains(where: { $0.isExhausted && $0.bufferedEntries == 0 }) {
            throw ParquetError(
                .corrupt, "the column chunks of row group \(rowGroup) hold different numbers of rows", path: file.path)
        }
        throw ParquetError(
            .limitExceeded, "a column chunk holds more than 2 GiB of byte arrays: read it in batches",
            path: file.path)
    }

    private mutating func nextBatch() throws(ParquetError) -> RecordBatch? {
        if plans.isEmpty {
            let rows = min(options.maxRows, rowCount - rowsRead)
            guard rows > 0 else { return nil }
            rowsRead += rows
            return RecordBatch(emptySchemaRows: rows)
        }
        if readers.isEmpty {
            // Fields without columns (the assembler says what is wrong with them).
            let rows = min(options.maxRows, rowCount - rowsRead)
            guard rows > 0 else { return nil }
            let batch = try assemble([LeafData?](repeating: nil, count: file.readSchema.leaves.count), rows: rows)
            rowsRead += rows
            return batch
        }
        for r in readers.indices { try fill(r) }
        var records = readers.reduce(options.maxRows) { min($0, $1.completeRecords) }
        if records == 0 {
            guard isDrained else {
                throw ParquetError(
                    .corrupt, "the column chunks of row group \(rowGroup) hold different numbers of rows")
            }
            guard rowsRead == rowCount else {
                throw ParquetError(
                    .corrupt, "the columns hold \(rowsRead) rows where row group \(rowGroup) has \(rowCount)")
            }
            return nil
        }
        // Byte arrays of a batch stay within the budget, and always within 32-bit offsets.
        let limit = min(options.maxBytes, Int(Int32.max))
        for r in readers.indices {
            var fitting = readers[r].recordsFitting(bytes: limit, upTo: records)
            if fitting == 0 {
                fitting = readers[r].recordsFitting(bytes: Int(Int32.max), upTo: 1)
                guard fitting > 0 else {
                    throw ParquetError(
                        .limitExceeded, "a single row holds more than 2 GiB of byte arrays",
                        column: readers[r].leaf.dottedPath)
                }
            }
            records = min(records, fitting)
        }
        guard rowsRead + records <= rowCount else {
            throw ParquetError(
                .corrupt, "the columns hold more than the \(rowCount) rows of row group \(rowGroup)")
        }

        var data = [LeafData?](repeating: nil, count: file.readSchema.leaves.count)
        for r in readers.indices {
            do {
                data[leafIndexes[r]] = try readers[r].take(records: records)
            } catch {
                throw error.with(column: readers[r].leaf.dottedPath)
            }
        }
        let batch = try assemble(data, rows: records)
        rowsRead += records
        return batch
    }

    /// Decodes pages of reader `r` until it holds a batch's rows or `maxBytes` bytes, or its
    /// chunk ends; but always until it holds a whole record (which may be larger). Byte arrays
    /// stop short of 2 GiB once a record is complete.
    private mutating func fill(_ r: Int) throws(ParquetError) {
        do {
            while !readers[r].isExhausted && readers[r].completeRecords < options.maxRows {
                let buffered = readers[r].bufferedBytes
                if readers[r].completeRecords > 0 {
                    if buffered >= options.maxBytes { return }
                    if readers[r].leaf.conversion == .byteArray, let next = try readers[r].nextPageSize(),
                        buffered + next > Int(Int32.max)
                    {
                        return
                    }
                }
                try readers[r].decodeNextPage()
            }
        } catch {
            throw error.with(column: readers[r].leaf.dottedPath)
        }
    }

    /// Columns from the leaves' data, one per projected field.
    private func assemble(_ data: [LeafData?], rows: Int) throws(ParquetError) -> RecordBatch {
        let assembler = LevelAssembler(leaves: file.readSchema.leaves, data: data)
        var columns: [Column] = []
        columns.reserveCapacity(plans.count)
        for plan in plans {
            let column: Column
            do {
                column = try assembler.build(plan)
            } catch {
                throw error.with(column: plan.field.name)
            }
            guard column.count == rows else {
                throw ParquetError(
                    .corrupt, "column has \(column.count) rows where its leaves hold \(rows) records",
                    column: plan.field.name)
            }
            columns.append(column)
        }
        do {
            return try RecordBatch(schema: schema, columns: columns)
        } catch {
            throw ParquetError(.corrupt, "decoded columns do not form a batch", underlying: "\(error)")
        }
    }

    /// A batch of no rows (for a row group without any).
    func emptyBatch() throws(ParquetError) -> RecordBatch {
        if plans.isEmpty { return RecordBatch(emptySchemaRows: 0) }
        var data = [LeafData?](repeating: nil, count: file.readSchema.leaves.count)
        for index in leafIndexes {
            var empty = LeafData()
            if file.readSchema.leaves[index].conversion == .byteArray { empty.offsets = [0] }
            data[index] = empty
        }
        return try assemble(data, rows: 0)
    }
}
