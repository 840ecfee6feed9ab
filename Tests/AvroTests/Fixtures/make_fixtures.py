"""The Avro fixtures of AvroTests, written by fastavro, and a check of files Lakegate writes.

    .venv/bin/python Tests/AvroTests/Fixtures/make_fixtures.py            # rewrite the fixtures
    .venv/bin/python Tests/AvroTests/Fixtures/make_fixtures.py --check DIR # read DIR/*.avro

The fixtures are committed; FixtureTests.swift asserts their values, so change both together.
`--check` reads every file that AvroTests' `writesFilesForFastavro` test left in DIR (set
LAKEGATE_AVRO_OUT when running it) and compares it with the expectations in DIR/*.json.
Needs fastavro==1.12.1, cramjam (snappy) and zstandard.
"""
import datetime as dt
import decimal
import json
import pathlib
import struct
import sys
import uuid

import fastavro

HERE = pathlib.Path(__file__).resolve().parent
SYNC = bytes(range(16))
UTC = dt.timezone.utc


def write(name, schema, records, codec="null", sync_interval=16000):
    parsed = fastavro.parse_schema(schema)
    with open(HERE / name, "wb") as out:
        fastavro.writer(out, parsed, records, codec=codec, sync_interval=sync_interval, sync_marker=SYNC,
                        metadata={"lakegate.fixture": name})


def primitives():
    schema = {
        "type": "record", "name": "Primitives", "namespace": "lakegate.test",
        "fields": [
            {"name": "b", "type": "boolean", "field-id": 1},
            {"name": "i", "type": "int", "field-id": 2},
            {"name": "l", "type": "long"},
            {"name": "f", "type": "float"},
            {"name": "d", "type": "double"},
            {"name": "by", "type": "bytes"},
            {"name": "s", "type": "string"},
            {"name": "fx", "type": {"type": "fixed", "name": "Four", "size": 4}},
            {"name": "e", "type": {"type": "enum", "name": "Color", "symbols": ["RED", "GREEN", "BLUE"]}},
            {"name": "ni", "type": ["null", "int"], "default": None},
            {"name": "ns", "type": ["string", "null"]},
        ],
    }
    records = [
        {"b": True, "i": 0, "l": 0, "f": 1.5, "d": -2.25, "by": b"", "s": "", "fx": b"\x00\x01\x02\x03",
         "e": "RED", "ni": None, "ns": "x"},
        {"b": False, "i": -2147483648, "l": 9223372036854775807, "f": float("inf"), "d": 1e300,
         "by": b"\xff\x00", "s": "h\u00e9llo \u2713", "fx": b"abcd", "e": "BLUE", "ni": 2147483647, "ns": None},
        {"b": True, "i": 64, "l": -9223372036854775808, "f": -0.0, "d": 0.1, "by": b"bytes",
         "s": "a" * 200, "fx": b"\xff\xff\xff\xff", "e": "GREEN", "ni": -1, "ns": ""},
    ]
    write("primitives_null.avro", schema, records)


def logical():
    schema = {
        "type": "record", "name": "Logical",
        "fields": [
            {"name": "dec_bytes", "type": {"type": "bytes", "logicalType": "decimal", "precision": 10, "scale": 2}},
            {"name": "dec_fixed", "type": {"type": "fixed", "name": "Dec9", "size": 9, "logicalType": "decimal",
                                           "precision": 20, "scale": 4}},
            {"name": "uuid", "type": {"type": "string", "logicalType": "uuid"}},
            {"name": "date", "type": {"type": "int", "logicalType": "date"}},
            {"name": "time_ms", "type": {"type": "int", "logicalType": "time-millis"}},
            {"name": "time_us", "type": {"type": "long", "logicalType": "time-micros"}},
            {"name": "ts_ms", "type": {"type": "long", "logicalType": "timestamp-millis"}},
            {"name": "ts_us", "type": {"type": "long", "logicalType": "timestamp-micros"}},
            {"name": "ts_ns", "type": {"type": "long", "logicalType": "timestamp-nanos"}},
            {"name": "lts_ms", "type": {"type": "long", "logicalType": "local-timestamp-millis"}},
            {"name": "lts_us", "type": {"type": "long", "logicalType": "local-timestamp-micros"}},
            {"name": "duration", "type": {"type": "fixed", "name": "Duration", "size": 12, "logicalType": "duration"}},
            {"name": "uuid_fixed", "type": {"type": "fixed", "name": "U16", "size": 16, "logicalType": "uuid"}},
            {"name": "opt_dec", "type": ["null", {"type": "bytes", "logicalType": "decimal", "precision": 38,
                                                  "scale": 0}]},
        ],
    }
    records = [
        {"dec_bytes": decimal.Decimal("12345678.90"), "dec_fixed": decimal.Decimal("-1234567890123456.7890"),
         "uuid": uuid.UUID("123e4567-e89b-12d3-a456-426614174000"), "date": dt.date(2024, 2, 29),
         "time_ms": dt.time(13, 45, 30, 123000), "time_us": dt.time(23, 59, 59, 999999),
         "ts_ms": dt.datetime(2024, 2, 29, 12, 0, 0, 123000, tzinfo=UTC),
         "ts_us": dt.datetime(1969, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
         "ts_ns": 1_700_000_000_123_456_789,
         "lts_ms": dt.datetime(2000, 1, 1, 0, 0, 0, 1000), "lts_us": dt.datetime(2000, 1, 1, 0, 0, 0, 1),
         "duration": (1).to_bytes(4, "little") + (2).to_bytes(4, "little") + (3).to_bytes(4, "little"),
         "uuid_fixed": bytes(range(16)), "opt_dec": decimal.Decimal(10**38 - 1)},
        {"dec_bytes": decimal.Decimal("-0.01"), "dec_fixed": decimal.Decimal("0"),
         "uuid": uuid.UUID("FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF"), "date": dt.date(1900, 1, 1),
         "time_ms": dt.time(0, 0), "time_us": dt.time(0, 0, 0, 1),
         "ts_ms": dt.datetime(1970, 1, 1, tzinfo=UTC), "ts_us": dt.datetime(2262, 4, 11, tzinfo=UTC),
         "ts_ns": -1, "lts_ms": dt.datetime(1970, 1, 1), "lts_us": dt.datetime(1969, 12, 31, 23, 59, 59),
         "duration": bytes(12), "uuid_fixed": b"\xff" * 16, "opt_dec": None},
    ]
    write("logical_deflate.avro", schema, records, codec="deflate")


def nested():
    schema = {
        "type": "record", "name": "Nested", "namespace": "outer",
        "fields": [
            {"name": "id", "type": "long", "field-id": 1},
            {"name": "point", "type": ["null", {"type": "record", "name": "Point", "fields": [
                {"name": "x", "type": "double", "field-id": 3},
                {"name": "y", "type": "double", "field-id": 4}]}], "field-id": 2},
            # A named type used again by reference, in the inherited namespace.
            {"name": "other", "type": "Point", "field-id": 5},
            {"name": "tags", "type": {"type": "array", "items": "string", "element-id": 7}, "field-id": 6},
            {"name": "attrs", "type": {"type": "map", "values": ["null", "long"], "key-id": 9, "value-id": 10},
             "field-id": 8},
            {"name": "points", "type": {"type": "array", "items": ["null", "outer.Point"]}},
            {"name": "matrix", "type": {"type": "map", "values": {"type": "array", "items": "int"}}},
            {"name": "int_map", "type": {"type": "array", "logicalType": "map", "items": {
                "type": "record", "name": "k12_v13", "fields": [
                    {"name": "key", "type": "int", "field-id": 12},
                    {"name": "value", "type": "string", "field-id": 13}]}}, "field-id": 11},
        ],
    }
    records = [
        {"id": 1, "point": {"x": 1.0, "y": 2.0}, "other": {"x": -1.0, "y": -2.0}, "tags": ["a", "b"],
         "attrs": {"k": 1, "n": None}, "points": [{"x": 0.5, "y": 0.25}, None], "matrix": {"m": [1, 2, 3]},
         "int_map": [{"key": 7, "value": "seven"}]},
        {"id": 2, "point": None, "other": {"x": 0.0, "y": 0.0}, "tags": [], "attrs": {}, "points": [],
         "matrix": {"e": [], "f": [-1]}, "int_map": []},
    ]
    write("nested_snappy.avro", schema, records, codec="snappy")


def many_blocks():
    schema = {"type": "record", "name": "Many", "fields": [
        {"name": "n", "type": "long"}, {"name": "name", "type": ["null", "string"]}]}
    records = [{"n": n, "name": None if n % 7 == 0 else f"row {n}"} for n in range(3000)]
    write("many_blocks_zstandard.avro", schema, records, codec="zstandard", sync_interval=2000)


# ---------------------------------------------------------------------------------------------
# --check: files written by Lakegate, compared with the JSON expectations written beside them.

def plain(value):
    """fastavro's value in the canonical spelling of the expectation files (InteropOutputTests)."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return "f:" + format(struct.unpack("<Q", struct.pack("<d", value))[0], "x")
    if isinstance(value, bytes):
        return {"hex": value.hex()}
    if isinstance(value, decimal.Decimal):
        sign, digits, exponent = value.as_tuple()
        unscaled = int("".join(map(str, digits)) or "0") * (-1 if sign else 1)
        return {"decimal": str(unscaled), "scale": -exponent}
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            return {"local_us": (value - dt.datetime(1970, 1, 1)) // dt.timedelta(microseconds=1)}
        return {"ts_us": (value - dt.datetime(1970, 1, 1, tzinfo=UTC)) // dt.timedelta(microseconds=1)}
    if isinstance(value, dt.date):
        return {"date": (value - dt.date(1970, 1, 1)).days}
    if isinstance(value, dt.time):
        return {"time_us": ((value.hour * 60 + value.minute) * 60 + value.second) * 1_000_000 + value.microsecond}
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    raise TypeError(f"unexpected {type(value)}")


def check(directory):
    directory = pathlib.Path(directory)
    files = sorted(directory.glob("*.avro"))
    if not files:
        sys.exit(f"no .avro files in {directory}")
    failures = 0
    for path in files:
        expected = json.loads(path.with_suffix(".json").read_text())
        with open(path, "rb") as f:
            reader = fastavro.reader(f)
            rows = [plain(r) for r in reader]
            codec = reader.codec
        if codec != expected["codec"]:
            print(f"FAIL {path.name}: codec {codec}, expected {expected['codec']}")
            failures += 1
        elif rows != expected["rows"]:
            failures += 1
            print(f"FAIL {path.name}: values differ")
            for got, want in zip(rows, expected["rows"]):
                if got != want:
                    print("  got ", got)
                    print("  want", want)
                    break
            if len(rows) != len(expected["rows"]):
                print(f"  {len(rows)} rows, expected {len(expected['rows'])}")
        else:
            print(f"ok   {path.name}: {len(rows)} rows, codec {codec}")
    print(f"{len(files) - failures} passed, {failures} failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--check":
        check(sys.argv[2])
    else:
        primitives()
        logical()
        nested()
        many_blocks()
