"""Write the shipped registry as a European spreadsheet export would, for tests/cli_dialect.rs: semicolon
separator, decimal comma, Latin-1 (ISO-8859-1) text, and one more text column 'centre' with accented values
(cycling Hôpital Bichat, Zürich, Linköping, Málaga by row). Independent of calcscore: Python's csv module.
Run from the repository root:  python3 tests/reference/european.py"""
import csv
import re

CENTRES = ["Hôpital Bichat", "Zürich", "Linköping", "Málaga"]
NUMBER = re.compile(r"^-?\d+\.\d+$")

with open("datasets/zhang2021_synthetic.csv", newline="", encoding="utf-8") as f:
    rows = list(csv.reader(f))
out = [rows[0] + ["centre"]]
for i, r in enumerate(rows[1:]):
    out.append([v.replace(".", ",") if NUMBER.match(v) else v for v in r] + [CENTRES[i % 4]])
with open("tests/reference/european/zhang2021_latin1.csv", "w", newline="", encoding="latin-1") as f:
    csv.writer(f, delimiter=";", lineterminator="\r\n").writerows(out)
