// Iceberg: the Iceberg v2 table format as pure values, bytes in and bytes out (no I/O).
//
// Map of the module:
//   IcebergError          the one error type of the module
//   JSON/                 a small JSON model (IcebergJSON) over JSONFormat's parser; numbers keep
//                         their text so 64-bit ids round-trip
//   Schema/               IcebergType, NestedField, IcebergSchema (JSON); conversion to and from
//                         Columnar schemas, fresh ids, evolution, Parquet field ids
//   Partition/            IcebergLiteral, Murmur3, Transform (one value and whole columns),
//                         PartitionSpec (JSON, Hive-style paths, splitting batches by partition)
//   Metadata/             TableMetadata, Snapshot and the logs and refs, read from and written
//                         to the metadata JSON
//   Manifest/             DataFile, ManifestEntry, ManifestFile; manifests and manifest lists
//                         as Avro files through the Avro module; single-value bound encoding
//   Commit/               CommitPlanner: appends, replaces and snapshot expiry as plans (files
//                         to write and the metadata to install); the caller does the I/O and
//                         the catalog's compare-and-swap
