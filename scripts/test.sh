#!/usr/bin/env bash
# The whole test suite: unit tests (swift test) and interoperability tests (pytest, which
# checks what Lakegate reads and writes against pyarrow and DuckDB).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh

echo "== building"
swift build --build-tests 2>&1 | grep -Ev '^\[[0-9]+/[0-9]+\] (Compiling|Emitting|Linking|Write|Planning|Copying)' || true
swift build --build-tests >/dev/null   # fail here if the build failed above

echo "== unit tests (swift test)"
swift test --skip-build 2>&1 | tail -n 40 | tee .build/unit-tests.log
grep -Eq 'Test run with [0-9]+ tests? in [0-9]+ suites? passed|Executed [0-9]+ tests?, with 0 failures' .build/unit-tests.log || {
    echo "unit tests failed" >&2; exit 1; }

echo "== interoperability tests (pytest against pyarrow and DuckDB)"
export LAKEGATE_BIN="$PWD/.build/debug/lakegate"
.venv/bin/python -m pytest -q Tests/Interop
