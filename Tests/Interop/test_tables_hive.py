"""`lakegate tables` on Hive-partitioned folders (hive:DIR), read back by DuckDB and pyarrow."""
import concurrent.futures
import json
import subprocess

import pyarrow.dataset as ds
import pytest

from conftest import lakegate_bin, run_lakegate


def write_events(path, start, count):
    with open(path, "w") as out:
        for i in range(start, start + count):
            out.write(json.dumps({
                "id": i,
                "kind": ["view", "click", "buy"][i % 3],
                "at": f"2026-01-{1 + i % 3:02d}T{i % 24:02d}:00:00Z",
                "amount": round(i * 0.25, 2),
            }) + "\n")


def scan(lake, table, *options):
    result = run_lakegate("tables", "scan", table, "--lake", lake, *options, check=True)
    return [json.loads(line) for line in result.stdout.decode().splitlines()]


def test_append_scan_and_outside_readers(tmp_path, duckdb_connection):
    lake = f"hive:{tmp_path / 'lake'}"
    source = tmp_path / "events.ndjson"
    write_events(source, 0, 300)
    result = run_lakegate("tables", "append", "web.events", source, "--lake", lake,
                          "--partition", "day(at)", "--partition", "kind", check=True)
    assert "300 rows" in result.stdout.decode()
    rows = scan(lake, "web.events")
    assert sorted(r["id"] for r in rows) == list(range(300))
    folder = tmp_path / "lake" / "web" / "events"
    # DuckDB and pyarrow see exactly the rows, with the partition folders as columns.
    counted = duckdb_connection.sql(
        f"SELECT count(*), count(DISTINCT id), sum(amount) FROM read_parquet('{folder}/**/*.parquet', hive_partitioning=true)"
    ).fetchone()
    assert counted == (300, 300, sum(round(i * 0.25, 2) for i in range(300)))
    by_day = duckdb_connection.sql(
        f"SELECT day, count(*) FROM read_parquet('{folder}/**/*.parquet', hive_partitioning=true) GROUP BY ALL ORDER BY 1"
    ).fetchall()
    assert [count for _, count in by_day] == [100, 100, 100]
    table = ds.dataset(folder, format="parquet", partitioning="hive").to_table()
    assert table.num_rows == 300
    # Filters on a partition column and on a plain column match Python's own filtering.
    assert sorted(r["id"] for r in scan(lake, "web.events", "--where", "kind = click")) == [i for i in range(300) if i % 3 == 1]
    assert sorted(r["id"] for r in scan(lake, "web.events", "--where", "amount >= 70.5")) == [i for i in range(300) if i * 0.25 >= 70.5]
    assert len(scan(lake, "web.events", "--limit", "7", "--columns", "id,kind")) == 7


def test_an_idempotency_key_commits_once(tmp_path):
    lake = f"hive:{tmp_path / 'lake'}"
    source = tmp_path / "events.ndjson"
    write_events(source, 0, 50)
    first = run_lakegate("tables", "append", "t", source, "--lake", lake, "--idempotency-key", "job-42", check=True)
    again = run_lakegate("tables", "append", "t", source, "--lake", lake, "--idempotency-key", "job-42", check=True)
    assert "committed snapshot" in first.stdout.decode()
    assert "already committed" in again.stdout.decode()
    assert len(scan(lake, "t")) == 50
    history = run_lakegate("tables", "history", "t", "--lake", lake, check=True).stdout.decode().splitlines()
    assert len(history) == 1 and "key=job-42" in history[0]


def test_four_writers_append_concurrently(tmp_path, duckdb_connection):
    lake = f"hive:{tmp_path / 'lake'}"
    inputs = []
    for writer in range(4):
        for n in range(25):
            path = tmp_path / f"w{writer}-{n}.ndjson"
            write_events(path, (writer * 25 + n) * 10, 10)
            inputs.append((writer, path))
    seed = tmp_path / "seed.ndjson"
    write_events(seed, 100000, 1)
    run_lakegate("tables", "append", "c", seed, "--lake", lake, check=True)

    def run_writer(writer):
        for n in range(25):
            path = tmp_path / f"w{writer}-{n}.ndjson"
            subprocess.run([lakegate_bin(), "tables", "append", "c", str(path), "--lake", lake,
                            "--idempotency-key", f"{writer}-{n}"], check=True, capture_output=True, timeout=120)

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        list(pool.map(run_writer, range(4)))
    folder = tmp_path / "lake" / "main" / "c"
    files = list(folder.glob("*.parquet"))
    assert len(files) == 101
    count, distinct = duckdb_connection.sql(
        f"SELECT count(*), count(DISTINCT id) FROM read_parquet('{folder}/*.parquet')").fetchone()
    assert (count, distinct) == (1001, 1001)


def test_errors_are_clear(tmp_path):
    lake = f"hive:{tmp_path / 'lake'}"
    result = run_lakegate("tables", "scan", "missing", "--lake", lake)
    assert result.returncode == 1 and b"no such table" in result.stderr
    result = run_lakegate("tables", "append", "../escape", tmp_path / "x", "--lake", lake)
    assert result.returncode == 1 and b"a table is 'name' or 'namespace.name'" in result.stderr
    result = run_lakegate("tables", "append", "a/b", tmp_path / "x", "--lake", lake)
    assert result.returncode == 1 and b"letters, digits" in result.stderr
    assert not (tmp_path / "lake" / "main" / "a").exists()
    result = run_lakegate("tables", "list", "--lake", "delta:/x")
    assert result.returncode == 1 and b"--lake is" in result.stderr


@pytest.mark.parametrize("kind", ["hive", "ducklake", "iceberg"])
def test_a_failed_append_commits_nothing(tmp_path, kind):
    lake = f"hive:{tmp_path / 'lake'}" if kind == "hive" else f"{kind}:sqlite:{tmp_path / 'catalog.sqlite'}"
    good = tmp_path / "good.ndjson"
    write_events(good, 0, 20)
    run_lakegate("tables", "append", "t", good, "--lake", lake, check=True)
    bad = tmp_path / "bad.ndjson"
    # Many good records, then a bad one far into the file: the append fails after writing files.
    with open(bad, "w") as out:
        for i in range(100, 30100):
            out.write(json.dumps({"id": i, "kind": "view", "at": "2026-01-01T00:00:00Z", "amount": 1.0}) + "\n")
        out.write('{"id": "not a number", "kind": 1}\n')
    result = run_lakegate("tables", "append", "t", bad, "--lake", lake)
    message = result.stderr.decode()
    assert result.returncode == 1, message
    assert "line 30001" in message and "Fatal error" not in message
    assert sorted(json.loads(line)["id"] for line in run_lakegate(
        "tables", "scan", "t", "--lake", lake, "--columns", "id", check=True).stdout.decode().splitlines()) == list(range(20))
