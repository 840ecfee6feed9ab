"""Appends killed with SIGKILL at random points, then retried with the same idempotency key:
every input's rows end up in the table exactly once."""
import json
import random
import signal
import subprocess
import time

import pytest

from conftest import lakegate_bin, run_lakegate


def write_batch(path, start, count):
    with open(path, "w") as out:
        for i in range(start, start + count):
            out.write(json.dumps({"id": i, "name": f"n{i}", "at": f"2026-03-{1 + i % 5:02d}T10:00:00Z"}) + "\n")


def killed_then_retried(lake_args, tmp_path, jobs=12, rows=2000, seed=11):
    rng = random.Random(seed)
    kills = 0
    for job in range(jobs):
        source = tmp_path / f"job{job}.ndjson"
        write_batch(source, job * rows, rows)
        command = [lakegate_bin(), "tables", "append", "t", str(source), *lake_args,
                   "--partition", "day(at)", "--idempotency-key", f"job-{job}"]
        # First attempt: killed after a random delay (before, during or after its commit).
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0, 0.25))
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            kills += 1
        process.wait()
        # Retries until one reports success or "already committed".
        for _ in range(5):
            result = subprocess.run(command, capture_output=True, timeout=120)
            if result.returncode == 0:
                break
        else:
            raise AssertionError(result.stderr.decode())
    return kills


def scanned_ids(lake_args):
    result = run_lakegate("tables", "scan", "t", *lake_args, "--columns", "id", check=True)
    return sorted(json.loads(line)["id"] for line in result.stdout.decode().splitlines())


LAKES = {
    "hive": lambda tmp: ["--lake", f"hive:{tmp / 'lake'}"],
    "iceberg-sqlite": lambda tmp: ["--lake", f"iceberg:sqlite:{tmp / 'catalog.sqlite'}"],
    "ducklake-sqlite": lambda tmp: ["--lake", f"ducklake:sqlite:{tmp / 'catalog.sqlite'}"],
}


@pytest.mark.parametrize("kind", sorted(LAKES))
def test_appends_survive_kills(kind, tmp_path):
    lake_args = LAKES[kind](tmp_path)
    kills = killed_then_retried(lake_args, tmp_path)
    assert kills > 0
    assert scanned_ids(lake_args) == list(range(12 * 2000))
