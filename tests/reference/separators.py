"""Write the shipped registry with the separators a user's export may have, for tests/cli_dialect.rs (the
separator is sniffed, no --delimiter): '|' with decimal commas (zhang2021_pipe.csv) and tab (zhang2021_tab.tsv).
Independent of calcscore: Python's csv module. Run from the repository root:  python3 tests/reference/separators.py"""
import csv
import re

NUMBER = re.compile(r"^-?\d+\.\d+$")

with open("datasets/zhang2021_synthetic.csv", newline="", encoding="utf-8") as f:
    rows = list(csv.reader(f))
comma = [rows[0]] + [[v.replace(".", ",") if NUMBER.match(v) else v for v in r] for r in rows[1:]]
with open("tests/reference/european/zhang2021_pipe.csv", "w", newline="", encoding="utf-8") as f:
    csv.writer(f, delimiter="|", lineterminator="\n").writerows(comma)
with open("tests/reference/european/zhang2021_tab.tsv", "w", newline="", encoding="utf-8") as f:
    csv.writer(f, delimiter="\t", lineterminator="\n").writerows(rows)
