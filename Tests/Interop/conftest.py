import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


def conformance_dir():
    path = pathlib.Path(os.environ.get("LAKEGATE_CONFORMANCE", ROOT.parent / "shared" / "conformance"))
    if not path.is_dir():
        pytest.fail(f"conformance corpus not found at {path} (set LAKEGATE_CONFORMANCE)")
    return path


def lakegate_bin():
    path = pathlib.Path(os.environ.get("LAKEGATE_BIN", ROOT / ".build" / "debug" / "lakegate"))
    if not path.exists():
        pytest.fail(f"lakegate binary not found at {path}: build it first (swift build)")
    return str(path)


def _limit_memory():
    import resource
    # An allocation sized by untrusted input must fail as an error, not eat the machine.
    limit = 8 << 30
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def run_lakegate(*args, timeout=120, check=False):
    """Runs the binary with a time and memory bound; returns the CompletedProcess."""
    result = subprocess.run(
        [lakegate_bin(), *map(str, args)],
        capture_output=True,
        timeout=timeout,
        preexec_fn=_limit_memory,
    )
    if check and result.returncode != 0:
        raise AssertionError(
            f"lakegate {' '.join(map(str, args))} exited {result.returncode}: {result.stderr.decode(errors='replace')[:2000]}")
    return result


@pytest.fixture
def duckdb_connection():
    import duckdb
    connection = duckdb.connect()
    yield connection
    connection.close()
