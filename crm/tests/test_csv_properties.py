"""Properties of the formula-safe CSV writer (crm/csv.py), for any text a lead or a user could type."""

import csv
import io

from hypothesis import given
from hypothesis import strategies as st

from crm.csv import FORMULA_STARTS, safe_cell, safe_rows
from crm.tests.properties import QUICK

# Text that starts like a formula, so that every start character (tab and CR included) is tried often.
formula_like = st.builds(lambda start, rest: start + rest, st.sampled_from(FORMULA_STARTS), st.text())
cells = st.one_of(st.text(), formula_like)


@QUICK
@given(cells)
def test_a_cell_that_could_start_a_formula_gets_an_apostrophe_and_no_other_cell_changes(text):
    cell = safe_cell(text)
    if text.startswith(FORMULA_STARTS):
        assert cell == "'" + text
    else:
        assert cell == text
    assert not cell.startswith(FORMULA_STARTS)


@QUICK
@given(st.one_of(st.integers(), st.decimals(allow_nan=False, allow_infinity=False), st.floats(allow_nan=False)))
def test_numbers_pass_unchanged_even_when_negative(number):
    assert safe_cell(number) == number


@QUICK
@given(st.lists(cells, max_size=5), st.lists(st.lists(st.one_of(cells, st.integers(), st.none()), max_size=5)))
def test_written_rows_read_back_as_their_safe_cells(header, rows):
    """Commas, quotes and line breaks inside cells survive: a spreadsheet reads back exactly the safe cells."""
    written = io.StringIO("".join(safe_rows(header, rows)), newline="")
    read = list(csv.reader(written))
    expected = [[str(safe_cell(cell)) for cell in row] for row in [header, *rows]]
    assert read == expected
    assert not any(cell.startswith(FORMULA_STARTS) for row in read for cell in row if not cell.lstrip("-").isdigit())
