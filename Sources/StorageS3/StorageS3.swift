// S3 buckets behind ObjectStore (in progress).
