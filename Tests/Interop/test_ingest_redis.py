"""The file pipeline with Redis Streams as its queue (a real redis-server 7 from
scripts/testenv/redis.sh, a real clamd): jobs flow through the `ingestion_requests` stream, an
outside producer's XADD is scanned before it is loaded, and a Redis restart mid-run loses nothing."""
import subprocess
import time

import pytest

from conftest import run_lakegate, run_testenv, start_server, stop_server
from test_ingest import Landing, clamd, events, rows, start_run, stop_run  # noqa: F401  (the module-scoped clamd fixture)


@pytest.fixture(scope="module")
def redis():
    server = start_server("redis")
    yield server
    stop_server("redis", server["REDIS_TEST_DIR"])


def redis_cli(server, *args):
    return subprocess.run(["redis-cli", "-p", server["REDIS_TEST_PORT"], *args], capture_output=True, text=True,
                          check=True, timeout=30).stdout


def config(folder, clamd, redis, stream):
    path = folder / "lakegate.yaml"
    path.write_text(f"""data_dir: ./data
scanner: {{clamd: "tcp://127.0.0.1:{clamd['CLAMD_TEST_PORT']}"}}
queue:
  kind: redis
  redis_url: "{redis['REDIS_TEST_URL']}"
  stream: {stream}
  dead_letter_stream: "{stream}:dead"
  visibility_timeout: 2s
  backoff: {{initial: 100ms, max: 500ms}}
discovery: {{interval: 100ms, reconcile_interval: 1s}}
clients:
  acme: {{}}
""")
    return path


def test_jobs_flow_through_a_redis_stream_and_outside_producers_are_scanned_first(tmp_path, clamd, redis):
    cfg = config(tmp_path, clamd, redis, "ingest_a")
    (tmp_path / "a.ndjson").write_text(events(0, 4))
    result = run_lakegate("ingest", tmp_path / "a.ndjson", "--client", "acme", "--config", cfg)
    assert result.returncode == 0, result.stdout.decode() + result.stderr.decode()
    assert "4 rows into acme.files" in result.stdout.decode()
    assert "redis stream ingest_a" in run_lakegate("status", "--config", cfg, check=True).stdout.decode()
    # A third party drops a file and publishes it itself, as the original pipeline's producers do.
    landing = tmp_path / "data" / "landing" / "acme" / "incoming"
    (landing / "b.ndjson").write_text(events(100, 3))
    redis_cli(redis, "XADD", "ingest_a", "*", "job_id", "outside-1", "client_id", "acme", "bucket", "landing",
              "key", "acme/incoming/b.ndjson")
    # And a hostile one: another client's key under acme's name.
    redis_cli(redis, "XADD", "ingest_a", "*", "job_id", "outside-2", "client_id", "acme", "bucket", "landing",
              "key", "globex/incoming/b.ndjson")
    run_lakegate("run", "--once", "--config", cfg, check=True)
    assert sorted(r["id"] for r in rows(tmp_path, "acme.files")) == [0, 1, 2, 3, 100, 101, 102]
    dead = redis_cli(redis, "XRANGE", "ingest_a:dead", "-", "+")
    assert "outside-2" in dead and "outside-1" not in dead


def test_a_redis_restart_mid_run_loses_nothing(tmp_path, clamd, redis):
    cfg = config(tmp_path, clamd, redis, "ingest_b")
    landing = Landing(tmp_path)
    for i in range(20):
        landing.drop(f"f{i}.ndjson", i * 10, 5)
    process = start_run(cfg)
    time.sleep(1.0)
    run_testenv("redis", "restart", redis["REDIS_TEST_DIR"], timeout=120)
    deadline = time.time() + 90
    while time.time() < deadline and len(rows(tmp_path, "acme.files")) < len(landing.expected):
        time.sleep(1)
    code, log = stop_run(process)
    assert code == 0, log[-3000:]
    assert sorted(r["id"] for r in rows(tmp_path, "acme.files")) == sorted(landing.expected)
