import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from crm.tests.factories import UserFactory
from leads.tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


def test_bench_pages_prints_a_median_for_each_page():
    UserFactory(username="manager", role="Manager")
    rep = UserFactory(username="rep1", role="Sales rep")
    LeadFactory.create_batch(3, owner=rep)
    out = StringIO()
    call_command("bench_pages", "--repeat", "2", stdout=out)
    figures = dict(re.findall(r"(\S+)=([0-9.]+)", out.getvalue()))
    assert list(figures) == ["/leads/count/", "/leads/", "/inbox/", "/pipeline/", "/reports/funnel/", "/"]
    assert all(float(ms) > 0 for ms in figures.values())


def test_bench_pages_asks_for_the_demo_users():
    with pytest.raises(CommandError, match="seed_demo"):
        call_command("bench_pages", "--repeat", "1", stdout=StringIO())
