"""Reads on leads that several views share: who sees what, the list's filters and keyset pages, the timeline."""

import functools
import json
import operator
import re
from dataclasses import dataclass
from datetime import datetime

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import connections
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from crm.actors import HAND_OVER, SLA, actor_name, relay_name
from crm.bounds import parse_datetime_in_range, parse_id
from crm.people import display_name
from crm.roles import MANAGER, MARKETER, ROLES, SALES_REP, has_role
from crm.text import cut
from leads.models import CONTACT_FIELDS, Lead, LeadImport, field_label

PAGE_SIZE = 25
# The list page counts its leads up to this many, reading at most one more (as cheap as the page itself),
# and a list that small is read whole through its filters' indexes and sorted (see keyset_page).
PAGE_COUNT_LIMIT = 1_000
# Beyond, the count comes in a request of its own (`views.lead_count`) so that the rows never wait for it:
# exact up to this many, an estimate marked as one above (reading a million rows to tell 1,000,000 from
# 1,000,003 is not worth it).
EXACT_COUNT_LIMIT = 100_000
# The fields the search box looks in; every word of a search must be in one of them. A name, an email and a
# company fit in far fewer words than MAX_SEARCH_WORDS (SQLite refuses a query of several hundred words).
SEARCHED_FIELDS = ("email", "first_name", "last_name", "company")
MAX_SEARCH_WORDS = 10
TIMELINE_LIMIT = 100

# sort name → (column, newest/highest first)
SORTS = {
    "newest": ("created_at", True),
    "oldest": ("created_at", False),
    "score": ("score", True),
    "score_low": ("score", False),
}


def can_edit_leads(user) -> bool:
    """Marketers and managers create, edit and import leads (DOMAIN.md "Roles")."""
    return has_role(user, MARKETER, MANAGER)


def leads_visible_to(user):
    """Every role reads every lead; a user without a role sees none."""
    if not has_role(user, *ROLES):
        return Lead.objects.none()
    return Lead.objects.all()


def leads_writable_by(user):
    """The leads `user` may change or tie work to (a deal's lead, a bulk action): marketers and managers every
    lead, a sales rep only the leads they own, so that moving a deal never moves another rep's lead."""
    if has_role(user, MARKETER, MANAGER):
        return Lead.objects.all()
    if has_role(user, SALES_REP):
        return Lead.objects.filter(owner=user)
    return Lead.objects.none()


def lead_for_user(user, lead_id: int, *, write: bool = False) -> Lead:
    """The lead, if `user` may see it (else 404) and, with `write`, change it (else 403)."""
    try:
        lead = (
            leads_visible_to(user)
            .select_related("owner", "first_touch_campaign", "latest_touch_campaign", "account")
            .get(pk=lead_id)
        )
    except Lead.DoesNotExist:
        raise Http404("No such lead.") from None
    if write and not can_edit_leads(user):
        raise PermissionDenied
    return lead


def lead_import_for_user(user, import_id: int) -> LeadImport:
    """Imports are seen by those who may import (marketers and managers); others get a 404."""
    if not can_edit_leads(user):
        raise Http404("No such import.")
    try:
        return LeadImport.objects.select_related("campaign").get(pk=import_id)
    except LeadImport.DoesNotExist:
        raise Http404("No such import.") from None


def sales_reps():
    """Users a manager can give leads to."""
    return get_user_model().objects.filter(groups__name=SALES_REP, is_active=True).order_by("first_name", "username")


def lead_owners_for(user):
    """Who `user` may give leads to: a manager, any active sales rep; nobody else reassigns leads."""
    return sales_reps() if has_role(user, MANAGER) else get_user_model().objects.none()


def search_leads(queryset, text: str):
    """The leads of `queryset` with every word of `text` in their email, first name, last name or company."""
    for word in text.split():
        queryset = queryset.filter(_searched_for(word))
    return queryset


def _searched_for(word: str) -> Q:
    """Leads with `word` in their email, first name, last name or company. A search of several words asks this
    of each word, so "Dana Okafor", "okafor dana" and "dana acme" all find Dana Okafor of Acme. Each word is
    the `UPPER(column) LIKE` of one column that the trigram index (migration 0008) answers on PostgreSQL."""
    return functools.reduce(operator.or_, (Q(**{f"{field}__icontains": word}) for field in SEARCHED_FIELDS))


@dataclass
class KeysetPage:
    """One page of a list ordered by (column, id), with cursors to the pages around it."""

    rows: list
    next_cursor: str | None
    previous_cursor: str | None


def _cursor_of(row, column: str) -> str:
    value = getattr(row, column)
    return f"{value.isoformat() if isinstance(value, datetime) else value}_{row.pk}"


def _parse_cursor(column: str, cursor: str):
    """The (value, id) a cursor points after, or None when it is not one this list wrote: the page then starts
    at the top. A time or a score outside what the columns hold counts as unreadable, not as a 500."""
    value, _, pk = cursor.rpartition("_")
    parsed = parse_datetime_in_range(value) if column == "created_at" else _parse_score(value)
    pk = parse_id(pk)
    if parsed is None or pk is None:
        return None
    return parsed, pk


def _parse_score(text: str) -> int | None:
    """A score written by `_cursor_of` (an integer column: within ±2^31), or None."""
    if not re.fullmatch(r"-?[0-9]{1,10}", text) or abs(int(text)) >= 2**31:
        return None
    return int(text)


def keyset_page(
    queryset, *, sort: str, after: str = "", before: str = "", size: int = PAGE_SIZE, counted: int | None = None
) -> KeysetPage:
    """A page of `queryset` after (or before) a cursor, found through the (column, id) index.

    No OFFSET and no COUNT: the database starts reading at the cursor, so page 1,000 costs what page 1
    costs, with a million leads. When the caller has `counted` the rows and they are at most PAGE_COUNT_LIMIT,
    they are found through the filters' indexes and sorted instead. Walking the column's index until a page of
    them turns up reads every lead when they are fewer than the planner thinks: a search for two common words
    that never meet in one lead ("Nakamura Okafor") took 12.7 s at a million leads.
    """
    column, descending = SORTS.get(sort, SORTS["newest"])
    backwards = bool(before) and not after
    cursor = _parse_cursor(column, after or before) if (after or before) else None
    # Walking forwards on a descending sort (or backwards on an ascending one) means smaller values.
    smaller = descending != backwards
    if cursor:
        value, pk = cursor
        op, op_or_equal = ("lt", "lte") if smaller else ("gt", "gte")
        queryset = queryset.filter(**{f"{column}__{op_or_equal}": value}).filter(
            Q(**{f"{column}__{op}": value}) | Q(**{f"id__{op}": pk})
        )
    ordering = [f"-{column}", "-id"] if smaller else [column, "id"]
    if counted is not None and counted <= PAGE_COUNT_LIMIT:
        # COALESCE(column, column) is the column's value under a name no index has: the planner cannot walk
        # the column's index and has to sort the rows it finds.
        key = Coalesce(column, column)
        ordering = [key.desc(), "-id"] if smaller else [key.asc(), "id"]
    rows = list(queryset.order_by(*ordering)[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    if backwards:
        rows.reverse()
    has_next = more if not backwards else True
    has_previous = (more if backwards else bool(cursor)) and bool(rows)
    return KeysetPage(
        rows=rows,
        next_cursor=_cursor_of(rows[-1], column) if rows and has_next else None,
        previous_cursor=_cursor_of(rows[0], column) if has_previous else None,
    )


@dataclass(frozen=True)
class ListCount:
    """How many rows a list holds: `exact` up to the limit; beyond it `estimate` (the planner's), or neither
    when the planner guesses no more than the limit it is known to exceed."""

    limit: int
    exact: int | None = None
    estimate: int | None = None

    @property
    def about(self) -> str:
        """The estimate to two significant figures, as a person says it: "1.2 million", "230,000"."""
        rounded = int(float(f"{self.estimate:.2g}"))
        if rounded >= 1_000_000:
            return f"{rounded / 1_000_000:g} million"
        return f"{rounded:,}"


def exact_count(queryset, limit: int) -> int | None:
    """The number of rows of `queryset` if there are at most `limit`, reading at most limit + 1; else None."""
    counted = queryset.order_by()[: limit + 1].count()
    return counted if counted <= limit else None


def count_for_list(queryset) -> ListCount:
    """How many rows `queryset` holds: exactly up to EXACT_COUNT_LIMIT; beyond, estimated without reading them."""
    limit = EXACT_COUNT_LIMIT
    exact = exact_count(queryset, limit)
    if exact is not None:
        return ListCount(limit, exact=exact)
    estimate = estimated_count(queryset.order_by())
    return ListCount(limit, estimate=estimate if estimate > limit else None)


def estimated_count(queryset) -> int:
    """The number of rows PostgreSQL's planner expects `queryset` to return (from the table's statistics, no
    row read: about a millisecond at a million leads). SQLite has no such estimate and counts them all: it is
    the development database, with few rows."""
    if connections[queryset.db].vendor != "postgresql":
        return queryset.count()
    plan = json.loads(queryset.explain(format="json"))
    return int(plan[0]["Plan"]["Plan Rows"])


# What the timeline's badge calls each kind of entry.
TIMELINE_KINDS = {
    "event": "Engagement",
    "stage": "Stage",
    "note": "Note",
    "deal": "Deal",
    "activity": "Deal activity",
    "handoff": "Hand-over",
    "submission": "Public form",
    "consent": "Consent",
    "email": "Email",
    "task": "Task",
}


@dataclass
class TimelineEntry:
    at: datetime
    kind: str  # a key of TIMELINE_KINDS
    title: str
    detail: str = ""
    by: str = ""
    url: str = ""
    submission: object = None  # a public form submission not applied yet: the page offers to apply it

    @property
    def kind_label(self) -> str:
        return TIMELINE_KINDS[self.kind]


def lead_timeline(lead: Lead, limit: int = TIMELINE_LIMIT) -> list[TimelineEntry]:
    """Events, stage changes, notes, emails and replies to them, deal activity and tasks done of a lead, newest
    first, the latest `limit` entries.

    One query per source whatever the history's length: each source gives at most `limit` rows. Deals and
    emails are read through reverse relations, deals' activity and tasks through the app registry (leads
    does not import deals, outreach nor agenda: they sit downstream in the funnel).
    """
    entries = []
    for event in lead.events.select_related("campaign")[:limit]:
        detail = f"Campaign: {event.campaign.name}" if event.campaign else ""
        entries.append(TimelineEntry(event.occurred_at, "event", event.title, detail))
    for change in lead.stage_changes.select_related("by")[:limit]:
        title = f"Stage: {change.get_from_stage_display() or '—'} → {change.get_to_stage_display()}"
        detail = " · ".join(part for part in (change.reason_text, change.note) if part)
        entries.append(TimelineEntry(change.at, "stage", title, detail, change.actor))
    for note in lead.notes.select_related("author")[:limit]:
        entries.append(TimelineEntry(note.created_at, "note", "Note", note.body, display_name(note.author)))
    for deal in lead.deals.select_related("owner")[:limit]:
        entries.append(
            TimelineEntry(
                deal.created_at,
                "deal",
                f"Deal opened: {deal.title}",
                "",
                display_name(deal.owner),
                deal.get_absolute_url(),
            )
        )
    for handoff in lead.handoffs.select_related("rep", "previous_rep")[:limit]:
        entries.append(
            TimelineEntry(
                handoff.handed_at,
                "handoff",
                f"Handed over to {display_name(handoff.previous_rep or handoff.rep)} (score {handoff.score})",
                "",
                relay_name(HAND_OVER),
            )
        )
        if handoff.reassigned_at:
            entries.append(
                TimelineEntry(
                    handoff.reassigned_at,
                    "handoff",
                    f"Reassigned to {display_name(handoff.rep)}",
                    f"{display_name(handoff.previous_rep)} did not answer within the SLA; the managers were alerted.",
                    relay_name(SLA),
                )
            )
    for submission in lead.form_submissions.select_related("campaign", "applied_by")[:limit]:
        entries.append(_submission_entry(submission))
    for request in lead.consent_requests.select_related("campaign")[:limit]:
        entries.extend(_consent_entries(request))
    # Emails from Relay (the outreach app, downstream): through the reverse relation, one query.
    for email in lead.emails.select_related("sender")[:limit]:
        entries.append(email_entry(email))
    activity_model = apps.get_model("deals", "Activity")
    for activity in activity_model.objects.filter(deal__lead=lead).select_related("deal", "by")[:limit]:
        entries.append(activity_entry(activity))
    entries.extend(_email_reply_and_unsubscribe_entries(lead, limit))
    # Tasks done on the lead or on one of its deals (the agenda app, downstream): by the app registry, one query.
    done_tasks = apps.get_model("agenda", "Task").objects.filter(
        Q(lead=lead) | Q(deal__lead=lead), done_at__isnull=False
    )
    for task in done_tasks.select_related("deal", "done_by").order_by("-done_at", "-id")[:limit]:
        entries.append(task_done_entry(task, lead))
    entries.sort(key=lambda entry: entry.at, reverse=True)
    return entries[:limit]


def activity_entry(activity) -> TimelineEntry:
    """A deal's activity (a call, an email, a task) as a timeline entry, linking to its deal: on the lead's
    timeline and on its company's."""
    return TimelineEntry(
        activity.at,
        "activity",
        f"{activity.get_kind_display()}: {activity.subject}",
        f"Deal: {activity.deal.title}",
        actor_name(activity.by),
        activity.deal.get_absolute_url(),
    )


def task_done_entry(task, lead: Lead) -> TimelineEntry:
    """A task ticked done on the lead or one of its deals, by whom, linking the record it is on."""
    return TimelineEntry(
        task.done_at,
        "task",
        f"Task done: {task.title}",
        f"Deal: {task.deal.title}" if task.deal else "",
        display_name(task.done_by),
        (task.deal or lead).get_absolute_url(),
    )


EMAIL_TITLES = {"queued": "Email queued", "sent": "Email sent", "failed": "Email not sent"}


def email_entry(email, *, person: str = "") -> TimelineEntry:
    """An email from Relay as a timeline entry: its subject, status and body (why, when it failed); on the
    lead's timeline and (naming the `person`) on its company's."""
    to = f" to {person}" if person else ""
    status = f"Failed: {email.error}" if email.status == "failed" else ""
    if email.status == "queued" and email.error:
        status = f"Retrying: {email.error}"
    return TimelineEntry(
        email.queued_at,
        "email",
        f"{EMAIL_TITLES.get(email.status, 'Email')}{to}: {email.subject}",
        "\n\n".join(part for part in (status, email.body) if part),
        display_name(email.sender),
        email.lead.get_absolute_url() if person else "",
    )


SUBMITTED_LABELS = {
    **{name: field_label(name) for name in CONTACT_FIELDS},
    "latest_touch_campaign": "Latest-touch campaign",
}


def _submission_entry(submission) -> TimelineEntry:
    lines = [f"{SUBMITTED_LABELS.get(name, name)}: {value}" for name, value in submission.values.items()]
    where = f" ({submission.campaign.name})" if submission.campaign else ""
    if submission.applied_at:
        when = timezone.localtime(submission.applied_at)
        lines.append(f"Applied by {display_name(submission.applied_by) or 'Relay'} on {when:%d %b %Y %H:%M}.")
        title = f"Submitted on the public form{where}, applied"
    else:
        title = f"Submitted on the public form{where}: differs from what Relay knows, not applied"
    return TimelineEntry(
        submission.submitted_at,
        "submission",
        title,
        "\n".join(lines),
        "a visitor",
        submission=None if submission.applied_at else submission,
    )


def _email_reply_and_unsubscribe_entries(lead: Lead, limit: int) -> list[TimelineEntry]:
    """Replies to emails from Relay, and unsubscribes through their links: two queries, through the reverse
    relation and the app registry (outreach sits downstream of leads)."""
    entries = []
    reply_model = apps.get_model("outreach", "EmailReply")
    for reply in reply_model.objects.filter(email__lead=lead).select_related("email")[:limit]:
        title = f"Replied: {reply.subject or reply.email.subject}"
        entries.append(TimelineEntry(reply.received_at, "email", title, cut(reply.body, 2000), reply.from_address))
    for email in lead.emails.filter(unsubscribed_at__isnull=False).order_by("-unsubscribed_at")[:limit]:
        how = f"Through the link in “{email.subject}”, {email.get_unsubscribed_via_display()}."
        detail = f"{how} Marketing consent withdrawn: no marketing email goes to this lead any more."
        entries.append(TimelineEntry(email.unsubscribed_at, "consent", "Unsubscribed from marketing email", detail))
    return entries


def _consent_entries(request) -> list[TimelineEntry]:
    entries = [
        TimelineEntry(
            request.requested_at,
            "consent",
            "Marketing consent ticked on the public form: confirmation "
            + (f"sent to {request.email}" if request.sent_at else f"waiting to be sent to {request.email}"),
            "Consent counts only once the link in that email is opened (double opt-in).",
            "a visitor",
        )
    ]
    if request.confirmed_at:
        entries.append(TimelineEntry(request.confirmed_at, "consent", "Marketing consent confirmed (double opt-in)"))
    return entries
