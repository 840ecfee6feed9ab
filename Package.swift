// swift-tools-version:6.0
import PackageDescription

// Layers, bottom to top (dependencies only point down):
//   CSystem/*       Debian's codec libraries (zstd, snappy, lz4, brotli, zlib)
//   Compression     bounded compress/decompress over those libraries, CRC-32
//   ThriftCompact   the Thrift compact protocol, bytes in and out
//   Columnar        schema, types, columns with validity bitmaps, record batches
//   LakegateCore    contracts shared by every layer: byte sources and sinks (more to come)
//   StorageLocal    local files behind those contracts (pread, atomic publish)
//   JSONFormat    strict RFC 8259 parsing over bytes, record framing (no I/O)
//   CSVFormat     RFC 4180 tokenizing with dialects (no I/O)
//   Avro          Avro binary encoding, object container files, schema mapping
//   FileFormats   any input file -> record batches (detection, inference, flattening, bad
//                 records) and record batches -> Parquet, Avro, CSV, JSON lines
//   ParquetFormat   Parquet's metadata structs and encodings (no I/O, no columnar model)
//   Parquet         Parquet files <-> record batches, through byte-range sources and sinks
//   Database        the catalog database: SQLite (C library) and PostgreSQL (postgres-nio), one protocol
//   Iceberg         Iceberg v2 metadata JSON, manifests and manifest lists (Avro), partition transforms
//   Tables          the table layer shared by every format: object stores (local now), data files
//                   with statistics, partitioned writing, table names, lake locations
//   DuckLake        DuckLake 1.0 tables (the catalog DuckDB 1.5.5 writes) over Database and Tables
//   IcebergTables   Iceberg v2 tables in a SQL catalog (pyiceberg's SqlCatalog tables), SQLite or PostgreSQL
//   HiveTables      plain Hive-partitioned Parquet folders, exactly-once by commit records
//   DataGenerators  deterministic realistic data (events, vehicles, CSV) for demos and benchmarks
//   S3              an S3 client of our own: Signature V4, ListObjectsV2, streaming get/put, multipart
//   StorageS3       S3 buckets behind Tables' ObjectStore protocol
//   Scanning        malware scanning behind a protocol; clamd over a Unix or TCP socket (INSTREAM)
//   Redis           a RESP client on SwiftNIO
//   Queues          job queues behind one protocol: embedded (a SQL table with leases), Redis Streams
//   Transforms      typed column expressions (derive, rename, cast, drop, filter), checked before use
//   LakegateConfiguration  lakegate.yaml (Sources/Configuration): zones, clients, tables, transforms, scanner, queue, workers
//   Ingestion       the file pipeline: discovery, scanning, jobs, workers, reconciliation
//   lakegate        the command line (composition only)

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .unsafeFlags(["-Ounchecked", "-enforce-exclusivity=unchecked"], .when(configuration: .release)),
]

let package = Package(
    name: "lakegate",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "lakegate", targets: ["lakegate"]),
        .library(name: "Parquet", targets: ["Parquet"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        .systemLibrary(name: "CZstd", path: "Sources/CSystem/CZstd"),
        .systemLibrary(name: "CSnappy", path: "Sources/CSystem/CSnappy"),
        .systemLibrary(name: "CLZ4", path: "Sources/CSystem/CLZ4"),
        .systemLibrary(name: "CBrotli", path: "Sources/CSystem/CBrotli"),
        .systemLibrary(name: "CZlib", path: "Sources/CSystem/CZlib"),
        .systemLibrary(name: "CSQLite", path: "Sources/CSystem/CSQLite"),
        .target(
            name: "Compression",
            dependencies: ["CZstd", "CSnappy", "CLZ4", "CBrotli", "CZlib"],
            swiftSettings: swiftSettings),
        .target(name: "ThriftCompact", swiftSettings: swiftSettings),
        .target(name: "Columnar", swiftSettings: swiftSettings),
        .target(name: "LakegateCore", swiftSettings: swiftSettings),
        .target(name: "JSONFormat", swiftSettings: swiftSettings),
        .target(name: "CSVFormat", swiftSettings: swiftSettings),
        .target(name: "DataGenerators", dependencies: ["Columnar"], swiftSettings: swiftSettings),
        .target(name: "Avro", dependencies: ["Columnar", "Compression", "LakegateCore"], swiftSettings: swiftSettings),
        .target(name: "StorageLocal", dependencies: ["LakegateCore"], swiftSettings: swiftSettings),
        .target(
            name: "ParquetFormat",
            dependencies: ["ThriftCompact", "Compression"],
            swiftSettings: swiftSettings),
        .target(
            name: "Parquet",
            dependencies: ["ParquetFormat", "Columnar", "Compression", "LakegateCore"],
            swiftSettings: swiftSettings),
        .target(
            name: "FileFormats",
            dependencies: [
                "Columnar", "Compression", "LakegateCore", "StorageLocal", "JSONFormat", "CSVFormat", "Parquet", "Avro",
            ],
            swiftSettings: swiftSettings),
        .target(
            name: "Database",
            dependencies: [
                "CSQLite", "LakegateCore", .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings),
        .target(
            name: "Iceberg",
            dependencies: ["Columnar", "Avro", "JSONFormat", "LakegateCore"],
            swiftSettings: swiftSettings),
        .target(
            name: "Tables",
            dependencies: ["Columnar", "LakegateCore", "StorageLocal", "Parquet"],
            swiftSettings: swiftSettings),
        .target(
            name: "HiveTables",
            dependencies: ["Tables", "Columnar", "Parquet", "LakegateCore"],
            swiftSettings: swiftSettings),
        .target(
            name: "IcebergTables",
            dependencies: ["Iceberg", "Tables", "Database", "Columnar", "Parquet", "LakegateCore", "Avro"],
            swiftSettings: swiftSettings),
        .target(
            name: "DuckLake",
            dependencies: ["Tables", "Database", "Columnar", "Parquet", "LakegateCore"],
            swiftSettings: swiftSettings),
        // Adapters behind protocols: S3 storage, the ClamAV scanner, Redis, job queues.
        .target(
            name: "S3",
            dependencies: [
                "LakegateCore", "Columnar",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings),
        .target(name: "StorageS3", dependencies: ["S3", "Tables", "LakegateCore"], swiftSettings: swiftSettings),
        .target(
            name: "Scanning",
            dependencies: [
                "LakegateCore", .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings),
        .target(
            name: "Redis",
            dependencies: [
                "LakegateCore", .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings),
        .target(name: "Queues", dependencies: ["Database", "Redis"], swiftSettings: swiftSettings),
        // The engine: transforms, configuration, and the ingestion pipeline.
        .target(name: "Transforms", dependencies: ["Columnar", "LakegateCore"], swiftSettings: swiftSettings),
        // Named LakegateConfiguration: swift-configuration (in the dependency graph) already has a
        // target called Configuration, and target names must be unique across the graph.
        .target(
            name: "LakegateConfiguration",
            dependencies: ["Transforms", "Tables", "LakegateCore", .product(name: "Yams", package: "Yams")],
            path: "Sources/Configuration",
            swiftSettings: swiftSettings),
        .target(
            name: "Ingestion",
            dependencies: [
                "LakegateConfiguration", "Transforms", "Queues", "Scanning", "S3", "StorageS3", "Tables", "HiveTables",
                "IcebergTables", "DuckLake", "Database", "FileFormats", "Columnar", "Parquet", "LakegateCore",
                .product(name: "Crypto", package: "swift-crypto"), .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings),
        .executableTarget(
            name: "lakegate",
            dependencies: [
                "Parquet", "Columnar", "LakegateCore", "StorageLocal", "FileFormats", "JSONFormat", "CSVFormat", "Avro",
                "DataGenerators", "Tables", "HiveTables", "IcebergTables", "DuckLake", "Ingestion", "LakegateConfiguration", "S3",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings),
        // Benchmarks that need the library's insides (scripts/bench/ runs them, built in release).
        .executableTarget(
            name: "iceberg-metadata-bench", dependencies: ["Iceberg"], path: "Benchmarks/IcebergMetadata",
            swiftSettings: swiftSettings),
        .testTarget(name: "CompressionTests", dependencies: ["Compression"]),
        .testTarget(name: "ThriftCompactTests", dependencies: ["ThriftCompact"]),
        .testTarget(name: "ColumnarTests", dependencies: ["Columnar"]),
        .testTarget(name: "ParquetFormatTests", dependencies: ["ParquetFormat"]),
        .testTarget(name: "ParquetTests", dependencies: ["Parquet", "Columnar", "LakegateCore", "StorageLocal"]),
        .testTarget(name: "JSONFormatTests", dependencies: ["JSONFormat"]),
        .testTarget(name: "CSVFormatTests", dependencies: ["CSVFormat"]),
        .testTarget(name: "AvroTests", dependencies: ["Avro", "Columnar", "LakegateCore"], exclude: ["Fixtures"]),
        .testTarget(
            name: "FileFormatsTests", dependencies: ["FileFormats", "Columnar", "JSONFormat", "CSVFormat", "StorageLocal"]),
        .testTarget(name: "StorageLocalTests", dependencies: ["StorageLocal", "LakegateCore"]),
        .testTarget(name: "DataGeneratorsTests", dependencies: ["DataGenerators", "CSVFormat"]),
        .testTarget(name: "HiveTablesTests", dependencies: ["HiveTables", "Tables", "Columnar", "Parquet"]),
        .testTarget(name: "TablesTests", dependencies: ["Tables", "Columnar", "Parquet", "LakegateCore", "ObjectStoreContract"]),
        // What every ObjectStore promises, run against a folder and against a bucket.
        .target(name: "ObjectStoreContract", dependencies: ["Tables"], path: "Tests/Support/ObjectStoreContract"),
        // Throwaway servers for tests (PostgreSQL through scripts/testenv) and child processes.
        .target(name: "TestServers", path: "Tests/Support/TestServers"),
        .testTarget(name: "DatabaseTests", dependencies: ["Database", "TestServers"]),
        .testTarget(
            name: "DuckLakeTests",
            dependencies: ["DuckLake", "Tables", "Database", "Columnar", "Parquet", "LakegateCore", "TestServers"]),
        .testTarget(
            name: "IcebergTests", dependencies: ["Iceberg", "Columnar", "Avro", "LakegateCore"], exclude: ["Fixtures"]),
        .testTarget(
            name: "IcebergTablesTests",
            dependencies: [
                "IcebergTables", "Iceberg", "Tables", "Database", "Columnar", "Parquet", "LakegateCore", "TestServers",
            ]),
        .testTarget(name: "S3Tests", dependencies: ["S3", "StorageS3", "Tables", "LakegateCore", "TestServers", "ObjectStoreContract"]),
        .testTarget(name: "ScanningTests", dependencies: ["Scanning", "LakegateCore", "TestServers"]),
        .testTarget(name: "RedisTests", dependencies: ["Redis", "TestServers"]),
        .testTarget(name: "QueuesTests", dependencies: ["Queues", "Redis", "Database", "TestServers"]),
        .testTarget(name: "TransformsTests", dependencies: ["Transforms", "Columnar"]),
        .testTarget(
            name: "LakegateConfigurationTests", dependencies: ["LakegateConfiguration", "Transforms"],
            path: "Tests/ConfigurationTests"),
        .testTarget(
            name: "IngestionTests",
            dependencies: ["Ingestion", "LakegateConfiguration", "Queues", "Scanning", "Tables", "Database", "Columnar", "TestServers"]),
    ]
)
