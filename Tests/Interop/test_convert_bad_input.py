"""Bad input for `lakegate convert`: each case gets a located error or a documented result,
never a crash, and a failed conversion leaves no output file."""
import gzip
import json

import pyarrow.parquet as pq
import pytest

from conftest import run_lakegate


def convert(tmp_path, name, data, *options):
    source = tmp_path / name
    source.write_bytes(data)
    out = tmp_path / (name.split(".")[0] + ".parquet")
    result = run_lakegate("convert", source, "--output", out, "--force", *options)
    return result, out


def assert_failed_cleanly(result, out, *fragments):
    """Exit status 1, a message naming every fragment, no crash, no output file, no temp file."""
    message = result.stderr.decode(errors="replace")
    assert result.returncode == 1, message
    for fragment in fragments:
        assert fragment in message, message
    assert "Fatal error" not in message and "Segmentation" not in message
    assert not out.exists()
    assert not [p for p in out.parent.iterdir() if p.name.startswith("." + out.name)]


def rows(out):
    return pq.read_table(out).to_pylist()


def test_truncated_ndjson_is_located(tmp_path):
    data = b'{"a": 1}\n{"a": 2}\n{"a": 3, "b": "unfinish'
    result, out = convert(tmp_path, "t.ndjson", data)
    assert_failed_cleanly(result, out, "line 3")


def test_truncated_array_is_located(tmp_path):
    result, out = convert(tmp_path, "t.json", b'[{"a": 1},\n {"a": 2},\n {"a"')
    assert_failed_cleanly(result, out, "line 3")


def test_truncated_gzip_is_an_error(tmp_path):
    whole = gzip.compress(b"".join(b'{"a": %d}\n' % i for i in range(20000)))
    result, out = convert(tmp_path, "t.ndjson.gz", whole[: len(whole) // 2])
    assert_failed_cleanly(result, out, "gzip")


def test_invalid_utf8_is_located(tmp_path):
    data = b'{"name": "ok"}\n{"name": "caf\xc3"}\n'
    result, out = convert(tmp_path, "u.ndjson", data)
    assert_failed_cleanly(result, out, "line 2", "UTF-8")


def test_invalid_utf8_goes_to_rejects_with_its_offset(tmp_path):
    data = b'{"name": "ok"}\n{"name": "bad \xff here"}\n{"name": "fine"}\n'
    rejects = tmp_path / "rejects.jsonl"
    result, out = convert(tmp_path, "u.ndjson", data, "--rejects", rejects)
    assert result.returncode == 0, result.stderr
    assert [r["name"] for r in rows(out)] == ["ok", "fine"]
    [reject] = [json.loads(line) for line in rejects.read_text().splitlines()]
    # The offset is the bad byte's, in the file.
    assert reject["line"] == 2 and reject["offset"] == 29
    assert "UTF-8" in reject["reason"]


def test_a_utf8_bom_is_skipped(tmp_path):
    result, out = convert(tmp_path, "b.ndjson", b'\xef\xbb\xbf{"a": 1}\n{"a": 2}\n')
    assert result.returncode == 0, result.stderr
    assert rows(out) == [{"a": 1}, {"a": 2}]
    result, out = convert(tmp_path, "b.csv", b"\xef\xbb\xbfid,name\n1,x\n2,y\n")
    assert result.returncode == 0, result.stderr
    assert rows(out) == [{"id": 1, "name": "x"}, {"id": 2, "name": "y"}]


def test_mixed_line_endings(tmp_path):
    result, out = convert(tmp_path, "m.ndjson", b'{"a": 1}\r\n{"a": 2}\n{"a": 3}\r\n\r\n{"a": 4}')
    assert result.returncode == 0, result.stderr
    assert [r["a"] for r in rows(out)] == [1, 2, 3, 4]
    result, out = convert(tmp_path, "m.csv", b'id,text\r\n1,"two\r\nlines"\n2,plain\r\n3,last')
    assert result.returncode == 0, result.stderr
    assert rows(out) == [{"id": 1, "text": "two\r\nlines"}, {"id": 2, "text": "plain"}, {"id": 3, "text": "last"}]


def test_deep_nesting_hits_the_depth_limit(tmp_path):
    deep = b'{"a": ' + b"[" * 100_000 + b"]" * 100_000 + b"}\n"
    result, out = convert(tmp_path, "d.ndjson", deep)
    assert_failed_cleanly(result, out, "line 1", "nesting deeper than the limit")


def test_huge_numbers(tmp_path):
    # Beyond Int64 an integer column widens to double; beyond double's range is a bad number.
    data = b'{"n": 1}\n{"n": 123456789012345678901234567890}\n'
    result, out = convert(tmp_path, "n.ndjson", data)
    assert result.returncode == 0, result.stderr
    assert rows(out) == [{"n": 1.0}, {"n": 1.2345678901234568e29}]
    result, out = convert(tmp_path, "inf.ndjson", b'{"n": 1.5}\n{"n": 1e400}\n')
    assert_failed_cleanly(result, out, "line 2", "1e400")


def test_huge_strings_are_kept_or_refused_by_the_limit(tmp_path):
    big = "x" * (8 << 20)
    result, out = convert(tmp_path, "s.ndjson", json.dumps({"s": big}).encode() + b"\n")
    assert result.returncode == 0, result.stderr
    assert rows(out) == [{"s": big}]
    huge = b'{"s": "' + b"y" * (300 << 20) + b'"}\n'
    result, out = convert(tmp_path, "h.ndjson", huge)
    assert_failed_cleanly(result, out, "line 1", "limit")


def test_duplicate_keys_keep_the_last_value(tmp_path):
    result, out = convert(tmp_path, "k.ndjson", b'{"a": 1, "b": "x", "a": 2}\n{"a": 3}\n')
    assert result.returncode == 0, result.stderr
    assert rows(out) == [{"a": 2, "b": "x"}, {"a": 3, "b": None}]


def test_a_decompression_bomb_is_refused(tmp_path):
    compressor = gzip.GzipFile(tmp_path / "bomb.ndjson.gz", "wb", compresslevel=9)
    line = b" " * (1 << 20)
    for _ in range(64):
        compressor.write(line)
    compressor.close()
    out = tmp_path / "out.parquet"
    result = run_lakegate("convert", tmp_path / "bomb.ndjson.gz", "--output", out, "--max-decompressed-size", 8 << 20)
    assert_failed_cleanly(result, out, "decompresses to more than the limit of 8388608 bytes")


def test_ragged_and_unterminated_csv_records(tmp_path):
    data = b'id,name\n1,a\n2,b,extra\n3,"open\n'
    result, out = convert(tmp_path, "r.csv", data)
    # The first bad record met fails the run: the quote left open is found while sampling.
    assert_failed_cleanly(result, out, "line 4", "quoted field")
    rejects = tmp_path / "rejects.jsonl"
    result, out = convert(tmp_path, "r.csv", data, "--rejects", rejects)
    assert result.returncode == 0, result.stderr
    assert rows(out) == [{"id": 1, "name": "a"}]
    # Listed in the order found (the open quote while sampling, then the ragged row).
    reasons = sorted((json.loads(line) for line in rejects.read_text().splitlines()), key=lambda r: r["line"])
    assert [r["line"] for r in reasons] == [3, 4]
    assert "fields" in reasons[0]["reason"] and "quote" in reasons[1]["reason"]


def test_empty_and_whitespace_inputs(tmp_path):
    # JSON with no records reads as one empty `value` column; a CSV without even a header has
    # no columns, and Parquet needs one.
    for name, data in [("e.ndjson", b""), ("w.ndjson", b"\n \n\t\n")]:
        result, out = convert(tmp_path, name, data)
        assert result.returncode == 0, (name, result.stderr)
        assert pq.read_table(out).num_rows == 0
    result, out = convert(tmp_path, "nothing.csv", b"")
    assert_failed_cleanly(result, out, "no columns")
    result, out = convert(tmp_path, "h.csv", b"a,b\n")
    assert result.returncode == 0, result.stderr
    assert pq.read_table(out).column_names == ["a", "b"] and pq.read_table(out).num_rows == 0
