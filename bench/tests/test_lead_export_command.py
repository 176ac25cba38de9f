"""`bench_lead_export`: every lead through the lead list's export, counted, with its pace and memory."""

import io
import json

import pytest
from django.core.management import call_command

from leads.tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_command_exports_every_lead_and_says_how_fast(fmt):
    LeadFactory.create_batch(7)
    out = io.StringIO()
    call_command("bench_lead_export", "--json", "--format", fmt, stdout=out)
    figures = json.loads(out.getvalue())
    assert figures["rows"] == 7
    assert figures["rows_per_s"] > 0 and figures["peak_rss_mb"] > 0 and figures["file_bytes"] > 0
