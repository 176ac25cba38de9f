from crm.csv import csv_response, safe_cell


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


def test_csv_response_streams_a_safe_attachment():
    response = csv_response("leads.csv", ["name", "note"], [["Ada", '=HYPERLINK("x")'], ["Ben", "fine"]])
    body = b"".join(response.streaming_content).decode()
    assert response["Content-Disposition"] == 'attachment; filename="leads.csv"'
    assert body.splitlines() == ["name,note", 'Ada,"\'=HYPERLINK(""x"")"', "Ben,fine"]
