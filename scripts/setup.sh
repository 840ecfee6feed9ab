#!/usr/bin/env bash
# Installs what Lakegate needs to build and test on a Debian machine with Swift 6.3:
# the codec libraries from Debian, and the pinned outside readers (pyarrow, DuckDB) in .venv.
# Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null; then SUDO="sudo"; fi

debian_packages=(libzstd-dev libsnappy-dev liblz4-dev libbrotli-dev zlib1g-dev libsqlite3-dev postgresql-15)
missing=()
for package in "${debian_packages[@]}"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || missing+=(python3-venv)
if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing Debian packages: ${missing[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if ! command -v swift >/dev/null; then
    for candidate in /opt/swift/usr/bin /opt/swift/bin; do
        [ -x "$candidate/swift" ] && export PATH="$candidate:$PATH"
    done
fi
command -v swift >/dev/null || { echo "setup: Swift 6.3 is required (https://swift.org/install)" >&2; exit 1; }

# Pinned outside readers for the interoperability tests and benchmarks.
python_requirements=(pyarrow==26.0.1 duckdb==1.5.5 pytest==9.0.3 fastavro==1.12.1 cramjam==2.14.0 zstandard==0.25.0)
if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
if ! .venv/bin/python -c 'import pyarrow, duckdb, pytest, fastavro, cramjam, zstandard; assert pyarrow.__version__ == "26.0.1" and duckdb.__version__ == "1.5.5" and fastavro.__version__ == "1.12.1"' >/dev/null 2>&1; then
    echo "setup: installing ${python_requirements[*]} into .venv"
    .venv/bin/pip install -q --disable-pip-version-check "${python_requirements[@]}"
fi
