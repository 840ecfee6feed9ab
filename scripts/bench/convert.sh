#!/usr/bin/env bash
# Conversion benchmark: NDJSON events -> zstd Parquet against DuckDB, CSV lineitem -> zstd
# Parquet against pyarrow, one thread each, same inputs, same run (see convert_bench.py).
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/setup.sh
.venv/bin/pip install -q --disable-pip-version-check tpchgen-cli==4.0.0
swift build -c release --product lakegate
exec .venv/bin/python scripts/bench/convert_bench.py "$@"
