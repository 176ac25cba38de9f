"""The message the outbox sends for an email: parts, headers, tracked links, pixel and unsubscribe link."""

import re
from html import unescape

import pytest

from outreach import tracking
from outreach.message import build_message
from outreach.models import EmailKind
from outreach.tests.factories import EmailFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _addresses(settings):
    settings.SITE_URL = "https://crm.relay.example"
    settings.DEFAULT_FROM_EMAIL = "Relay <relay@relay.example>"
    settings.EMAIL_REPLY_TO = "replies@mail.relay.example"


def html_of(message) -> str:
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return html


def hrefs(html: str) -> list[str]:
    return [unescape(href) for href in re.findall(r'href="([^"]+)"', html)]


def test_the_message_comes_from_the_rep_at_relays_address_and_names_the_email():
    email = EmailFactory()
    message = build_message(email)
    assert message.from_email == "Rita Ramos <relay@relay.example>"
    assert message.to == [email.to_address]
    assert message.subject == "Following up on the webinar"
    assert message.extra_headers["Message-ID"] == f"<{email.token}@mail.relay.example>"
    assert message.reply_to == [f"replies+{email.token}@mail.relay.example"]
    assert f"Message-ID: <{email.token}@mail.relay.example>" in message.message().as_string()


def test_without_a_reply_address_there_is_no_reply_to(settings):
    settings.EMAIL_REPLY_TO = ""
    email = EmailFactory()
    message = build_message(email)
    assert message.reply_to == []
    assert message.extra_headers["Message-ID"] == f"<{email.token}@relay.example>"


def test_the_text_part_is_the_body_as_written():
    message = build_message(EmailFactory())
    assert message.body == "Hello,\n\nThe recording is at https://relay.example/webinar?id=7.\nTalk soon,\nRita\n"


def test_every_link_of_the_html_part_goes_through_a_signed_redirect_to_its_address():
    email = EmailFactory(body="See https://relay.example/a?x=1&y=2, and (http://relay.example/b).\nBye")
    html = html_of(build_message(email))
    links = hrefs(html)
    assert len(links) == 2
    for link, target in zip(links, ["https://relay.example/a?x=1&y=2", "http://relay.example/b"], strict=True):
        assert link.startswith("https://crm.relay.example/e/c/")
        assert tracking.clicked_link(link.removeprefix("https://crm.relay.example/e/c/").rstrip("/")) == (
            email.token,
            target,
        )
    # The reader sees where a link leads; the sentence's punctuation stays outside it.
    assert "https://relay.example/a?x=1&amp;y=2</a>, and (" in html


def test_an_address_too_long_to_count_is_linked_as_it_is():
    long = "https://relay.example/" + "a" * 2000
    html = html_of(build_message(EmailFactory(body=f"See {long}")))
    assert hrefs(html) == [long]


def test_the_html_part_escapes_the_text_and_keeps_its_paragraphs():
    email = EmailFactory(body="<script>alert(1)</script> & co\nline two\n\nSecond paragraph")
    html = html_of(build_message(email))
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co<br>\nline two</p>" in html
    assert html.count("<p ") == 2


def test_the_html_part_ends_with_the_emails_tracking_pixel():
    email = EmailFactory()
    html = html_of(build_message(email))
    [pixel] = re.findall(r'<img src="([^"]+)" width="1" height="1"', html)
    assert pixel.startswith("https://crm.relay.example/e/o/") and pixel.endswith(".gif")
    signed = pixel.removeprefix("https://crm.relay.example/e/o/").removesuffix(".gif")
    assert tracking.opened_email_token(signed) == email.token


def test_a_sales_email_has_no_unsubscribe_link():
    message = build_message(EmailFactory(kind=EmailKind.SALES))
    assert "List-Unsubscribe" not in message.extra_headers
    assert "unsubscribe" not in message.body.lower()
    assert "/e/u/" not in html_of(message)


def test_a_marketing_email_carries_its_unsubscribe_link_and_one_click_headers():
    email = EmailFactory(kind=EmailKind.MARKETING)
    message = build_message(email)
    url = tracking.unsubscribe_url(email)
    assert url.startswith("https://crm.relay.example/e/u/")
    assert message.extra_headers["List-Unsubscribe"] == f"<{url}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.body.endswith(f"unsubscribe: {url}\n")
    # In the HTML part the unsubscribe link is direct, never counted as a click.
    assert url in hrefs(html_of(message))


def test_the_message_goes_through_the_connection_given(mailoutbox):
    from django.core.mail import get_connection

    connection = get_connection()
    message = build_message(EmailFactory(), connection=connection)
    assert message.connection is connection
    message.send()
    assert len(mailoutbox) == 1
