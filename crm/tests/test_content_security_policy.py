"""The Content-Security-Policy header, framing rules, and templates that need no inline code to run."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from campaigns.tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db

BASE_DIR = Path(settings.BASE_DIR)


def policy(response) -> dict[str, list[str]]:
    directives = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def test_every_page_carries_a_policy_that_allows_only_relays_own_scripts(client_for, manager):
    response = client_for(manager).get("/")
    directives = policy(response)
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in directives["style-src"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert response["X-Frame-Options"] == "DENY"


def test_the_sign_in_page_and_the_api_carry_the_policy_too(client, marketer):
    assert policy(client.get("/accounts/login/"))["script-src"] == ["'self'"]
    client.force_login(marketer)
    assert policy(client.get("/api/v1/leads/"))["script-src"] == ["'self'"]


def test_the_public_capture_form_may_be_framed_by_other_sites(client):
    CampaignFactory(slug="spring-launch")
    for url in ("/capture/spring-launch/", "/capture/spring-launch/thanks/"):
        response = client.get(url)
        assert response.status_code == 200
        assert "X-Frame-Options" not in response
        directives = policy(response)
        assert directives["frame-ancestors"] == ["*"]
        assert directives["script-src"] == ["'self'"]


def test_the_sites_allowed_to_frame_the_capture_form_are_configurable(client, settings):
    settings.CAPTURE_FRAME_ANCESTORS = ["https://www.example.com"]
    CampaignFactory(slug="spring-launch")
    assert policy(client.get("/capture/spring-launch/"))["frame-ancestors"] == ["https://www.example.com"]


# --- Templates: nothing the policy would block ------------------------------------------------------------

TEMPLATES = sorted(
    path for folder in [BASE_DIR / "templates", *BASE_DIR.glob("*/templates")] for path in folder.rglob("*.html")
)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"\s(on[a-z]+|hx-on[:\w-]*)\s*=", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"javascript:", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=", re.IGNORECASE)
STYLE_BLOCK = re.compile(r"<style", re.IGNORECASE)


def test_the_template_sweep_finds_the_project_templates():
    names = {path.name for path in TEMPLATES}
    assert {"base.html", "board.html", "campaign_detail.html", "capture.html", "funnel.html"} <= names


@pytest.mark.parametrize(
    ("pattern", "what"),
    [
        (INLINE_SCRIPT, "an inline <script> (move it to static/js; data goes through json_script)"),
        (EVENT_HANDLER, "an inline event handler (attach it from static/js)"),
        (JAVASCRIPT_URL, "a javascript: URL"),
        (STYLE_ATTRIBUTE, "a style= attribute (use a class, or data-* set by static/js)"),
        (STYLE_BLOCK, "a <style> block (move it to static/css)"),
    ],
)
def test_no_template_needs_inline_code(pattern, what):
    found = [
        f"{path.relative_to(BASE_DIR)}:{number}"
        for path in TEMPLATES
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if pattern.search(line)
    ]
    assert not found, f"{what}: {', '.join(found)}"


def test_htmx_is_told_not_to_inject_its_indicator_styles_or_evaluate_code(client_for, rep):
    page = client_for(rep).get("/").content.decode()
    assert '"includeIndicatorStyles": false' in page
    assert '"allowEval": false' in page
    assert ".htmx-indicator" in (BASE_DIR / "static" / "css" / "app.css").read_text()
