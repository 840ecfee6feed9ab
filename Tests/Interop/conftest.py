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


def run_lakegate(*args, timeout=120, check=False, env=None):
    """Runs the binary with a time and memory bound (and `env` added to the environment);
    returns the CompletedProcess."""
    result = subprocess.run(
        [lakegate_bin(), *map(str, args)],
        capture_output=True,
        timeout=timeout,
        preexec_fn=_limit_memory,
        env={**os.environ, **env} if env else None,
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


def duckdb_with_extensions():
    """A DuckDB connection that loads the 1.5.5 extensions setup.sh placed in .venv (offline)."""
    import duckdb
    folder = ROOT / ".venv" / "duckdb-extensions"
    if not (folder / "v1.5.5" / "linux_amd64" / "ducklake.duckdb_extension").exists():
        pytest.fail(f"DuckDB extensions not found under {folder}: run scripts/setup.sh")
    return duckdb.connect(config={
        "allow_unsigned_extensions": True, "extension_directory": str(folder), "autoinstall_known_extensions": False})


def run_testenv(name, command, *args, timeout=180):
    """Runs scripts/testenv/<name>.sh (start, stop, restart) and returns its NAME=value lines as
    a dict; a failed start fails the test with the script's message."""
    result = subprocess.run(["bash", str(ROOT / "scripts" / "testenv" / f"{name}.sh"), command, *map(str, args)],
                            capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        pytest.fail(f"scripts/testenv/{name}.sh {command} failed: {result.stderr[-2000:]}")
    return {k: v.strip("'\"") for k, v in (line.split("=", 1) for line in result.stdout.splitlines() if "=" in line)}


def start_server(name, *args):
    return run_testenv(name, "start", "--owner-pid", os.getpid(), *args)


def stop_server(name, directory):
    subprocess.run(["bash", str(ROOT / "scripts" / "testenv" / f"{name}.sh"), "stop", directory], capture_output=True, timeout=60)


@pytest.fixture(scope="session")
def postgres_url():
    """A throwaway PostgreSQL 15 server for the session (scripts/testenv/postgres.sh)."""
    values = start_server("postgres")
    yield values["PG_TEST_URL"]
    stop_server("postgres", values["PG_TEST_DIR"])
