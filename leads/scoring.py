"""Lead scoring (DOMAIN.md "Scoring"): fit points + engagement points halving every `half_life_days`.

Two implementations of one definition:
- `score_lead` scores one lead in Python and stores the breakdown shown on the lead page;
- `rescore_leads` scores the whole base in SQL, a batch of leads per UPDATE statement.
A test runs both on random data and requires the same scores.
"""

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import reduce
from operator import or_

from django.db import connection, transaction
from django.db.models import (
    Case,
    Count,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Floor, Greatest, Power
from django.utils import timezone

from leads.bulk import CHUNK
from leads.models import (
    CompanySize,
    EngagementRule,
    EventKind,
    FitRule,
    Lead,
    LeadEvent,
    LifecycleStage,
    ScoreRequest,
    ScoringSettings,
)

QUALIFYING_STAGES = (LifecycleStage.SUBSCRIBER, LifecycleStage.LEAD)
NO_RESET = datetime(1970, 1, 1, tzinfo=UTC)  # "every event counts" for leads never reset
SIZE_BANDS = list(CompanySize.values)


class InvalidRule(ValueError):
    """A fit rule whose value cannot be read (e.g. an unknown company size band)."""


def rule_values(rule: FitRule) -> list[str]:
    """The value(s) a rule compares with, normalised: one for contains/equals, several for in/between."""
    if rule.operator == FitRule.Operator.IN:
        return [part.strip() for part in rule.value.split(",") if part.strip()]
    if rule.operator == FitRule.Operator.BETWEEN:
        low, _, high = rule.value.partition("..")
        try:
            start, end = SIZE_BANDS.index(low.strip()), SIZE_BANDS.index(high.strip())
        except ValueError as exc:
            raise InvalidRule(
                f"Use two company size bands such as 51-200..1001-5000 (bands: {', '.join(SIZE_BANDS)})."
            ) from exc
        return SIZE_BANDS[min(start, end) : max(start, end) + 1]
    return [rule.value.strip()]


def rule_matches(rule: FitRule, lead: Lead) -> bool:
    """Whether `lead` earns `rule`'s points; comparisons ignore case, as `rule_condition` does in SQL."""
    actual = (getattr(lead, rule.field) or "").strip().lower()
    wanted = [value.lower() for value in rule_values(rule)]
    if not actual or not wanted:
        return False
    if rule.operator == FitRule.Operator.CONTAINS:
        return wanted[0] in actual
    return actual in wanted


def rule_condition(rule: FitRule) -> Q:
    """The SQL twin of `rule_matches`."""
    values = rule_values(rule)
    if not values:
        return Q(pk__in=[])
    if rule.operator == FitRule.Operator.CONTAINS:
        return Q(**{f"{rule.field}__icontains": values[0]})
    return reduce(or_, (Q(**{f"{rule.field}__iexact": value}) for value in values))


@dataclass(frozen=True)
class Ruleset:
    fit_rules: tuple[FitRule, ...]
    points: dict[str, int]
    half_life_days: int
    threshold: int

    @classmethod
    def load(cls) -> "Ruleset":
        settings_row = ScoringSettings.load()
        return cls(
            fit_rules=tuple(FitRule.objects.all()),
            points=dict(EngagementRule.objects.values_list("kind", "points")),
            half_life_days=settings_row.half_life_days,
            threshold=settings_row.mql_threshold,
        )


def decayed(points: float, age_days: float, half_life_days: int) -> float:
    """`points` after `age_days` of halving every `half_life_days` (future events count in full)."""
    return points * math.pow(0.5, max(age_days, 0.0) / half_life_days)


def total_score(fit: int, engagement: float) -> int:
    """fit + engagement rounded to the nearest integer, halves up (the same rule as the SQL path)."""
    return math.floor(fit + engagement + 0.5)


@dataclass
class ScoreCard:
    fit: int = 0
    engagement: float = 0.0
    fit_rules: list[dict] = field(default_factory=list)
    engagement_by_kind: dict[str, dict] = field(default_factory=dict)

    @property
    def score(self) -> int:
        return total_score(self.fit, self.engagement)

    def as_breakdown(self, ruleset: Ruleset) -> dict:
        return {
            "fit": self.fit,
            "fit_rules": self.fit_rules,
            "engagement": round(self.engagement, 4),
            "engagement_by_kind": self.engagement_by_kind,
            "half_life_days": ruleset.half_life_days,
            "threshold": ruleset.threshold,
        }


def score_card(lead: Lead, ruleset: Ruleset, now: datetime) -> ScoreCard:
    """How `lead` scores now, rule by rule and event kind by event kind."""
    card = ScoreCard()
    for rule in ruleset.fit_rules:
        if rule_matches(rule, lead):
            card.fit += rule.points
            card.fit_rules.append({"rule": str(rule), "points": rule.points})
    events = LeadEvent.objects.filter(lead=lead, occurred_at__gt=lead.engagement_reset_at or NO_RESET)
    for kind, occurred_at in events.values_list("kind", "occurred_at").iterator():
        points = ruleset.points.get(kind, 0)
        if not points:
            continue
        age_days = (now - occurred_at).total_seconds() / 86400
        earned = decayed(points, age_days, ruleset.half_life_days)
        card.engagement += earned
        entry = card.engagement_by_kind.setdefault(kind, {"count": 0, "points": 0.0})
        entry["count"] += 1
        entry["points"] = round(entry["points"] + earned, 4)
    return card


def explain_score(lead: Lead, now: datetime | None = None) -> dict[str, str]:
    """The lead's score line by line as it would be computed now: fit rules, engagement per kind, total."""
    ruleset = Ruleset.load()
    card = score_card(lead, ruleset, now or timezone.now())
    lines = {entry["rule"]: f"{entry['points']:+d}" for entry in card.fit_rules}
    for kind, entry in sorted(card.engagement_by_kind.items(), key=lambda item: -item[1]["points"]):
        lines[f"{EventKind(kind).label} ×{entry['count']} (decayed)"] = f"{entry['points']:+.1f}"
    lines["Score now"] = str(card.score)
    return lines


def score_lead(*, lead_id: int, now: datetime | None = None, ruleset: Ruleset | None = None) -> Lead | None:
    """Recompute one lead's fit and decayed engagement, store them with the breakdown, and return the lead.

    Idempotent: running it twice stores the same figures. Returns None when the lead no longer exists.
    """
    lead = Lead.objects.filter(pk=lead_id).first()
    if lead is None:
        return None
    now = now or timezone.now()
    ruleset = ruleset or Ruleset.load()
    card = score_card(lead, ruleset, now)
    lead.fit_score = card.fit
    lead.engagement_score = card.engagement
    lead.score = card.score
    lead.score_breakdown = card.as_breakdown(ruleset)
    lead.scored_at = now
    Lead.objects.filter(pk=lead.pk).update(
        fit_score=lead.fit_score,
        engagement_score=lead.engagement_score,
        score=lead.score,
        score_breakdown=lead.score_breakdown,
        scored_at=now,
    )
    return lead


# --- The set-based path ---------------------------------------------------------------------------------


class DaysBetween(Func):
    """(later − earlier) in days, as a float, on PostgreSQL and SQLite."""

    output_field = FloatField()
    arity = 2

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            template="(CAST(EXTRACT(EPOCH FROM (%(expressions)s)) AS double precision) / 86400.0)",
            arg_joiner=" - ",
            **extra_context,
        )

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            template="(julianday(%(expressions)s))",
            arg_joiner=") - julianday(",
            **extra_context,
        )


def fit_expression(ruleset: Ruleset):
    """SUM of each matching rule's points, as one SQL expression over the lead's columns."""
    terms = [
        Case(When(rule_condition(rule), then=Value(rule.points)), default=Value(0), output_field=IntegerField())
        for rule in ruleset.fit_rules
    ]
    return reduce(lambda left, right: left + right, terms, Value(0, output_field=IntegerField()))


def engagement_expression(ruleset: Ruleset, now: datetime):
    """A correlated subquery: the lead's decayed engagement points (0.0 without events)."""
    weights = [When(kind=kind, then=Value(float(points))) for kind, points in ruleset.points.items() if points]
    if not weights:
        return Value(0.0, output_field=FloatField())
    points = Case(*weights, default=Value(0.0), output_field=FloatField())
    age_days = Greatest(DaysBetween(Value(now), F("occurred_at")), Value(0.0), output_field=FloatField())
    # Double precision throughout: PostgreSQL's numeric POWER is exact and many times slower.
    half = Cast(Value(0.5), FloatField())
    decay = Power(half, age_days / Value(float(ruleset.half_life_days)), output_field=FloatField())
    events = (
        LeadEvent.objects.filter(lead=OuterRef("pk"))
        .filter(occurred_at__gt=Coalesce(OuterRef("engagement_reset_at"), Value(NO_RESET)))
        .order_by()
        .values("lead")
        .annotate(total=Sum(points * decay, output_field=FloatField()))
        .values("total")
    )
    return Coalesce(Subquery(events, output_field=FloatField()), Value(0.0), output_field=FloatField())


def rescore_batch(queryset, *, ruleset: Ruleset, now: datetime, **also) -> int:
    """Score every lead of `queryset` in two UPDATE statements; returns how many leads were scored.

    `also` are more column values for the first UPDATE (each lead row written once more, not twice)."""
    updated = queryset.update(
        fit_score=fit_expression(ruleset), engagement_score=engagement_expression(ruleset, now), scored_at=now, **also
    )
    queryset.update(score=Floor(F("fit_score") + F("engagement_score") + Value(0.5)))
    return updated


def newest_event_at() -> Subquery:
    """The time of the lead's newest event, for an UPDATE of `last_event_at` over a set of leads."""
    return Subquery(LeadEvent.objects.filter(lead=OuterRef("pk")).order_by("-occurred_at").values("occurred_at")[:1])


def rescore_leads(*, now: datetime | None = None, batch_size: int = 10_000, on_progress=None) -> int:
    """Rescore the whole base set-based, batch by batch of primary keys; returns the number of leads.

    `on_progress(processed, total)` is called after each batch (the scoring page's progress bar).
    """
    now = now or timezone.now()
    ruleset = Ruleset.load()
    bounds = Lead.objects.order_by().values_list("pk", flat=True)
    first, last = bounds.order_by("pk").first(), bounds.order_by("-pk").first()
    if first is None:
        return 0
    total = Lead.objects.count()
    processed = 0
    for start in range(first, last + 1, batch_size):
        processed += rescore_batch(
            Lead.objects.filter(pk__gte=start, pk__lt=start + batch_size), ruleset=ruleset, now=now
        )
        if on_progress:
            on_progress(processed, total)
    return processed


def requests_waiting() -> bool:
    """Whether `score_requested` would find anything to score."""
    return ScoreRequest.objects.exists() or Lead.objects.filter(scored_at__isnull=True).exists()


@dataclass
class ScoredBatch:
    """What `score_requested` did: the leads it scored, and those of them that now qualify for a hand-over,
    each with the ticket of its score request (None for a lead scored without one), still queued."""

    ids: list[int]
    ready: dict[int, int | None]


@transaction.atomic
def score_requested(*, limit: int, newest_first: bool = True, now: datetime | None = None) -> ScoredBatch:
    """Answer up to `limit` score requests, set-based, plus leads never scored.

    Newest first by default: after an import has queued a hundred thousand leads, a demo request made now
    is scored in the next run, not behind the import (which a drain, oldest first, works through).

    A lead's `last_event_at` moves to its newest event in the same write (events sent through the API do
    not write the lead row). A request is consumed only when its work is done: here for a lead that does
    not qualify; for one that does, in the transaction of its hand-over (`handoff.hand_over_mql`), so that a
    worker that dies in between leaves the request for the next run. Each request is deleted only if its
    ticket is still the one read here: a request renewed meanwhile by a new event stays queued.

    Locks are taken in the writers' order, leads (by id) before their requests: a capture holds its lead
    and then renews the request, so a run that held requests while waiting for leads would deadlock with it.
    """
    order = "-requested_at" if newest_first else "requested_at"
    tickets = dict(ScoreRequest.objects.order_by(order).values_list("lead_id", "ticket")[:limit])
    ids = set(tickets)
    if len(ids) < limit:
        unscored = Lead.objects.filter(scored_at__isnull=True).order_by("pk").values_list("pk", flat=True)
        ids.update(unscored[: limit - len(ids)])
    if not ids:
        return ScoredBatch([], {})
    # Two runs over overlapping leads lock them in one order: the second waits, then scores them again.
    list(Lead.objects.filter(pk__in=ids).order_by("pk").select_for_update(no_key=True).values_list("pk"))
    ruleset = Ruleset.load()
    rescore_batch(
        Lead.objects.filter(pk__in=ids), ruleset=ruleset, now=now or timezone.now(), last_event_at=newest_event_at()
    )
    ready = set(leads_ready_for_handover(ruleset.threshold).filter(pk__in=ids).values_list("pk", flat=True))
    _delete_requests([(lead_id, ticket) for lead_id, ticket in tickets.items() if lead_id not in ready])
    return ScoredBatch(sorted(ids), {lead_id: tickets.get(lead_id) for lead_id in sorted(ready)})


def _delete_requests(tickets: list[tuple[int, int]]) -> None:
    """Delete the score requests whose (lead, ticket) pairs are given, CHUNK pairs per statement.

    The rows are locked first in lead order, the order in which writers renew requests, so that a
    delete and an event batch never wait for each other in a circle."""
    table = ScoreRequest._meta.db_table
    leads = sorted(lead_id for lead_id, _ in tickets)
    list(ScoreRequest.objects.filter(lead_id__in=leads).order_by("lead_id").select_for_update().values_list("pk"))
    with connection.cursor() as cursor:
        for start in range(0, len(tickets), CHUNK):
            chunk = tickets[start : start + CHUNK]
            values = ", ".join(["(%s, %s)"] * len(chunk))
            cursor.execute(
                f"DELETE FROM {table} WHERE (lead_id, ticket) IN (VALUES {values})",  # noqa: S608 - no user input
                [value for pair in chunk for value in pair],
            )


def leads_ready_for_handover(threshold: int | None = None):
    """Leads whose score reached the MQL threshold while still in subscriber or lead."""
    threshold = ScoringSettings.load().mql_threshold if threshold is None else threshold
    return Lead.objects.filter(stage__in=QUALIFYING_STAGES, score__gte=threshold)


def threshold_preview(threshold: int) -> dict[str, int]:
    """Before saving a new threshold: how many leads would score at or above it, and how many would become MQLs."""
    return Lead.objects.filter(score__gte=threshold).aggregate(
        at_or_above=Count("pk"), new_mqls=Count("pk", filter=Q(stage__in=QUALIFYING_STAGES))
    )
