"""Parquet files with column types this build of polars cannot read (it aborted on them).

Run from the repository root: python3 tests/reference/robust/make_parquet.py (pyarrow 26).
decimal.parquet: y decimal128(5, 2) = 1.50, 2.25, 3.00, 4.75; x float64 = 1, 2, 3, 5.
float16.parquet: h float16 = 1, 2, 3, 4; x float64 as above.
"""
from decimal import Decimal

import pyarrow as pa
import pyarrow.parquet as pq

x = pa.array([1.0, 2.0, 3.0, 5.0])
dec = pa.array([Decimal(v) for v in ["1.50", "2.25", "3.00", "4.75"]], type=pa.decimal128(5, 2))
pq.write_table(pa.table({"y": dec, "x": x}), "tests/reference/robust/decimal.parquet")
half = pa.array([1, 2, 3, 4], type=pa.float16())
pq.write_table(pa.table({"h": half, "x": x}), "tests/reference/robust/float16.parquet")
