"""Write the shipped registry into a workbook where it is NOT the first sheet, for tests/cli_dialect.rs (--sheet):
sheet 1 'notes' (a two-column table, so the default sheet reads as a different table), sheet 2 'registry' (the
shipped CSV, numbers as numbers, empty cells for missing values), sheet 3 'broken' (header + 3 rows, the third
row's max_calcium_angle_deg is the text 'big': a non-numeric cell at sheet row 4). Independent of calcscore:
Python's csv + openpyxl 3.1. Run from the repository root:  python3 tests/reference/sheets.py"""
import csv

import openpyxl


def cell(text):
    if text == "":
        return None
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


with open("datasets/zhang2021_synthetic.csv", newline="", encoding="utf-8") as f:
    rows = list(csv.reader(f))
header, body = rows[0], [[cell(v) for v in r] for r in rows[1:]]

book = openpyxl.Workbook()
notes = book.active
notes.title = "notes"
notes.append(["item", "text"])
notes.append([1, "synthetic registry, see datasets/README.md"])
notes.append([2, "the registry is on the sheet 'registry'"])
registry = book.create_sheet("registry")
registry.append(header)
for r in body:
    registry.append(r)
broken = book.create_sheet("broken")
broken.append(header)
for r in body[:3]:
    broken.append(list(r))
broken.cell(row=4, column=header.index("max_calcium_angle_deg") + 1, value="big")
book.save("tests/reference/xlsx/zhang2021_sheets.xlsx")
