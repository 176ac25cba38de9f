"""Replies read from the replies mailbox over IMAP (a real server, started by the test): matched to their
email by the plus address or the Message-ID they answer, stored once, flagged seen only once stored."""

from unittest import mock

import pytest

from leads.selectors import lead_timeline
from outreach import replies, tasks
from outreach.message import build_message, reply_to_address
from outreach.models import EmailReply
from outreach.tests.factories import EmailFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _reply_address(settings):
    settings.EMAIL_REPLY_TO = "replies@relay.example"


def reply(
    *,
    to: str,
    message_id: str = "<r1@lead.example>",
    in_reply_to: str = "",
    body: str = "Sounds good.",
    content_type: str = "text/plain",
) -> bytes:
    headers = [
        "From: Ada Lee <ada@lead.example>",
        f"To: {to}",
        "Subject: Re: Following up on the webinar",
        "Date: Mon, 07 Dec 2026 09:15:00 +0000",
        f"Message-ID: {message_id}",
        f"Content-Type: {content_type}; charset=utf-8",
    ]
    if in_reply_to:
        headers += [f"In-Reply-To: {in_reply_to}", f"References: <older@lead.example> {in_reply_to}"]
    return ("\r\n".join(headers) + "\r\n\r\n" + body + "\r\n").encode()


def test_a_reply_to_the_plus_address_is_stored_and_flagged_seen(imap_server):
    email = EmailFactory()
    imap_server.deliver(reply(to=reply_to_address(email)))
    assert replies.read_replies(url=imap_server.url) == 1
    stored = EmailReply.objects.get()
    assert stored.email == email
    assert (stored.from_address, stored.subject) == ("Ada Lee <ada@lead.example>", "Re: Following up on the webinar")
    assert stored.body == "Sounds good."
    assert stored.message_id == "<r1@lead.example>"
    assert stored.received_at.isoformat() == "2026-12-07T09:15:00+00:00"
    email.refresh_from_db()
    assert email.replied_at == stored.received_at
    assert imap_server.unseen() == 0


def test_a_reply_is_stored_once_however_often_it_is_read(imap_server):
    email = EmailFactory()
    imap_server.deliver(reply(to=reply_to_address(email)))
    assert replies.read_replies(url=imap_server.url) == 1
    imap_server.deliver(reply(to=reply_to_address(email)))  # the same message delivered again, unseen
    assert replies.read_replies(url=imap_server.url) == 0
    assert replies.read_replies(url=imap_server.url) == 0
    assert EmailReply.objects.count() == 1
    assert imap_server.unseen() == 0


def test_a_reply_to_the_plain_address_is_matched_by_the_message_it_answers(imap_server):
    email = EmailFactory()
    answered = build_message(email).extra_headers["Message-ID"]
    imap_server.deliver(reply(to="replies@relay.example", in_reply_to=answered))
    assert replies.read_replies(url=imap_server.url) == 1
    assert EmailReply.objects.get().email == email


def test_a_message_that_names_no_email_is_left_unseen(imap_server):
    EmailFactory()
    imap_server.deliver(reply(to="replies@relay.example", message_id="<news@vendor.example>"))
    imap_server.deliver(reply(to="replies+NotAnEmailToken1@relay.example", message_id="<x@vendor.example>"))
    assert replies.read_replies(url=imap_server.url) == 0
    assert not EmailReply.objects.exists()
    assert imap_server.unseen() == 2


def test_a_reply_that_could_not_be_stored_stays_unseen_for_the_next_run(imap_server):
    email = EmailFactory()
    imap_server.deliver(reply(to=reply_to_address(email)))
    failing = mock.patch("outreach.replies.store_reply", side_effect=RuntimeError("database down"))
    with failing, pytest.raises(RuntimeError):
        replies.read_replies(url=imap_server.url)
    assert imap_server.unseen() == 1
    assert replies.read_replies(url=imap_server.url) == 1


def test_an_html_only_reply_is_kept_as_text(imap_server):
    email = EmailFactory()
    html = "<p>Yes, <b>Tuesday</b> works.</p>"
    imap_server.deliver(reply(to=reply_to_address(email), body=html, content_type="text/html"))
    replies.read_replies(url=imap_server.url)
    assert EmailReply.objects.get().body == "Yes, Tuesday works."


def test_the_reply_shows_on_the_leads_timeline(imap_server, client_for, marketer):
    email = EmailFactory()
    imap_server.deliver(reply(to=reply_to_address(email), body="Call me on Tuesday."))
    replies.read_replies(url=imap_server.url)
    [entry] = [entry for entry in lead_timeline(email.lead) if entry.title.startswith("Replied")]
    assert entry.kind_label == "Email"
    assert entry.title == "Replied: Re: Following up on the webinar"
    assert entry.detail == "Call me on Tuesday." and entry.by == "Ada Lee <ada@lead.example>"
    page = client_for(marketer).get(f"/leads/{email.lead.pk}/").content.decode()
    assert "Call me on Tuesday." in page


def test_the_task_reads_the_configured_mailbox_and_nothing_without_one(imap_server, settings):
    email = EmailFactory()
    imap_server.deliver(reply(to=reply_to_address(email)))
    settings.IMAP_URL = ""
    assert tasks.read_replies() == 0
    settings.IMAP_URL = imap_server.url
    assert tasks.read_replies() == 1


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "imaps://relay%40corp.example:p%3Ass@imap.corp.example/INBOX",
            ("imap.corp.example", 993, "relay@corp.example", "p:ss", "INBOX", True),
        ),
        ("imap://u:p@127.0.0.1:1143", ("127.0.0.1", 1143, "u", "p", "INBOX", False)),
        ("imaps://u:p@host/Relay%20replies", ("host", 993, "u", "p", "Relay replies", True)),
    ],
)
def test_the_imap_url_gives_server_login_and_folder(url, expected):
    mailbox = replies.parse_imap_url(url)
    assert (mailbox.host, mailbox.port, mailbox.user, mailbox.password, mailbox.folder, mailbox.tls) == expected


def test_an_imap_url_of_another_scheme_is_refused():
    with pytest.raises(ValueError, match="imaps://"):
        replies.parse_imap_url("https://imap.example.com/")
