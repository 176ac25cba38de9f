"""Script injected through every free-text field is shown as text on every page, never run.

Each field gets its own payload, a two-letter tag followed by a tag-closing script and an attribute-breaking
image: `cn"><img src=x onerror=alert(1)><script>alert(1)</script>`. The payloads go in through the doors a
user or an integration uses (the forms, the public capture form, a CSV import, the REST API); then every
page that shows them is read. No page may contain a payload's markup as markup, and each page must contain
the payloads of the fields it shows escaped, which proves the field was rendered at all.
"""

import csv
import io
import json
import re
from html import unescape
from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils.html import escape

from campaigns.models import Campaign
from crm.tests.factories import UserFactory
from deals.models import Deal
from deals.tests.factories import stage_named
from handoff.models import Handoff
from handoff.services import hand_over_mql
from leads.models import FitRule, Lead, LeadImport

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
ATTRIBUTE = '"><img src=x onerror=alert(1)>'
MARKUP = (SCRIPT, "<img src=x")


def xss(tag: str) -> str:
    return f"{tag}{ATTRIBUTE}{SCRIPT}"


def short_xss(tag: str) -> str:
    """For fields of at most 50 characters."""
    return f"{tag}{SCRIPT}"


FILE_NAME = "fn<img src=x onerror=alert(1)>.csv"  # a slash would make it a path: no closing tag here
# Every payload sent, by tag, and those no page shows: an event's properties and id (the API's JSON returns
# them), the bad import row (in the errors CSV). A lost deal's note shows in the API only.
TAGS_BY_AREA = {
    "people": ["pm", "pr"],
    "campaigns": ["cn", "cd", "us", "um", "uc", "an", "ad"],
    "leads": ["wf", "wl", "wc", "wj", "lf", "ll", "lc", "lj", "li", "lo", "af", "ac", "ap", "ep", "ex"],
    "imports and scoring": ["ih", "if", "ic", "ie", "fv"],
    "sales": ["nb", "na", "rn", "dt", "dc", "dn", "ds", "as", "ts", "tn", "cl", "sn"],
}
PAYLOADS = {tag: xss(tag) for tags in TAGS_BY_AREA.values() for tag in tags}
PAYLOADS |= {"br": short_xss("br"), "fn": FILE_NAME}
NOT_SHOWN_IN_HTML = {"ap", "ep", "ex", "ie"}


class FormFields(HTMLParser):
    """The fields a browser would send with the POST form that contains `marker` (a field name)."""

    def __init__(self, marker: str):
        super().__init__()
        self.marker, self.forms, self.select, self.textarea = marker, [], None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({})
        elif not self.forms or "name" not in attrs and tag != "option":
            return
        elif tag == "input" and attrs.get("type") not in ("submit", "button"):
            if attrs.get("type") not in ("checkbox", "radio") or "checked" in attrs:
                self.forms[-1][attrs["name"]] = attrs.get("value", "")
        elif tag == "select":
            self.select = attrs["name"]
        elif tag == "option" and self.select and ("selected" in attrs or self.select not in self.forms[-1]):
            self.forms[-1][self.select] = attrs.get("value", "")
        elif tag == "textarea":
            self.textarea = attrs["name"]
            self.forms[-1][self.textarea] = ""

    def handle_data(self, data):
        if self.textarea:
            self.forms[-1][self.textarea] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def data(self, html: str) -> dict:
        self.feed(html)
        return next(form for form in self.forms if self.marker in form)


def signed_in(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def posted(client, url, data=None, **extra):
    response = client.post(url, data or {}, **extra)
    assert response.status_code in (200, 201, 302), (url, response.status_code, response.content[:500])
    return response


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def injected(django_capture_on_commit_callbacks):
    """Every free-text field filled with its payload through the real doors; returns the users, records and
    the pages that exist only at one moment (the import's mapping step, htmx answers)."""
    # People's names are free text too (set in the admin).
    marketer = UserFactory(role="Marketer", username="maya", first_name=xss("pm"))
    rep = UserFactory(role="Sales rep", username="rita", first_name=xss("pr"))
    manager = UserFactory(role="Manager", username="omar")
    as_marketer, as_rep, as_manager = signed_in(marketer), signed_in(rep), signed_in(manager)
    moments = {}

    # Campaigns: the form and the API.
    campaign_fields = {"name": xss("cn"), "description": xss("cd")}
    campaign_fields |= {"utm_source": xss("us"), "utm_medium": xss("um"), "utm_campaign": xss("uc")}
    posted(
        as_marketer,
        "/campaigns/new/",
        {**campaign_fields, "channel": "email", "objective": "nurture", "status": "active"}
        | {"start_date": "2026-01-01", "budget": "100", "owner": marketer.pk},
    )
    campaign = Campaign.objects.get(name=xss("cn"))
    posted(
        as_marketer,
        f"/campaigns/{campaign.slug}/stats/",
        {"date": "2026-01-02", "impressions": 10, "clicks": 1, "spend": "5"},
    )
    api_campaign = {"name": xss("an"), "description": xss("ad"), "channel": "email", "start_date": "2026-01-01"}
    posted(as_marketer, "/api/v1/campaigns/", api_campaign, content_type="application/json")

    # Leads: the public form, by hand, the API with an event's properties, and a CSV import.
    capture = {"first_name": xss("wf"), "last_name": xss("wl"), "company": xss("wc"), "job_title": xss("wj")}
    # From an address of its own: the public form's rate limit counts posts per address.
    posted(
        signed_in(None), f"/capture/{campaign.slug}/", {**capture, "email": "web@example.com"}, REMOTE_ADDR="10.8.0.1"
    )
    by_hand = {"first_name": xss("lf"), "last_name": xss("ll"), "company": xss("lc"), "job_title": xss("lj")}
    by_hand |= {"industry": xss("li"), "country": xss("lo"), "email": "hand@example.com", "campaign": campaign.slug}
    posted(as_marketer, "/leads/new/", by_hand)
    api_lead = {"email": "api@example.com", "first_name": xss("af"), "company_name": xss("ac")}
    api_lead |= {"campaign": campaign.slug, "properties": {"page": xss("ap")}}
    posted(as_marketer, "/api/v1/leads/", api_lead, content_type="application/json")
    event = {"email": "api@example.com", "kind": "page_view", "properties": {"x": xss("ep")}, "external_id": xss("ex")}
    posted(as_marketer, "/api/v1/events/", event, content_type="application/json")

    rows = io.StringIO()
    writer = csv.writer(rows)
    writer.writerow(["email", "first_name", "company", xss("ih")])
    writer.writerow(["csv@example.com", xss("if"), xss("ic"), "x"])
    writer.writerow([f"not an email {xss('ie')}", "", "", ""])
    upload = SimpleUploadedFile(FILE_NAME, rows.getvalue().encode(), "text/csv")
    posted(as_marketer, "/leads/import/", {"file": upload})
    lead_import = LeadImport.objects.get()
    moments["import mapping"] = (as_marketer.get(f"/leads/import/{lead_import.pk}/mapping/"), ["ih"])
    with django_capture_on_commit_callbacks(execute=True):
        mapping = {"column_0": "email", "column_1": "first_name", "column_2": "company", "column_3": ""}
        posted(as_marketer, f"/leads/import/{lead_import.pk}/mapping/", mapping)

    # Scoring rules: a fit rule's value, through the whole scoring form as the browser sends it.
    data = FormFields("fit-TOTAL_FORMS").data(as_marketer.get("/leads/scoring/").content.decode())
    extra = int(data["fit-TOTAL_FORMS"]) - 1
    data |= {f"fit-{extra}-field": "job_title", f"fit-{extra}-operator": "contains"}
    data |= {f"fit-{extra}-value": xss("fv"), f"fit-{extra}-points": "1"}
    with django_capture_on_commit_callbacks(execute=True):
        posted(as_marketer, "/leads/scoring/", data)
    assert FitRule.objects.filter(value=xss("fv")).exists()

    # The hand-over: two MQLs for the rep (names reach the inbox and the notifications).
    web, hand = Lead.objects.get(email="web@example.com"), Lead.objects.get(email="hand@example.com")
    for lead in (web, hand):
        Lead.objects.filter(pk=lead.pk).update(score=100)
        with django_capture_on_commit_callbacks(execute=True):
            assert hand_over_mql(lead_id=lead.pk) is not None

    # Sales: a note, an accept, a rejection with a free-text reason (htmx), deals, activities, a lost note.
    moments["lead timeline (htmx)"] = (
        posted(as_rep, f"/leads/{web.pk}/notes/", {"body": xss("nb")}, HTTP_HX_REQUEST="true"),
        ["nb"],
    )
    posted(as_rep, f"/inbox/{Handoff.objects.get(lead=web).pk}/accept/", {"note": xss("na")})
    reject = {"reason": "other", "outcome": "nurture", "note": xss("rn")}
    moments["inbox rejection (htmx)"] = (
        posted(as_rep, f"/inbox/{Handoff.objects.get(lead=hand).pk}/reject/", reject, HTTP_HX_REQUEST="true"),
        ["lf"],
    )
    deal_fields = {"title": xss("dt"), "company": xss("dc"), "contact_name": xss("dn"), "next_step": xss("ds")}
    posted(as_rep, "/deals/new/", {**deal_fields, "amount": "100"})
    deal = Deal.objects.get(title=xss("dt"))
    moments["activities (htmx)"] = (
        posted(as_rep, f"/deals/{deal.pk}/activities/", {"kind": "call", "subject": xss("as")}, HTTP_HX_REQUEST="true"),
        ["as"],
    )
    task = {"title": xss("ts"), "due_date": "2026-12-01", "due_time": "09:00", "note": xss("tn")}
    posted(as_rep, f"/tasks/on/deal/{deal.pk}/", task)
    moments["task panel (htmx)"] = (as_rep.get(f"/tasks/on/deal/{deal.pk}/", HTTP_HX_REQUEST="true"), ["ts", "tn"])
    lost = {"stage": stage_named("Closed lost").pk, "lost_reason": "other", "note": xss("cl")}
    posted(as_rep, f"/deals/{deal.pk}/move/", lost)
    assert Deal.objects.get(pk=deal.pk).close_note == xss("cl")

    # Managers: a stage name, and a bulk stage change's free-text reason.
    posted(as_manager, "/pipeline/stages/add/", {"new-name": xss("sn"), "new-probability": "50"})
    api = Lead.objects.get(email="api@example.com")
    bulk = {
        "bulk-leads": [api.pk],
        "bulk-action": "stage",
        "bulk-stage": "disqualified",
        "bulk-reason": short_xss("br"),
    }
    posted(as_manager, "/leads/bulk/", bulk)
    assert api.stage_changes.filter(reason=short_xss("br")).exists()

    moments["lead list results (htmx)"] = (as_manager.get("/leads/?q=example", HTTP_HX_REQUEST="true"), ["wf", "lf"])
    return {
        "marketer": marketer,
        "rep": rep,
        "manager": manager,
        "campaign": campaign,
        "api_campaign": Campaign.objects.get(name=xss("an")),
        "leads": {lead.email: lead for lead in Lead.objects.all()},
        "deal": deal,
        "import": lead_import,
        "moments": moments,
    }


# (who, URL built from the injected records, tags of the payloads the page must show escaped)
PAGES = [
    ("manager", lambda w: "/campaigns/", ["cn", "an", "pm"]),
    ("manager", lambda w: f"/campaigns/{w['campaign'].slug}/", ["cn", "cd", "us", "um", "uc", "wf", "lf"]),
    ("manager", lambda w: f"/campaigns/{w['campaign'].slug}/edit/", ["cn", "cd", "us", "um", "uc"]),
    ("manager", lambda w: f"/campaigns/{w['api_campaign'].slug}/", ["an", "ad"]),
    ("marketer", lambda w: f"/campaigns/{w['campaign'].slug}/stats/upload/", ["cn"]),
    (None, lambda w: f"/capture/{w['campaign'].slug}/", ["cn"]),
    (None, lambda w: f"/capture/{w['campaign'].slug}/thanks/", ["cn"]),
    ("manager", lambda w: "/leads/", ["wf", "wl", "wc", "lf", "ll", "lc", "af", "ac", "if", "ic"]),
    ("manager", lambda w: "/leads/?q=example", ["wf", "lf", "af", "if"]),
    ("manager", lambda w: f"/leads/{w['leads']['hand@example.com'].pk}/", ["lf", "ll", "lc", "lj", "li", "lo", "rn"]),
    ("manager", lambda w: f"/leads/{w['leads']['web@example.com'].pk}/", ["wf", "wl", "wc", "wj", "nb", "na"]),
    ("manager", lambda w: f"/leads/{w['leads']['api@example.com'].pk}/", ["af", "ac", "br"]),
    ("manager", lambda w: f"/leads/{w['leads']['csv@example.com'].pk}/", ["if", "ic"]),
    ("manager", lambda w: f"/leads/{w['leads']['hand@example.com'].pk}/edit/", ["lf", "ll", "lc", "lj", "li", "lo"]),
    ("marketer", lambda w: "/leads/import/", ["fn"]),
    ("marketer", lambda w: f"/leads/import/{w['import'].pk}/", ["fn"]),
    ("marketer", lambda w: "/leads/scoring/", ["fv"]),
    ("rep", lambda w: "/inbox/", ["wf", "lf", "rn", "na"]),
    ("manager", lambda w: "/inbox/", ["wf", "lf", "pr"]),
    ("rep", lambda w: "/notifications/", ["wf", "lf"]),
    ("manager", lambda w: "/pipeline/", ["dt", "dc", "sn", "wc", "cn", "pr"]),
    ("manager", lambda w: "/pipeline/stages/", ["sn"]),
    ("manager", lambda w: "/deals/", ["dt", "dc", "pr"]),
    ("manager", lambda w: "/deals/new/", ["sn", "pr"]),
    ("manager", lambda w: f"/deals/{w['deal'].pk}/", ["dt", "dc", "dn", "ds", "as", "sn", "pr"]),
    ("manager", lambda w: "/reports/funnel/?split=campaign", ["cn"]),
    ("manager", lambda w: "/reports/sales/", ["pr"]),
    ("manager", lambda w: "/reports/feedback/", ["cn", "nb", "wf", "pr"]),
    ("manager", lambda w: "/reports/campaigns/", ["cn", "an"]),
    ("manager", lambda w: "/", []),
    ("marketer", lambda w: "/", ["pm"]),
    ("rep", lambda w: "/", ["pr"]),
    ("manager", lambda w: "/api/v1/leads/", ["af", "ac", "wf", "lf"]),
    ("manager", lambda w: "/api/v1/campaigns/", ["cn", "cd", "an", "ad"]),
    ("manager", lambda w: f"/api/v1/deals/{w['deal'].pk}/", ["dt", "dc", "dn", "ds", "cl"]),
]


def escaped(payload: str, *, api=False) -> str:
    """The payload as the page should show it: HTML-escaped (the browsable API escapes its JSON text)."""
    return escape(json.dumps(payload)[1:-1] if api else payload)


def shows_markup(html: str) -> list[str]:
    return [markup for markup in MARKUP if markup in html]


def test_no_page_shows_an_injected_payload_as_markup(injected):
    problems, seen = [], set()
    pages = [(name, response, tags) for name, (response, tags) in injected["moments"].items()]
    for who, url_of, tags in PAGES:
        url = url_of(injected)
        # The API's pages are read as a browser reads them: the browsable API's HTML.
        response = signed_in(injected.get(who)).get(url, HTTP_ACCEPT="text/html")
        pages.append((f"{who or 'anonymous'} {url}", response, tags))
    for name, response, tags in pages:
        assert response.status_code == 200, (name, response.status_code)
        assert response["Content-Type"].startswith("text/html"), name
        html = response.content.decode()
        if markup := shows_markup(html):
            problems.append(f"{name}: unescaped {markup}")
        shown = {tag for tag, payload in PAYLOADS.items() if escaped(payload, api=" /api/" in name) in html}
        if missing := sorted(set(tags) - shown):
            problems.append(f"{name}: does not show {missing} escaped")
        seen |= shown
    assert not problems, "\n".join(problems)
    assert set(PAYLOADS) - NOT_SHOWN_IN_HTML <= seen, f"never shown: {set(PAYLOADS) - NOT_SHOWN_IN_HTML - seen}"


def test_every_payload_is_stored_where_it_was_sent(injected):
    """The sweep proves something only if every payload went in: each one is found in the database."""
    leads = injected["leads"]
    assert leads["api@example.com"].events.filter(external_id=xss("ex"), properties__x=xss("ep")).exists()
    assert leads["api@example.com"].events.filter(properties__page=xss("ap")).exists()
    assert LeadImport.objects.get().failed == 1


def test_chart_data_escapes_the_end_of_a_script(injected):
    """Campaign names go into the charts' JSON (json_script): a `</script>` in a name cannot end the block."""
    html = signed_in(injected["manager"]).get("/reports/campaigns/").content.decode()
    block = re.search(r'<script id="campaigns-chart-data" type="application/json">(.*?)</script>', html, re.S)
    assert block, "the campaign report has no chart data"
    assert "<" not in block.group(1) and ">" not in block.group(1)
    assert xss("cn") in json.loads(block.group(1))["labels"]


CSV_DOWNLOADS = [
    ("manager", lambda w: "/deals/export.csv"),
    ("manager", lambda w: "/reports/feedback/?format=csv&table=notes"),
    ("manager", lambda w: "/reports/campaigns/?format=csv&table=campaigns"),
    ("marketer", lambda w: f"/leads/import/{w['import'].pk}/errors.csv"),
]


def test_csv_downloads_are_attachments_never_html(injected):
    """A CSV carries the payloads as data; served as a text/csv attachment, no browser renders it as a page."""
    for who, url_of in CSV_DOWNLOADS:
        response = signed_in(injected[who]).get(url_of(injected))
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        assert response["Content-Disposition"].startswith("attachment")
        assert SCRIPT.encode() in body or unescape(SCRIPT).encode() in body
