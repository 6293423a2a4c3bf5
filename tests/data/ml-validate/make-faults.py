#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Write credit-faults.csv (credit_data.csv with known faults) and
credit-shifted.csv (a drifted copy) next to this script. Deterministic:
the tests' expected values depend on exactly these edits.

Faults (data rows counted from 1):
  row 2:   Marital holds a line break (quoted), so later file lines are
           one more than row + 1
  row 7:   Age 15          (range: min 18)
  row 250: Age 130         (range: max 100)
  row 13:  Seniority "ten" (type: integer)
  row 42:  Home "castle"   (domain)
  Income emptied on every row whose number is 1, 4 or 7 modulo 10 (30%),
  besides the rows where it was missing already.
"""
import csv
import os
import random

here = os.path.dirname(os.path.abspath(__file__))
src = os.path.join(here, "../../../examples/banking/data/credit_data.csv")

with open(src, newline="") as f:
    rows = list(csv.reader(f))
header, data = rows[0], rows[1:]
col = {name: i for i, name in enumerate(header)}

faulty = [list(r) for r in data]
faulty[2 - 1][col["Marital"]] = "married\n(second time)"
faulty[7 - 1][col["Age"]] = "15"
faulty[250 - 1][col["Age"]] = "130"
faulty[13 - 1][col["Seniority"]] = "ten"
faulty[42 - 1][col["Home"]] = "castle"
for i, r in enumerate(faulty):
    if (i + 1) % 10 in (1, 4, 7):
        r[col["Income"]] = ""


def write(path, rows):
    with open(path, "w", newline="") as f:
        w = csv.writer(f, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


write(os.path.join(here, "credit-faults.csv"), faulty)

# The shifted copy: older applicants, larger amounts, more renters.
rng = random.Random(7)
shifted = []
for r in data:
    r = list(r)
    r[col["Age"]] = str(int(r[col["Age"]]) + 8)
    r[col["Amount"]] = str(int(int(r[col["Amount"]]) * 1.3))
    if r[col["Home"]] == "owner" and rng.random() < 0.4:
        r[col["Home"]] = "rent"
    shifted.append(r)
write(os.path.join(here, "credit-shifted.csv"), shifted)
