"""Reads on deals shared by the board, the list, the detail page and the API."""

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Count, DecimalField, ExpressionWrapper, F, OuterRef, Q, Subquery, Sum, Window
from django.db.models.functions import RowNumber
from django.shortcuts import get_object_or_404
from django.utils import timezone

from crm.roles import MANAGER, ROLES, SALES_REP, has_role, is_manager
from deals.models import Deal, Pipeline, Stage

CARDS_PER_COLUMN = 30


# --- Access -------------------------------------------------------------------------------------------


def deals_visible_to(user):
    """Every role reads every deal (DOMAIN.md "Roles"); users without a role see none."""
    if not has_role(user, *ROLES):
        return Deal.objects.none()
    return Deal.objects.all()


def can_edit_deal(user, deal: Deal) -> bool:
    """Managers edit every deal; a rep edits and moves their own; marketers only read."""
    return is_manager(user) or (has_role(user, SALES_REP) and deal.owner_id == user.pk)


def can_create_deals(user) -> bool:
    return has_role(user, SALES_REP) or is_manager(user)


def deal_owners():
    """Users who can own deals (sales reps and managers), for owner pickers."""
    return (
        get_user_model()
        .objects.filter(Q(groups__name__in=[SALES_REP, MANAGER]) | Q(is_superuser=True), is_active=True)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def deal_owners_for(user):
    """Who `user` may make a deal's owner: a manager any rep or manager (reassignment), a rep only themselves."""
    if is_manager(user):
        return deal_owners()
    if has_role(user, SALES_REP):
        return get_user_model().objects.filter(pk=user.pk, is_active=True)
    return get_user_model().objects.none()


# Which leads a user may tie a deal to is a rule of the seam between leads and deals, which the pipeline does
# not know: the hand-over app gives it when Django starts (`handoff.apps`). Until then, none.
_lead_rule = None


def set_lead_rule(rule) -> None:
    """Say which leads a user may tie a deal to: `rule(user)` returns a queryset of leads."""
    global _lead_rule  # noqa: PLW0603 - set once, at start-up
    _lead_rule = rule


def leads_for_deals(user):
    """The leads `user` may tie a deal to (by `set_lead_rule`; none until a rule is set)."""
    if _lead_rule is None:
        return Deal._meta.get_field("lead").related_model.objects.none()
    return _lead_rule(user)


def stages_for_new_deals():
    """Where a deal may start: an open stage of the default pipeline (it is moved on from there)."""
    return Stage.objects.filter(pipeline__is_default=True, kind=Stage.Kind.OPEN)


def stages_to_move_to(deal: Deal):
    """Where a deal may move: any stage of its own pipeline (`move_deal` checks the transition)."""
    return Stage.objects.filter(pipeline=deal.stage.pipeline_id)


def deal_for_user(user, deal_id, *, write=False, queryset=None) -> Deal:
    """The deal `deal_id` as `user` may use it: 404 when they may not see it, 403 when they may only read."""
    deal = get_object_or_404((queryset if queryset is not None else deals_visible_to(user)), pk=deal_id)
    if write and not can_edit_deal(user, deal):
        raise PermissionDenied
    return deal


# --- The list -----------------------------------------------------------------------------------------

# The list's sortable columns: the `sort` query parameter (a leading "-" reverses), its label, its field.
LIST_SORTS = {
    "title": ("Deal", "title"),
    "company": ("Company", "company"),
    "amount": ("Amount", "amount"),
    "stage": ("Stage", "stage__order"),
    "owner": ("Owner", "owner__first_name"),
    "close": ("Expected close", "expected_close_date"),
    "changed": ("In stage since", "stage_changed_at"),
    "created": (None, "created_at"),  # sortable by its link only
}


def listed_deals(deals, *, sort: str):
    """`deals` as the list shows them: sorted by `sort` (newest first for anything else), with the
    stage, owner and campaign each row names."""
    column = LIST_SORTS.get(sort.lstrip("-"))
    ordering = [f"{'-' if sort.startswith('-') else ''}{column[1]}", "-id"] if column else ["-created_at", "-id"]
    return deals.select_related("stage", "owner", "source_campaign").order_by(*ordering)


def next_task_due():
    """When a deal's earliest open task is due, for annotating deal querysets. Tasks are read through the
    reverse relation `tasks` (the pipeline does not import the agenda, which sits downstream)."""
    task_model = Deal._meta.get_field("tasks").related_model
    tasks = task_model.objects.filter(deal=OuterRef("pk"), done_at__isnull=True).order_by("due_at", "id")
    return Subquery(tasks.values("due_at")[:1])


# --- The board ----------------------------------------------------------------------------------------


@dataclass
class Column:
    stage: Stage
    count: int = 0
    total: Decimal = Decimal("0")
    weighted: Decimal = Decimal("0")
    cards: list = field(default_factory=list)

    @property
    def hidden(self) -> int:
        return self.count - len(self.cards)


def stage_totals(deals) -> dict[int, dict]:
    """Count, total and weighted amount (amount × stage probability) per stage, in one SQL aggregate."""
    weighted = ExpressionWrapper(
        F("amount") * F("stage__probability"), output_field=DecimalField(max_digits=20, decimal_places=2)
    )
    rows = deals.order_by().values("stage").annotate(count=Count("id"), total=Sum("amount"), weighted=Sum(weighted))
    cent = Decimal("0.01")
    return {
        row["stage"]: {
            "count": row["count"],
            "total": Decimal(row["total"] or 0).quantize(cent),
            "weighted": (Decimal(row["weighted"] or 0) / 100).quantize(cent),
        }
        for row in rows
    }


def column_headers(deals, *, pipeline: Pipeline) -> list[Column]:
    """The board's column headers (count, total, weighted) for `deals`, without cards."""
    totals = stage_totals(deals.filter(stage__pipeline=pipeline))
    return [Column(stage=stage, **totals.get(stage.pk, {})) for stage in pipeline.stages.all()]


def column_index(*, stage: Stage, before_id: int, moving: Deal) -> int | None:
    """The 0-based place of card `before_id` in `stage`'s column (ignoring the moving card), or None."""
    anchor = Deal.objects.filter(pk=before_id, stage=stage).values("position").first()
    if anchor is None:
        return None
    position = anchor["position"]
    return (
        Deal.objects.filter(stage=stage)
        .exclude(pk=moving.pk)
        .filter(Q(position__lt=position) | Q(position=position, id__gt=before_id))
        .count()
    )


def deal_counts_by_stage(pipeline: Pipeline) -> dict[int, int]:
    """How many deals each stage of `pipeline` holds, by stage id (stages without deals left out)."""
    rows = Deal.objects.filter(stage__pipeline=pipeline).order_by().values("stage").annotate(n=Count("id"))
    return dict(rows.values_list("stage", "n"))


def board_columns(deals, *, pipeline: Pipeline, per_column=CARDS_PER_COLUMN, now=None):
    """The board: one column per stage of `pipeline` with the exact header totals of `deals` (those the
    board's filters keep) and at most `per_column` cards (the first ones in column order), each card
    carrying its next task's due date, days in stage and rotting flag.

    A fixed number of queries whatever the number of deals: stages, totals, cards."""
    now = now or timezone.now()
    stages = list(pipeline.stages.all())
    deals = deals.filter(stage__pipeline=pipeline)
    totals = stage_totals(deals)
    # The first cards of each column, by id; the next-task subquery then runs for those only.
    cards = (
        Deal.objects.filter(pk__in=first_cards(deals, stages, per_column))
        .select_related("owner")
        .annotate(next_task_due=next_task_due())
        .order_by("stage_id", "position", "-id")
    )
    columns = {stage.pk: Column(stage=stage, **totals.get(stage.pk, {})) for stage in stages}
    rotting_before = now - timedelta(days=pipeline.rotting_days)
    today = timezone.localdate(now)
    for card in cards:
        column = columns[card.stage_id]
        card.stage = column.stage
        decorate_card(card, now=now, today=today, rotting_before=rotting_before)
        column.cards.append(card)
    return [columns[stage.pk] for stage in stages]


def first_cards(deals, stages, per_column):
    """The ids of the first `per_column` of `deals` in each stage's column order.

    Where the database takes LIMIT inside a UNION (PostgreSQL), one short index scan per stage, whatever
    the number of open deals; elsewhere (SQLite) a row number over every deal of the board.
    """
    order = [F("position").asc(), F("id").desc()]
    if connection.features.supports_slicing_ordering_in_compound and stages:
        firsts = [deals.filter(stage_id=stage.pk).order_by(*order).values("pk")[:per_column] for stage in stages]
        return firsts[0].union(*firsts[1:], all=True)
    ranked = deals.annotate(rank=Window(RowNumber(), partition_by=[F("stage_id")], order_by=order))
    return ranked.filter(rank__lte=per_column).values("pk")


def decorate_card(deal: Deal, *, now, today, rotting_before) -> Deal:
    """Add what a card shows beyond the deal's fields: days in stage, idle, rotting, overdue task, and
    whether its expected close date has passed while it is still open."""
    deal.days_in_stage = (now - deal.stage_changed_at).days
    last_touch = max(deal.stage_changed_at, deal.last_activity_at or deal.stage_changed_at)
    deal.is_rotting = not deal.stage.is_closed and last_touch < rotting_before
    deal.idle_days = (now - last_touch).days
    due = getattr(deal, "next_task_due", None)
    deal.task_overdue = due is not None and due < now
    close = deal.expected_close_date
    deal.close_passed = close is not None and close < today and not deal.stage.is_closed
    return deal


def rotting(now) -> Q:
    """The open deals `decorate_card` flags rotting, as a filter: no stage change and no activity for more
    than their pipeline's rotting_days (DOMAIN.md). One query, for the pipelines' thresholds."""
    condition = Q(pk__in=[])
    for pipeline_id, rotting_days in Pipeline.objects.values_list("pk", "rotting_days"):
        since = now - timedelta(days=rotting_days)
        condition |= Q(stage__pipeline_id=pipeline_id, stage_changed_at__lt=since) & (
            Q(last_activity_at__isnull=True) | Q(last_activity_at__lt=since)
        )
    return condition & Q(stage__kind=Stage.Kind.OPEN)
