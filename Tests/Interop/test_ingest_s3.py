"""A landing zone in an S3 bucket (moto_server from scripts/testenv/moto.sh, with signature
checks on, and our own S3 client): clients' objects are scanned by a real clamd, loaded once and
removed from the bucket; keys that cannot be stored safely never leave the landing zone."""

import io
import json
import sqlite3

import boto3
import pyarrow.parquet as pq
import pytest

from conftest import run_lakegate, start_server, stop_server
from test_ingest import EICAR, clamd, events, rows  # noqa: F401


@pytest.fixture(scope="module")
def moto():
    server = start_server("moto", "--auth")
    yield server
    stop_server("moto", server["MOTO_TEST_DIR"])


def boto(moto):
    return boto3.client("s3", endpoint_url=moto["MOTO_TEST_URL"], region_name="us-east-1",
                        aws_access_key_id=moto["MOTO_TEST_ACCESS_KEY_ID"],
                        aws_secret_access_key=moto["MOTO_TEST_SECRET_ACCESS_KEY"])


def write_config(folder, clamd, moto, placement, clients):
    """A configuration reaching moto with the test credentials; `placement` says which zones
    or data path are in buckets."""
    config = folder / "lakegate.yaml"
    config.write_text(f"""data_dir: ./data
{placement}
s3:
  endpoint: {moto['MOTO_TEST_URL']}
  region: us-east-1
  access_key_id: {moto['MOTO_TEST_ACCESS_KEY_ID']}
  secret_access_key: {moto['MOTO_TEST_SECRET_ACCESS_KEY']}
scanner: {{clamd: "tcp://127.0.0.1:{clamd['CLAMD_TEST_PORT']}"}}
clients:
""" + "".join(f"  {name}: {{}}\n" for name in clients))
    return config


def test_an_s3_landing_zone(tmp_path, clamd, moto):
    s3 = boto(moto)
    s3.create_bucket(Bucket="landing")
    s3.put_object(Bucket="landing", Key="acme/incoming/a b+c.ndjson", Body=events(0, 3).encode())
    s3.put_object(Bucket="landing", Key="acme/incoming/invoice.pdf", Body=EICAR)
    s3.put_object(Bucket="landing", Key="acme/incoming/../../globex/x.ndjson", Body=events(50, 1).encode())
    s3.put_object(Bucket="landing", Key="globex/incoming/g.ndjson", Body=events(100, 2).encode())
    hostile = [
        "acme/incoming/../../globex/x.ndjson",     # climbs into another client's folder
        "acme/incoming/nul\x00.ndjson",            # a NUL, which no file name may hold
        "acme/incoming/..\\..\\globex\\w.ndjson",  # Windows separators
        "/acme/incoming/abs.ndjson",               # absolute
        "\u0430cme/incoming/lookalike.ndjson",     # a Cyrillic a: no client's prefix
        "acme/incoming/" + "x" * 1000 + ".ndjson",  # 1,021 bytes: over 1,024 once it is a trusted copy's key
    ]
    for key in hostile[1:]:
        s3.put_object(Bucket="landing", Key=key, Body=events(900, 1).encode())
    config = write_config(tmp_path, clamd, moto, "zones: {landing: \"s3://landing/\"}", ["acme", "globex"])
    result = run_lakegate("run", "--once", "--config", config)
    assert result.returncode == 0, result.stderr.decode()[-2000:]
    assert moto["MOTO_TEST_SECRET_ACCESS_KEY"] not in result.stderr.decode() + result.stdout.decode()
    assert sorted(r["id"] for r in rows(tmp_path, "acme.files")) == [0, 1, 2]
    assert sorted(r["id"] for r in rows(tmp_path, "globex.files")) == [100, 101]
    left = sorted(o["Key"] for o in s3.list_objects_v2(Bucket="landing").get("Contents", []))
    # Scanned objects are gone; the hostile ones were never taken, and no row came from them.
    assert left == sorted(hostile)
    assert all(r["id"] != 900 for r in rows(tmp_path, "acme.files") + rows(tmp_path, "globex.files"))
    status = run_lakegate("status", "--config", config, check=True).stdout.decode()
    assert "jobs:        2 completed, 1 quarantined, 1 failed" in status
    # The long key fits the bucket but not a trusted copy's place: the job fails, saying why.
    failed = run_lakegate("jobs", "list", "--state", "failed", "--config", config, check=True).stdout.decode()
    assert "x" * 1000 in failed and "key cannot be stored" in failed, failed
    # Running again changes nothing.
    run_lakegate("run", "--once", "--config", config, check=True)
    assert len(rows(tmp_path, "acme.files")) == 3


def test_lake_data_files_in_a_bucket(tmp_path, clamd, moto):
    """`data_path: s3://…`: the catalog stays in SQLite, the Parquet files go to the bucket, and
    pyarrow reads back every row from the objects the catalog names."""
    s3 = boto(moto)
    s3.create_bucket(Bucket="lake")
    landing = tmp_path / "data" / "landing" / "acme" / "incoming"
    landing.mkdir(parents=True)
    (landing / "a.ndjson").write_text(events(0, 4))
    (landing / "b.ndjson").write_text(events(10, 2))
    config = write_config(tmp_path, clamd, moto, "data_path: s3://lake/warehouse", ["acme"])
    result = run_lakegate("run", "--once", "--config", config)
    assert result.returncode == 0, result.stderr.decode()[-2000:]
    assert not (tmp_path / "data" / "files").exists()

    catalog = sqlite3.connect(tmp_path / "data" / "catalog.sqlite")
    data_path = catalog.execute("SELECT value FROM ducklake_metadata WHERE key = 'data_path'").fetchone()[0]
    assert data_path == "s3://lake/warehouse/"
    names = [row[0] for row in catalog.execute("SELECT path FROM ducklake_data_file ORDER BY data_file_id")]
    catalog.close()
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket="lake").get("Contents", [])}
    ids = []
    for name in names:
        # Relative to the table's folder (warehouse/acme/files/), as DuckLake resolves paths.
        key = "warehouse/acme/files/" + name
        assert key in keys, (key, keys)
        table = pq.read_table(io.BytesIO(s3.get_object(Bucket="lake", Key=key)["Body"].read()))
        ids += table.column("id").to_pylist()
    assert sorted(ids) == [0, 1, 2, 3, 10, 11]

    # The tables commands reach the bucket with the usual AWS variables.
    env = {"AWS_ACCESS_KEY_ID": moto["MOTO_TEST_ACCESS_KEY_ID"], "AWS_SECRET_ACCESS_KEY": moto["MOTO_TEST_SECRET_ACCESS_KEY"],
           "AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL": moto["MOTO_TEST_URL"]}
    scan = run_lakegate("tables", "scan", "acme.files", "--lake", f"ducklake:sqlite:{tmp_path / 'data' / 'catalog.sqlite'}",
                        "--data-path", "s3://lake/warehouse", env=env)
    assert scan.returncode == 0, scan.stderr.decode()
    assert sorted(json.loads(line)["id"] for line in scan.stdout.decode().splitlines()) == [0, 1, 2, 3, 10, 11]
