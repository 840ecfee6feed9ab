"""Commit latency per lake kind: does the cost of a commit grow with the table's history?

One table gets N one-file appends (default 1,000). Its last ten commits are taken in turns with
the 10th commit of ten fresh tables (each grown to 9 commits first), so both sides of the ratio
meet the same machine state: this machine's speed drifts by tens of percent over minutes, which
a 10th commit measured a thousand commits before the 1,000th would count as growth.

Reported, with each commit's time as `tables append` prints it (the commit alone, not reading
the input): the median of the ten 10th commits, the median of the last ten commits, their
ratio, and the mean of commits 11-110 and of the last 100 of the long table (these include the
commit that merges Iceberg's small manifests, about one in a hundred)."""
import argparse
import json
import pathlib
import re
import statistics
import subprocess
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[2]


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


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--commits", type=int, default=1000)
    parser.add_argument("--lakes", default="ducklake,iceberg,hive")
    parser.add_argument("--lakegate", default=str(ROOT / ".build" / "release" / "lakegate"))
    args = parser.parse_args()
    if args.commits < 120:
        raise SystemExit("--commits must be at least 120")
    print(f"{'lake':10} {'commits':>8} {'10th ms':>8} {'last ms':>8} {'ratio':>6}   "
          f"{'mean 11-110':>11} {'mean last 100':>13} {'ratio':>6}")
    for kind in args.lakes.split(","):
        with tempfile.TemporaryDirectory() as folder:
            folder = pathlib.Path(folder)
            source = folder / "one.ndjson"
            source.write_text(json.dumps({"id": 1, "name": "x", "at": "2026-01-01T00:00:00Z"}) + "\n")
            lake = Lake(args.lakegate, kind, folder, source)
            history = [lake.append("history") for _ in range(args.commits - 10)]
            tenths, lasts = [], []
            for turn in range(10):
                fresh = f"fresh{turn}"
                for _ in range(9):
                    lake.append(fresh)
                tenths.append(lake.append(fresh))
                lasts.append(lake.append("history"))
            history += lasts
            early, late = statistics.median(tenths), statistics.median(lasts)
            early_mean = statistics.mean(history[10:110])
            late_mean = statistics.mean(history[-100:])
            print(f"{kind:10} {args.commits:8d} {early:8.2f} {late:8.2f} {late / early:6.2f}   "
                  f"{early_mean:11.2f} {late_mean:13.2f} {late_mean / early_mean:6.2f}", flush=True)


if __name__ == "__main__":
    main()
