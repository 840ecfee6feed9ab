# Writes the pyiceberg fixtures of IcebergTests (pyiceberg 0.12.0 with pyiceberg-core, pyarrow 26.0.1,
# SqlCatalog on SQLite). Run with ICE_ROOT=<empty dir>; the fixtures are files of <root>/ns/events/metadata:
#   00000-*.metadata.json -> pyiceberg-events-empty.metadata.json, 00002-* -> pyiceberg-events.metadata.json,
#   the second append's manifest (-m0.avro) and manifest list (snap-*.avro).
import datetime, decimal, os, shutil
import pyarrow as pa
from pyiceberg.catalog.sql import SqlCatalog
from pyiceberg.schema import Schema
from pyiceberg.types import *
from pyiceberg.partitioning import PartitionSpec, PartitionField
from pyiceberg.transforms import DayTransform, BucketTransform, IdentityTransform, TruncateTransform

root = os.environ.get("ICE_ROOT", "/tmp/icegen/wh")
shutil.rmtree(root, ignore_errors=True); os.makedirs(root)
cat = SqlCatalog("lake", uri=f"sqlite:///{root}/cat.db", warehouse=f"file://{root}")
cat.create_namespace("ns")
schema = Schema(
    NestedField(1, "id", LongType(), required=True),
    NestedField(2, "event_time", TimestamptzType(), required=False),
    NestedField(3, "name", StringType(), required=False),
    NestedField(4, "price", DecimalType(10, 2), required=False),
    NestedField(5, "tags", ListType(6, StringType(), element_required=False), required=False),
    NestedField(7, "attrs", MapType(8, StringType(), 9, LongType(), value_required=False), required=False),
    NestedField(10, "loc", StructType(NestedField(11, "lat", DoubleType(), required=False), NestedField(12, "lon", DoubleType(), required=False)), required=False),
    identifier_field_ids=[1],
)
spec = PartitionSpec(
    PartitionField(source_id=2, field_id=1000, transform=DayTransform(), name="event_time_day"),
    PartitionField(source_id=1, field_id=1001, transform=BucketTransform(4), name="id_bucket_4"),
)
t = cat.create_table("ns.events", schema=schema, partition_spec=spec, properties={"owner": "lakegate"})
arrow_schema = t.schema().as_arrow()
def batch(start):
    rows = []
    for i in range(start, start + 4):
        rows.append({"id": i, "event_time": datetime.datetime(2025, 1, 5 + i % 2, 10, 30, tzinfo=datetime.timezone.utc),
                     "name": f"n{i % 2}", "price": decimal.Decimal("14.20") + i, "tags": ["a", None],
                     "attrs": [("k", i)], "loc": {"lat": 1.5, "lon": -2.5}})
    return pa.Table.from_pylist(rows, schema=arrow_schema)
t.append(batch(0))
t.append(batch(10))
t = cat.load_table("ns.events")
print(t.metadata_location)
# unpartitioned table too
u = cat.create_table("ns.plain", schema=Schema(NestedField(1, "x", LongType(), required=False), NestedField(2, "s", StringType(), required=False)))
u.append(pa.Table.from_pylist([{"x": 1, "s": "a"}, {"x": 2, "s": None}], schema=u.schema().as_arrow()))
print(cat.load_table("ns.plain").metadata_location)
