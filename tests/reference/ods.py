"""Write the shipped registry as an OpenDocument spreadsheet (.ods), as LibreOffice Calc would hold it (numbers as
float cells, empty cells for missing values, text as string cells), for tests/cli_xlsx.rs. Independent of
calcscore: Python's csv + odfpy 1.4. Run from the repository root:  python3 tests/reference/ods.py"""
import csv

from odf.opendocument import OpenDocumentSpreadsheet
from odf.table import Table, TableCell, TableRow
from odf.text import P


def cell(text):
    if text == "":
        return TableCell()
    try:
        float(text)
        return TableCell(valuetype="float", value=text)
    except ValueError:
        c = TableCell(valuetype="string")
        c.addElement(P(text=text))
        return c


doc = OpenDocumentSpreadsheet()
sheet = Table(name="registry")
with open("datasets/zhang2021_synthetic.csv", newline="", encoding="utf-8") as f:
    for i, row in enumerate(csv.reader(f)):
        tr = TableRow()
        for v in row:
            if i == 0:
                c = TableCell(valuetype="string")
                c.addElement(P(text=v))
                tr.addElement(c)
            else:
                tr.addElement(cell(v))
        sheet.addElement(tr)
doc.spreadsheet.addElement(sheet)
notes = Table(name="notes")  # a second sheet, ignored: the first sheet is read
tr = TableRow()
c = TableCell(valuetype="string")
c.addElement(P(text="synthetic registry, see datasets/README.md"))
tr.addElement(c)
notes.addElement(tr)
doc.spreadsheet.addElement(notes)
doc.save("tests/reference/xlsx/zhang2021_synthetic.ods")
