// Iceberg v2 metadata, manifests and partition transforms land here.
