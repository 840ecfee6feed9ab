#!/usr/bin/env bash
# Installs what Lakegate needs to build and test on a Debian machine with Swift 6.3:
# the codec libraries from Debian, and the pinned outside readers (pyarrow, DuckDB) in .venv.
# Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

SUDO=""
if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null; then SUDO="sudo"; fi

# Servers the tests start on loopback: PostgreSQL 15, Redis 7, clamd (ClamAV).
debian_packages=(libzstd-dev libsnappy-dev liblz4-dev libbrotli-dev zlib1g-dev libsqlite3-dev postgresql-15 redis-server
    clamav clamav-daemon)
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
duckdb_extensions=(ducklake sqlite postgres iceberg avro)
python_requirements=(pyarrow==26.0.1 duckdb==1.5.5 pytest==9.0.3 fastavro==1.12.1 cramjam==2.14.0 zstandard==0.25.0
    pyiceberg==0.12.0 sqlalchemy==2.1.9 pyroaring==1.2.0 psycopg==3.3.9 psycopg-binary==3.3.9 pytz==2026.6
    "moto[server]==5.2.5" boto3==1.44.5 botocore==1.44.5)
for extension in "${duckdb_extensions[@]}"; do python_requirements+=("duckdb-extension-$extension==1.5.5"); done
if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
if ! .venv/bin/python -c 'import pyarrow, duckdb, pytest, fastavro, cramjam, zstandard, pyiceberg, sqlalchemy, psycopg, pytz, moto, boto3; assert pyarrow.__version__ == "26.0.1" and duckdb.__version__ == "1.5.5" and fastavro.__version__ == "1.12.1" and pyiceberg.__version__ == "0.12.0" and moto.__version__ == "5.2.5"' >/dev/null 2>&1 \
    || [ ! -d .venv/lib/python3*/site-packages/duckdb_extension_ducklake ]; then
    echo "setup: installing ${python_requirements[*]} into .venv"
    .venv/bin/pip install -q --disable-pip-version-check "${python_requirements[@]}"
fi

# DuckDB's extensions, loadable offline: one folder in DuckDB's layout, .venv/duckdb-extensions
# (connect with allow_unsigned_extensions and extension_directory pointing there).
extension_dir=.venv/duckdb-extensions/v1.5.5/linux_amd64
if [ ! -f "$extension_dir/ducklake.duckdb_extension" ]; then
    mkdir -p "$extension_dir"
    for extension in "${duckdb_extensions[@]}"; do
        source_file=$(ls .venv/lib/python3*/site-packages/duckdb_extension_"$extension"/extensions/v1.5.5/*.duckdb_extension 2>/dev/null | head -n 1)
        [ -n "$source_file" ] || { echo "setup: the $extension extension's file was not found" >&2; exit 1; }
        case "$extension" in
            sqlite) target=sqlite_scanner ;;
            postgres) target=postgres_scanner ;;
            *) target=$extension ;;
        esac
        cp "$source_file" "$extension_dir/$target.duckdb_extension"
    done
fi
