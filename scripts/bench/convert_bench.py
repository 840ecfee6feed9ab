#!/usr/bin/env python3
"""Conversion throughput and peak memory, Lakegate against its peers on the same inputs in the
same run, one thread each. Not a test: it prints figures and ratios.

  NDJSON: `lakegate generate events` (nested web events), converted to zstd Parquet by
          `lakegate convert` and by DuckDB (COPY (SELECT * FROM read_ndjson_auto(...)) TO ...).
  CSV:    TPC-H lineitem from tpchgen-cli, converted to zstd Parquet by `lakegate convert`
          and by pyarrow (pyarrow.csv.read_csv + pyarrow.parquet.write_table).

  scripts/bench/convert.sh [--events 1000000] [--csv-scale 1] [--repeat 2]
"""
import argparse
import os
import pathlib
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]
DATA = ROOT / "bench-data"
PYTHON = sys.executable


def run_measured(argv):
    start = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    stderr = process.stderr.read().decode(errors="replace")
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(map(str, argv))} failed: {stderr[-2000:]}")
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024


def best_of(repeat, argv):
    runs = [run_measured(argv) for _ in range(repeat)]
    return min(r[0] for r in runs), min(r[1] for r in runs), max(r[2] for r in runs)


DUCKDB = """
import sys, duckdb
c = duckdb.connect(); c.execute("SET threads=1")
c.execute(f"COPY (SELECT * FROM read_ndjson_auto('{sys.argv[1]}')) TO '{sys.argv[2]}' (FORMAT parquet, COMPRESSION zstd)")
"""

PYARROW_CSV = """
import sys, pyarrow as pa, pyarrow.csv as csv, pyarrow.parquet as pq
pa.set_cpu_count(1); pa.set_io_thread_count(1)
table = csv.read_csv(sys.argv[1], read_options=csv.ReadOptions(use_threads=False))
pq.write_table(table, sys.argv[2], compression="zstd")
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--csv-scale", type=float, default=1)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--only", choices=["events", "csv"], help="run one of the two conversions")
    parser.add_argument("--lakegate", default=str(ROOT / ".build" / "release" / "lakegate"))
    args = parser.parse_args()
    DATA.mkdir(exist_ok=True)

    events = DATA / f"events-{args.events}.ndjson"
    if not events.exists():
        subprocess.run([args.lakegate, "generate", "events", "--count", str(args.events), "--output", str(events)], check=True)
    lineitem = DATA / f"lineitem-sf{args.csv_scale:g}.csv"
    if not lineitem.exists():
        tmp = DATA / "gen-csv"
        tmp.mkdir(exist_ok=True)
        subprocess.run([str(pathlib.Path(PYTHON).parent / "tpchgen-cli"), "csv", "-s", str(args.csv_scale),
                        "--tables", "lineitem", "--output-dir", str(tmp)], check=True)
        (tmp / "lineitem.csv").rename(lineitem)
        tmp.rmdir()

    results = []
    for label, source, ours, theirs in [
        ("NDJSON events -> zstd Parquet", events,
         [args.lakegate, "convert", str(events), "--output", str(DATA / "events-lakegate.parquet"), "--force"],
         [PYTHON, "-c", DUCKDB, str(events), str(DATA / "events-duckdb.parquet")]),
        ("CSV lineitem -> zstd Parquet", lineitem,
         [args.lakegate, "convert", str(lineitem), "--output", str(DATA / "lineitem-lakegate.parquet"), "--force"],
         [PYTHON, "-c", PYARROW_CSV, str(lineitem), str(DATA / "lineitem-pyarrow.parquet")]),
    ]:
        if args.only and (args.only == "events") != ("NDJSON" in label):
            continue
        size = source.stat().st_size / 1e6
        mine = best_of(args.repeat, ours)
        peer = best_of(args.repeat, theirs)
        results.append((label, size, mine, peer))

    print(f"{'conversion':32} {'input MB':>9} {'who':>9} {'wall s':>7} {'cpu s':>6} {'MB/s':>7} {'peak MB':>8}")
    for label, size, mine, peer in results:
        peer_name = "duckdb" if "NDJSON" in label else "pyarrow"
        for who, (wall, cpu, peak) in (("lakegate", mine), (peer_name, peer)):
            print(f"{label:32} {size:9.1f} {who:>9} {wall:7.2f} {cpu:6.2f} {size / wall:7.1f} {peak / 1e6:8.1f}")
        print(f"{'':32} lakegate is {peer[0] / mine[0]:.2f}x {peer_name}'s throughput (wall), {peer[1] / mine[1]:.2f}x by CPU time")


if __name__ == "__main__":
    main()
