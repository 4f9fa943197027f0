"""Write a Parquet copy (same values; float64 and int64 columns) of each CSV named on the command line."""
import sys

import pyarrow.csv as pacsv
import pyarrow.parquet as pq

for path in sys.argv[1:]:
    table = pacsv.read_csv(path)
    pq.write_table(table, path[: -len(".csv")] + ".parquet", compression="snappy")
