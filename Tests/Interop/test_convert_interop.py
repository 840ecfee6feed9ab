"""`lakegate convert` and `lakegate validate` on JSON and CSV inputs, checked with pyarrow and
DuckDB against expectations computed here from Python's own json and csv modules."""
import csv
import datetime
import gzip
import io
import json
import random

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import run_lakegate

UTC = datetime.timezone.utc


def make_events(count, seed=7):
    rng = random.Random(seed)
    events = []
    for i in range(count):
        event = {
            "event_id": f"e-{i}",
            "event_type": rng.choice(["view", "click", "buy"]),
            "event_time": (datetime.datetime(2026, 1, 1, tzinfo=UTC) + datetime.timedelta(seconds=i * 37, microseconds=rng.randrange(10**6)))
            .strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "user": {"id": rng.randrange(10**6), "agent": {"browser": rng.choice(["Firefox", "Chrome", "Safari"]), "mobile": rng.random() < 0.3}},
            "metrics": {"duration": rng.randrange(10000), "depth": round(rng.random(), 4)},
            "tags": [rng.choice(["a", "b", "c", "ü"]) for _ in range(rng.randrange(4))],
            "day": f"2026-02-{1 + i % 28:02d}",
        }
        if rng.random() < 0.5:
            event["value"] = rng.choice([None, 1.5, 2.25])
        events.append(event)
    return events


def flatten(record, prefix="", out=None):
    out = {} if out is None else out
    for key, value in record.items():
        name = prefix + key
        if isinstance(value, dict):
            flatten(value, name + "_", out)
        else:
            out[name] = value
    return out


def parse_ts(text):
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def write_ndjson(path, records):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")


def test_ndjson_flattens_into_typed_columns(tmp_path, duckdb_connection):
    events = make_events(500)
    source = tmp_path / "events.ndjson"
    write_ndjson(source, events)
    out = tmp_path / "events.parquet"
    run_lakegate("convert", source, "--output", out, check=True)
    table = pq.read_table(out)
    types = {f.name: f.type for f in table.schema}
    assert types["event_id"] == pa.string()
    assert types["event_time"] == pa.timestamp("us", tz="UTC")
    assert types["user_id"] == pa.int64()
    assert types["user_agent_browser"] == pa.string()
    assert types["user_agent_mobile"] == pa.bool_()
    assert types["metrics_depth"] == pa.float64()
    assert types["tags"] == pa.list_(pa.string())
    assert types["day"] == pa.date32()
    assert types["value"] == pa.float64()
    rows = table.to_pylist()
    assert len(rows) == len(events)
    for got, event in zip(rows, events):
        expected = flatten(event)
        expected["event_time"] = parse_ts(expected["event_time"])
        expected["day"] = datetime.date.fromisoformat(expected["day"])
        expected.setdefault("value", None)
        assert got == expected
    # DuckDB reads the same file with the intended types and the same values.
    described = dict(duckdb_connection.execute(f"DESCRIBE SELECT * FROM '{out}'").fetchall() and
                     [(r[0], r[1]) for r in duckdb_connection.execute(f"DESCRIBE SELECT * FROM '{out}'").fetchall()])
    assert described["event_time"] == "TIMESTAMP WITH TIME ZONE"
    assert described["tags"] == "VARCHAR[]"
    total = duckdb_connection.execute(f"SELECT count(*), sum(user_id), sum(len(tags)) FROM '{out}'").fetchone()
    assert total == (len(events), sum(e["user"]["id"] for e in events), sum(len(e["tags"]) for e in events))


def test_nested_struct_keeps_objects_and_keep_doc_keeps_the_record(tmp_path):
    events = make_events(50)
    source = tmp_path / "events.json"
    source.write_text(json.dumps(events), encoding="utf-8")  # one top-level array
    out = tmp_path / "events.parquet"
    run_lakegate("convert", source, "--output", out, "--nested", "struct", "--keep-doc", check=True)
    table = pq.read_table(out)
    assert table.schema.field("user").type == pa.struct(
        [("id", pa.int64()), ("agent", pa.struct([("browser", pa.string()), ("mobile", pa.bool_())]))])
    rows = table.to_pylist()
    for got, event in zip(rows, events):
        assert json.loads(got["_doc"]) == event
        assert got["user"] == event["user"]


def test_records_under_a_root_key_compressed(tmp_path):
    records = [{"vehicle_id": f"VH-{i}", "event_value": i * 0.5} for i in range(300)]
    source = tmp_path / "vehicles_events_20260101000000.json.gz"
    source.write_bytes(gzip.compress(json.dumps({"vehicles_events": records}, indent=2).encode()))
    out = tmp_path / "v.parquet"
    run_lakegate("convert", source, "--output", out, check=True)
    assert pq.read_table(out).to_pylist() == records


def test_a_bad_record_fails_the_run_and_writes_nothing(tmp_path):
    source = tmp_path / "bad.ndjson"
    source.write_text('{"a": 1}\n{"a": 2,}\n{"a": 3}\n')
    out = tmp_path / "out.parquet"
    result = run_lakegate("convert", source, "--output", out)
    assert result.returncode == 1
    message = result.stderr.decode()
    assert "line 2" in message and "bad.ndjson" in message
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [source]  # no temporary file left behind either


def test_rejects_file_takes_bad_records_with_their_location(tmp_path):
    lines = ['{"a": 1, "b": "x"}', '{"a": "oops", "b": "y"}', '{"a": 3, "b": "z"', '{"a": 4, "b": "w"}']
    source = tmp_path / "mixed.ndjson"
    source.write_text("\n".join(lines) + "\n")
    out = tmp_path / "out.parquet"
    rejects = tmp_path / "rejects.jsonl"
    run_lakegate("convert", source, "--output", out, "--rejects", rejects, "--reject-conflicts", "--sample", "1", check=True)
    assert pq.read_table(out).to_pylist() == [{"a": 1, "b": "x"}, {"a": 4, "b": "w"}]
    bad = [json.loads(line) for line in rejects.read_text().splitlines()]
    assert [b["line"] for b in bad] == [2, 3]
    assert bad[0]["offset"] == len(lines[0]) + 1
    assert bad[0]["column"] == "a" and "integer" in bad[0]["reason"]
    assert bad[1]["record"] == lines[2]
    # --max-errors bounds how many are tolerated.
    result = run_lakegate("convert", source, "--output", tmp_path / "o2.parquet", "--rejects", tmp_path / "r2.jsonl",
                          "--reject-conflicts", "--sample", "1", "--max-errors", "1")
    assert result.returncode == 1 and not (tmp_path / "o2.parquet").exists()


def test_fields_first_seen_after_the_sample_add_columns(tmp_path, duckdb_connection):
    records = [{"id": i} for i in range(1000)] + [{"id": 1000, "late": "yes", "nested": {"x": 1.5}}]
    source = tmp_path / "late.ndjson"
    write_ndjson(source, records)
    out = tmp_path / "late.parquet"
    # (Row groups flushed before a column appears are covered by the writer's unit tests.)
    run_lakegate("convert", source, "--output", out, "--sample", "10", check=True)
    table = pq.read_table(out)
    assert table.column_names == ["id", "late", "nested_x"]
    expected = [{"id": r["id"], "late": r.get("late"), "nested_x": r.get("nested", {}).get("x")} for r in records]
    assert table.to_pylist() == expected
    assert duckdb_connection.execute(f"SELECT count(late), max(nested_x), count(*) FROM '{out}'").fetchone() == (1, 1.5, 1001)


def test_csv_with_quotes_nulls_and_inferred_types(tmp_path):
    rows = [["id", "name", "price", "day", "flag", "note"]]
    rng = random.Random(3)
    for i in range(400):
        rows.append([str(i), rng.choice(["plain", "has,comma", 'has "quote"', "multi\nline", ""]),
                     f"{rng.random() * 100:.3f}" if i % 7 else "NA", f"2026-03-{1 + i % 28:02d}",
                     rng.choice(["true", "false"]), "" if i % 5 == 0 else f"n{i}"])
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    source = tmp_path / "data.csv"
    source.write_text(buffer.getvalue(), encoding="utf-8")
    out = tmp_path / "data.parquet"
    run_lakegate("convert", source, "--output", out, "--null-string", "NA", check=True)
    table = pq.read_table(out)
    assert [f.type for f in table.schema] == [pa.int64(), pa.string(), pa.float64(), pa.date32(), pa.bool_(), pa.string()]
    for got, row in zip(table.to_pylist(), rows[1:]):
        assert got["id"] == int(row[0])
        # Python's csv writer quotes "" only when needed, so an empty name is an empty unquoted field: null.
        assert got["name"] == (row[1] or None)
        assert got["price"] == (None if row[2] == "NA" else float(row[2]))
        assert got["day"] == datetime.date.fromisoformat(row[3])
        assert got["flag"] == (row[4] == "true")
        assert got["note"] == (row[5] or None)


def test_csv_ragged_rows_are_bad_records_and_validate_reports_them(tmp_path):
    source = tmp_path / "ragged.csv"
    source.write_text("a,b\n1,2\n3\n4,5,6\n7,8\n")
    result = run_lakegate("validate", source)
    assert result.returncode == 1
    message = result.stderr.decode()
    assert "line 3" in message and "line 4" in message
    assert run_lakegate("validate", tmp_path / "missing.csv").returncode == 1
    good = tmp_path / "good.csv"
    good.write_text("a,b\n1,2\n")
    assert run_lakegate("validate", good).returncode == 0


def test_parquet_converts_to_csv_and_jsonl(tmp_path):
    table = pa.table({"i": [1, None, 3], "s": ["x", "y,z", None], "d": [datetime.date(2026, 1, 1)] * 3})
    source = tmp_path / "t.parquet"
    pq.write_table(table, source)
    run_lakegate("convert", source, "--output", tmp_path / "t.jsonl", check=True)
    assert [json.loads(l) for l in (tmp_path / "t.jsonl").read_text().splitlines()] == [
        {"i": 1, "s": "x", "d": "2026-01-01"}, {"i": None, "s": "y,z", "d": "2026-01-01"}, {"i": 3, "s": None, "d": "2026-01-01"}]
    run_lakegate("convert", source, "--output", tmp_path / "t.csv", check=True)
    assert list(csv.reader(io.StringIO((tmp_path / "t.csv").read_text()))) == [
        ["i", "s", "d"], ["1", "x", "2026-01-01"], ["", "y,z", "2026-01-01"], ["3", "", "2026-01-01"]]


@pytest.mark.parametrize("name", ["n_structure_unclosed_array.json", "n_string_unescaped_newline.json", "n_object_trailing_comma.json"])
def test_invalid_json_is_a_located_error(name, tmp_path):
    from conftest import conformance_dir
    source = conformance_dir() / "json" / "minefield" / name
    result = run_lakegate("convert", source, "--output", tmp_path / "o.parquet", "--format", "json")
    assert result.returncode == 1
    assert "line 1" in result.stderr.decode()
    assert not (tmp_path / "o.parquet").exists()
