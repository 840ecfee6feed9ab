import ArgumentParser
import Columnar
import LakegateCore
import Parquet
import StorageLocal

struct RewriteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rewrite",
        abstract: "Read any Parquet file and write it with Lakegate's writer, keeping schema and values.",
        discussion: """
            The output appears only when complete (it is written to a temporary name, synced and \
            renamed). Memory stays bounded by one input batch plus one output row group.

            Examples:
              lakegate parquet rewrite spark-output.parquet compact.parquet --codec zstd --compression-level 9
              lakegate parquet rewrite big.parquet small-groups.parquet --row-group-bytes 32MiB --page-bytes 256KiB
            """
    )

    enum Codec: String, ExpressibleByArgument, CaseIterable {
        case zstd, snappy, gzip, lz4, none
    }

    enum PageVersion: String, ExpressibleByArgument, CaseIterable {
        case v1, v2
    }

    @OptionGroup var input: ParquetReadArguments

    @Argument(help: "Where to write the new file.", completion: .file(extensions: ["parquet"]))
    var output: String

    @Option(help: "Compression codec: zstd, snappy, gzip, lz4 (LZ4_RAW) or none.")
    var codec: Codec = .zstd

    @Option(help: "Compression level for zstd (1-22) or gzip (1-9).")
    var compressionLevel: Int?

    @Option(help: "Target size of a row group's encoded data, e.g. 64MiB.", transform: parseSize)
    var rowGroupBytes: Int?

    @Option(help: "Target size of a data page, e.g. 1MiB.", transform: parseSize)
    var pageBytes: Int?

    @Option(help: "Data page format: v1 (read everywhere) or v2.")
    var pageVersion: PageVersion = .v1

    @Flag(help: "Do not dictionary-encode columns.")
    var noDictionary = false

    @Flag(help: "Replace OUTPUT if it exists.")
    var force = false

    func validate() throws {
        if let level = compressionLevel {
            switch codec {
            case .zstd where !(1...22).contains(level): throw ValidationError("zstd levels are 1 to 22")
            case .gzip where !(1...9).contains(level): throw ValidationError("gzip levels are 1 to 9")
            case .snappy, .lz4, .none: throw ValidationError("--compression-level applies to zstd and gzip only")
            default: break
            }
        }
        if output == input.file { throw ValidationError("OUTPUT must differ from the input file") }
        if !force && fileExists(output) { throw ValidationError("\(output) exists; pass --force to replace it") }
    }

    func options() -> ParquetWriteOptions {
        var options = ParquetWriteOptions()
        switch codec {
        case .zstd: options.codec = .zstd(level: compressionLevel ?? 3)
        case .snappy: options.codec = .snappy
        case .gzip: options.codec = .gzip(level: compressionLevel ?? 6)
        case .lz4: options.codec = .lz4Raw
        case .none: options.codec = .none
        }
        if let rowGroupBytes { options.rowGroupBytes = rowGroupBytes }
        if let pageBytes { options.pageBytes = pageBytes }
        options.dataPageVersion = pageVersion == .v1 ? .v1 : .v2
        options.dictionary = !noDictionary
        return options
    }

    func run() throws {
        try reportingErrors {
            let clock = ContinuousClock()
            let started = clock.now
            let reader = try input.openReader()
            var schema = reader.schema
            // pyarrow's serialized Arrow schema describes the input file, not ours: readers must
            // see only our Parquet schema.
            schema.metadata["ARROW:schema"] = nil
            let sink = try LocalFileSink(path: output)
            let writer = try ParquetFileWriter(sink: sink, schema: schema, options: options())
            var rows = 0
            var batches = try reader.batches()
            while let batch = try batches.next() {
                try writer.write(try RecordBatch(schema: schema, columns: batch.columns))
                rows += batch.rowCount
                let group = (batches.rowGroup ?? 0) + 1
                Console.progress("row group \(group)/\(reader.rowGroupCount), \(rows) rows, \(formatBytes(sink.position)) written")
            }
            let metadata = try writer.close()
            try sink.commit()
            Console.endProgress()
            if Console.isTerminal {
                let seconds = (clock.now - started).seconds
                Console.note(
                    "wrote \(output): \(rows) rows in \(metadata.rowGroups.count) row groups, "
                        + "\(formatBytes(sink.position)) (from \(formatBytes(input.fileSize))) in \(String(format2: seconds)) s")
            }
        }
    }
}

func parseSize(_ text: String) throws -> Int {
    guard let size = parseByteSize(text) else {
        throw ValidationError("'\(text)' is not a size; use bytes or a unit such as 512KiB, 64MiB, 1GiB")
    }
    return size
}

func fileExists(_ path: String) -> Bool {
    (try? LocalFileSource(path: path)) != nil
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

extension String {
    /// Two decimals, without Foundation.
    init(format2 value: Double) {
        let scaled = (value * 100).rounded()
        let whole = Int(scaled / 100)
        let fraction = Int(abs(scaled).truncatingRemainder(dividingBy: 100))
        self = "\(whole)." + (fraction < 10 ? "0" : "") + "\(fraction)"
    }
}
