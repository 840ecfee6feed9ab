import Columnar
import Foundation
import LakegateCore
import Parquet
import Testing

/// Malformed input: every failure is a `ParquetError`, never a crash, a hang or an
/// allocation sized by the input.
@Suite struct ReadRobustnessTests {
    private func bytes(_ relative: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: try ReadCorpus.path(relative))))
    }

    /// Opens and reads every row group; returns the error when there is one. Successful
    /// reads must produce well-formed columns.
    @discardableResult
    private func readAll(_ bytes: [UInt8], options: ParquetReadOptions = .init()) throws -> ParquetError? {
        do {
            let reader = try ParquetFileReader(source: MemoryByteSource(bytes), path: "case.parquet", options: options)
            for group in 0..<reader.rowGroupCount {
                let batch = try reader.readRowGroup(group)
                for column in batch.columns { try column.validate() }
            }
            return nil
        } catch let error as ParquetError {
            return error
        }
    }

    @Test func notParquet() throws {
        #expect(try readAll([])?.code == .notParquet)
        #expect(try readAll(Array("PAR1PAR1".utf8))?.code == .notParquet)
        #expect(try readAll(Array(repeating: 0x41, count: 100))?.code == .notParquet)
        var wrongHead = try bytes("data/alltypes_plain.parquet")
        wrongHead[0] = 0x51
        #expect(try readAll(wrongHead)?.code == .notParquet)
        var encrypted = try bytes("data/alltypes_plain.parquet")
        encrypted.replaceSubrange((encrypted.count - 4)..., with: Array("PARE".utf8))
        #expect(try readAll(encrypted)?.code == .unsupported)
    }

    @Test func footerLengthIsCheckedBeforeReading() throws {
        var file = try bytes("data/alltypes_plain.parquet")
        let end = file.count
        file.replaceSubrange((end - 8)..<(end - 4), with: [0xFF, 0xFF, 0xFF, 0x7F])
        let error = try readAll(file)
        #expect(error?.code == .corrupt)
        #expect(error?.offset == end - 8)
        #expect(error?.path == "case.parquet")
        let small = ParquetReadOptions(limits: .init(maxFooterSize: 100))
        #expect(try readAll(try bytes("data/alltypes_plain.parquet"), options: small)?.code == .limitExceeded)
    }

    @Test func limitsApply() throws {
        let deep = ParquetReadOptions(limits: .init(maxNestingDepth: 3))
        #expect(try readAll(try bytes("data/nested_lists.snappy.parquet"), options: deep)?.code == .limitExceeded)
        let pages = ParquetReadOptions(limits: .init(maxValuesPerPage: 4))
        #expect(try readAll(try bytes("data/alltypes_plain.parquet"), options: pages)?.code == .limitExceeded)
        let pageBytes = ParquetReadOptions(limits: .init(maxPageSize: 16))
        #expect(try readAll(try bytes("data/alltypes_plain.parquet"), options: pageBytes)?.code == .limitExceeded)
        let chunk = ParquetReadOptions(limits: .init(maxColumnChunkSize: 8))
        #expect(try readAll(try bytes("data/alltypes_plain.parquet"), options: chunk)?.code == .limitExceeded)
    }

    @Test func truncatedFilesFailCleanly() throws {
        for file in ["data/alltypes_plain.parquet", "data/nested_maps.snappy.parquet", "data/datapage_v2.snappy.parquet"] {
            let whole = try bytes(file)
            for cut in stride(from: 0, to: whole.count, by: max(1, whole.count / 97)) {
                // Drop the end; and drop a middle range while keeping the footer.
                _ = try readAll(Array(whole[..<cut]))
                var middle = whole
                middle.removeSubrange(cut..<min(cut + 7, max(cut, whole.count - 8)))
                _ = try readAll(middle)
            }
        }
    }

    @Test func corruptedBytesFailCleanly() throws {
        let files = [
            "data/alltypes_plain.parquet", "data/alltypes_dictionary.parquet", "data/datapage_v2.snappy.parquet",
            "data/nested_lists.snappy.parquet", "data/nested_maps.snappy.parquet", "data/nullable.impala.parquet",
            "data/delta_binary_packed.parquet", "data/delta_byte_array.parquet", "data/byte_stream_split.zstd.parquet",
            "data/fixed_length_decimal.parquet", "data/repeated_no_annotation.parquet", "data/list_columns.parquet",
        ]
        var random = SplitMix64(seed: 0x5EED)
        let interesting: [[UInt8]] = [[0xFF, 0xFF, 0xFF, 0x7F], [0, 0, 0, 0x80], [0xFF, 0xFF, 0xFF, 0xFF], [0, 0, 0, 0], [0x7F]]
        for file in files {
            let whole = try bytes(file)
            for _ in 0..<60 {
                var mutated = whole
                let flips = Int(random.next() % 6) + 1
                for _ in 0..<flips {
                    let position = Int(random.next() % UInt64(mutated.count))
                    if random.next() % 3 == 0 {
                        let pattern = interesting[Int(random.next() % UInt64(interesting.count))]
                        for (k, byte) in pattern.enumerated() where position + k < mutated.count { mutated[position + k] = byte }
                    } else {
                        mutated[position] = UInt8(truncatingIfNeeded: random.next())
                    }
                }
                _ = try readAll(mutated)
                _ = try readAll(mutated, options: ParquetReadOptions(verifyChecksums: false))
            }
        }
    }

    @Test func sourceFailuresBecomeIOErrors() throws {
        struct FailingSource: ByteRangeSource {
            let bytes: [UInt8]
            var size: Int { bytes.count }
            func read(_ range: Range<Int>) throws -> [UInt8] {
                if range.lowerBound < 16 && range.count < 100 {
                    throw ByteIOError(.ioFailure, "disk on fire", isRetryable: true)
                }
                return Array(bytes[range])
            }
        }
        let file = try bytes("data/alltypes_plain.parquet")
        do {
            let reader = try ParquetFileReader(source: FailingSource(bytes: file), path: "x.parquet")
            _ = try reader.readRowGroup(0)
            Issue.record("the failing source was not noticed")
        } catch let error as ParquetError {
            #expect(error.code == .io)
            #expect(error.isRetryable)
            #expect(error.underlying?.contains("disk on fire") == true)
        }
    }

    @Test func readerIsSharedAcrossTasks() async throws {
        let reader = try ReadCorpus.reader("data/alltypes_tiny_pages.parquet")
        let expected = try reader.readRowGroup(0).row(1234)
        try await withThrowingTaskGroup(of: [Value].self) { group in
            for _ in 0..<4 {
                group.addTask { try reader.readRowGroup(0).row(1234) }
            }
            for try await row in group { #expect(row == expected) }
        }
    }
}

/// A small deterministic generator for reproducible mutations.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
