#!/usr/bin/env bash
# Commit latency: appends one small file to one table N times (default 1000) on each lake kind
# with a SQLite catalog, and reports the commit's own time (as `tables append` prints it) for
# the last ten commits against the 10th commits of fresh tables taken in turns with them, so a
# cost that grows with history shows (see commits_bench.py).
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/setup.sh
swift build -c release --product lakegate
exec .venv/bin/python scripts/bench/commits_bench.py "$@"
