"""Company roll-ups: the figures stored on `companies.Company` that are derived from its people and deals.

Set-based: one batch of companies (BATCH, by id) is computed in two UPDATE statements of correlated
subqueries, on SQLite and PostgreSQL alike:
- people_count: its people (leads whose `account` it is);
- engaged_people: those whose `engagement_score` (decayed engagement as of their last scoring) reaches
  `AccountSettings.engaged_person_points`;
- engagement_score: the SUM of its people's `engagement_score`;
- top_stage_rank: the furthest funnel stage any of its people reached, as its 1-based place in
  `leads.models.FUNNEL` (subscriber 1, lead 2, MQL 3, SQL 4, opportunity 5, customer 6; 0 without people).
  "Reached" is DOMAIN.md's "reached stage N or beyond" (the funnel report's): the person's `<stage>_at` is
  set, or they are in that stage now. The side exits (nurture, disqualified) are no rank of their own: a
  person who left through one counts at the furthest funnel stage they had reached before it;
- open_deals, open_pipeline, won_revenue: its deals (deals whose `account` it is) in an open stage (count,
  sum of amounts) and in a won stage (sum of amounts);
- fit_score: the points of the `CompanyFitRule`s it matches (companies.fit, with the new people count);
- account_score = engagement_score + fit_score.

Fresh when needed: `companies.services.mark_rollups_due` flags a company when its people's scores, stages
or links, or its deals, change; the beat task `reports.refresh_account_rollups` refreshes the flagged
ones every minute (`refresh_due`). The flag is cleared (and committed) before the batch is computed, so a
change committed meanwhile flags it again for the next sweep. Clearing it also clears `rollups_at`, which
the computation sets: a batch whose worker died in between has no `rollups_at`, and the next sweep takes it
again (`DUE`).
"""

from decimal import Decimal

from django.db import transaction
from django.db.models import (
    Case,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from companies.fit import fit_expression
from companies.models import AccountSettings, Company, CompanyFitRule
from deals.models import Deal, Stage
from leads.models import FUNNEL, REACHED_AT, Lead, LifecycleStage

BATCH = 2_000
# The companies a sweep refreshes: flagged, or claimed by a sweep that never finished (see the docstring).
DUE = Q(rollups_due=True) | Q(rollups_at__isnull=True)
MONEY = DecimalField(max_digits=14, decimal_places=2)


def stage_rank():
    """A person's rank: the 1-based place in FUNNEL of the furthest stage they reached (see the module)."""
    whens = [
        When(Q(stage=stage) | Q(**{f"{REACHED_AT[stage]}__isnull": False}), then=Value(rank))
        for rank, stage in reversed(list(enumerate(FUNNEL, start=1)))
        if stage != LifecycleStage.SUBSCRIBER
    ]
    return Case(*whens, default=Value(1), output_field=IntegerField())


def _of_people(aggregate, output_field, default):
    people = Lead.objects.filter(account=OuterRef("pk")).order_by().values("account")
    return Coalesce(
        Subquery(people.annotate(value=aggregate).values("value"), output_field=output_field),
        Value(default, output_field=output_field),
    )


def _of_deals(aggregate, kind, output_field, default):
    deals = Deal.objects.filter(account=OuterRef("pk"), stage__kind=kind).order_by().values("account")
    return Coalesce(
        Subquery(deals.annotate(value=aggregate).values("value"), output_field=output_field),
        Value(default, output_field=output_field),
    )


def rollup_values(engaged_points: int) -> dict:
    """Column → SQL expression of every roll-up but the fit, for an UPDATE of companies."""
    return {
        "people_count": _of_people(Count("pk"), IntegerField(), 0),
        "engaged_people": _of_people(Count("pk", filter=Q(engagement_score__gte=engaged_points)), IntegerField(), 0),
        "engagement_score": _of_people(Sum("engagement_score"), FloatField(), 0.0),
        "top_stage_rank": _of_people(Max(stage_rank()), IntegerField(), 0),
        "open_deals": _of_deals(Count("pk"), Stage.Kind.OPEN, IntegerField(), 0),
        "open_pipeline": _of_deals(Sum("amount"), Stage.Kind.OPEN, MONEY, Decimal(0)),
        "won_revenue": _of_deals(Sum("amount"), Stage.Kind.WON, MONEY, Decimal(0)),
    }


def refresh_companies(companies, *, now=None) -> int:
    """Compute the roll-ups of `companies` (a Company queryset: keep it to a batch) in two UPDATEs; returns
    how many companies were written. Clears their `rollups_due`."""
    now = now or timezone.now()
    settings_row = AccountSettings.load()
    updated = companies.update(**rollup_values(settings_row.engaged_person_points), rollups_at=now, rollups_due=False)
    fit = fit_expression(list(CompanyFitRule.objects.all()))
    # A second statement: the fit reads the people count (and the score the engagement) just written.
    account_score = ExpressionWrapper(F("engagement_score") + fit, output_field=FloatField())
    companies.update(fit_score=fit, account_score=account_score)
    return updated


def refresh_due(*, batches: int | None = None, batch_size: int = BATCH, now=None) -> int:
    """Refresh the companies flagged `rollups_due`, a batch of ids at a time, oldest ids first, at most
    `batches` batches (None: until none is due); returns how many were refreshed.

    Each batch first clears the flags (and `rollups_at`) of its ids and commits, then computes: a change
    committed after the clear flags the company again (`mark_rollups_due`), so nothing is left stale. A batch
    whose computing fails is flagged again; one whose worker dies there has no `rollups_at`, so the next
    sweep takes it again."""
    done = 0
    while batches is None or batches > 0:
        ids = list(Company.objects.filter(DUE).order_by("pk").values_list("pk", flat=True)[:batch_size])
        if not ids:
            break
        with transaction.atomic():
            Company.objects.filter(pk__in=ids).update(rollups_due=False, rollups_at=None)
        try:
            with transaction.atomic():
                done += refresh_companies(Company.objects.filter(pk__in=ids), now=now)
        except Exception:
            Company.objects.filter(pk__in=ids).update(rollups_due=True)
            raise
        if batches is not None:
            batches -= 1
    return done


def refresh_all(*, batch_size: int = BATCH, now=None, on_progress=None) -> int:
    """Refresh every company, a batch of ids at a time (after the fit rules or account settings change)."""
    bounds = Company.objects.order_by().values_list("pk", flat=True)
    first, last = bounds.order_by("pk").first(), bounds.order_by("-pk").first()
    if first is None:
        return 0
    done = 0
    for start in range(first, last + 1, batch_size):
        with transaction.atomic():
            done += refresh_companies(Company.objects.filter(pk__gte=start, pk__lt=start + batch_size), now=now)
        if on_progress:
            on_progress(done)
    return done
