"""The file pipeline through the command line against a real clamd (started by
scripts/testenv/clamd.sh with a signature database it generates): clean files land in their
table exactly once, infected and unscannable ones end in quarantine, nothing leaves quarantine
without an audited release, a scanner that is down leaves files untrusted, and workers killed
with SIGKILL at random points lose and duplicate nothing."""
import io
import json
import os
import random
import signal
import subprocess
import time
import zipfile

import pytest

from conftest import lakegate_bin, run_lakegate, start_server, stop_server

EICAR = bytes.fromhex(
    "58354f2150254041505b345c505a58353428505e2937434329377d2445494341522d5354414e444152442d414e54495649"
    "5255532d544553542d46494c452124482b482a")
MARKER = b"LAKEGATE-TEST-MALWARE-MARKER"


def start_clamd():
    return start_server("clamd")


def stop_clamd(server):
    stop_server("clamd", server["CLAMD_TEST_DIR"])


@pytest.fixture(scope="module")
def clamd():
    server = start_clamd()
    yield server
    stop_clamd(server)


def write_config(folder, clamd_address, extra=""):
    config = folder / "lakegate.yaml"
    config.write_text(f"""
data_dir: ./data
scanner:
  clamd: "{clamd_address}"
  timeout: 10s
queue:
  visibility_timeout: 2s
  max_attempts: 3
  backoff: {{initial: 100ms, max: 500ms}}
discovery:
  interval: 100ms
  reconcile_interval: 1s
clients:
  acme:
    tables:
      - match: "incoming/**"
        table: acme.events
        transforms:
          - derive: {{metric: "value * 5"}}
  globex: {{}}
{extra}""")
    return config


def rows(folder, table):
    result = run_lakegate("tables", "scan", table, "--lake", f"ducklake:sqlite:{folder / 'data' / 'catalog.sqlite'}",
                          "--data-path", folder / "data" / "files")
    if result.returncode != 0:
        return []
    return [json.loads(line) for line in result.stdout.decode().splitlines() if line]


def events(start, count):
    return "".join(json.dumps({"id": i, "value": i}) + "\n" for i in range(start, start + count))


def start_run(config, workers=2, stderr=subprocess.PIPE):
    """`lakegate run` in the background, as a service manager starts it."""
    return subprocess.Popen([lakegate_bin(), "run", "--config", str(config), "--workers", str(workers)],
                            stdout=subprocess.DEVNULL, stderr=stderr)


def stop_run(process):
    """Stops `lakegate run` with SIGTERM, as a service manager does; returns its exit status and
    its standard error (the caller asserts, so a failure already raised is not masked)."""
    process.send_signal(signal.SIGTERM)
    code = process.wait(timeout=60)
    return code, process.stderr.read().decode() if process.stderr else ""


class Landing:
    """A client's landing folder where files appear whole (written under a temporary name that
    discovery skips, then renamed, as uploads do), and the ids of every row dropped so far."""

    def __init__(self, folder, client="acme"):
        self.path = folder / "data" / "landing" / client / "incoming"
        self.path.mkdir(parents=True, exist_ok=True)
        self.expected = []

    def drop(self, name, start, count):
        (self.path / (name + ".tmp")).write_text(events(start, count))
        (self.path / (name + ".tmp")).rename(self.path / name)
        self.expected.extend(range(start, start + count))


def test_clean_file_lands_with_its_transform_and_infected_ones_are_quarantined(tmp_path, clamd):
    config = write_config(tmp_path, f"tcp://127.0.0.1:{clamd['CLAMD_TEST_PORT']}")
    (tmp_path / "ev.ndjson").write_text(events(0, 3))
    (tmp_path / "eicar.com").write_bytes(EICAR)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("inner/eicar.txt", EICAR)
    (tmp_path / "eicar.zip").write_bytes(archive.getvalue())
    result = run_lakegate("ingest", tmp_path / "ev.ndjson", tmp_path / "eicar.com", tmp_path / "eicar.zip",
                          "--client", "acme", "--config", config)
    out = result.stdout.decode()
    assert result.returncode == 2, result.stderr.decode()
    assert "ev.ndjson: 3 rows into acme.events" in out
    assert "eicar.com: quarantined: infected: Eicar-Test-Signature" in out
    assert "eicar.zip: quarantined: infected: Eicar-Test-Signature" in out
    got = sorted(rows(tmp_path, "acme.events"), key=lambda r: r["id"])
    assert [(r["id"], r["metric"]) for r in got] == [(0, 0), (1, 5), (2, 10)]
    # Nothing of the infected files is trusted; the landing zone is empty; reasons are on record.
    trusted = [p for p in (tmp_path / "data" / "trusted").rglob("*") if p.is_file()]
    assert [p.name.split("-", 1)[1] for p in trusted] == ["ev.ndjson"]
    assert not [p for p in (tmp_path / "data" / "landing").rglob("*") if p.is_file()]
    reasons = sorted((tmp_path / "data" / "quarantine").rglob("*.reason.json"))
    assert len(reasons) == 2
    assert json.loads(reasons[0].read_text())["verdict"] == "infected"
    listing = run_lakegate("quarantine", "list", "--config", config, check=True).stdout.decode()
    assert listing.count("Eicar-Test-Signature") == 2
    status = run_lakegate("status", "--config", config, check=True).stdout.decode()
    assert "1 completed, 2 quarantined" in status


def test_files_over_the_scan_limits_are_quarantined_as_unscannable(tmp_path, clamd):
    config = write_config(tmp_path, f"unix:{clamd['CLAMD_TEST_SOCKET']}")
    stream_max = int(clamd["CLAMD_TEST_STREAM_MAX"])
    (tmp_path / "huge.ndjson").write_text(events(0, stream_max // 20 + 10))
    assert (tmp_path / "huge.ndjson").stat().st_size > stream_max
    result = run_lakegate("ingest", tmp_path / "huge.ndjson", "--client", "globex", "--config", config)
    assert result.returncode == 2
    assert "huge.ndjson: quarantined: unscannable" in result.stdout.decode()
    assert rows(tmp_path, "globex.files") == []


def test_release_from_quarantine_is_audited_and_then_loads(tmp_path, clamd):
    config = write_config(tmp_path, f"tcp://127.0.0.1:{clamd['CLAMD_TEST_PORT']}")
    # A CSV that trips the test signature: a "false positive" to release.
    (tmp_path / "flagged.csv").write_bytes(b"id,note\n1," + MARKER + b"\n2,fine\n")
    result = run_lakegate("ingest", tmp_path / "flagged.csv", "--client", "globex", "--config", config)
    assert "quarantined: infected: Lakegate.Test.Marker" in result.stdout.decode()
    job = result.stdout.decode().split("(job ")[1].split(")")[0]
    assert rows(tmp_path, "globex.files") == []
    refused = run_lakegate("quarantine", "release", job, "--config", config)
    assert refused.returncode != 0 and b"--reason" in refused.stderr
    run_lakegate("quarantine", "release", job, "--reason", "false positive, ticket SEC-42", "--by", "alice",
                 "--config", config, check=True)
    run_lakegate("run", "--once", "--config", config, check=True)
    assert sorted(r["id"] for r in rows(tmp_path, "globex.files")) == [1, 2]
    shown = run_lakegate("jobs", "show", job, "--config", config, check=True).stdout.decode()
    assert "released:     by alice" in shown and "false positive, ticket SEC-42" in shown
    assert "state:        completed" in shown


def test_a_scanner_that_is_down_leaves_files_untrusted_until_it_is_back(tmp_path):
    server = start_clamd()
    try:
        config = write_config(tmp_path, f"tcp://127.0.0.1:{server['CLAMD_TEST_PORT']}")
        stop_clamd(server)
        (tmp_path / "ev.ndjson").write_text(events(0, 2))
        result = run_lakegate("ingest", tmp_path / "ev.ndjson", "--client", "acme", "--config", config)
        assert result.returncode == 2
        assert "waiting for the scanner" in result.stdout.decode()
        assert not [p for p in (tmp_path / "data" / "trusted").rglob("*") if p.is_file()]
        status = run_lakegate("status", "--config", config, check=True).stdout.decode()
        assert "1 pending" in status and "scanner:" in status.split("last errors:")[1]
        server = start_clamd()
        config = write_config(tmp_path, f"tcp://127.0.0.1:{server['CLAMD_TEST_PORT']}")
        # The job waits out its backoff (2 s at first), then loads.
        deadline = time.time() + 30
        while time.time() < deadline and not rows(tmp_path, "acme.events"):
            run_lakegate("run", "--once", "--config", config, check=True)
            time.sleep(0.5)
        assert sorted(r["id"] for r in rows(tmp_path, "acme.events")) == [0, 1]
    finally:
        stop_clamd(server)


def test_clamd_stopped_mid_run_leaves_new_files_untrusted_until_it_is_back(tmp_path):
    """clamd goes away while `lakegate run` works: files that arrive meanwhile stay in the
    landing zone, untrusted and unloaded; once clamd is back, everything lands exactly once."""
    from conftest import run_testenv
    server = start_clamd()
    try:
        config = tmp_path / "lakegate.yaml"
        config.write_text(f"""data_dir: ./data
scanner: {{clamd: "tcp://127.0.0.1:{server['CLAMD_TEST_PORT']}", timeout: 5s, retry: {{initial: 200ms, max: 1s}}}}
queue: {{visibility_timeout: 2s, backoff: {{initial: 100ms, max: 500ms}}}}
discovery: {{interval: 100ms, reconcile_interval: 1s}}
clients:
  acme: {{}}
""")
        landing = Landing(tmp_path)

        def drop(first):
            for i in range(first, first + 10):
                landing.drop(f"f{i}.ndjson", i * 10, 2)

        drop(0)
        process = start_run(config)
        try:
            deadline = time.time() + 60
            while time.time() < deadline and len(rows(tmp_path, "acme.files")) < 20:
                time.sleep(0.5)
            run_testenv("clamd", "down", server["CLAMD_TEST_DIR"])
            drop(100)
            time.sleep(3)
            # Nothing that came while the scanner was away is trusted or loaded.
            trusted = [p.name for p in (tmp_path / "data" / "trusted").rglob("*.ndjson")]
            assert not [name for name in trusted if "-f10" in name], trusted
            assert sorted(r["id"] for r in rows(tmp_path, "acme.files")) == sorted(landing.expected[:20])
            assert len(list(landing.path.glob("f10*.ndjson"))) == 10
            assert "pending" in run_lakegate("status", "--config", config, check=True).stdout.decode()
            run_testenv("clamd", "up", server["CLAMD_TEST_DIR"])
            deadline = time.time() + 90
            while time.time() < deadline and len(rows(tmp_path, "acme.files")) < len(landing.expected):
                time.sleep(0.5)
        finally:
            code, log = stop_run(process)
        assert code == 0, log[-3000:]
        assert sorted(r["id"] for r in rows(tmp_path, "acme.files")) == sorted(landing.expected)
    finally:
        stop_clamd(server)


def test_workers_killed_at_random_points_lose_and_duplicate_nothing(tmp_path, clamd):
    """A stream of files while `lakegate run` is killed with SIGKILL 50 times at random moments
    (scanning, loading, between the commit and the acknowledgement); then one clean drain. Every
    clean file's rows are in the table exactly once."""
    config = write_config(tmp_path, f"tcp://127.0.0.1:{clamd['CLAMD_TEST_PORT']}")
    landing = Landing(tmp_path)
    rng = random.Random(5)
    next_id = 0
    for kill in range(50):
        for _ in range(rng.randint(1, 3)):
            count = rng.randint(1, 20)
            landing.drop(f"f{next_id:06d}.ndjson", next_id, count)
            next_id += count
        process = start_run(config, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.05, 1.5))
        process.send_signal(signal.SIGKILL)
        process.wait()
    # Leases run out (2 s) and the reconciliation sweep repairs what the kills left.
    time.sleep(2.5)
    deadline = time.time() + 120
    while time.time() < deadline:
        run_lakegate("run", "--once", "--config", config, check=True, timeout=300)
        status = run_lakegate("status", "--config", config, check=True).stdout.decode()
        jobs_line = [line for line in status.splitlines() if line.startswith("jobs:")][0]
        if all(state not in jobs_line for state in ("pending", "scanning", "queued", "running")):
            break
        time.sleep(1)
    got = sorted(r["id"] for r in rows(tmp_path, "acme.events"))
    assert len(got) == len(landing.expected), jobs_line
    assert got == sorted(landing.expected)
    assert "completed" in jobs_line and "dead" not in jobs_line and "failed" not in jobs_line


def test_hostile_names_in_a_local_landing_zone_never_escape(tmp_path, clamd):
    """Names a filesystem allows but a key must not carry, a look-alike client folder, a symbolic
    link out of the zone and a path over 1,024 bytes: none is read, copied or loaded; the one
    ordinary file is."""
    config = write_config(tmp_path, f"tcp://127.0.0.1:{clamd['CLAMD_TEST_PORT']}")
    landing = tmp_path / "data" / "landing"
    (landing / "acme" / "incoming").mkdir(parents=True)
    (landing / "acme" / "incoming" / "ok.ndjson").write_text(events(0, 2))
    (landing / "acme" / "incoming" / "ctrl\x01name.ndjson").write_text(events(10, 1))
    (landing / "acme" / "incoming" / "back\\slash.ndjson").write_text(events(20, 1))
    (landing / "\u0430cme" / "incoming").mkdir(parents=True)  # Cyrillic а: not acme
    (landing / "\u0430cme" / "incoming" / "x.ndjson").write_text(events(30, 1))
    secret = tmp_path / "secret.ndjson"
    secret.write_text(events(40, 1))
    os.symlink(secret, landing / "acme" / "incoming" / "link.ndjson")
    deep = landing / "acme" / "incoming"
    for i in range(8):
        deep = deep / ("d" * 150)
    deep.mkdir(parents=True)
    (deep / "deep.ndjson").write_text(events(50, 1))
    result = run_lakegate("run", "--once", "--config", config)
    assert result.returncode == 0, result.stderr.decode()[-2000:]
    assert sorted(r["id"] for r in rows(tmp_path, "acme.events")) == [0, 1]
    trusted = sorted(str(p.relative_to(tmp_path / "data" / "trusted")) for p in (tmp_path / "data" / "trusted").rglob("*") if p.is_file())
    assert len(trusted) == 1 and trusted[0].startswith("acme/incoming/") and trusted[0].endswith("-ok.ndjson")
    assert secret.read_text() == events(40, 1)  # untouched, never copied
    assert (landing / "\u0430cme" / "incoming" / "x.ndjson").exists()
    status = run_lakegate("status", "--config", config, check=True).stdout.decode()
    assert "jobs:        1 completed" in status


def test_s3_event_notifications_start_jobs_without_waiting_for_a_listing(tmp_path, clamd):
    """`lakegate run` with notifications.listen: discovery lists only once an hour here, so a
    file dropped after start lands only because its notification (the S3 `Records` JSON) said so.
    A key under no client, a wrong method and a body that is not a notification are refused."""
    import socket
    import urllib.request
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = write_config(tmp_path, f"tcp://127.0.0.1:{clamd['CLAMD_TEST_PORT']}",
                          extra=f"notifications: {{listen: \"127.0.0.1:{port}\"}}\n")
    config.write_text(config.read_text().replace("interval: 100ms", "interval: 1h"))
    process = start_run(config, workers=1)
    try:
        def post(body, method="POST"):
            request = urllib.request.Request(f"http://127.0.0.1:{port}/", data=body, method=method,
                                             headers={"Content-Type": "application/json"})
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    return response.status, json.loads(response.read())
            except urllib.error.HTTPError as error:
                return error.code, json.loads(error.read())

        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        time.sleep(1.5)  # the first discovery pass (at start) is over
        landing = tmp_path / "data" / "landing" / "acme" / "incoming"
        landing.mkdir(parents=True, exist_ok=True)
        (landing / "new file.ndjson").write_text(events(0, 3))
        record = lambda key: {"eventName": "ObjectCreated:Put", "s3": {"bucket": {"name": "landing"}, "object": {"key": key, "size": 1}}}
        status, answer = post(json.dumps({"Records": [record("acme/incoming/new+file.ndjson"),
                                                      record("nobody/incoming/x.ndjson")]}).encode())
        assert status == 200 and answer["recorded"] == 1 and len(answer["ignored"]) == 1, answer
        assert post(b"not json")[0] == 400
        assert post(b"{}", method="PUT")[0] == 405
        deadline = time.time() + 60
        while time.time() < deadline and not rows(tmp_path, "acme.events"):
            time.sleep(0.5)
        assert sorted(r["id"] for r in rows(tmp_path, "acme.events")) == [0, 1, 2]
    finally:
        code, log = stop_run(process)
    assert code == 0, log[-3000:]
