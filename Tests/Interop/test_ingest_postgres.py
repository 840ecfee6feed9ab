"""The file pipeline at scale-out settings: the lake's catalog, the job store and the embedded
queue in a real PostgreSQL 15 (scripts/testenv/postgres.sh), a real clamd. The database goes
away for a few seconds while `lakegate run` works through files; the process rides it out, and
every file's rows end in the table exactly once."""
import json
import time

import pytest

from conftest import run_lakegate, run_testenv, start_server, stop_server
from test_ingest import Landing, clamd, start_run, stop_run  # noqa: F401  (the module-scoped clamd fixture)


@pytest.fixture()
def postgres():
    # A server of its own: taking it down must not disturb other tests' databases.
    server = start_server("postgres")
    yield server
    stop_server("postgres", server["PG_TEST_DIR"])


def rows(folder, url):
    result = run_lakegate("tables", "scan", "acme.files", "--lake", f"ducklake:postgres:{url}",
                          "--data-path", folder / "data" / "files")
    if result.returncode != 0:
        return None
    return [json.loads(line) for line in result.stdout.decode().splitlines() if line]


def job_states(config):
    status = run_lakegate("status", "--config", config)
    if status.returncode != 0:
        return None
    return [line for line in status.stdout.decode().splitlines() if line.startswith("jobs:")][0]


def test_the_catalog_database_briefly_unavailable_loses_and_duplicates_nothing(tmp_path, clamd, postgres):
    url = postgres["PG_TEST_URL"]
    config = tmp_path / "lakegate.yaml"
    config.write_text(f"""data_dir: ./data
lake: "ducklake:postgres:{url}"
data_path: ./data/files
scanner: {{clamd: "tcp://127.0.0.1:{clamd['CLAMD_TEST_PORT']}"}}
queue: {{visibility_timeout: 2s, backoff: {{initial: 100ms, max: 1s}}, max_attempts: 100}}
discovery: {{interval: 100ms, reconcile_interval: 1s}}
clients:
  acme: {{}}
""")
    landing = Landing(tmp_path)

    def drop(batch):
        for i in range(batch * 100, batch * 100 + 15):
            landing.drop(f"f{i}.ndjson", i * 10, 3)

    drop(0)
    process = start_run(config)
    try:
        time.sleep(1.5)
        run_testenv("postgres", "down", postgres["PG_TEST_DIR"], timeout=60)
        drop(1)  # files keep arriving while the database is away
        time.sleep(3)
        assert process.poll() is None, "lakegate run exited while the database was down"
        run_testenv("postgres", "up", postgres["PG_TEST_DIR"], timeout=120)
        deadline = time.time() + 120
        states = None
        while time.time() < deadline:
            states = job_states(config)
            got = rows(tmp_path, url)
            if got is not None and len(got) >= len(landing.expected) and states and "completed" in states \
                    and not any(s in states for s in ("pending", "scanning", "queued", "running")):
                break
            time.sleep(1)
    finally:
        code, log = stop_run(process)
    assert code == 0, log[-3000:]
    # The outage was felt and ridden out: errors while it lasted, then work again.
    assert "failed; retrying" in log and ": working again" in log, log[-3000:]
    got = sorted(r["id"] for r in rows(tmp_path, url))
    assert got == sorted(landing.expected), states
    assert "failed" not in states and "dead" not in states, states
