"""What Lakegate's Parquet writer produces, read back by pyarrow and DuckDB.

Inputs are built with pyarrow for every type Lakegate supports; `lakegate parquet rewrite`
writes them with our writer (dropping pyarrow's ARROW:schema hint, so readers see only our
Parquet schema). The oracles: pyarrow reads the intended Arrow types and exactly the values;
DuckDB reads the same types and rows from our file as from pyarrow's file of the same data;
our column statistics equal the ones pyarrow writes for the same data and the ones DuckDB's
parquet_metadata reports.
"""
import datetime as dt
import decimal
import math
import uuid

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import canonical
from conftest import conformance_dir, run_lakegate
from test_parquet_read_conformance import VERDICTS, pyarrow_rows

UTC = dt.timezone.utc


def all_types_table(rows=200):
    """A table with every supported type, nulls in every nullable column, and edge values."""
    def nullable(values, every=7):
        return [None if i % every == 3 else v for i, v in enumerate(values)]

    ints = [(i * 7919) % 1000 - 500 for i in range(rows)]
    floats = [float(i) / 3 - 20 for i in range(rows)]
    floats[5] = -0.0
    floats[6] = 0.0
    floats[9] = float("nan")
    floats[11] = float("inf")
    strings = [("naïve ☃ " if i % 5 == 0 else "") + f"value-{i % 37}" for i in range(rows)]
    strings[1] = ""
    timestamps = [1_700_000_000_000_000 + i * 3_600_000_123 for i in range(rows)]
    timestamps[2] = -86_400_000_001  # before 1970
    columns = {
        "b": pa.array(nullable([i % 3 == 0 for i in range(rows)]), pa.bool_()),
        "i8": pa.array(nullable([(i % 256) - 128 for i in range(rows)]), pa.int8()),
        "i16": pa.array(nullable([(i * 331) % 65536 - 32768 for i in range(rows)]), pa.int16()),
        "i32": pa.array(nullable([v * 1000003 for v in ints]), pa.int32()),
        "i64": pa.array(nullable([v * 10**15 for v in ints[:-2]] + [2**63 - 1, -2**63]), pa.int64()),
        "u8": pa.array(nullable([i % 256 for i in range(rows)]), pa.uint8()),
        "u16": pa.array(nullable([(i * 331) % 65536 for i in range(rows)]), pa.uint16()),
        "u32": pa.array(nullable([(i * 2654435761) % 2**32 for i in range(rows)]), pa.uint32()),
        "u64": pa.array(nullable([(i * 11400714819323198485) % 2**64 for i in range(rows)]), pa.uint64()),
        "f16": pa.array(nullable([float(i % 50) / 4 for i in range(rows)]), pa.float16()),
        "f32": pa.array(nullable(floats), pa.float32()),
        "f64": pa.array(nullable(floats), pa.float64()),
        "dec5_2": pa.array(nullable([decimal.Decimal(v) / 100 for v in ints]), pa.decimal128(5, 2)),
        "dec15_3": pa.array(nullable([decimal.Decimal(v * 1234567) / 1000 for v in ints]), pa.decimal128(15, 3)),
        "dec30_4": pa.array(nullable([decimal.Decimal(v) * 10**20 / 10**4 for v in ints]), pa.decimal128(30, 4)),
        "s": pa.array(nullable(strings), pa.string()),
        "bin": pa.array(nullable([bytes([i % 256, 0, 255]) * (i % 4) for i in range(rows)]), pa.binary()),
        "fixed3": pa.array(nullable([bytes([i % 256, 1, 2]) for i in range(rows)]), pa.binary(3)),
        "d": pa.array(nullable([dt.date(1970, 1, 1) + dt.timedelta(days=v * 40) for v in ints]), pa.date32()),
        "t_ms": pa.array(nullable([(i * 1_234_567) % 86_400_000 for i in range(rows)]), pa.time32("ms")),
        "t_us": pa.array(nullable([(i * 1_234_567_891) % 86_400_000_000 for i in range(rows)]), pa.time64("us")),
        "t_ns": pa.array(nullable([(i * 1_234_567_891_011) % 86_400_000_000_000 for i in range(rows)]), pa.time64("ns")),
        "ts_ms": pa.array(nullable([v // 1000 for v in timestamps]), pa.timestamp("ms")),
        "ts_us": pa.array(nullable(timestamps), pa.timestamp("us")),
        "ts_ns": pa.array(nullable([v * 1000 + 7 for v in timestamps]), pa.timestamp("ns")),
        "ts_ms_utc": pa.array(nullable([v // 1000 for v in timestamps]), pa.timestamp("ms", tz="UTC")),
        "ts_us_utc": pa.array(nullable(timestamps), pa.timestamp("us", tz="UTC")),
        "ts_ns_utc": pa.array(nullable([v * 1000 + 7 for v in timestamps]), pa.timestamp("ns", tz="UTC")),
        "id": pa.array(nullable([uuid.UUID(int=(i * 0x9E3779B97F4A7C15) % 2**128).bytes for i in range(rows)]), pa.uuid()),
        "nothing": pa.nulls(rows),
        "list_i32": pa.array(
            [None if i % 9 == 4 else [] if i % 9 == 5 else [None if j == 1 else i + j for j in range(i % 4)]
             for i in range(rows)], pa.list_(pa.int32())),
        "list_struct": pa.array(
            [None if i % 8 == 2 else [{"a": i + j, "b": None if j == 2 else f"s{j}"} for j in range(i % 3)]
             for i in range(rows)], pa.list_(pa.struct([("a", pa.int64()), ("b", pa.string())]))),
        "nested_list": pa.array(
            [None if i % 10 == 1 else [[i, None], [], None] if i % 2 else [[i]] for i in range(rows)],
            pa.list_(pa.list_(pa.int16()))),
        "point": pa.array(
            [None if i % 6 == 0 else {"x": float(i), "y": None if i % 4 == 0 else -float(i), "tags": [f"t{i % 3}"] * (i % 3)}
             for i in range(rows)],
            pa.struct([("x", pa.float64()), ("y", pa.float64()), ("tags", pa.list_(pa.string()))])),
        "m": pa.array(
            [None if i % 5 == 2 else [(f"k{j}", None if j == 1 else i * j) for j in range(i % 4)] for i in range(rows)],
            pa.map_(pa.string(), pa.int64())),
        "m_struct": pa.array(
            [[(i, {"v": f"x{i}"})] if i % 2 else [] for i in range(rows)],
            pa.map_(pa.int32(), pa.struct([("v", pa.string())]))),
        "required_i64": pa.array(ints, pa.int64()),
    }
    schema = pa.schema([pa.field(name, array.type, nullable=(name != "required_i64")) for name, array in columns.items()])
    return pa.table(list(columns.values()), schema=schema)


@pytest.fixture(scope="module")
def typed_input(tmp_path_factory):
    directory = tmp_path_factory.mktemp("typed")
    table = all_types_table()
    path = directory / "input.parquet"
    pq.write_table(table, path, compression="none", store_schema=False)
    return table, path


CODECS = ["zstd", "snappy", "gzip", "lz4", "none"]


@pytest.mark.parametrize("codec", CODECS)
def test_pyarrow_reads_intended_types_and_values(typed_input, tmp_path, codec):
    table, source = typed_input
    out = tmp_path / f"out-{codec}.parquet"
    run_lakegate("parquet", "rewrite", source, out, "--codec", codec, check=True)
    ours = pq.read_table(out)
    assert "ARROW:schema" not in (ours.schema.metadata or {})
    for field in table.schema:
        assert ours.schema.field(field.name).type == field.type, field.name
        assert ours.schema.field(field.name).nullable == field.nullable, field.name
    difference = canonical.first_difference(canonical.table_rows(ours), canonical.table_rows(table))
    assert difference is None, difference
    # pyarrow names LZ4_RAW (codec 7) "LZ4"; Hadoop-framed LZ4 would be "LZ4_HADOOP".
    codec_name = {"none": "UNCOMPRESSED", "lz4": "LZ4"}.get(codec, codec.upper())
    metadata = pq.ParquetFile(out).metadata
    assert metadata.row_group(0).column(0).compression == codec_name


def test_duckdb_reads_same_types_and_rows_as_from_pyarrow(typed_input, tmp_path, duckdb_connection):
    table, source = typed_input
    out = tmp_path / "ours.parquet"
    run_lakegate("parquet", "rewrite", source, out, check=True)
    db = duckdb_connection
    theirs_types = db.execute(f"DESCRIBE SELECT * FROM read_parquet('{source}')").fetchall()
    ours_types = db.execute(f"DESCRIBE SELECT * FROM read_parquet('{out}')").fetchall()
    assert [(r[0], r[1]) for r in ours_types] == [(r[0], r[1]) for r in theirs_types]
    types = {r[0]: r[1] for r in ours_types}
    assert types["ts_us_utc"] == "TIMESTAMP WITH TIME ZONE"
    assert types["ts_us"] == "TIMESTAMP"
    assert types["dec30_4"] == "DECIMAL(30,4)"
    assert types["id"] == "UUID"
    # Compared as DuckDB's own text, so the check does not depend on Python conversions.
    columns = ", ".join(f'CAST("{name}" AS VARCHAR)' for name in table.schema.names)
    query = "SELECT {} FROM read_parquet('{}') ORDER BY required_i64, i32 NULLS FIRST, s NULLS FIRST"
    ours_rows = db.execute(query.format(columns, out)).fetchall()
    theirs_rows = db.execute(query.format(columns, source)).fetchall()
    assert len(ours_rows) == table.num_rows
    for a, b in zip(ours_rows, theirs_rows):
        assert repr(a) == repr(b)


def _stat_pairs(path):
    metadata = pq.ParquetFile(path).metadata
    out = {}
    for g in range(metadata.num_row_groups):
        group = metadata.row_group(g)
        for c in range(group.num_columns):
            chunk = group.column(c)
            stats = chunk.statistics
            key = (g, chunk.path_in_schema)
            out[key] = None if stats is None else (
                stats.null_count if stats.has_null_count else None,
                _decoded(stats, "min") if stats.has_min_max else None,
                _decoded(stats, "max") if stats.has_min_max else None,
            )
    return out


def _decoded(stats, which):
    # Logical values (a decimal may be INT32 in one file and FIXED_LEN_BYTE_ARRAY in the other);
    # raw values where pyarrow cannot convert (nanosecond timestamps).
    try:
        return getattr(stats, which)
    except ValueError:
        return getattr(stats, which + "_raw")


def _same_stat(a, b):
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1, a) == math.copysign(1, b))
    return a == b


def test_statistics_agree_with_pyarrow_and_duckdb(typed_input, tmp_path, duckdb_connection):
    _, source = typed_input
    out = tmp_path / "stats.parquet"
    run_lakegate("parquet", "rewrite", source, out, check=True)
    ours = _stat_pairs(out)
    theirs = _stat_pairs(source)
    assert ours.keys() == theirs.keys()
    checked = 0
    for key, expected in theirs.items():
        got = ours[key]
        if expected is None or expected[1] is None:
            continue
        assert got is not None and got[1] is not None, f"{key}: no statistics, pyarrow wrote {expected}"
        for a, b in zip(got, expected):
            assert _same_stat(a, b), f"{key}: lakegate {got} != pyarrow {expected}"
        checked += 1
    assert checked >= 25
    # DuckDB decodes the same statistics from both files.
    query = """SELECT path_in_schema, stats_null_count, stats_min_value, stats_max_value
               FROM parquet_metadata('{}') ORDER BY row_group_id, column_id"""
    ours_duck = duckdb_connection.execute(query.format(out)).fetchall()
    theirs_duck = {r[0]: r for r in duckdb_connection.execute(query.format(source)).fetchall()}
    for row in ours_duck:
        expected = theirs_duck[row[0]]
        if expected[2] is None:
            continue
        assert row == expected, f"DuckDB parquet_metadata: lakegate {row} != pyarrow {expected}"


def test_options_shape_the_file(typed_input, tmp_path):
    table, source = typed_input
    out = tmp_path / "small-groups.parquet"
    run_lakegate("parquet", "rewrite", source, out, "--row-group-bytes", "16KiB", "--page-bytes", "2KiB", check=True)
    metadata = pq.ParquetFile(out).metadata
    assert metadata.num_row_groups > 1
    assert sum(metadata.row_group(g).num_rows for g in range(metadata.num_row_groups)) == table.num_rows
    difference = canonical.first_difference(canonical.table_rows(pq.read_table(out)), canonical.table_rows(table))
    assert difference is None, difference


@pytest.mark.parametrize("name", sorted(n for n, v in VERDICTS.items() if v == "match"))
def test_rewrite_of_corpus_file_keeps_values(name, tmp_path):
    source = conformance_dir() / "parquet-testing" / name
    out = tmp_path / "rewritten.parquet"
    run_lakegate("parquet", "rewrite", source, out, "--codec", "zstd", check=True)
    difference = canonical.first_difference(pyarrow_rows(out), pyarrow_rows(source))
    assert difference is None, difference
