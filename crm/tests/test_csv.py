import io
from decimal import Decimal

import pytest

from crm.csv import SafeWriter, csv_response, safe_cell


def test_cells_that_could_start_a_formula_are_neutralised():
    assert [safe_cell(value) for value in ["=1+1", "+A1", "-2", "@SUM(A1)", "\tx", "ok", 42, -3, None]] == [
        "'=1+1",
        "'+A1",
        "'-2",
        "'@SUM(A1)",
        "'\tx",
        "ok",
        42,
        -3,
        "",
    ]


@pytest.mark.parametrize(
    "text",
    [
        " =1+2",  # spreadsheets skip leading blanks
        "\n=1+2",
        "\r=1+2",
        "\u00a0\u3000=1+2",  # no-break and ideographic spaces
        "\u200b=1+2",  # a zero-width space
        "＝1+2",  # full-width signs, as an East Asian keyboard types them
        "＋A1",
        "－2",
        "＠SUM(A1)",
        "\u22121",  # the minus sign
        "\n",  # a control character starts no text
    ],
)
def test_formulas_behind_blanks_or_in_full_width_are_neutralised(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("text", ["Ada", " Ada", "a=b", "x;=1+2;y", "'=1+2", "", "   "])
def test_text_that_starts_no_formula_is_unchanged(text):
    assert safe_cell(text) == text


def test_only_finite_numbers_pass_as_numbers():
    assert safe_cell(Decimal("-5.00")) == Decimal("-5.00")
    assert safe_cell(-2.5) == -2.5
    assert safe_cell(float("-inf")) == "'-inf"
    assert safe_cell(Decimal("-Infinity")) == "'-Infinity"


def test_the_safe_writer_quotes_every_cell_numbers_included():
    file = io.StringIO()
    writer = SafeWriter(file)
    writer.writerows([["line", "email", "reason"], [3, "x;=1+2;y", '=HYPERLINK("http://x","y")'], [Decimal("-5.00")]])
    assert file.getvalue().splitlines() == [
        '"line","email","reason"',
        '"3","x;=1+2;y","\'=HYPERLINK(""http://x"",""y"")"',
        '"-5.00"',
    ]


def test_csv_response_streams_a_safe_attachment():
    response = csv_response("leads.csv", ["name", "note"], [["Ada", '=HYPERLINK("x")'], ["Ben", "x;=1+2;y"]])
    body = b"".join(response.streaming_content).decode()
    assert response["Content-Disposition"] == 'attachment; filename="leads.csv"'
    assert body.splitlines() == ['"name","note"', '"Ada","\'=HYPERLINK(""x"")"', '"Ben","x;=1+2;y"']
