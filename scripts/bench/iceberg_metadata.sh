#!/usr/bin/env bash
# Iceberg metadata read and write, as each commit does them: a table's metadata file after 10
# commits and after 150 (the file keeps the newest 100 snapshots), read and written by Lakegate
# (and by the full parse every commit used before), and by pyiceberg on the same files.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/setup.sh
swift build -c release --product lakegate
swift build -c release --product iceberg-metadata-bench
exec .venv/bin/python scripts/bench/iceberg_metadata_bench.py "$@"
