"""Properties of the formula-safe CSV writer (crm/csv.py), for any text a lead or a user could type."""

import csv
import io
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from crm.csv import SafeWriter, safe_cell, safe_rows
from crm.tests.properties import QUICK
from crm.tests.spreadsheet import BLANKS, CONTROLS, NUMBER, SIGNS, looks_like_a_formula, split_like_a_spreadsheet

# Text that starts like a formula, after blanks or not, so that every sign and blank is tried often.
formula_like = st.builds(
    lambda blanks, sign, rest: blanks + sign + rest,
    st.text(alphabet=BLANKS + CONTROLS, max_size=3),
    st.sampled_from(SIGNS + CONTROLS),
    st.text(),
)
# Text with list separators of every locale followed by a formula, as in "x;=1+2;y".
separated = st.builds(lambda parts: ";".join(parts), st.lists(st.one_of(st.text(max_size=5), formula_like), max_size=4))
cells = st.one_of(st.text(), formula_like, separated)
finite_numbers = st.one_of(
    st.integers(), st.decimals(allow_nan=False, allow_infinity=False), st.floats(allow_nan=False, allow_infinity=False)
)


@QUICK
@given(cells)
def test_a_cell_that_could_start_a_formula_gets_an_apostrophe_and_nothing_is_lost(text):
    cell = safe_cell(text)
    assert cell in (text, "'" + text)
    if looks_like_a_formula(text):
        assert cell == "'" + text
    assert not looks_like_a_formula(cell)


@QUICK
@given(st.from_regex(r"[A-Za-z0-9(\"'][^\r\n]*", fullmatch=True))
def test_text_that_starts_with_a_letter_digit_bracket_or_quote_is_unchanged(text):
    assert safe_cell(text) == text


@QUICK
@given(finite_numbers)
def test_numbers_pass_unchanged_even_when_negative(number):
    assert safe_cell(number) == number


@QUICK
@given(st.lists(cells, max_size=5), st.lists(st.lists(st.one_of(cells, st.integers(), st.none()), max_size=5)))
def test_written_rows_read_back_as_their_safe_cells(header, rows):
    """Commas, quotes and line breaks inside cells survive: a spreadsheet reads back exactly the safe cells,
    and none of them but a number starts like a formula."""
    written = io.StringIO("".join(safe_rows(header, rows)), newline="")
    read = list(csv.reader(written))
    expected = [[str(safe_cell(cell)) for cell in row] for row in [header, *rows]]
    assert read == expected
    assert not any(looks_like_a_formula(cell) for row in read for cell in row if not NUMBER.fullmatch(cell))


@QUICK
@given(st.lists(st.lists(cells, min_size=1, max_size=5), min_size=1, max_size=5), st.sampled_from(";\t|,"))
def test_a_spreadsheet_splitting_on_another_separator_sees_no_formula(rows, separator):
    """Every cell is quoted, so a locale whose list separator is ";" (or tab, or "|") does not cut a cell
    "x;=1+2;y" into three."""
    file = io.StringIO(newline="")
    SafeWriter(file).writerows(rows)
    read = split_like_a_spreadsheet(file.getvalue(), separator)
    assert len(read) == len(rows)
    assert not any(looks_like_a_formula(cell) for row in read for cell in row)


@QUICK
@given(finite_numbers)
def test_a_number_is_written_as_the_number_a_spreadsheet_reads(number):
    file = io.StringIO(newline="")
    SafeWriter(file).writerow([number])
    [[cell]] = csv.reader(io.StringIO(file.getvalue(), newline=""))
    assert cell == str(number)
    assert Decimal(cell) == Decimal(str(number))
