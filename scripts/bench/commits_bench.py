"""Commit latency per lake kind: does the cost of a commit grow with the table's history?

Two tables get N one-file appends each (default 1,000), in turns. Their commits are compared
with the 10th commits of fresh tables, at the same point of Iceberg's manifest cycle: every
append adds a manifest and every 99th merges them (min-count 100), so the manifest list of
commits 10, 109, 208, ... 1,000 is as long as a 10th commit's. At each of those commits a fresh
table is grown to 9 commits and its 10th commit is taken just before the long table's, so both
meet the same machine state: this machine's speed drifts by tens of percent over minutes.

Reported, with each commit's time as `tables append` prints it (the commit alone): the median
10th commit of the fresh tables; the median of the long tables' matched commits from the 109th
to the 406th and from the 505th on, each with its ratio to the 10th commits paired with it (a
cost that grows with history makes the second ratio larger than the first); the 1,000th commits
against the 10th commits taken just before them; and the mean over a whole manifest cycle early
(commits 11-109) and late (the last 99), which counts the merging commit.

An Iceberg metadata file lists the snapshots it keeps (100 by default) and every commit rewrites
and syncs it, so a long table's file is ten times a 10th commit's. The run "iceberg/10" keeps 10
snapshots in the long tables (set through pyiceberg), to show how much of a difference that is."""
import argparse
import json
import pathlib
import re
import statistics
import subprocess
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[2]
CYCLE = 99  # commits between Iceberg manifest merges (min-count-to-merge 100)


class Lake:
    def __init__(self, lakegate, kind, folder, source):
        self.lakegate = lakegate
        self.source = source
        self.spec = f"hive:{folder / 'lake'}" if kind == "hive" else f"{kind}:sqlite:{folder / 'catalog.sqlite'}"
        self.keys = 0

    def append(self, table):
        self.keys += 1
        result = subprocess.run([self.lakegate, "tables", "append", table, str(self.source), "--lake", self.spec,
                                 "--idempotency-key", f"k{self.keys}"], capture_output=True, text=True, check=True)
        match = re.search(r"\(commit ([0-9.]+) ms\)", result.stdout)
        if not match:
            raise SystemExit(f"no commit time in: {result.stdout}")
        return float(match.group(1))


def keep_snapshots(folder, tables, count):
    """Sets lakegate.history.max-snapshots on Iceberg tables, through pyiceberg."""
    from pyiceberg.catalog.sql import SqlCatalog
    catalog = SqlCatalog("lakegate", uri=f"sqlite:///{folder / 'catalog.sqlite'}",
                         warehouse=f"file://{folder / 'catalog.sqlite.files'}")
    for table in tables:
        with catalog.load_table(f"main.{table}").transaction() as transaction:
            transaction.set_properties({"lakegate.history.max-snapshots": str(count)})


def measure(lake, commits, long_tables=2, folder=None, keep=None):
    """Times of every commit of each long table, and (commit number, fresh 10th, long) pairs;
    with `keep`, the long tables keep that many snapshots."""
    times = {table: [] for table in (f"history{n}" for n in range(long_tables))}
    pairs = []
    fresh = 0
    for number in range(1, commits + 1):
        if number == 2 and keep is not None:
            keep_snapshots(folder, list(times), keep)
        matched = number >= 10 and (number - 10) % CYCLE == 0
        for table, series in times.items():
            if matched:
                fresh += 1
                for _ in range(9):
                    lake.append(f"fresh{fresh}")
                tenth = lake.append(f"fresh{fresh}")
                series.append(lake.append(table))
                pairs.append((number, tenth, series[-1]))
            else:
                series.append(lake.append(table))
    return times, pairs


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--commits", type=int, default=1000)
    parser.add_argument("--lakes", default="ducklake,iceberg,hive")
    parser.add_argument("--lakegate", default=str(ROOT / ".build" / "release" / "lakegate"))
    parser.add_argument("--iceberg-keeping", type=int, default=10,
                        help="also run Iceberg with the long tables keeping this many snapshots "
                             "(lakegate.history.max-snapshots, default 100 otherwise; 0 skips the run)")
    args = parser.parse_args()
    if args.commits < 500 + CYCLE:
        raise SystemExit(f"--commits must be at least {500 + CYCLE}")
    last = max(n for n in range(10, args.commits + 1, CYCLE))
    print(f"{'lake':10} {'10th ms':>8} {'109th-406th':>12} {'ratio':>6} {'505th+ ms':>9} {'ratio':>6}   "
          f"{last:>5}th vs 10th   {'mean 11-109':>11} {'mean last 99':>12} {'ratio':>6}")
    runs = [(kind, None) for kind in args.lakes.split(",")]
    if args.iceberg_keeping:
        runs.append(("iceberg", args.iceberg_keeping))
    for kind, keep in runs:
        with tempfile.TemporaryDirectory() as folder:
            folder = pathlib.Path(folder)
            source = folder / "one.ndjson"
            source.write_text(json.dumps({"id": 1, "name": "x", "at": "2026-01-01T00:00:00Z"}) + "\n")
            times, pairs = measure(Lake(args.lakegate, kind, folder, source), args.commits, folder=folder, keep=keep)
            name = kind if keep is None else f"{kind}/{keep}"

            def medians(low, high):
                chosen = [p for p in pairs if low <= p[0] <= high]
                return statistics.median(p[1] for p in chosen), statistics.median(p[2] for p in chosen)

            tenth, middle = medians(100, 499)
            late_tenth, late = medians(500, args.commits)
            final_tenth, final = medians(last, last)
            series = list(times.values())
            early_mean = statistics.mean(t for s in series for t in s[10:109])
            late_mean = statistics.mean(t for s in series for t in s[-CYCLE:])
            print(f"{name:10} {statistics.median(p[1] for p in pairs):8.2f} {middle:12.2f} {middle / tenth:6.2f} "
                  f"{late:9.2f} {late / late_tenth:6.2f}   "
                  f"{final:5.2f} / {final_tenth:5.2f} = {final / final_tenth:4.2f}   "
                  f"{early_mean:11.2f} {late_mean:12.2f} {late_mean / early_mean:6.2f}", flush=True)


if __name__ == "__main__":
    main()
