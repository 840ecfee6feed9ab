"""Every file of the parquet-testing corpus, read by Lakegate and by pyarrow, value for value.

Each file has a verdict below. A file that appears in the corpus without a verdict fails the
suite, so new corpus files are never silently skipped.
"""
import json
import pathlib

import pyarrow.parquet as pq
import pytest

import canonical
from conftest import conformance_dir, run_lakegate

# match        Lakegate reads exactly the values pyarrow reads.
# checksum     the file has a wrong page CRC: Lakegate refuses it (checksums are verified by
#              default) and, with --no-verify-checksums, reads what pyarrow reads.
# error        a malformed file: Lakegate exits 1 with a typed, located error.
VERDICTS = {
    "data/alltypes_dictionary.parquet": "match",
    "data/alltypes_plain.parquet": "match",
    "data/alltypes_plain.snappy.parquet": "match",
    "data/alltypes_tiny_pages.parquet": "match",
    "data/alltypes_tiny_pages_plain.parquet": "match",
    "data/binary.parquet": "match",
    "data/binary_truncated_min_max.parquet": "match",
    "data/byte_array_decimal.parquet": "match",
    "data/byte_stream_split.zstd.parquet": "match",
    "data/byte_stream_split_extended.gzip.parquet": "match",
    "data/column_chunk_key_value_metadata.parquet": "match",
    "data/concatenated_gzip_members.parquet": "match",
    "data/data_index_bloom_encoding_stats.parquet": "match",
    "data/data_index_bloom_encoding_with_length.parquet": "match",
    "data/datapage_v1-corrupt-checksum.parquet": "checksum",
    "data/datapage_v1-snappy-compressed-checksum.parquet": "match",
    "data/datapage_v1-uncompressed-checksum.parquet": "match",
    "data/datapage_v2.snappy.parquet": "match",
    "data/datapage_v2_empty_datapage.snappy.parquet": "match",
    "data/delta_binary_packed.parquet": "match",
    "data/delta_byte_array.parquet": "match",
    "data/delta_encoding_optional_column.parquet": "match",
    "data/delta_encoding_required_column.parquet": "match",
    "data/delta_length_byte_array.parquet": "match",
    "data/dict-page-offset-zero.parquet": "match",
    "data/fixed_length_byte_array.parquet": "match",
    "data/fixed_length_decimal.parquet": "match",
    "data/fixed_length_decimal_legacy.parquet": "match",
    "data/float16_nonzeros_and_nans.parquet": "match",
    "data/float16_zeros_and_nans.parquet": "match",
    "data/floating_orders_nan_count.parquet": "match",
    "data/geospatial/crs-arbitrary-value.parquet": "match",
    "data/geospatial/crs-default.parquet": "match",
    "data/geospatial/crs-geography.parquet": "match",
    "data/geospatial/crs-projjson.parquet": "match",
    "data/geospatial/crs-srid.parquet": "match",
    "data/geospatial/geography-lines.parquet": "match",
    "data/geospatial/geography-points.parquet": "match",
    "data/geospatial/geography-polygons.parquet": "match",
    "data/geospatial/geospatial-with-nan.parquet": "match",
    "data/geospatial/geospatial.parquet": "match",
    "data/hadoop_lz4_compressed.parquet": "match",
    "data/hadoop_lz4_compressed_larger.parquet": "match",
    # A map whose keys are not marked required: pyarrow refuses the schema; Lakegate reads the
    # keys as written (compared with pyarrow's reading of the same columns as plain lists).
    "data/incorrect_map_schema.parquet": "error",
    "data/int32_decimal.parquet": "match",
    "data/int32_with_null_pages.parquet": "match",
    "data/int64_decimal.parquet": "match",
    "data/int96_from_spark.parquet": "match",
    # Two map keys of 2^30 bytes each: compared in full by the Swift test
    # ReadBatchTests.largeStringMapReadsOneRowPerBatch (printing 2 GiB as JSON is too slow here).
    "data/large_string_map.brotli.parquet": "large",
    "data/list_columns.parquet": "match",
    "data/lz4_raw_compressed.parquet": "match",
    "data/lz4_raw_compressed_larger.parquet": "match",
    "data/map_no_value.parquet": "match",
    "data/nan_in_stats.parquet": "match",
    "data/nation.dict-malformed.parquet": "match",
    "data/nested_lists.snappy.parquet": "match",
    "data/nested_maps.snappy.parquet": "match",
    "data/nested_structs.rust.parquet": "match",
    "data/non_hadoop_lz4_compressed.parquet": "match",
    "data/nonnullable.impala.parquet": "match",
    "data/null_list.parquet": "match",
    "data/nullable.impala.parquet": "match",
    "data/nulls.snappy.parquet": "match",
    "data/old_list_structure.parquet": "match",
    "data/overflow_i16_page_cnt.parquet": "match",
    "data/page_v2_empty_compressed.parquet": "match",
    "data/plain-dict-uncompressed-checksum.parquet": "match",
    "data/repeated_no_annotation.parquet": "match",
    "data/repeated_primitive_no_list.parquet": "match",
    "data/rle-dict-snappy-checksum.parquet": "match",
    "data/rle-dict-uncompressed-corrupt-checksum.parquet": "checksum",
    "data/rle_boolean_encoding.parquet": "match",
    "data/single_nan.parquet": "match",
    "data/sort_columns.parquet": "match",
    "data/unknown-logical-type.parquet": "match",
    "bad_data/ARROW-GH-41317.parquet": "error",
    "bad_data/ARROW-GH-41321.parquet": "error",
    # Dictionary indices with bit width 0 are all index 0: readable, and pyarrow reads it.
    "bad_data/ARROW-GH-43605.parquet": "match",
    "bad_data/ARROW-GH-45185.parquet": "error",
    "bad_data/ARROW-GH-47662.parquet": "error",
    "bad_data/ARROW-RS-GH-6229-DICTHEADER.parquet": "error",
    "bad_data/ARROW-RS-GH-6229-LEVELS.parquet": "error",
    "bad_data/PARQUET-1481.parquet": "error",
}


def corpus_files():
    root = conformance_dir() / "parquet-testing"
    files = sorted(p.relative_to(root).as_posix() for p in root.rglob("*.parquet"))
    return root, files


def test_every_corpus_file_has_a_verdict():
    _, files = corpus_files()
    missing = [f for f in files if f not in VERDICTS]
    gone = [f for f in VERDICTS if f not in files]
    assert not missing, f"corpus files without a verdict: {missing}"
    assert not gone, f"verdicts for files no longer in the corpus: {gone}"


def pyarrow_rows(path):
    parquet_file = pq.ParquetFile(path)
    rows = []
    # Batch by batch: pyarrow cannot return some nested columns as one chunked table.
    for batch in parquet_file.iter_batches(batch_size=4096):
        rows.extend(canonical.table_rows(batch))
    return rows


def lakegate_rows(path, *extra):
    result = run_lakegate("parquet", "cat", path, "--format", "jsonl", *extra)
    assert result.returncode == 0, f"lakegate failed: {result.stderr.decode(errors='replace')[:2000]}"
    return [json.loads(line) for line in result.stdout.decode().splitlines()]


@pytest.mark.parametrize("name", sorted(VERDICTS))
def test_corpus_file(name):
    root = conformance_dir() / "parquet-testing"
    path = root / name
    verdict = VERDICTS[name]
    if verdict == "match":
        difference = canonical.first_difference(lakegate_rows(path), pyarrow_rows(path))
        assert difference is None, difference
    elif verdict == "large":
        result = run_lakegate("parquet", "validate", path, timeout=600)
        assert result.returncode == 0, result.stderr.decode(errors="replace")
        # What the Swift test asserts is what pyarrow reads: two rows, each one key of 2^30
        # 'a's with the value 1.
        rows = [row for batch in pq.ParquetFile(path).iter_batches(batch_size=1) for row in batch.column(0).to_pylist()]
        assert len(rows) == 2
        for row in rows:
            assert len(row) == 1 and row[0][1] == 1
            assert len(row[0][0]) == 1 << 30 and row[0][0].strip("a") == ""
    elif verdict == "checksum":
        result = run_lakegate("parquet", "cat", path, "--format", "jsonl")
        assert result.returncode == 1, result.stderr.decode(errors="replace")
        assert "checksum" in result.stderr.decode(), result.stderr.decode(errors="replace")
        with pytest.raises(OSError):
            pq.read_table(path, page_checksum_verification=True)
        difference = canonical.first_difference(
            lakegate_rows(path, "--no-verify-checksums"), pyarrow_rows(path))
        assert difference is None, difference
    else:
        result = run_lakegate("parquet", "cat", path, "--format", "jsonl")
        stderr = result.stderr.decode(errors="replace")
        # Exit 1 with a typed error: not a crash (a signal), not a hang (the timeout).
        assert result.returncode == 1, f"exit {result.returncode}: {stderr[:2000]}"
        assert stderr.startswith("lakegate: error: parquet"), stderr[:2000]
        assert name.split("/")[-1] in stderr, f"the error names the file: {stderr[:2000]}"


@pytest.mark.parametrize("name", ["data/alltypes_tiny_pages.parquet", "data/nested_maps.snappy.parquet"])
def test_projection_and_limit(name):
    path = conformance_dir() / "parquet-testing" / name
    table = pq.read_table(path)
    first = table.schema.names[0]
    last = table.schema.names[-1]
    theirs = canonical.table_rows(table.select([first, last]).slice(0, 3))
    ours = lakegate_rows(path, "--columns", f"{first},{last}", "--limit", "3")
    assert canonical.first_difference(ours, theirs) is None
