#!/usr/bin/env python3
"""Writes a small sample Parquet file (web events with nested fields) with pyarrow,
for the demo: an outside writer's file for Lakegate to inspect, print and rewrite."""
import datetime as dt
import random
import sys

import pyarrow as pa
import pyarrow.parquet as pq

random.seed(7)
rows = 10_000
start = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
table = pa.table({
    "event_id": pa.array(range(rows), pa.int64()),
    "event_time": pa.array([start + dt.timedelta(seconds=37 * i) for i in range(rows)], pa.timestamp("us", tz="UTC")),
    "event_type": pa.array([random.choice(["view", "click", "purchase"]) for _ in range(rows)]),
    "user": pa.array([{"id": random.randrange(500), "country": random.choice(["DE", "FR", "US", None])} for _ in range(rows)],
                     pa.struct([("id", pa.int32()), ("country", pa.string())])),
    "amount": pa.array([None if i % 3 else round(random.uniform(1, 500), 2) for i in range(rows)], pa.float64()),
    "tags": pa.array([[random.choice(["new", "promo", "mobile"]) for _ in range(i % 3)] for i in range(rows)],
                     pa.list_(pa.string())),
})
pq.write_table(table, sys.argv[1], compression="snappy", row_group_size=4_000)
