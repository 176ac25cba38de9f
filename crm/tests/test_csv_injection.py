"""No CSV Relay writes runs a formula in a spreadsheet: every one goes through crm/csv.py's writer.

Each download is filled with cells an attacker would type (a formula, a function, a link, and a formula
between ";" separators) and then read the way a spreadsheet reads it, with a list separator of "," and of
";". The source is scanned too, so a new CSV cannot be written around the safe writer.
"""

import ast
import csv
import io
import os
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from campaigns.tests.factories import CampaignFactory
from crm.tests.spreadsheet import looks_like_a_formula, split_like_a_spreadsheet
from deals.tests.factories import DealFactory
from leads.imports.upload import queue_import, start_import
from leads.tests.factories import LeadFactory, LeadNoteFactory

PAYLOADS = ["=1+2", "@SUM(A1)", '=HYPERLINK("http://x","y")', "x;=1+2;y"]
PROJECT = Path(__file__).resolve().parents[2]
SAFE_WRITER = PROJECT / "crm" / "csv.py"


def body_of(response) -> str:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return (b"".join(response.streaming_content) if response.streaming else response.content).decode()


def assert_no_formula_in(body: str, payloads=PAYLOADS):
    """Read as a spreadsheet would, with "," or ";" between cells, no cell starts a formula; each payload
    is there, as text."""
    for separator in ",;":
        cells = [cell for row in split_like_a_spreadsheet(body, separator) for cell in row]
        assert not [cell for cell in cells if looks_like_a_formula(cell)], separator
    cells = {cell for row in csv.reader(io.StringIO(body, newline="")) for cell in row}
    for payload in payloads:
        assert ("'" + payload if looks_like_a_formula(payload) else payload) in cells, payload


# --- Every download ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_deal_export_writes_no_formula(client_for, manager, rep):
    for payload in PAYLOADS:
        DealFactory(owner=rep, title=payload, company=payload, contact_name=payload)
    assert_no_formula_in(body_of(client_for(manager).get("/deals/export.csv")))


@pytest.mark.django_db
def test_the_sales_notes_export_writes_no_formula(client_for, manager, rep):
    for payload in PAYLOADS:
        campaign = CampaignFactory(name=payload)
        lead = LeadFactory(first_name=payload, last_name="", first_touch_campaign=campaign)
        LeadNoteFactory(lead=lead, author=rep, body=payload)
    body = body_of(client_for(manager).get("/reports/feedback/", {"format": "csv", "table": "notes"}))
    assert_no_formula_in(body)


@pytest.mark.django_db
def test_the_campaign_report_export_writes_no_formula(client_for, manager):
    for payload in PAYLOADS:
        CampaignFactory(name=payload)
    body = body_of(client_for(manager).get("/reports/campaigns/", {"format": "csv", "table": "campaigns"}))
    assert_no_formula_in(body)


@pytest.mark.django_db
def test_the_import_error_report_writes_no_formula(client_for, marketer, django_capture_on_commit_callbacks):
    # Each payload is an invalid email: its row goes to the error report with the reason and its cells.
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows([["email", "company"], *([payload, "Acme"] for payload in PAYLOADS)])
    upload = SimpleUploadedFile("hostile.csv", buffer.getvalue().encode(), content_type="text/csv")
    lead_import = start_import(uploaded=upload, by=marketer)
    with django_capture_on_commit_callbacks(execute=True):
        queue_import(lead_import=lead_import, mapping={"0": "email", "1": "company"}, campaign=None)
    body = body_of(client_for(marketer).get(f"/leads/import/{lead_import.pk}/errors.csv"))
    assert_no_formula_in(body)
    rows = list(csv.reader(io.StringIO(body, newline="")))
    assert [row[0] for row in rows] == ["line", "2", "3", "4", "5"]
    assert rows[4][1] == "Invalid email: x;=1+2;y."


# --- No CSV written around the safe writer -------------------------------------------------------------

WRITERS = {"writer", "DictWriter"}


def csv_writers_in(source: str) -> list[int]:
    """Lines of `source` that make a csv.writer or csv.DictWriter (however csv or the name was imported)."""
    tree = ast.parse(source)
    modules = {"csv"} | {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
        if alias.name == "csv"
    }
    return sorted(
        node.lineno
        for node in ast.walk(tree)
        if (isinstance(node, ast.Attribute) and node.attr in WRITERS and getattr(node.value, "id", None) in modules)
        or (
            isinstance(node, ast.ImportFrom)
            and node.module == "csv"
            and any(alias.name in WRITERS | {"*"} for alias in node.names)
        )
    )


def relay_modules():
    """Relay's Python files, tests left out: they build hostile uploads with any writer on purpose."""
    for folder, subfolders, files in os.walk(PROJECT):
        subfolders[:] = [
            name for name in subfolders if not name.startswith((".", "__")) and name not in ("tests", "node_modules")
        ]
        yield from (Path(folder) / name for name in files if name.endswith(".py"))


def test_the_scan_finds_a_csv_writer_however_it_is_spelt():
    assert csv_writers_in("import csv\ncsv.writer(f)\ncsv.reader(f)\n") == [2]
    assert csv_writers_in("import csv as c\nw = c.DictWriter(f, ['a'])\n") == [2]
    assert csv_writers_in("from csv import DictReader, writer\n") == [1]
    assert csv_writers_in("import csv\nrows = csv.DictReader(f)\n") == []


def test_only_crm_csv_writes_csv():
    modules = list(relay_modules())
    assert SAFE_WRITER in modules and PROJECT / "leads" / "imports" / "run.py" in modules
    offenders = {
        f"{path.relative_to(PROJECT)}:{line}"
        for path in modules
        if path != SAFE_WRITER
        for line in csv_writers_in(path.read_text(encoding="utf-8"))
    }
    assert not offenders, f"write CSV with crm.csv.SafeWriter or csv_response: {sorted(offenders)}"
