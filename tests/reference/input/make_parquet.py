"""Parquet fixtures for tests/cli_input.rs, written with pyarrow (an independent writer).

Run from the repository root:  python3 tests/reference/input/make_parquet.py

- shipped_int_ids.parquet: datasets/zhang2021_synthetic.csv with patient_id and lesion_id stored as int64
  (the letter prefix dropped: P01747 -> 1747, L000001 -> 1); every other column as pandas reads it.
- small_ints.parquet: the same registry with the 0/1 columns stored as int8, uint8, int16 and uint16 and the
  angle as int16 (values unchanged).
"""

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

SRC = "datasets/zhang2021_synthetic.csv"
OUT = "tests/reference/input/"

df = pd.read_csv(SRC, dtype={"patient_id": str, "lesion_id": str})
ids = df.copy()
ids["patient_id"] = ids["patient_id"].str[1:].astype("int64")
ids["lesion_id"] = ids["lesion_id"].str[1:].astype("int64")
pq.write_table(pa.Table.from_pandas(ids, preserve_index=False), OUT + "shipped_int_ids.parquet")

small = df.copy()
widths = {"cto": "int8", "isr": "uint8", "pre_ivus": "int16", "post_ivus": "uint16",
          "angio_calcium": "int8", "cutting_scoring_balloon": "uint8",
          "max_calcium_angle_deg": "int16"}
for col, t in widths.items():
    assert (small[col] == small[col].astype(t)).all(), col
    small[col] = small[col].astype(t)
table = pa.Table.from_pandas(small, preserve_index=False)
for col, t in widths.items():
    assert str(table.schema.field(col).type) == t, (col, table.schema.field(col).type)
pq.write_table(table, OUT + "small_ints.parquet")
print(len(df), "rows;", df["patient_id"].nunique(), "patients")
