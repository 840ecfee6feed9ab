#!/usr/bin/env bash
# File ingestion end to end on the embedded defaults with a local clamd: small files per second
# (discovery, scan, trusted copy, load, commit), against clamdscan streaming the same files to
# the same clamd (the scanner's own floor); and the peak memory of one large file's scan and load.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/setup.sh
swift build -c release --product lakegate
exec .venv/bin/python scripts/bench/ingest_bench.py "$@"
