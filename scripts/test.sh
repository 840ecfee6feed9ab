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
swift test --skip-build > .build/unit-tests.log 2>&1 || true
tail -n 40 .build/unit-tests.log
# Both runners report: swift-testing's summary must say passed, and XCTest's (which always
# prints, often "Executed 0 tests") must count no failure.
{ grep -Eq 'Test run with [0-9]+ tests? in [0-9]+ suites? passed' .build/unit-tests.log &&
  ! grep -Eq 'Executed [0-9]+ tests?, with [1-9][0-9]* failures?' .build/unit-tests.log; } || {
    echo "unit tests failed; every issue recorded (the whole log is .build/unit-tests.log):" >&2
    grep -E -A3 'recorded an issue|Fatal error|Program crashed' .build/unit-tests.log | cut -c1-400 >&2 || true
    exit 1; }

echo "== interoperability tests (pytest against pyarrow and DuckDB)"
export LAKEGATE_BIN="$PWD/.build/debug/lakegate"
.venv/bin/python -m pytest -q Tests/Interop
