"""`lakegate tables` on DuckLake and Iceberg lakes (SQLite and PostgreSQL catalogs), proven by
outside readers: DuckDB 1.5.5 with its ducklake and iceberg extensions, and pyiceberg 0.12."""
import concurrent.futures
import json
import subprocess
import uuid

import pytest

from conftest import duckdb_with_extensions, lakegate_bin, run_lakegate


def write_events(path, start, count):
    with open(path, "w") as out:
        for i in range(start, start + count):
            out.write(json.dumps({
                "id": i,
                "kind": ["view", "click", "buy"][i % 3],
                "at": f"2026-01-{1 + i % 3:02d}T{i % 24:02d}:{i % 60:02d}:00.{i % 1000:03d}Z",
                "day": f"2026-02-{1 + i % 28:02d}",
                "amount": round(i * 0.25, 2),
                "tags": [f"t{i % 4}"] * (i % 3),
                "user": {"name": f"u{i % 7}", "vip": i % 5 == 0},
            }) + "\n")


def expected_rows(start, count):
    rows = []
    for i in range(start, start + count):
        rows.append((i, ["view", "click", "buy"][i % 3], round(i * 0.25, 2), f"u{i % 7}", i % 5 == 0, len([f"t{i % 4}"] * (i % 3))))
    return rows


def lake_for(kind, tmp_path, postgres_url=None):
    """The --lake and --data-path arguments for a lake kind."""
    fmt, catalog = kind.split("-")
    data = tmp_path / "data"
    if catalog == "sqlite":
        return [f"{fmt}:sqlite:{tmp_path / 'catalog.sqlite'}", "--data-path", str(data)]
    database = "db_" + uuid.uuid4().hex[:12]
    admin = duckdb_free_create_database(postgres_url, database)
    return [f"{fmt}:postgres:{admin}", "--data-path", str(data)]


def duckdb_free_create_database(url, database):
    """Creates a database on the test server with psql and returns its URL."""
    host_part, _, rest = url.rpartition("/")
    query = rest.split("?", 1)[1] if "?" in rest else ""
    subprocess.run(["psql", url, "-q", "-c", f"CREATE DATABASE {database}"], check=True, capture_output=True)
    return f"{host_part}/{database}" + (f"?{query}" if query else "")


def ducklake_rows(lake_args, table="events"):
    connection = duckdb_with_extensions()
    connection.sql("LOAD ducklake; LOAD sqlite; LOAD postgres")
    lake, _, data = lake_args
    _, catalog, target = lake.split(":", 2)
    if catalog == "sqlite":
        connection.sql(f"ATTACH 'ducklake:sqlite:{target}' AS lake (DATA_PATH '{data}/')")
    else:
        libpq = postgres_to_libpq(target)
        connection.sql(f"ATTACH 'ducklake:postgres:{libpq}' AS lake (DATA_PATH '{data}/')")
    return connection


def postgres_to_libpq(url):
    from urllib.parse import urlparse
    parsed = urlparse(url)
    return f"host={parsed.hostname} port={parsed.port} dbname={parsed.path.lstrip('/')} user={parsed.username or 'postgres'}"


LAKES = ["ducklake-sqlite", "ducklake-postgres", "iceberg-sqlite", "iceberg-postgres"]


@pytest.fixture
def lake(request, tmp_path):
    kind = request.param
    url = request.getfixturevalue("postgres_url") if kind.endswith("postgres") else None
    return kind, lake_for(kind, tmp_path, url)


def read_back(kind, lake_args, where=None):
    """(id, kind, amount, user name, vip, tag count) rows as the outside reader sees them."""
    condition = f" WHERE {where}" if where else ""
    if kind.startswith("ducklake"):
        connection = ducklake_rows(lake_args)
        return sorted(connection.sql(
            f"SELECT id, kind, amount, user_name, user_vip, len(tags) FROM lake.main.events{condition}").fetchall())
    from pyiceberg.catalog.sql import SqlCatalog
    lake, _, data = lake_args
    _, catalog, target = lake.split(":", 2)
    uri = f"sqlite:///{target}" if catalog == "sqlite" else target.replace("postgresql://", "postgresql+psycopg://")
    table = SqlCatalog("lakegate", uri=uri, warehouse=f"file://{data}").load_table("main.events")
    rows = table.scan(row_filter=where or "True").to_arrow().to_pylist()
    return sorted((r["id"], r["kind"], r["amount"], r["user_name"], r["user_vip"], len(r["tags"] or [])) for r in rows)


@pytest.mark.parametrize("lake", LAKES, indirect=True)
def test_append_is_read_exactly_by_outside_readers(lake, tmp_path):
    kind, lake_args = lake
    source = tmp_path / "events.ndjson"
    write_events(source, 0, 500)
    run_lakegate("tables", "append", "events", source, "--lake", *lake_args, "--partition", "day(at)", check=True)
    assert read_back(kind, lake_args) == expected_rows(0, 500)
    # A filter on the partition column and one on a statistics column return what filtering
    # everything would: a wrong statistic would silently drop rows here.
    everything = expected_rows(0, 500)
    assert read_back(kind, lake_args, "amount >= 60.25") == [r for r in everything if r[2] >= 60.25]
    ours = run_lakegate("tables", "scan", "events", "--lake", *lake_args, "--where", "kind = click", check=True)
    ids = sorted(json.loads(line)["id"] for line in ours.stdout.decode().splitlines())
    assert ids == [r[0] for r in everything if r[1] == "click"]


@pytest.mark.parametrize("lake", ["ducklake-sqlite", "iceberg-sqlite"], indirect=True)
def test_idempotency_compaction_and_expiry_keep_the_rows(lake, tmp_path):
    kind, lake_args = lake
    for n in range(4):
        source = tmp_path / f"part{n}.ndjson"
        write_events(source, n * 100, 100)
        run_lakegate("tables", "append", "events", source, "--lake", *lake_args, "--idempotency-key", f"job-{n}", check=True)
    again = run_lakegate("tables", "append", "events", tmp_path / "part0.ndjson", "--lake", *lake_args,
                         "--idempotency-key", "job-0", check=True)
    assert "already committed" in again.stdout.decode()
    assert read_back(kind, lake_args) == expected_rows(0, 400)
    run_lakegate("tables", "compact", "events", "--lake", *lake_args, check=True)
    run_lakegate("tables", "expire", "events", "--lake", *lake_args, "--older-than", "0s", check=True)
    assert read_back(kind, lake_args) == expected_rows(0, 400)
    files = run_lakegate("tables", "files", "events", "--lake", *lake_args, check=True).stdout.decode().splitlines()
    assert len(files) == 1


@pytest.mark.parametrize("lake", LAKES, indirect=True)
def test_four_processes_append_concurrently(lake, tmp_path):
    kind, lake_args = lake
    seed = tmp_path / "seed.ndjson"
    write_events(seed, 100000, 1)
    run_lakegate("tables", "append", "events", seed, "--lake", *lake_args, check=True)
    for writer in range(4):
        for n in range(25):
            write_events(tmp_path / f"w{writer}-{n}.ndjson", (writer * 25 + n) * 10, 10)

    def run_writer(writer):
        for n in range(25):
            subprocess.run([lakegate_bin(), "tables", "append", "events", str(tmp_path / f"w{writer}-{n}.ndjson"),
                            "--lake", *lake_args, "--idempotency-key", f"{writer}-{n}"],
                           check=True, capture_output=True, timeout=300)

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        list(pool.map(run_writer, range(4)))
    rows = read_back(kind, lake_args)
    assert len(rows) == 1001 and len({r[0] for r in rows}) == 1001
    files = run_lakegate("tables", "files", "events", "--lake", *lake_args, check=True).stdout.decode().splitlines()
    assert len(files) == 101


def test_ducklake_expire_sweeps_old_orphans_only(tmp_path):
    import os
    import shutil
    import time
    lake_args = [f"ducklake:sqlite:{tmp_path / 'catalog.sqlite'}", "--data-path", str(tmp_path / "data")]
    source = tmp_path / "events.ndjson"
    write_events(source, 0, 50)
    run_lakegate("tables", "append", "events", source, "--lake", *lake_args, check=True)
    [committed] = list((tmp_path / "data").rglob("*.parquet"))
    # Files an append wrote before dying: one two hours old, one just written (maybe a live append).
    old = committed.parent / "ducklake-orphan-old.parquet"
    fresh = committed.parent / "ducklake-orphan-fresh.parquet"
    shutil.copy(committed, old)
    shutil.copy(committed, fresh)
    two_hours_ago = time.time() - 7200
    os.utime(old, (two_hours_ago, two_hours_ago))
    run_lakegate("tables", "expire", "events", "--lake", *lake_args, "--older-than", "0s", check=True)
    assert not old.exists() and fresh.exists() and committed.exists()
    assert read_back("ducklake-sqlite", lake_args) == expected_rows(0, 50)
