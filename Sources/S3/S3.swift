// The S3 client: see S3Client.swift (in progress).
