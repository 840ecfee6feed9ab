#!/usr/bin/env bash
# Parquet benchmark: Lakegate vs pyarrow on TPC-H lineitem (see parquet_bench.py for options).
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/setup.sh
.venv/bin/pip install -q --disable-pip-version-check tpchgen-cli==4.0.0
swift build -c release --product lakegate
exec .venv/bin/python scripts/bench/parquet_bench.py "$@"
