"""Write the shipped registry as an Excel workbook, as a user's spreadsheet would hold it (numbers as numbers,
empty cells for missing values), for tests/cli_xlsx.rs. Independent of calcscore: Python's csv + openpyxl 3.1.
Run from the repository root:  python3 tests/reference/xlsx.py"""
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


book = openpyxl.Workbook()
sheet = book.active
sheet.title = "registry"
with open("datasets/zhang2021_synthetic.csv", newline="", encoding="utf-8") as f:
    for i, row in enumerate(csv.reader(f)):
        sheet.append(row if i == 0 else [cell(v) for v in row])
notes = book.create_sheet("notes")  # a second sheet, ignored: the first sheet is read
notes.append(["synthetic registry, see datasets/README.md"])
book.save("tests/reference/xlsx/zhang2021_synthetic.xlsx")
