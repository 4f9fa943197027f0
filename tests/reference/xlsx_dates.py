"""Write tests/reference/xlsx/dates.xlsx for tests/cli_xlsx.rs: date and time cells as Excel stores them (day
serial numbers with a date format), independent of calcscore (openpyxl 3.1).
Sheet 'numbers': y = 1..6 and x = 1, 2, 3, 4, <date 2020-01-02>, 6 (a date typed into a column of numbers; its
serial is 43832). Sheet 'visits': a column of visit dates and times next to a number.
Run from the repository root:  python3 tests/reference/xlsx_dates.py"""
import datetime

import openpyxl

book = openpyxl.Workbook()
sheet = book.active
sheet.title = "numbers"
sheet.append(["y", "x"])
for y, x in [(1, 1.0), (2, 2.0), (3, 3.0), (4, 4.0), (5, datetime.date(2020, 1, 2)), (6, 6.0)]:
    sheet.append([y, x])
visits = book.create_sheet("visits")
visits.append(["id", "visit", "at", "x"])
visits.append(["a", datetime.date(2014, 4, 1), datetime.datetime(2014, 4, 1, 12, 30), 1.5])
visits.append(["b", datetime.date(2015, 12, 31), datetime.time(18, 0), 2.5])
book.save("tests/reference/xlsx/dates.xlsx")
