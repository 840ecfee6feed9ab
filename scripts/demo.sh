#!/usr/bin/env bash
# Lakegate's main job on embedded defaults: secure file ingestion. A throwaway clamd is started
# (scripts/testenv/clamd.sh: a signature database generated here, no network); generated event
# files and one EICAR test file are dropped in the landing zone under client "acme"; `lakegate
# run --once` scans them, quarantines the infected one, loads the clean ones into the embedded
# DuckLake exactly once, and DuckDB reads the table. Before that: a sample file written by pyarrow is
# inspected, printed and rewritten by Lakegate's own Parquet library; generated web events
# (NDJSON) are converted to Parquet and read back by pyarrow; then they are landed in the
# embedded lake (DuckLake, SQLite catalog, ./lakegate-data) exactly once, and DuckDB reads the
# table.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
echo "== building lakegate (release)"
swift build -c release --product lakegate 2>&1 | tail -n 1
lakegate=.build/release/lakegate
mkdir -p lakegate-data
.venv/bin/python scripts/make_sample.py lakegate-data/sample.parquet

echo; echo "== lakegate parquet inspect lakegate-data/sample.parquet"
$lakegate parquet inspect lakegate-data/sample.parquet
echo; echo "== lakegate parquet cat lakegate-data/sample.parquet --limit 3"
$lakegate parquet cat lakegate-data/sample.parquet --limit 3
echo; echo "== lakegate parquet rewrite lakegate-data/sample.parquet lakegate-data/sample.zstd.parquet --codec zstd"
$lakegate parquet rewrite lakegate-data/sample.parquet lakegate-data/sample.zstd.parquet --codec zstd --force
echo; echo "== pyarrow reads Lakegate's file back"
.venv/bin/python -c "
import pyarrow.parquet as pq
a = pq.read_table('lakegate-data/sample.parquet'); b = pq.read_table('lakegate-data/sample.zstd.parquet')
print(b.schema); print('rows:', b.num_rows, '| identical to the input:', a.equals(b))"

echo; echo "== lakegate generate events --count 20000, then convert the NDJSON to Parquet"
$lakegate generate events --count 20000 --seed 1 --output lakegate-data/events.ndjson --force
$lakegate convert lakegate-data/events.ndjson --output lakegate-data/events.parquet --force
$lakegate parquet cat lakegate-data/events.parquet --limit 2
.venv/bin/python -c "
import pyarrow.parquet as pq
t = pq.read_table('lakegate-data/events.parquet'); print(t.num_rows, 'rows,', t.num_columns, 'columns; pyarrow reads', t.schema.field('event_time').type, 'and', t.schema.field('tags').type)"

echo; echo "== lakegate tables append events (embedded lake: DuckLake in lakegate-data, partitioned by day)"
$lakegate tables append events lakegate-data/events.ndjson --partition 'day(event_time)' --idempotency-key demo-events
echo "== the same job again: nothing changes"
$lakegate tables append events lakegate-data/events.ndjson --idempotency-key demo-events
$lakegate tables show events | head -n 20
$lakegate tables scan events --where 'event_type = purchase' --columns event_id,event_time,value --limit 3
echo; echo "== DuckDB 1.5.5 attaches the lake"
.venv/bin/python -c "
import duckdb, os
c = duckdb.connect(config={'allow_unsigned_extensions': True, 'extension_directory': '.venv/duckdb-extensions', 'autoinstall_known_extensions': False})
c.sql('LOAD ducklake; LOAD sqlite')
root = os.path.abspath('lakegate-data')
c.sql(f\"ATTACH 'ducklake:sqlite:{root}/catalog.sqlite' AS lake (DATA_PATH '{root}/files/')\")
print(c.sql('SELECT event_type, count(*) AS events FROM lake.main.events GROUP BY ALL ORDER BY events DESC LIMIT 5'))"

echo; echo "== secure file ingestion: a throwaway clamd with a generated signature database"
eval "$(bash scripts/testenv/clamd.sh start)"
trap 'bash scripts/testenv/clamd.sh stop "$CLAMD_TEST_DIR"' EXIT
landing=lakegate-data/landing/acme/incoming
mkdir -p "$landing"
for i in 1 2 3 4 5; do
    $lakegate generate events --count 2000 --seed "$i" --output "$landing/events-$i.ndjson" --force
done
# The EICAR antivirus test file (harmless by design; every scanner flags it), kept as hex here.
.venv/bin/python -c "import sys; sys.stdout.buffer.write(bytes.fromhex('58354f2150254041505b345c505a58353428505e2937434329377d2445494341522d5354414e444152442d414e544956495255532d544553542d46494c452124482b482a'))" > "$landing/invoice.pdf"
ls -l "$landing"
echo; echo "== lakegate run --once: discover, scan, trust or quarantine, load (clamd at 127.0.0.1:$CLAMD_TEST_PORT)"
$lakegate run --once --clamd "tcp://127.0.0.1:$CLAMD_TEST_PORT"
$lakegate status --clamd "tcp://127.0.0.1:$CLAMD_TEST_PORT"
echo; echo "== lakegate quarantine list"
$lakegate quarantine list --clamd "tcp://127.0.0.1:$CLAMD_TEST_PORT"
echo; echo "== DuckDB reads acme.files"
.venv/bin/python -c "
import duckdb, os
c = duckdb.connect(config={'allow_unsigned_extensions': True, 'extension_directory': '.venv/duckdb-extensions', 'autoinstall_known_extensions': False})
c.sql('LOAD ducklake; LOAD sqlite')
root = os.path.abspath('lakegate-data')
c.sql(f\"ATTACH 'ducklake:sqlite:{root}/catalog.sqlite' AS lake (DATA_PATH '{root}/files/')\")
print(c.sql('SELECT count(*) AS events, count(DISTINCT event_id) AS distinct_events FROM lake.acme.files'))"
