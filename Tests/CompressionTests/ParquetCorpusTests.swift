import Compression
import Foundation
import Testing

// The codecs against what real writers produced: every page of the
// parquet-testing corpus (parquet-mr, Impala, Spark, pyarrow, arrow-rs) must
// decompress to exactly the size its page header declares. A tiny Thrift
// compact reader below finds the pages; the real one lives in ThriftCompact.

/// `$LAKEGATE_CONFORMANCE/parquet-testing/data`, else `../shared/conformance/...` beside the package.
private let corpusData: String = {
    if let root = ProcessInfo.processInfo.environment["LAKEGATE_CONFORMANCE"] {
        return "\(root)/parquet-testing/data"
    }
    let package = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    return package.deletingLastPathComponent().appendingPathComponent("shared/conformance/parquet-testing/data").path
}()

private let corpusPresent = FileManager.default.fileExists(atPath: "\(corpusData)/hadoop_lz4_compressed.parquet")

@Suite("parquet-testing pages", .enabled(if: corpusPresent, "parquet-testing corpus not found at \(corpusData)"))
struct ParquetCorpusTests {
    /// Files whose codec is the point of the file, and that codec (Parquet's ids).
    static let codecFiles: [(file: String, codec: Int)] = [
        ("alltypes_plain.snappy.parquet", 1),
        ("datapage_v2.snappy.parquet", 1),
        ("concatenated_gzip_members.parquet", 2),
        ("byte_stream_split_extended.gzip.parquet", 2),
        ("hadoop_lz4_compressed.parquet", 5),
        ("hadoop_lz4_compressed_larger.parquet", 5),
        ("non_hadoop_lz4_compressed.parquet", 5),
        ("byte_stream_split.zstd.parquet", 6),
        ("large_string_map.brotli.parquet", 4),
        ("page_v2_empty_compressed.parquet", 6),
        ("lz4_raw_compressed.parquet", 7),
        ("lz4_raw_compressed_larger.parquet", 7),
    ]

    @Test("codec edge cases decode", arguments: codecFiles.map(\.file))
    func codecFile(name: String) throws {
        let expected = Self.codecFiles.first { $0.file == name }!.codec
        let summary = try decodeAllPages(of: "\(corpusData)/\(name)")
        #expect(summary.codecs == [expected])
        #expect(summary.pages > 0)
        #expect(summary.decodedBytes > 0 || summary.pagesOverLimit > 0)
        #expect(summary.pagesOverLimit == (name == "large_string_map.brotli.parquet" ? 2 : 0))
    }

    @Test("every page of every file decodes to its declared size")
    func wholeCorpus() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: corpusData).filter { $0.hasSuffix(".parquet") }.sorted()
        #expect(files.count >= 50)
        var pages = 0
        var codecs = Set<Int>()
        for file in files {
            do {
                let summary = try decodeAllPages(of: "\(corpusData)/\(file)")
                pages += summary.pages
                codecs.formUnion(summary.codecs)
            } catch {
                Issue.record("\(file): \(error)")
            }
        }
        #expect(pages > 1000)
        #expect(codecs.isSuperset(of: [0, 1, 2, 5, 6, 7]))
    }

    @Test("page CRCs match, and the corrupt one does not")
    func pageChecksums() throws {
        for file in ["datapage_v1-snappy-compressed-checksum.parquet", "datapage_v1-uncompressed-checksum.parquet",
                     "rle-dict-snappy-checksum.parquet", "plain-dict-uncompressed-checksum.parquet"] {
            let summary = try decodeAllPages(of: "\(corpusData)/\(file)")
            #expect(summary.crcChecked > 0, "\(file)")
            #expect(summary.crcMismatches == 0, "\(file)")
        }
        let corrupt = try decodeAllPages(of: "\(corpusData)/datapage_v1-corrupt-checksum.parquet")
        #expect(corrupt.crcMismatches > 0)
    }
}

// MARK: - Walking a file's pages

private struct CorpusError: Error, CustomStringConvertible {
    var description: String
}

private struct PageSummary {
    var pages = 0
    var decodedBytes = 0
    var codecs = Set<Int>()
    var crcChecked = 0
    var crcMismatches = 0
    /// Pages declaring more than the test's limit, checked to be `limitExceeded` with a bounded decode.
    var pagesOverLimit = 0
}

/// Pages larger than this (large_string_map.brotli.parquet has two 1 GiB pages in
/// 4 KB) are decoded with this as `maxOutput` instead, and must hit it.
private let largePageLimit = 16 << 20

private func codec(parquetID: Int) -> CompressionCodec? {
    switch parquetID {
    case 0: CompressionCodec.none
    case 1: .snappy
    case 2: .gzip()
    case 4: .brotli()
    case 5: .lz4Hadoop
    case 6: .zstd()
    case 7: .lz4Raw
    default: nil  // LZO
    }
}

/// Decompresses every page of every column chunk, checking each against the
/// size its header declares, and each CRC present against the page bytes.
private func decodeAllPages(of path: String) throws -> PageSummary {
    guard let data = FileManager.default.contents(atPath: path) else { throw CorpusError(description: "cannot read \(path)") }
    let file = [UInt8](data)
    guard file.count >= 12 else { throw CorpusError(description: "too short") }
    let footerLength = Int(file[file.count - 8]) | Int(file[file.count - 7]) << 8
        | Int(file[file.count - 6]) << 16 | Int(file[file.count - 5]) << 24
    var footer = CompactReader(bytes: file, position: file.count - 8 - footerLength)
    let metadata = try footer.readStruct()

    var summary = PageSummary()
    for rowGroup in metadata.list(4) ?? [] {
        for column in rowGroup.structure?.list(1) ?? [] {
            guard let meta = column.structure?.structure(3),
                  let codecID = meta.int(4), let total = meta.int(7), let dataOffset = meta.int(9) else {
                throw CorpusError(description: "column chunk without metadata")
            }
            summary.codecs.insert(codecID)
            guard let codec = codec(parquetID: codecID) else { continue }
            var decompressor = try Decompressor(codec: codec)
            // An offset of 0 means absent (writers set the dictionary's or even the
            // data's to 0): the chunk starts at the first page that is there.
            let start = [meta.int(11) ?? 0, dataOffset].filter { $0 > 0 }.min() ?? 4
            var position = start
            while position < start + total {
                var reader = CompactReader(bytes: file, position: position)
                let header = try reader.readStruct()
                guard let type = header.int(1), let uncompressed = header.int(2), let compressed = header.int(3),
                      reader.position + compressed <= file.count else {
                    throw CorpusError(description: "bad page header at \(position)")
                }
                let body = Array(file[reader.position..<(reader.position + compressed)])
                position = reader.position + compressed
                if let crc = header.int(4) {
                    summary.crcChecked += 1
                    if CRC32.checksum(body) != UInt32(truncatingIfNeeded: crc) { summary.crcMismatches += 1 }
                }
                summary.pages += 1
                if uncompressed > largePageLimit {
                    let error = #expect(throws: CompressionError.self) { _ = try decompressor.decompress(body, maxOutput: largePageLimit) }
                    #expect(error?.code == .limitExceeded)
                    summary.pagesOverLimit += 1
                } else if type == 3, let v2 = header.structure(8) {
                    // V2: the levels are never compressed, the values only when is_compressed (default true).
                    let levels = (v2.int(5) ?? 0) + (v2.int(6) ?? 0)
                    let values = Array(body[levels...])
                    if v2.bool(7) ?? true {
                        let out = try decompressor.decompress(values, uncompressedSize: uncompressed - levels)
                        summary.decodedBytes += levels + out.count
                    } else {
                        #expect(values.count == uncompressed - levels)
                    }
                } else {
                    let out = try decompressor.decompress(body, uncompressedSize: uncompressed)
                    summary.decodedBytes += out.count
                }
            }
        }
    }
    return summary
}

// MARK: - A minimal Thrift compact protocol reader

private indirect enum Thrift {
    case int(Int)
    case bool(Bool)
    case binary(ArraySlice<UInt8>)
    case list([Thrift])
    case structure([Int16: Thrift])
    case other

    var structure: [Int16: Thrift]? {
        if case .structure(let fields) = self { return fields }
        return nil
    }
}

extension Dictionary where Key == Int16, Value == Thrift {
    fileprivate func int(_ id: Int16) -> Int? {
        if case .int(let value) = self[id] { return value }
        return nil
    }

    fileprivate func bool(_ id: Int16) -> Bool? {
        if case .bool(let value) = self[id] { return value }
        return nil
    }

    fileprivate func list(_ id: Int16) -> [Thrift]? {
        if case .list(let items) = self[id] { return items }
        return nil
    }

    fileprivate func structure(_ id: Int16) -> [Int16: Thrift]? { self[id]?.structure }
}

private struct CompactReader {
    let bytes: [UInt8]
    var position: Int
    var depth = 0

    mutating func byte() throws -> UInt8 {
        guard position >= 0, position < bytes.count else { throw CorpusError(description: "thrift: out of bounds at \(position)") }
        defer { position += 1 }
        return bytes[position]
    }

    mutating func varint() throws -> UInt64 {
        var result: UInt64 = 0
        for shift in stride(from: 0, to: 64, by: 7) {
            let b = try byte()
            result |= UInt64(b & 0x7F) << UInt64(shift)
            if b & 0x80 == 0 { return result }
        }
        throw CorpusError(description: "thrift: varint too long")
    }

    mutating func zigzag() throws -> Int {
        let v = try varint()
        return Int(bitPattern: UInt(v >> 1)) ^ -Int(bitPattern: UInt(v & 1))
    }

    mutating func value(type: UInt8) throws -> Thrift {
        switch type {
        case 1: return .bool(true)
        case 2: return .bool(false)
        case 3: return .int(Int(Int8(bitPattern: try byte())))
        case 4, 5, 6: return .int(try zigzag())
        case 7:
            for _ in 0..<8 { _ = try byte() }
            return .other
        case 8:
            let length = Int(try varint())
            guard length >= 0, length <= bytes.count - position else { throw CorpusError(description: "thrift: bad length") }
            defer { position += length }
            return .binary(bytes[position..<(position + length)])
        case 9, 10:
            let header = try byte()
            var count = Int(header >> 4)
            if count == 15 { count = Int(try varint()) }
            guard count <= bytes.count - position else { throw CorpusError(description: "thrift: bad list size") }
            let elementType = header & 0x0F
            var items: [Thrift] = []
            for _ in 0..<count {
                // Booleans in lists take a byte each.
                items.append(elementType == 1 || elementType == 2 ? .bool(try byte() == 1) : try value(type: elementType))
            }
            return .list(items)
        case 11:
            let count = Int(try varint())
            guard count <= bytes.count - position else { throw CorpusError(description: "thrift: bad map size") }
            if count > 0 {
                let types = try byte()
                for _ in 0..<count {
                    _ = try value(type: types >> 4)
                    _ = try value(type: types & 0x0F)
                }
            }
            return .other
        case 12: return .structure(try readStruct())
        default: throw CorpusError(description: "thrift: unknown type \(type)")
        }
    }

    mutating func readStruct() throws -> [Int16: Thrift] {
        depth += 1
        defer { depth -= 1 }
        guard depth < 64 else { throw CorpusError(description: "thrift: nested too deep") }
        var fields: [Int16: Thrift] = [:]
        var lastID: Int16 = 0
        while true {
            let header = try byte()
            if header == 0 { return fields }
            let delta = Int16(header >> 4)
            let id = delta == 0 ? Int16(truncatingIfNeeded: try zigzag()) : lastID &+ delta
            lastID = id
            fields[id] = try value(type: header & 0x0F)
        }
    }
}
