"""DuckLake through `lakegate tables`, proven against DuckDB 1.5.5's ducklake extension:
a lake DuckDB wrote (inlined rows, deletes) is read and extended by lakegate, filtered scans
agree with filtering everything in Python, compaction keeps DuckDB's time travel working."""
import datetime
import json

from conftest import duckdb_with_extensions, run_lakegate


def attach(catalog, data, inlining=None):
    connection = duckdb_with_extensions()
    connection.sql("LOAD ducklake; LOAD sqlite")
    options = f"DATA_PATH '{data}/'" + (f", DATA_INLINING_ROW_LIMIT {inlining}" if inlining is not None else "")
    connection.sql(f"ATTACH 'ducklake:sqlite:{catalog}' AS lake ({options})")
    connection.sql("USE lake")
    return connection


def scan(catalog, data, *extra):
    result = run_lakegate("tables", "scan", "events", "--lake", f"ducklake:sqlite:{catalog}", "--data-path", data, *extra,
                          check=True)
    return [json.loads(line) for line in result.stdout.decode().splitlines()]


def append(catalog, data, source, *extra):
    return run_lakegate("tables", "append", "events", source, "--lake", f"ducklake:sqlite:{catalog}", "--data-path", data,
                        *extra, check=True)


def write_ndjson(path, rows):
    with open(path, "w") as out:
        for row in rows:
            out.write(json.dumps(row) + "\n")


def event(i):
    return {"id": i, "kind": ["view", "click", "buy"][i % 3], "amount": round(i * 0.25, 2),
            "ts": f"2026-01-{1 + i // 100:02d}T{i % 24:02d}:{i % 60:02d}:00Z"}


def test_lakegate_reads_and_extends_a_duckdb_lake_with_inlined_rows(tmp_path):
    catalog, data = tmp_path / "catalog.sqlite", tmp_path / "data"
    duck = attach(catalog, data)
    duck.sql("CREATE TABLE events (id BIGINT, kind VARCHAR, amount DOUBLE, ts TIMESTAMPTZ)")
    duck.sql("INSERT INTO events VALUES (1, 'inl''ined', 0.5, TIMESTAMPTZ '2026-01-01 00:00:00.25+00'), "
             "(2, NULL, NULL, NULL), (3, 'gone', 1.5, NULL)")
    duck.sql("INSERT INTO events SELECT 100 + i, 'file', i / 4, TIMESTAMPTZ '2026-01-02 00:00:00+00' + INTERVAL (i) MINUTE "
             "FROM range(200) r(i)")
    duck.sql("DELETE FROM events WHERE id IN (3, 150)")
    assert duck.sql("SELECT COUNT(*) FROM __ducklake_metadata_lake.ducklake_inlined_data_tables").fetchone()[0] == 1
    expected = duck.sql("SELECT id, kind, amount FROM events ORDER BY id").fetchall()
    duck.close()

    rows = scan(catalog, data)
    assert sorted((r["id"], r["kind"], r["amount"]) for r in rows) == expected

    # lakegate appends with a new column; DuckDB reads every row, then inlines into the new schema.
    write_ndjson(tmp_path / "more.ndjson", [{"id": 1000 + i, "kind": "lakegate", "amount": i, "note": f"n{i}"} for i in range(5)])
    append(catalog, data, tmp_path / "more.ndjson")
    duck = attach(catalog, data)
    assert duck.sql("SELECT COUNT(*), COUNT(DISTINCT rowid) FROM events").fetchone() == (206, 206)
    assert duck.sql("SELECT id, note FROM events WHERE note IS NOT NULL ORDER BY id").fetchall() == [
        (1000 + i, f"n{i}") for i in range(5)]
    duck.sql("INSERT INTO events (id, kind, note) VALUES (2000, 'duck', 'inlined-after')")
    duck.close()
    rows = scan(catalog, data)
    assert len(rows) == 207
    assert [r["note"] for r in rows if r["id"] == 2000] == ["inlined-after"]


def test_filtered_scans_agree_with_python(tmp_path):
    catalog, data = tmp_path / "catalog.sqlite", tmp_path / "data"
    for n in range(5):
        write_ndjson(tmp_path / f"part{n}.ndjson", [event(i) for i in range(n * 100, n * 100 + 100)])
        append(catalog, data, tmp_path / f"part{n}.ndjson", "--partition", "kind")
    duck = attach(catalog, data)
    everything = duck.sql("SELECT id, kind, amount, CAST(ts AS TIMESTAMP) FROM events").fetchall()
    cases = [
        ("id >= 420", "id >= 420", lambda r: r[0] >= 420),
        ("id < 9", "id < 9", lambda r: r[0] < 9),
        ("amount < 12.5", "amount < 12.5", lambda r: r[2] < 12.5),
        ("kind = buy", "kind = 'buy'", lambda r: r[1] == "buy"),
        ("kind != view", "kind != 'view'", lambda r: r[1] != "view"),
        ("ts >= 2026-01-03T00:00:00Z", "ts >= TIMESTAMPTZ '2026-01-03 00:00:00+00'",
         lambda r: r[3] >= datetime.datetime(2026, 1, 3)),
    ]
    for where, sql, predicate in cases:
        expected = sorted(r[0] for r in everything if predicate(r))
        assert expected, where
        assert sorted(r[0] for r in duck.sql(f"SELECT id FROM events WHERE {sql}").fetchall()) == expected, where
        assert sorted(r["id"] for r in scan(catalog, data, "--where", where)) == expected, where
    duck.close()


def test_compaction_keeps_time_travel_and_expiry_keeps_rows(tmp_path):
    catalog, data = tmp_path / "catalog.sqlite", tmp_path / "data"
    for n in range(6):
        write_ndjson(tmp_path / f"part{n}.ndjson", [event(i) for i in range(n * 50, n * 50 + 50)])
        append(catalog, data, tmp_path / f"part{n}.ndjson", "--idempotency-key", f"load-{n}")
    duck = attach(catalog, data)
    everything = "SELECT id, kind, amount, CAST(ts AS VARCHAR) FROM events"
    before = duck.sql(f"{everything} ORDER BY id").fetchall()
    snapshot = duck.sql("SELECT MAX(snapshot_id) FROM ducklake_snapshots('lake')").fetchone()[0]
    duck.close()
    run_lakegate("tables", "compact", "events", "--lake", f"ducklake:sqlite:{catalog}", "--data-path", data, check=True)
    duck = attach(catalog, data)
    assert duck.sql(f"{everything} ORDER BY id").fetchall() == before
    assert duck.sql(f"{everything} AT (VERSION => {snapshot}) ORDER BY id").fetchall() == before
    assert duck.sql("SELECT COUNT(*) FROM ducklake_list_files('lake', 'events')").fetchone()[0] == 1
    duck.close()
    run_lakegate("tables", "expire", "events", "--lake", f"ducklake:sqlite:{catalog}", "--data-path", data,
                 "--older-than", "0s", check=True)
    assert len(list(data.rglob("*.parquet"))) == 1
    duck = attach(catalog, data)
    assert duck.sql(f"{everything} ORDER BY id").fetchall() == before
    duck.close()
    assert sorted(r["id"] for r in scan(catalog, data)) == [r[0] for r in before]
