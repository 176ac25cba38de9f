"""How a spreadsheet reads a CSV, for the tests of crm/csv.py's writer.

What a spreadsheet runs as a formula is written out here, not imported from crm.csv, so that the tests
check the writer against a list of their own.
"""

import re

# Formula signs (OWASP's =, +, -, @, their full-width and small forms, the minus sign), the control
# characters that start a formula by themselves, and the blanks a spreadsheet skips before a sign.
SIGNS = "=+-@＝＋－＠﹦﹢﹣﹫\u2212"
CONTROLS = "\t\r\n"
BLANKS = " \u00a0\u2003\u3000\u200b\ufeff"
NUMBER = re.compile(r"-?\d+(\.\d+)?(E[+-]?\d+)?", re.IGNORECASE)


def looks_like_a_formula(cell: str) -> bool:
    return cell[:1] in set(CONTROLS) or cell.lstrip(BLANKS + CONTROLS)[:1] in set(SIGNS)


def split_like_a_spreadsheet(text: str, separator: str) -> list[list[str]]:
    """The rows of cells a spreadsheet whose list separator is `separator` reads: it splits on the separator
    and at line ends outside double quotes (each quote opens or closes; a doubled quote inside a quoted cell
    closes and opens again)."""
    rows, row, cell, quoted = [], [], "", False
    for char in text:
        if char == '"':
            quoted = not quoted
        elif char == separator and not quoted:
            row, cell = [*row, cell], ""
        elif char == "\n" and not quoted:
            rows, row, cell = [*rows, [*row, cell.removesuffix("\r")]], [], ""
        else:
            cell += char
    return rows
