import Foundation
import Testing

@testable import ParquetFormat

/// Footers of the parquet-testing corpus, decoded the way a reader would: the last 8 bytes
/// locate the FileMetaData, which is then decoded with its file offset. The corpus is at
/// `$LAKEGATE_CONFORMANCE`, else `../shared/conformance` beside the package.
private let corpus: String = {
    if let root = ProcessInfo.processInfo.environment["LAKEGATE_CONFORMANCE"] {
        return "\(root)/parquet-testing"
    }
    let package = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    return package.deletingLastPathComponent()
        .appendingPathComponent("shared/conformance/parquet-testing").path
}()

private func readFile(_ path: String) throws -> [UInt8] {
    guard let data = FileManager.default.contents(atPath: path) else {
        throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: path])
    }
    return [UInt8](data)
}

private func footer(of file: [UInt8]) throws -> (metadata: FileMetaData, offset: Int, length: Int) {
    try file.withUnsafeBytes { buffer in
        let tail = UnsafeRawBufferPointer(rebasing: buffer[(buffer.count - 8)...])
        let (offset, length) = try FileMetaData.locateFooter(tail: tail, fileSize: buffer.count)
        let metadataBytes = UnsafeRawBufferPointer(rebasing: buffer[offset..<(offset + length)])
        let metadata = try FileMetaData.decode(metadataBytes, fileOffset: offset)
        return (metadata, offset, length)
    }
}

@Suite struct MetadataFileTests {
    @Test func alltypesPlainFooter() throws {
        let file = try readFile("\(corpus)/data/alltypes_plain.parquet")
        #expect(Array(file.prefix(4)) == FileMetaData.magic)
        let (metadata, offset, length) = try footer(of: file)
        #expect(offset + length + 8 == file.count)
        #expect(metadata.version == 1)
        #expect(metadata.numRows == 8)
        #expect(
            metadata.createdBy
                == "impala version 1.3.0-INTERNAL (build 8a48ddb1eff84592b3fc06bc6f51ec120e1fffc9)")

        #expect(metadata.schema.count == 12)
        #expect(metadata.leafCount == 11)
        let root = metadata.schema[0]
        #expect(root.name == "schema")
        #expect(root.numChildren == 11)
        #expect(root.type == nil)
        let names = metadata.schema.dropFirst().map(\.name)
        #expect(
            names == [
                "id", "bool_col", "tinyint_col", "smallint_col", "int_col", "bigint_col",
                "float_col",
                "double_col", "date_string_col", "string_col", "timestamp_col",
            ])
        let types = metadata.schema.dropFirst().map(\.type)
        #expect(
            types == [
                .int32, .boolean, .int32, .int32, .int32, .int64, .float, .double, .byteArray,
                .byteArray, .int96,
            ])
        #expect(metadata.schema.dropFirst().allSatisfy { $0.repetitionType == .optional })

        #expect(metadata.rowGroups.count == 1)
        let group = metadata.rowGroups[0]
        #expect(group.numRows == 8)
        #expect(group.columns.count == 11)
        let id = try #require(group.columns[0].metaData)
        #expect(id.pathInSchema == ["id"])
        #expect(id.type == .int32)
        #expect(id.codec == .uncompressed)
        #expect(id.numValues == 8)
        #expect(group.columns[1].metaData?.pathInSchema == ["bool_col"])
        #expect(group.columns[1].metaData?.type == .boolean)
        // Every chunk lies between the leading magic and the footer.
        for chunk in group.columns {
            let meta = try #require(chunk.metaData)
            #expect(meta.chunkStartOffset >= 4)
            #expect(meta.chunkStartOffset + meta.totalCompressedSize <= Int64(offset))
        }
    }

    @Test func alltypesPlainFooterRoundTrips() throws {
        let file = try readFile("\(corpus)/data/alltypes_plain.parquet")
        let (metadata, _, _) = try footer(of: file)
        let reencoded = metadata.encode()
        #expect(try FileMetaData.decode(reencoded) == metadata)
    }

    @Test func firstPageHeaderOfAlltypesPlain() throws {
        let file = try readFile("\(corpus)/data/alltypes_plain.parquet")
        let (metadata, _, _) = try footer(of: file)
        let id = try #require(metadata.rowGroups[0].columns[0].metaData)
        let start = Int(id.chunkStartOffset)
        let (header, headerLength) = try file.withUnsafeBytes { buffer in
            try PageHeader.decode(
                from: UnsafeRawBufferPointer(rebasing: buffer[start...]), fileOffset: start)
        }
        // The chunk's pages (headers included) fill its compressed size.
        #expect(headerLength + Int(header.compressedPageSize) <= Int(id.totalCompressedSize))
        #expect(header.uncompressedPageSize == header.compressedPageSize)  // UNCOMPRESSED
        if header.type == .dictionaryPage {
            #expect(header.dictionaryPageHeader?.numValues == 8)
        } else {
            #expect(header.type == .dataPage)
            #expect(header.dataPageHeader?.numValues == 8)
        }
        // Re-encoding gives back the same bytes.
        #expect(header.encode() == Array(file[start..<(start + headerLength)]))
    }

    /// Every file of the corpus: its footer decodes, and re-encoding it decodes to an equal value.
    @Test func everyCorpusFooterDecodesAndRoundTrips() throws {
        let manager = FileManager.default
        var paths: [String] = []
        for directory in ["data", "data/geospatial"] {
            let names = try manager.contentsOfDirectory(atPath: "\(corpus)/\(directory)")
            paths += names.filter { $0.hasSuffix(".parquet") }.map {
                "\(corpus)/\(directory)/\($0)"
            }
        }
        #expect(paths.count > 60)
        for path in paths.sorted() {
            do {
                let file = try readFile(path)
                let (metadata, _, _) = try footer(of: file)
                #expect(metadata.schema.count >= 1, "\(path)")
                for group in metadata.rowGroups {
                    #expect(group.columns.count == metadata.leafCount, "\(path)")
                }
                #expect(try FileMetaData.decode(metadata.encode()) == metadata, "\(path)")
            } catch {
                Issue.record("\(path): \(error)")
            }
        }
    }

    @Test func unknownLogicalTypeFile() throws {
        let file = try readFile("\(corpus)/data/unknown-logical-type.parquet")
        let (metadata, _, _) = try footer(of: file)
        let others = metadata.schema.compactMap { element -> Int16? in
            if case .other(let id) = element.logicalType { return id }
            return nil
        }
        #expect(others.count == 1)
        #expect(others.allSatisfy { $0 > 19 })
    }

    @Test func negativeDictionaryNumValuesIsCorrupt() throws {
        // bad_data/ARROW-RS-GH-6229-DICTHEADER.parquet: the dictionary page header's
        // num_values is negative.
        let file = try readFile("\(corpus)/bad_data/ARROW-RS-GH-6229-DICTHEADER.parquet")
        let (metadata, _, _) = try footer(of: file)
        var failures: [ParquetFormatError] = []
        var decoded = 0
        for chunk in metadata.rowGroups.flatMap(\.columns) {
            guard let meta = chunk.metaData, meta.chunkStartOffset < file.count else { continue }
            let start = Int(meta.chunkStartOffset)
            do {
                _ = try file.withUnsafeBytes { buffer in
                    try PageHeader.decode(
                        from: UnsafeRawBufferPointer(rebasing: buffer[start...]), fileOffset: start)
                }
                decoded += 1
            } catch let error as ParquetFormatError {
                failures.append(error)
            }
        }
        // The file is fuzzed elsewhere too (e.g. a DataPageHeader.num_values written as i16):
        // every first page header within the file fails as corrupt, the dictionary one for
        // its negative count.
        #expect(decoded == 0)
        #expect(failures.count == 3)
        #expect(failures.allSatisfy { $0.code == .corrupt }, "\(failures)")
        #expect(
            failures.contains {
                $0.message == "DictionaryPageHeader.num_values is negative" && $0.offset == 138
            })
    }
}
