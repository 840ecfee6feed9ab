"""Iceberg metadata files read and written as a commit does: Lakegate's way, the full parse
it used before, and pyiceberg's (TableMetadataUtil.parse_raw, then model_dump_json), on a
table's metadata after 10 commits and after 150 (100 snapshots kept). A commit's cost should
not grow with history: the two files' times should be close."""
import argparse
import json
import pathlib
import statistics
import subprocess
import tempfile
import timeit

ROOT = pathlib.Path(__file__).resolve().parents[2]


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lakegate", default=str(ROOT / ".build" / "release" / "lakegate"))
    parser.add_argument("--bench", default=str(ROOT / ".build" / "release" / "iceberg-metadata-bench"))
    args = parser.parse_args()
    from pyiceberg.table.metadata import TableMetadataUtil

    with tempfile.TemporaryDirectory() as folder:
        folder = pathlib.Path(folder)
        source = folder / "one.ndjson"
        source.write_text(json.dumps({"id": 1, "name": "x", "at": "2026-01-01T00:00:00Z"}) + "\n")
        lake = f"iceberg:sqlite:{folder / 'catalog.sqlite'}"
        files = []
        for table, commits in (("ten", 10), ("long", 150)):
            for n in range(commits):
                subprocess.run([args.lakegate, "tables", "append", table, str(source), "--lake", lake,
                                "--idempotency-key", f"{table}{n}"], check=True, capture_output=True)
            metadata = sorted((folder / "catalog.sqlite.files" / "main" / table / "metadata").glob("*.metadata.json"))
            files.append(metadata[-1])
        print(subprocess.run([args.bench, *map(str, files)], check=True, capture_output=True, text=True).stdout, end="")
        print("\npyiceberg 0.12, the same files:")
        for path in files:
            text = path.read_text()
            rounds = 200
            runs = timeit.repeat(lambda: TableMetadataUtil.parse_raw(text).model_dump_json(), number=rounds, repeat=5)
            print(f"{path.name[:36]:36} {len(text):7d}  read+write {statistics.median(runs) / rounds * 1e6:10.1f} µs")


if __name__ == "__main__":
    main()
