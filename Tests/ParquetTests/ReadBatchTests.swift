import Columnar
import Foundation
import LakegateCore
import Parquet
import ParquetFormat
import Testing

/// Row groups streamed in bounded batches: the same rows as reading them whole, split at any
/// record boundary, fetched a window at a time.
@Suite struct ReadBatchTests {
    /// Corpus files read in batches (checksum-corrupt files without verification).
    static func corpusFiles() throws -> [String] {
        var files = try ReadCorpus.files(in: "data").map { "data/" + $0 }
        files += try ReadCorpus.files(in: "data/geospatial").map { "data/geospatial/" + $0 }
        // large_string_map has its own test; pyarrow refuses incorrect_map_schema's schema.
        let skipped: Set<String> = ["data/large_string_map.brotli.parquet", "data/incorrect_map_schema.parquet"]
        return files.filter { !skipped.contains($0) }
    }

    static let uncheckedFiles: Set<String> = [
        "data/datapage_v1-corrupt-checksum.parquet", "data/rle-dict-uncompressed-corrupt-checksum.parquet",
    ]

    /// Every batch of every row group, with the row group each came from.
    static func batches(
        _ reader: ParquetFileReader, columns: [String]? = nil, options: ParquetBatchOptions
    ) throws -> [[RecordBatch]] {
        var groups: [[RecordBatch]] = []
        for group in 0..<reader.rowGroupCount {
            var stream = try reader.batches(rowGroup: group, columns: columns, options: options)
            var batches: [RecordBatch] = []
            while let batch = try stream.next() { batches.append(batch) }
            #expect(try stream.next() == nil)
            groups.append(batches)
        }
        return groups
    }

    /// Checks that reading in batches under `options` gives the rows of reading whole.
    static func expectSameRows(_ reader: ParquetFileReader, options: ParquetBatchOptions, _ label: String) throws {
        let groups = try batches(reader, options: options)
        for (group, batches) in groups.enumerated() {
            let whole = try reader.readRowGroup(group)
            var row = 0
            for batch in batches {
                #expect(batch.rowCount >= 1 && batch.rowCount <= options.maxRows, "\(label)")
                #expect(batch.schema == whole.schema, "\(label)")
                for column in batch.columns { try column.validate() }
                for i in 0..<batch.rowCount {
                    let expected = whole.row(row + i)
                    let actual = batch.row(i)
                    // NaN never equals itself: compare those rows by their text.
                    if actual != expected && "\(actual)" != "\(expected)" {
                        Issue.record("\(label): row group \(group) row \(row + i) differs")
                        return
                    }
                }
                row += batch.rowCount
            }
            #expect(row == whole.rowCount, "\(label): row group \(group)")
        }
    }

    @Test(arguments: try corpusFiles())
    func corpusFileSplitsAtEveryRecordBoundary(_ file: String) throws {
        let options = ParquetReadOptions(verifyChecksums: !Self.uncheckedFiles.contains(file))
        let reader = try ReadCorpus.reader(file, options: options)
        for batchOptions in [
            ParquetBatchOptions(maxRows: 1), ParquetBatchOptions(maxRows: 7),
            // A byte budget smaller than any value: a batch per row wherever a column holds bytes.
            ParquetBatchOptions(maxRows: 1000, maxBytes: 1),
        ] {
            try Self.expectSameRows(reader, options: batchOptions, "\(file) \(batchOptions)")
        }
    }

    @Test func largeStringMapReadsOneRowPerBatch() throws {
        // Two rows whose map key is a string of 2^30 'a's (one from the dictionary, one from a
        // PLAIN page after it) and whose value is 1, as pyarrow reads it: together they do not
        // fit in 32-bit offsets, so each row is a batch of its own.
        let reader = try ReadCorpus.reader("data/large_string_map.brotli.parquet")
        do {
            _ = try reader.readRowGroup(0)
            Issue.record("more than 2 GiB of strings read as one batch")
        } catch let error as ParquetError {
            #expect(error.code == .limitExceeded)
        }
        var stream = try reader.batches(rowGroup: 0)
        var rows = 0
        let run = [UInt8](repeating: UInt8(ascii: "a"), count: 1 << 20)
        while let batch = try stream.next() {
            #expect(batch.rowCount == 1)
            let map = batch.columns[0]
            #expect(map.offsets == [0, 1])
            #expect(map.nullCount == 0)
            let keys = map.children[0]
            let values = map.children[1]
            #expect(keys.count == 1)
            #expect(keys.range(at: 0).count == 1 << 30)
            // Every byte is 'a', compared a MiB at a time (no second copy of the key).
            let allA = keys.values.withUnsafeBytes { bytes in
                run.withUnsafeBytes { a in
                    stride(from: 0, to: bytes.count, by: a.count).allSatisfy { start in
                        let count = min(a.count, bytes.count - start)
                        return memcmp(bytes.baseAddress! + start, a.baseAddress!, count) == 0
                    }
                }
            }
            #expect(allA)
            #expect(values.value(at: 0) == .int(1))
            rows += 1
        }
        #expect(rows == 2)
    }

    /// A file written with small pages: `rows` rows of an int64, a nullable string and a list.
    static func pagedFile(rows: Int, dictionary: Bool = false, dictionaryPageBytes: Int = 1 << 20) throws -> [UInt8] {
        let fields = [
            Field("id", .int64, nullable: false), Field("name", .string),
            Field("tags", .list(Field("element", .int32))),
        ]
        var ids: [Value] = []
        var names: [Value] = []
        var tags: [Value] = []
        var random = SplitMix64(seed: 7)
        for i in 0..<rows {
            ids.append(.int(Int64(i)))
            names.append(i % 5 == 0 ? .null : .string("name-\(random.next() % 50_000)"))
            let count = Int(random.next() % 4)
            tags.append(i % 7 == 0 ? .null : .list((0..<count).map { .int(Int64(i + $0)) }))
        }
        let batch = try WriteTestSupport.batch(fields, [ids, names, tags])
        var options = ParquetWriteOptions(codec: .none, pageBytes: 8 << 10, dictionary: dictionary)
        options.dictionaryPageBytes = dictionaryPageBytes
        return try WriteTestSupport.write(batch.schema, [batch], options: options)
    }

    /// A source that records the ranges read from it.
    final class CountingSource: ByteRangeSource, @unchecked Sendable {
        let bytes: [UInt8]
        private(set) var reads: [Range<Int>] = []
        init(_ bytes: [UInt8]) { self.bytes = bytes }
        var size: Int { bytes.count }
        func read(_ range: Range<Int>) throws -> [UInt8] {
            reads.append(range)
            return Array(bytes[range])
        }
    }

    @Test func pagesAreFetchedInWindowsNotWholeChunks() throws {
        let file = try Self.pagedFile(rows: 250_000)
        let source = CountingSource(file)
        let reader = try ParquetFileReader(source: source, path: "paged.parquet")
        #expect(reader.rowGroupCount == 1)
        let chunk = try #require(reader.metadata.rowGroups[0].columns[0].metaData)
        let chunkSize = Int(chunk.totalCompressedSize)
        #expect(chunkSize > (1 << 20) + (64 << 10), "the test needs a chunk larger than the read window")
        let footerReads = source.reads.count

        // The first batch of 1000 rows reads about a window per column, not the chunks.
        var stream = try reader.batches(rowGroup: 0, options: ParquetBatchOptions(maxRows: 1000))
        let first = try #require(try stream.next())
        #expect(first.rowCount == 1000)
        let early = source.reads[footerReads...].reduce(0) { $0 + $1.count }
        #expect(early <= 3 * ((1 << 20) + (64 << 10)))

        var rows = first.rowCount
        var ids: [Int64] = (0..<first.rowCount).map { first.columns[0].value(at: $0, as: Int64.self) }
        while let batch = try stream.next() {
            #expect(batch.rowCount <= 1000)
            rows += batch.rowCount
            for i in 0..<batch.rowCount { ids.append(batch.columns[0].value(at: i, as: Int64.self)) }
        }
        #expect(rows == 250_000)
        #expect(ids == (0..<250_000).map { Int64($0) })
        let largest = source.reads[footerReads...].map(\.count).max() ?? 0
        #expect(largest < chunkSize)
        #expect(largest <= (1 << 20) + (64 << 10))
    }

    @Test func pageHeaderLargerThanTheReadWindow() throws {
        // One data page whose header carries 600 KB min and max statistics: the header does
        // not fit the first window and is read again from a larger one.
        let fields = [Field("s", .string, nullable: false)]
        let values: [Value] = (0..<100).map { .string("value \($0)") }
        let batch = try WriteTestSupport.batch(fields, [values])
        let plain = try WriteTestSupport.write(
            batch.schema, [batch], options: ParquetWriteOptions(codec: .none, dictionary: false))
        var footer = try WriteTestSupport.footer(plain)
        var meta = try #require(footer.rowGroups[0].columns[0].metaData)
        let pages = try WriteTestSupport.pages(plain, meta)
        try #require(pages.count == 1)
        var header = pages[0].header
        header.dataPageHeader?.statistics = Statistics(
            max: [UInt8](repeating: 0x7A, count: 600_000), min: [UInt8](repeating: 0x61, count: 600_000))
        let encoded = header.encode()
        let start = Int(meta.chunkStartOffset)
        let body = Array(plain[pages[0].body..<(pages[0].body + Int(header.compressedPageSize))])
        var file = Array(plain[0..<start]) + encoded + body
        let growth = Int64(file.count - start - Int(meta.totalCompressedSize))
        meta.totalCompressedSize += growth
        meta.totalUncompressedSize += growth
        footer.rowGroups[0].columns[0].metaData = meta
        footer.rowGroups[0].totalCompressedSize = footer.rowGroups[0].totalCompressedSize.map { $0 + growth }
        let footerBytes = footer.encode()
        file += footerBytes
        file += withUnsafeBytes(of: UInt32(footerBytes.count).littleEndian) { Array($0) }
        file += Array("PAR1".utf8)
        #expect(encoded.count > 1 << 20, "the header must be larger than the read-ahead window")

        let source = CountingSource(file)
        let reader = try ParquetFileReader(source: source, path: "header.parquet")
        let footerReads = source.reads.count
        var stream = try reader.batches(rowGroup: 0, options: ParquetBatchOptions(maxRows: 30))
        var read: [Value] = []
        while let next = try stream.next() { read += (0..<next.rowCount).map { next.columns[0].value(at: $0) } }
        #expect(read == values)
        // A first window of 1 MiB, then the rest of the header and the page.
        #expect(source.reads[footerReads...].map(\.count) == [1 << 20, encoded.count + body.count - (1 << 20)])
    }

    @Test func corruptedFilesFailCleanlyInBatches() throws {
        let files = [
            "data/alltypes_plain.parquet", "data/alltypes_dictionary.parquet", "data/datapage_v2.snappy.parquet",
            "data/nested_lists.snappy.parquet", "data/nested_maps.snappy.parquet", "data/nullable.impala.parquet",
            "data/delta_byte_array.parquet", "data/repeated_no_annotation.parquet", "data/list_columns.parquet",
        ]
        var random = SplitMix64(seed: 0xBA7C)
        for file in files {
            let whole = Array(try Data(contentsOf: URL(fileURLWithPath: try ReadCorpus.path(file))))
            for round in 0..<40 {
                var mutated = whole
                for _ in 0..<(Int(random.next() % 4) + 1) {
                    mutated[Int(random.next() % UInt64(mutated.count))] = UInt8(truncatingIfNeeded: random.next())
                }
                let options = ParquetBatchOptions(maxRows: round % 2 == 0 ? 1 : 3, maxBytes: round % 3 == 0 ? 8 : 1 << 20)
                do {
                    let reader = try ParquetFileReader(
                        source: MemoryByteSource(mutated), path: "case.parquet",
                        options: ParquetReadOptions(verifyChecksums: false))
                    for group in try Self.batches(reader, options: options) {
                        for batch in group { for column in batch.columns { try column.validate() } }
                    }
                } catch is ParquetError {
                }
            }
        }
    }

    @Test func writtenPagesSplitAtAnyRow() throws {
        // PLAIN pages, dictionary pages, and dictionary pages that fall back to PLAIN mid-chunk.
        for (dictionary, dictionaryBytes) in [(false, 1 << 20), (true, 1 << 20), (true, 16 << 10)] {
            let file = try Self.pagedFile(rows: 20_000, dictionary: dictionary, dictionaryPageBytes: dictionaryBytes)
            let reader = try ParquetFileReader(source: MemoryByteSource(file), path: "paged.parquet")
            for options in [
                ParquetBatchOptions(maxRows: 333), ParquetBatchOptions(maxRows: 4096, maxBytes: 10_000),
                ParquetBatchOptions(maxRows: 1),
            ] {
                try Self.expectSameRows(reader, options: options, "dictionary \(dictionary)/\(dictionaryBytes) \(options)")
            }
        }
    }

    @Test func byteBudgetBoundsBatches() throws {
        let file = try Self.pagedFile(rows: 20_000)
        let reader = try ParquetFileReader(source: MemoryByteSource(file), path: "paged.parquet")
        var stream = try reader.batches(rowGroup: 0, columns: ["name"], options: ParquetBatchOptions(maxRows: 100_000, maxBytes: 4096))
        var batches = 0
        var rows = 0
        while let batch = try stream.next() {
            #expect(batch.columns[0].values.count <= 4096)
            batches += 1
            rows += batch.rowCount
        }
        #expect(rows == 20_000)
        #expect(batches > 20)
    }

    @Test func fileBatchesFollowTheRowGroupsAsked() throws {
        let reader = try ReadCorpus.reader("data/alltypes_tiny_pages.parquet")
        var all = try reader.batches(columns: ["id", "string_col"], options: ParquetBatchOptions(maxRows: 1000))
        var ids: [Value] = []
        while let batch = try all.next() {
            #expect(batch.schema.fields.map(\.name) == ["id", "string_col"])
            ids += (0..<batch.rowCount).map { batch.columns[0].value(at: $0) }
        }
        #expect(ids == (try ReadCorpus.column("data/alltypes_tiny_pages.parquet", "id")))

        // Row groups chosen by statistics, and none at all.
        let pruned = try ReadCorpus.reader("data/alltypes_plain.parquet")
        var none = try pruned.batches(rowGroups: [])
        #expect(try none.next() == nil)
        var some = try pruned.batches(rowGroups: pruned.rowGroups(matching: []))
        var rows = 0
        while let batch = try some.next() { rows += batch.rowCount }
        #expect(rows == pruned.rowCount)
    }

    @Test func emptyProjectionCountsRowsInBatches() throws {
        let reader = try ReadCorpus.reader("data/nested_maps.snappy.parquet")
        var stream = try reader.batches(rowGroup: 0, columns: [], options: ParquetBatchOptions(maxRows: 4))
        var counts: [Int] = []
        while let batch = try stream.next() {
            #expect(batch.columns.isEmpty)
            counts.append(batch.rowCount)
        }
        #expect(counts == [4, 2])
    }

    @Test func invalidRequestsAreRefused() throws {
        let reader = try ReadCorpus.reader("data/alltypes_plain.parquet")
        for attempt in [
            { _ = try reader.batches(rowGroup: 1) },
            { _ = try reader.batches(rowGroup: 0, options: ParquetBatchOptions(maxRows: 0)) },
            { _ = try reader.batches(rowGroup: 0, options: ParquetBatchOptions(maxBytes: 0)) },
            { _ = try reader.batches(rowGroup: 0, columns: ["nope"]) },
            { _ = try reader.batches(rowGroups: [0, 3]) },
        ] as [() throws -> Void] {
            do {
                try attempt()
                Issue.record("accepted")
            } catch let error as ParquetError {
                #expect(error.code == .invalidArgument)
            }
        }
    }

    @Test func badFilesFailInBatchesToo() throws {
        for (name, verdict) in ReadBadDataTests.verdicts {
            guard case .error = verdict else { continue }
            do {
                let reader = try ReadCorpus.reader("bad_data/" + name)
                _ = try Self.batches(reader, options: ParquetBatchOptions(maxRows: 7))
                Issue.record("\(name) read in batches instead of failing")
            } catch let error as ParquetError {
                #expect(error.path?.hasSuffix(name) == true, "\(error)")
            }
        }
    }

    @Test func errorsRepeatOnceAReaderFailed() throws {
        let reader = try ReadCorpus.reader("data/datapage_v1-corrupt-checksum.parquet")
        var stream = try reader.batches(rowGroup: 0, options: ParquetBatchOptions(maxRows: 1))
        var first: ParquetError?
        do {
            while try stream.next() != nil {}
        } catch {
            first = error
        }
        #expect(first?.code == .checksumMismatch)
        #expect(first?.column != nil)
        #expect(throws: ParquetError.self) { try stream.next() }
    }
}
