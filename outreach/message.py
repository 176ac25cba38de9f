"""The message that goes out for an Email row: what the outbox sends, exactly.

A plain-text part as the rep wrote it, and an HTML part made from it (escaped, in paragraphs, its links
made clickable) whose every http(s) link goes through a signed click redirect and which ends with a 1×1
tracking pixel. The Message-ID and the Reply-To address carry the email's token, so that a reply finds
its email (`outreach.replies`). A marketing email carries an unsubscribe link in its footer and the
List-Unsubscribe headers that let mail programs offer a one-click unsubscribe (RFC 8058).
"""

import re
from email.utils import formataddr, parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from crm.people import display_name
from outreach import tracking
from outreach.models import EmailClick, EmailKind

# An http(s) address in running text, without the punctuation that usually follows one in a sentence.
LINK = re.compile(r"https?://[^\s<>\"]*[^\s<>\".,;:!?)\]}'’”]", re.IGNORECASE)
PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
URL_MAX_LENGTH = EmailClick._meta.get_field("url").max_length


def sender_address() -> str:
    """The address every email goes out from: DEFAULT_FROM_EMAIL's."""
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1]


def message_domain() -> str:
    """The domain of Relay's Message-IDs: the reply address's, else the sender address's."""
    address = settings.EMAIL_REPLY_TO or sender_address()
    return address.rpartition("@")[2] or "localhost"


def message_id(email) -> str:
    return f"<{email.token}@{message_domain()}>"


def reply_to_address(email) -> str | None:
    """EMAIL_REPLY_TO with the email's token after a plus (replies+TOKEN@relay.example); None when unset."""
    if not settings.EMAIL_REPLY_TO:
        return None
    local, _, domain = settings.EMAIL_REPLY_TO.rpartition("@")
    return f"{local}+{email.token}@{domain}"


def unsubscribe_footer(email) -> str:
    return (
        "You receive this email because you agreed to hear from us. "
        f"To receive no more marketing email, unsubscribe: {tracking.unsubscribe_url(email)}"
    )


def linked(text: str, email) -> SafeString:
    """`text` escaped, each http(s) address in it a link through the email's signed click redirect."""
    parts, start = [], 0
    for match in LINK.finditer(text):
        url = match.group(0)
        # An address too long to count its clicks by (EmailClick.url) is linked as it is.
        href = tracking.click_url(email, url) if len(url) <= URL_MAX_LENGTH else url
        parts.append(escape(text[start : match.start()]))
        parts.append(format_html('<a href="{}">{}</a>', href, url))
        start = match.end()
    parts.append(escape(text[start:]))
    return mark_safe("".join(parts))  # noqa: S308 - every piece is escaped or built by format_html


def html_body(email) -> str:
    """The HTML part: the body's paragraphs with their links tracked, for a marketing email a footer with
    the unsubscribe link (direct, never through the click redirect), then the tracking pixel."""
    text = email.body.strip()
    paragraphs = [part.strip("\n") for part in PARAGRAPH_BREAK.split(text) if part.strip()]
    body = format_html_join(
        "\n",
        '<p style="margin:0 0 1em">{}</p>',
        ((mark_safe(linked(paragraph, email).replace("\n", "<br>\n")),) for paragraph in paragraphs),  # noqa: S308
    )
    footer = ""
    if email.kind == EmailKind.MARKETING:
        footer = format_html(
            '<p style="margin:2em 0 0;font-size:12px;color:#6c757d">You receive this email because you agreed to '
            'hear from us. <a href="{}">Unsubscribe</a> to receive no more marketing email.</p>',
            tracking.unsubscribe_url(email),
        )
    pixel = format_html(
        '<img src="{}" width="1" height="1" alt="" style="display:block;border:0;width:1px;height:1px">',
        tracking.pixel_url(email),
    )
    return format_html(
        '<!DOCTYPE html>\n<html><body style="font-family:Arial,sans-serif;font-size:15px;line-height:1.5">\n'
        "{}\n{}{}\n</body></html>\n",
        body,
        footer,
        pixel,
    )


def build_message(email, *, connection=None) -> EmailMultiAlternatives:
    """The message to send for `email` (an outreach.Email): text and HTML parts, Relay's headers, and for
    a marketing email the unsubscribe link and headers. Sending it is the outbox's work."""
    text = email.body.rstrip() + "\n"
    headers = {"Message-ID": message_id(email)}
    if email.kind == EmailKind.MARKETING:
        text += "\n-- \n" + unsubscribe_footer(email) + "\n"
        headers["List-Unsubscribe"] = f"<{tracking.unsubscribe_url(email)}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    reply_to = reply_to_address(email)
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=text,
        from_email=formataddr((display_name(email.sender), sender_address())),
        to=[email.to_address],
        reply_to=[reply_to] if reply_to else None,
        headers=headers,
        connection=connection,
    )
    message.attach_alternative(html_body(email), "text/html")
    return message
