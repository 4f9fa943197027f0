"""Write a workbook whose table does not start at A1, for tests/cli_dialect.rs (row numbers and cell letters
in errors are the sheet's): sheet 'registry' has two blank rows above the header (header in sheet row 3) and
a blank column A (the table starts in column B); it holds the first five rows of the shipped registry, and the
third data row (sheet row 6) has the text 'big' in max_calcium_angle_deg. Sheet 'unnamed' is the same table
with the header cell of its third column (sheet cell D3) left empty. Independent of calcscore: Python's csv +
openpyxl 3.1. Run from the repository root:  python3 tests/reference/sheet_offset.py"""
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
header, body = rows[0], [[cell(v) for v in r] for r in rows[1:6]]
body[2][header.index("max_calcium_angle_deg")] = "big"


def write(sheet, names):
    # Rows 1-2 and column A stay empty: the header starts at B3, data rows at B4.
    for j, name in enumerate(names):
        sheet.cell(row=3, column=2 + j, value=name)
    for i, r in enumerate(body):
        for j, v in enumerate(r):
            sheet.cell(row=4 + i, column=2 + j, value=v)


book = openpyxl.Workbook()
registry = book.active
registry.title = "registry"
write(registry, header)
write(book.create_sheet("unnamed"), [None if j == 2 else h for j, h in enumerate(header)])
book.save("tests/reference/xlsx/sheet_offset.xlsx")
