"""Replies to emails from Relay, read from a mailbox over IMAP (IMAP_URL) by a beat task.

Every email goes out with Reply-To `replies+TOKEN@…` (EMAIL_REPLY_TO) and Message-ID `<TOKEN@…>`: a reply
names its email by the plus address it was sent to (To, Cc, Delivered-To) or by the Message-ID it answers
(In-Reply-To, References). Each run looks at the mailbox's unseen messages, first by their headers only;
those that name an email are fetched whole, stored once (`EmailReply`, unique by Message-ID: a message read
twice, or by two runs at once, is one reply), and only then flagged \\Seen. A message that names no email
is left as it was, unseen, for whoever else reads the mailbox.
"""

import contextlib
import hashlib
import imaplib
import re
import ssl
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.html import strip_tags

from crm.text import cut, one_line
from outreach.models import Email, EmailReply

# Unseen messages whose headers one FETCH reads; a run reads at most MAX_MESSAGES of them.
FETCH_BATCH = 200
MAX_MESSAGES = 2_000
# The reply bodies Relay keeps: the start of a long one (quoted history, a forwarded thread) is enough.
BODY_MAX_CHARS = 20_000
ADDRESS_HEADERS = ("To", "Cc", "Delivered-To", "X-Original-To")
MATCH_HEADERS = (*ADDRESS_HEADERS, "In-Reply-To", "References")
PLUS_TOKEN = re.compile(r"\+([A-Za-z0-9_-]{8,32})@")
MESSAGE_ID_TOKEN = re.compile(r"<([A-Za-z0-9_-]{8,32})@")


@dataclass(frozen=True)
class Mailbox:
    host: str
    port: int
    user: str
    password: str
    folder: str
    tls: bool


def parse_imap_url(url: str) -> Mailbox:
    """imaps://user:password@host:993/INBOX (TLS) or imap://… (plain, for a server on the same host); the
    user and password percent-encoded, the folder INBOX when not given."""
    parts = urlsplit(url)
    if parts.scheme not in ("imap", "imaps") or not parts.hostname:
        raise ValueError("IMAP_URL must look like imaps://user:password@host:993/INBOX")
    tls = parts.scheme == "imaps"
    return Mailbox(
        host=parts.hostname,
        port=parts.port or (993 if tls else 143),
        user=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        folder=unquote(parts.path.lstrip("/")) or "INBOX",
        tls=tls,
    )


def connect(mailbox: Mailbox) -> imaplib.IMAP4:
    if mailbox.tls:
        imap = imaplib.IMAP4_SSL(mailbox.host, mailbox.port, ssl_context=ssl.create_default_context(), timeout=30)
    else:
        imap = imaplib.IMAP4(mailbox.host, mailbox.port, timeout=30)
    imap.login(mailbox.user, mailbox.password)
    return imap


def candidate_tokens(message: EmailMessage) -> list[str]:
    """The email tokens a message names, the surest first: its plus addresses, then the Message-ID it
    answers, then those of References, the latest first."""
    addresses = " ".join(str(value) for name in ADDRESS_HEADERS for value in message.get_all(name, []))
    references = MESSAGE_ID_TOKEN.findall(str(message.get("References", "")))
    answered = MESSAGE_ID_TOKEN.findall(str(message.get("In-Reply-To", ""))) + references[::-1]
    return list(dict.fromkeys(PLUS_TOKEN.findall(addresses) + answered))


def parse(raw: bytes) -> EmailMessage:
    return message_from_bytes(raw, policy=policy.default)


def body_text(message: EmailMessage) -> str:
    """The reply's text: its plain part, else its HTML part without tags; cut to BODY_MAX_CHARS."""
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        text = part.get_content()
    except (LookupError, UnicodeDecodeError):  # an unknown or lying charset
        text = part.get_payload(decode=True).decode("utf-8", errors="replace")
    if part.get_content_type() == "text/html":
        text = strip_tags(text)
    return cut(text.replace("\r\n", "\n").strip(), BODY_MAX_CHARS)


def received_time(message: EmailMessage):
    """When the reply was written (its Date), unless that is missing, unreadable or ahead of now."""
    now = timezone.now()
    try:
        written = parsedate_to_datetime(str(message.get("Date", "")))
    except (TypeError, ValueError):
        return now
    if written is None or timezone.is_naive(written) or written > now:
        return now
    return written


def message_id_of(message: EmailMessage, raw: bytes) -> str:
    """The message's Message-ID, or one made from its bytes when it has none (the same message, the same id)."""
    given = one_line(str(message.get("Message-ID", "")))
    if given and len(given) <= EmailReply._meta.get_field("message_id").max_length:
        return given
    return f"<sha256-{hashlib.sha256(raw).hexdigest()}@relay.invalid>"


@transaction.atomic
def store_reply(*, email: Email, raw: bytes) -> bool:
    """Store the reply `raw` to `email` once (by its Message-ID) and set the email's `replied_at` (the first
    reply's time). Returns whether it was new."""
    message = parse(raw)
    received_at = received_time(message)
    _reply, created = EmailReply.objects.get_or_create(
        message_id=message_id_of(message, raw),
        defaults={
            "email": email,
            "from_address": cut(one_line(str(message.get("From", ""))), 320),
            "subject": one_line(str(message.get("Subject", "")), 255),
            "body": body_text(message),
            "received_at": received_at,
        },
    )
    if created:
        Email.objects.filter(pk=email.pk).update(replied_at=Coalesce(F("replied_at"), received_at))
    return created


def _fetched(data) -> dict[bytes, bytes]:
    """UID → bytes from an IMAP FETCH answer (imaplib gives a tuple per message, then a closing b")")."""
    found = {}
    for item in data:
        if isinstance(item, tuple):
            uid = re.search(rb"UID (\d+)", item[0])
            if uid:
                found[uid.group(1)] = item[1]
    return found


def matched_emails(imap: imaplib.IMAP4, uids: list[bytes]) -> dict[bytes, Email]:
    """Of the messages `uids`, those that name an email from Relay, read by their headers only."""
    wanted = " ".join(MATCH_HEADERS).upper()
    _status, data = imap.uid("FETCH", b",".join(uids), f"(UID BODY.PEEK[HEADER.FIELDS ({wanted})])")
    tokens = {uid: candidate_tokens(parse(headers)) for uid, headers in _fetched(data).items()}
    known = Email.objects.in_bulk({token for named in tokens.values() for token in named}, field_name="token")
    matches = {}
    for uid, named in tokens.items():
        email = next((known[token] for token in named if token in known), None)
        if email is not None:
            matches[uid] = email
    return matches


def read_replies(*, url: str | None = None) -> int:
    """Store the replies among the unseen messages of the mailbox at `url` (IMAP_URL), and flag each \\Seen
    once it is stored. Returns the number of new replies."""
    mailbox = parse_imap_url(url or settings.IMAP_URL)
    stored = 0
    imap = connect(mailbox)
    try:
        imap.select(f'"{mailbox.folder}"')
        _status, data = imap.uid("SEARCH", None, "UNSEEN")
        unseen = data[0].split()[:MAX_MESSAGES]
        for start in range(0, len(unseen), FETCH_BATCH):
            for uid, email in matched_emails(imap, unseen[start : start + FETCH_BATCH]).items():
                _status, data = imap.uid("FETCH", uid, "(UID BODY.PEEK[])")
                raw = _fetched(data).get(uid)
                if raw is None:  # deleted meanwhile by another reader
                    continue
                stored += store_reply(email=email, raw=raw)
                # Committed: from here a run that dies only reads the message again, and stores nothing new.
                imap.uid("STORE", uid, "+FLAGS", "(\\Seen)")
    finally:
        with contextlib.suppress(imaplib.IMAP4.error, OSError):
            imap.logout()
    return stored
