"""Text that Relay writes from what people typed: cut to the column it goes into, on one line where a line
is expected.

A value typed into a form fits its own field, but text built from several of them (a deal's contact name
from a first and a last name, a notification naming a lead and its company) can be longer than the
column it lands in. PostgreSQL refuses such a value, and the write that carried it (a hand-over, with the
other leads of its batch) fails; SQLite stores it whole. Every such text goes through `fit_to`.
"""

ELLIPSIS = "…"


def cut(text: str, limit: int) -> str:
    """`text` if it has at most `limit` characters, else its start and an ellipsis, `limit` in all."""
    text = text or ""
    if len(text) <= limit:
        return text
    return text[: max(limit - len(ELLIPSIS), 0)].rstrip() + ELLIPSIS[:limit]


def fit_to(model, field_name: str, text: str) -> str:
    """`text` cut to the length of `model.field_name` (unchanged for a column without a limit)."""
    limit = model._meta.get_field(field_name).max_length
    return cut(text, limit) if limit else (text or "")


def one_line(text: str, limit: int | None = None) -> str:
    """`text` with its line breaks and runs of spaces folded into single spaces (an email subject, a title),
    cut to `limit` characters when one is given."""
    line = " ".join((text or "").split())
    return cut(line, limit) if limit else line
