"""The set-based scorer: the whole base (or a set of leads) scored in SQL, a batch of leads per UPDATE; the
SQL twin of `leads.scoring.scorer` (a test runs both on random data and requires the same scores)."""

from datetime import datetime
from functools import reduce

from django.db.models import Case, Count, F, FloatField, Func, IntegerField, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Cast, Coalesce, Floor, Greatest, Power
from django.utils import timezone

from companies.services import mark_rollups_due
from leads.models import Lead, LeadEvent, ScoringSettings
from leads.scoring.rules import NO_RESET, QUALIFYING_STAGES, Ruleset, rule_condition


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
    mark_rollups_due(queryset.exclude(account=None).values("account_id"))  # their companies' engagement moved
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


def leads_ready_for_handover(threshold: int | None = None):
    """Leads whose score reached the MQL threshold while still in subscriber or lead."""
    threshold = ScoringSettings.load().mql_threshold if threshold is None else threshold
    return Lead.objects.filter(stage__in=QUALIFYING_STAGES, score__gte=threshold)


def threshold_preview(threshold: int) -> dict[str, int]:
    """Before saving a new threshold: how many leads would score at or above it, and how many would become MQLs."""
    return Lead.objects.filter(score__gte=threshold).aggregate(
        at_or_above=Count("pk"), new_mqls=Count("pk", filter=Q(stage__in=QUALIFYING_STAGES))
    )
