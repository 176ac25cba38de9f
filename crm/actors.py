"""Who did a thing, as pages name it: a person, or Relay itself (DOMAIN.md: "the system is an actor of its
own: 'Relay (scoring)', never the user whose request happened to run it").

Relay's own work (scoring, the hand-over, the SLA's reassignment, consent, an import's steps) runs inside
`as_relay(part)`. A Celery task run eagerly, or a signal, may run it inside a person's request: there,
the audit history (django-simple-history, which takes the user of the request its middleware saw) records
no user, and the row's change reason names the part of Relay (`name_relay_part`). Records that keep their
own `by` (stage changes, activities) leave it empty for Relay. Pages name an empty actor with `actor_name`:
"Relay", or "Relay (scoring)" when the part is known.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from simple_history.models import HistoricalRecords

from crm.people import display_name

RELAY = "Relay"
# The parts of Relay that act of their own accord.
SCORING = "scoring"
HAND_OVER = "hand-over"
SLA = "SLA"
CONSENT = "consent"
IMPORT = "import"
PUBLIC_FORM = "public form"

_part: ContextVar[str | None] = ContextVar("relay_part", default=None)
_NO_REQUEST = object()


@contextmanager
def as_relay(part: str):
    """Run the block as Relay's `part`: the audit history records no user for what it saves, whoever's
    request runs it. Nests (the innermost part names the work) and restores the request on the way out."""
    context = HistoricalRecords.context
    request = getattr(context, "request", _NO_REQUEST)
    if request is not _NO_REQUEST:
        del context.request
    token = _part.set(part)
    try:
        yield
    finally:
        _part.reset(token)
        if request is not _NO_REQUEST:
            context.request = request


def relay_part() -> str | None:
    """The part of Relay running now (inside `as_relay`), else None."""
    return _part.get()


def relay_name(part: str | None = None) -> str:
    """ "Relay (scoring)", or "Relay" when the part is not known."""
    return f"{RELAY} ({part})" if part else RELAY


def actor_name(user, part: str | None = None) -> str:
    """The person's name, or Relay's (with its part when known) when no person did it."""
    return display_name(user) or relay_name(part)


def name_relay_part(sender, history_instance, **kwargs) -> None:
    """`pre_create_historical_record`: a row saved by Relay (no user) inside `as_relay` keeps the part's
    name as its change reason, which the History panel shows (`crm.history`)."""
    part = _part.get()
    if part and history_instance.history_user_id is None and not history_instance.history_change_reason:
        history_instance.history_change_reason = part
