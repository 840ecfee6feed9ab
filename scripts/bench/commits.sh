#!/usr/bin/env bash
# Commit latency: appends one small file to one table N times (default 1000) on each lake kind
# with a SQLite catalog, and reports the commit's own time (as `tables append` prints it) for
# the 10th and the last commits, so a cost that grows with history shows.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/setup.sh
swift build -c release --product lakegate
exec .venv/bin/python scripts/bench/commits_bench.py "$@"
