@testable import Avro
import Columnar
import LakegateCore
import Testing

/// Malformed and malicious files: every one throws a located `AvroError`; none crashes,
/// hangs or allocates what its sizes claim before checking them.
@Suite struct HostileInputTests {
    static let schema = #"{"type":"record","name":"R","fields":[{"name":"n","type":"long"},{"name":"s","type":"string"}]}"#

    /// A valid file: two blocks of rows (n, s).
    static func validFile(codec: AvroCodec = .null) throws -> [UInt8] {
        let fields = [Field("n", .int64, nullable: false), Field("s", .string, nullable: false)]
        let batch = try AvroTestSupport.batch(fields, columns: [
            (0..<200).map { .int(Int64($0)) }, (0..<200).map { .string("value \($0)") },
        ])
        let sink = MemoryByteSink()
        let writer = try AvroFileWriter(sink: sink, schema: batch.schema, options: AvroWriteOptions(codec: codec, syncMarker: AvroTestSupport.fixedSync))
        try writer.write(batch.slice(0..<100))
        try writer.flush()
        try writer.write(batch.slice(100..<200))
        try writer.close()
        return sink.bytes
    }

    @Test(arguments: RoundTripTests.codecs)
    func everyTruncationFailsCleanly(_ codec: AvroCodec) throws {
        let file = try Self.validFile(codec: codec)
        let reader = try AvroFileReader(source: MemoryByteSource(file))
        let header = reader.headerSize
        for length in 0..<file.count {
            do {
                let rows = try AvroTestSupport.rows(Array(file[0..<length]))
                // Only a cut exactly between blocks leaves a valid (shorter) file.
                #expect(length == header || rows.count == 100, "a cut at \(length) read \(rows.count) rows")
            } catch let error as AvroError {
                #expect([.notAvro, .truncated, .corrupt].contains(error.code), "cut at \(length): \(error)")
                #expect(error.path == "memory.avro")
                if length > header + 20 { #expect(error.offset != nil) }
            }
        }
    }

    @Test func badMagic() {
        var file = AvroTestSupport.container(schema: Self.schema, blocks: [])
        file[3] = 2
        let error = AvroTestSupport.expectError(.notAvro) { _ = try AvroTestSupport.rows(file) }
        #expect(error?.offset == 0)
        AvroTestSupport.expectError(.notAvro) { _ = try AvroTestSupport.rows([0x4F, 0x62]) }
        AvroTestSupport.expectError(.notAvro) { _ = try AvroTestSupport.rows(Array("PAR1 not avro at all".utf8)) }
    }

    @Test func badSyncMarker() throws {
        let row = AvroTestSupport.long(1) + AvroTestSupport.string("a")
        let file = AvroTestSupport.container(
            schema: Self.schema, blocks: [(1, row)], blockSync: Array(repeating: 9, count: 16))
        let error = AvroTestSupport.expectError(.corrupt) { _ = try AvroTestSupport.rows(file) }
        #expect(error?.reason.contains("sync") == true)
    }

    @Test func badBlockHeaders() throws {
        let row = AvroTestSupport.long(1) + AvroTestSupport.string("a")
        let base = AvroTestSupport.container(schema: Self.schema, blocks: [])
        // Negative count, negative size, a size over the limit, a size past the end.
        AvroTestSupport.expectError(.corrupt) {
            _ = try AvroTestSupport.rows(base + AvroTestSupport.long(-1) + AvroTestSupport.long(Int64(row.count)) + row + AvroTestSupport.fixedSync)
        }
        AvroTestSupport.expectError(.corrupt) {
            _ = try AvroTestSupport.rows(base + AvroTestSupport.long(1) + AvroTestSupport.long(-5) + row + AvroTestSupport.fixedSync)
        }
        AvroTestSupport.expectError(.limitExceeded) {
            _ = try AvroTestSupport.rows(base + AvroTestSupport.long(1) + AvroTestSupport.long(Int64.max) + row)
        }
        AvroTestSupport.expectError(.truncated) {
            _ = try AvroTestSupport.rows(base + AvroTestSupport.long(1) + AvroTestSupport.long(1 << 20) + row + AvroTestSupport.fixedSync)
        }
        // More rows than the block can hold, over the row limit, and rows that end early.
        AvroTestSupport.expectError(.corrupt) {
            _ = try AvroTestSupport.rows(AvroTestSupport.container(schema: Self.schema, blocks: [(1_000_000, row)]))
        }
        AvroTestSupport.expectError(.limitExceeded) {
            let options = AvroReadOptions(limits: .init(maxBlockRows: 10))
            _ = try AvroTestSupport.rows(AvroTestSupport.container(schema: Self.schema, blocks: [(11, row)]), options: options)
        }
        let trailing = AvroTestSupport.expectError(.corrupt) {
            _ = try AvroTestSupport.rows(AvroTestSupport.container(schema: Self.schema, blocks: [(1, row + [0, 0])]))
        }
        #expect(trailing?.offset == base.count)
        // A varint that never ends in the block header.
        AvroTestSupport.expectError(.corrupt) {
            _ = try AvroTestSupport.rows(base + Array(repeating: 0xFF, count: 40))
        }
    }

    @Test func badLengthsInData() {
        // A negative and a huge string length.
        let negative = AvroTestSupport.long(1) + AvroTestSupport.long(-3) + [0x61]
        let error = AvroTestSupport.expectError(.corrupt) {
            _ = try AvroTestSupport.rows(AvroTestSupport.container(schema: Self.schema, blocks: [(1, negative)]))
        }
        #expect(error?.field == "s")
        let base = AvroTestSupport.container(schema: Self.schema, blocks: [])
        #expect(error?.offset == base.count + 3)
        let huge = AvroTestSupport.long(1) + AvroTestSupport.long(Int64.max / 2) + [0x61]
        AvroTestSupport.expectError(.truncated) {
            _ = try AvroTestSupport.rows(AvroTestSupport.container(schema: Self.schema, blocks: [(1, huge)]))
        }
        // An array claiming more items than bytes remain, and too many items of size 0.
        let arrays = #"{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"array","items":"long"}}]}"#
        AvroTestSupport.expectError(.truncated) {
            _ = try AvroTestSupport.rows(AvroTestSupport.container(schema: arrays, blocks: [(1, AvroTestSupport.long(1 << 40) + [2, 0])]))
        }
        let nulls = #"{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"array","items":"null"}}]}"#
        AvroTestSupport.expectError(.limitExceeded) {
            _ = try AvroTestSupport.rows(AvroTestSupport.container(schema: nulls, blocks: [(1, AvroTestSupport.long(1 << 40) + [0])]))
        }
        let fewNulls = AvroTestSupport.container(schema: nulls, blocks: [(1, AvroTestSupport.long(1000) + [0])])
        #expect((try? AvroTestSupport.rows(fewNulls)) == [[.list(Array(repeating: .null, count: 1000))]])
        // An array block's negative count of Int64.min.
        AvroTestSupport.expectError(.corrupt) {
            _ = try AvroTestSupport.rows(AvroTestSupport.container(schema: arrays, blocks: [(1, AvroTestSupport.long(Int64.min) + [2, 0])]))
        }
    }

    @Test func badValues() {
        func read(_ type: String, _ data: [UInt8]) throws {
            let schema = #"{"type":"record","name":"R","fields":[{"name":"v","type":\#(type)}]}"#
            _ = try AvroTestSupport.rows(AvroTestSupport.container(schema: schema, blocks: [(1, data)]))
        }
        AvroTestSupport.expectError(.corrupt) { try read(#"["null","long"]"#, [0x04, 0x02]) }  // union index 2
        AvroTestSupport.expectError(.corrupt) { try read(#"["null","long"]"#, [0x01, 0x02]) }  // union index -1
        AvroTestSupport.expectError(.corrupt) { try read(#"{"type":"enum","name":"E","symbols":["A"]}"#, [0x02]) }
        AvroTestSupport.expectError(.corrupt) { try read(#""boolean""#, [0x07]) }
        AvroTestSupport.expectError(.corrupt) { try read(#""int""#, AvroTestSupport.long(1 << 40)) }
        AvroTestSupport.expectError(.corrupt) { try read(#"{"type":"string","logicalType":"uuid"}"#, AvroTestSupport.string("not-a-uuid")) }
        AvroTestSupport.expectError(.corrupt) {
            try read(#"{"type":"bytes","logicalType":"decimal","precision":38}"#, [34] + [0x01] + Array(repeating: 0, count: 16))
        }
        AvroTestSupport.expectError(.corrupt) { try read(#""double""#, [0, 0, 0]) }  // 1 row of 8 bytes in 3
        AvroTestSupport.expectError(.corrupt) { try read(#"{"type":"fixed","name":"F","size":8}"#, [0, 0, 0]) }
    }

    @Test func snappyChecksumMismatch() throws {
        var file = try Self.validFile(codec: .snappy)
        let reader = try AvroFileReader(source: MemoryByteSource(file))
        // The first block's CRC is the 4 bytes before its sync marker.
        let firstBlockEnd = try file.withUnsafeBytes { raw in
            var r = AvroBinaryDecoder(raw, position: reader.headerSize)
            _ = try r.readLong()
            let size = try r.readLong()
            return r.position + Int(size)
        }
        file[firstBlockEnd - 1] ^= 0xFF
        let error = AvroTestSupport.expectError(.checksumMismatch) { _ = try AvroTestSupport.rows(file) }
        #expect(error?.offset == reader.headerSize)
        #expect(try AvroTestSupport.rows(file, options: AvroReadOptions(verifyChecksums: false)).count == 200)
        // A snappy block too short to hold a CRC.
        let short = AvroTestSupport.container(schema: Self.schema, codec: "snappy", blocks: [(1, [1, 2])])
        AvroTestSupport.expectError(.corrupt) { _ = try AvroTestSupport.rows(short) }
    }

    /// A block that inflates past the limit is an error, whatever the codec.
    @Test(arguments: [AvroCodec.deflate(), .zstandard(), .snappy])
    func decompressionBombs(_ codec: AvroCodec) throws {
        let batch = try AvroTestSupport.batch([Field("b", .binary, nullable: false)], columns: [[.binary(Array(repeating: 0, count: 16 << 20))]])
        let file = try AvroTestSupport.write(batch.schema, [batch], options: AvroWriteOptions(codec: codec, blockBytes: 64 << 20))
        #expect(file.count < 1 << 20)
        let options = AvroReadOptions(limits: .init(maxUncompressedBlockSize: 1 << 20))
        let error = AvroTestSupport.expectError(.limitExceeded) { _ = try AvroTestSupport.rows(file, options: options) }
        #expect(error?.reason.contains("inflates") == true)
        #expect(try AvroTestSupport.rows(file).count == 1)
    }

    @Test func corruptCompressedData() {
        for codec in ["deflate", "zstandard", "snappy"] {
            let file = AvroTestSupport.container(schema: Self.schema, codec: codec, blocks: [(1, Array(repeating: 0xA5, count: 64))])
            AvroTestSupport.expectError(.corrupt) { _ = try AvroTestSupport.rows(file) }
        }
        let unsupported = AvroTestSupport.container(schema: Self.schema, codec: "bzip2", blocks: [])
        AvroTestSupport.expectError(.unsupported) { _ = try AvroTestSupport.rows(unsupported) }
    }

    @Test func hostileSchemas() {
        let deep = String(repeating: "[", count: 50_000) + String(repeating: "]", count: 50_000)
        AvroTestSupport.expectError(.limitExceeded) { _ = try AvroTestSupport.rows(AvroTestSupport.container(schema: deep, blocks: [])) }
        let recursive = #"{"type":"record","name":"L","fields":[{"name":"next","type":["null","L"]}]}"#
        AvroTestSupport.expectError(.unsupported) { _ = try AvroTestSupport.rows(AvroTestSupport.container(schema: recursive, blocks: [])) }
        AvroTestSupport.expectError(.invalidSchema) { _ = try AvroTestSupport.rows(AvroTestSupport.container(schema: "{", blocks: [])) }
        // A file without a schema.
        var noSchema: [UInt8] = [0x4F, 0x62, 0x6A, 0x01, 0x00]
        noSchema += AvroTestSupport.fixedSync
        AvroTestSupport.expectError(.invalidSchema) { _ = try AvroTestSupport.rows(noSchema) }
        // Rows whose nulls would each take a gigabyte of zeroes are refused when opening.
        let wide = #"{"type":"record","name":"R","fields":[{"name":"f","type":["null",{"type":"fixed","name":"F","size":1073741824}]}]}"#
        AvroTestSupport.expectError(.limitExceeded) { _ = try AvroTestSupport.rows(AvroTestSupport.container(schema: wide, blocks: [])) }
    }

    /// Narrow input that decodes to wide columns is bounded by the batch byte budget.
    @Test func nullsOfWideTypesEndBatchesEarly() throws {
        let schema = #"{"type":"record","name":"R","fields":[{"name":"f","type":["null",{"type":"fixed","name":"F","size":6000}]}]}"#
        let file = AvroTestSupport.container(schema: schema, blocks: [(2000, Array(repeating: 0, count: 2000))])
        let (_, batches) = try AvroTestSupport.read(file, options: AvroReadOptions(batchBytes: 100_000))
        #expect(batches.reduce(0) { $0 + $1.rowCount } == 2000)
        #expect(batches.allSatisfy { $0.rowCount <= 20 })
        // One row that alone needs more than twice the budget is refused.
        let arrays = #"{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"array","items":["null",{"type":"fixed","name":"F","size":60000}]}}]}"#
        let big = AvroTestSupport.container(schema: arrays, blocks: [(1, AvroTestSupport.long(100_000) + Array(repeating: 0, count: 100_000) + [0])])
        AvroTestSupport.expectError(.limitExceeded) { _ = try AvroTestSupport.rows(big, options: AvroReadOptions(batchBytes: 1 << 20)) }
    }

    @Test func hugeHeaders() {
        var header: [UInt8] = [0x4F, 0x62, 0x6A, 0x01]
        header += AvroTestSupport.long(1) + AvroTestSupport.string("avro.schema") + AvroTestSupport.string(Self.schema)
        header += AvroTestSupport.long(1) + AvroTestSupport.string("big") + AvroTestSupport.long(4 << 20) + Array(repeating: 0x20, count: 4 << 20)
        header += [0] + AvroTestSupport.fixedSync
        AvroTestSupport.expectError(.limitExceeded) {
            _ = try AvroTestSupport.rows(header, options: AvroReadOptions(limits: .init(maxHeaderSize: 1 << 20)))
        }
        #expect((try? AvroTestSupport.rows(header))?.count == 0)
        // Many small entries read in linear time.
        var many: [UInt8] = [0x4F, 0x62, 0x6A, 0x01]
        many += AvroTestSupport.long(1) + AvroTestSupport.string("avro.schema") + AvroTestSupport.string(Self.schema)
        many += AvroTestSupport.long(200_000)
        for i in 0..<200_000 { many += AvroTestSupport.string("k\(i % 150_000)") + [0] }
        many += [0] + AvroTestSupport.fixedSync
        let reader = try? AvroFileReader(source: MemoryByteSource(many))
        #expect(reader?.schema.metadata.pairs.count == 150_000)
        // A metadata map claiming 2^60 entries.
        var lying: [UInt8] = [0x4F, 0x62, 0x6A, 0x01]
        lying += AvroTestSupport.long(1 << 60) + AvroTestSupport.string("avro.schema")
        AvroTestSupport.expectError(.truncated) { _ = try AvroTestSupport.rows(lying) }
    }

    /// Random damage to valid files: reading either works or throws an `AvroError`.
    @Test(arguments: RoundTripTests.codecs)
    func randomDamage(_ codec: AvroCodec) throws {
        let original = try Self.validFile(codec: codec)
        var generator = SplitMix64(seed: 0xA0_B0 &+ UInt64(codec.name.utf8.count))
        for _ in 0..<300 {
            var file = original
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                let index = Int.random(in: 0..<file.count, using: &generator)
                file[index] = UInt8.random(in: 0...255, using: &generator)
            }
            do {
                _ = try AvroTestSupport.rows(file)
            } catch is AvroError {
            }
        }
    }
}

/// A small deterministic generator for reproducible damage.
struct SplitMix64: RandomNumberGenerator {
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
