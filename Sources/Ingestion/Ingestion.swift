// The ingestion pipeline (in progress).
