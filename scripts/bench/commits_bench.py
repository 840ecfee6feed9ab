"""Commit latency per lake kind: N one-file appends to one table, the commit's time as the
command reports it, for early and late commits: the median of ten around the 10th and of the
last ten (a typical commit), and the mean of a hundred (which counts the occasional commit that
also merges Iceberg manifests)."""
import argparse
import json
import pathlib
import re
import statistics
import subprocess
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[2]


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--commits", type=int, default=1000)
    parser.add_argument("--lakes", default="ducklake,iceberg,hive")
    parser.add_argument("--lakegate", default=str(ROOT / ".build" / "release" / "lakegate"))
    args = parser.parse_args()
    print(f"{'lake':10} {'commits':>8} {'10th ms':>8} {'last ms':>8} {'ratio':>6}   "
          f"{'mean 11-110':>11} {'mean last 100':>13} {'ratio':>6}")
    for kind in args.lakes.split(","):
        with tempfile.TemporaryDirectory() as folder:
            folder = pathlib.Path(folder)
            source = folder / "one.ndjson"
            source.write_text(json.dumps({"id": 1, "name": "x", "at": "2026-01-01T00:00:00Z"}) + "\n")
            lake = f"hive:{folder / 'lake'}" if kind == "hive" else f"{kind}:sqlite:{folder / 'catalog.sqlite'}"
            times = []
            for n in range(args.commits):
                result = subprocess.run([args.lakegate, "tables", "append", "t", str(source), "--lake", lake,
                                         "--idempotency-key", f"k{n}"], capture_output=True, text=True, check=True)
                match = re.search(r"\(commit ([0-9.]+) ms\)", result.stdout)
                times.append(float(match.group(1)))
            early = statistics.median(times[5:15])
            late = statistics.median(times[-10:])
            early_mean = statistics.mean(times[10:110])
            late_mean = statistics.mean(times[-100:])
            print(f"{kind:10} {args.commits:8d} {early:8.2f} {late:8.2f} {late / early:6.2f}   "
                  f"{early_mean:11.2f} {late_mean:13.2f} {late_mean / early_mean:6.2f}", flush=True)


if __name__ == "__main__":
    main()
