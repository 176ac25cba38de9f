"""Writes on deals. Every stage move goes through `move_deal`, which records it and announces it
(`signals.deal_moved`: the hand-over app keeps the deal's lead in step; deals do not know leads); every
change of owner through `update_deal`, which announces it (`signals.deal_reassigned`)."""

from django.db import transaction
from django.db.models import Max, Min, OuterRef, Subquery
from django.utils import timezone

from companies.services import CompanyHint, companies_for, company_for, mark_rollups_due
from crm.notifications import notify
from crm.people import display_name
from crm.roles import SALES_REP, has_role, is_manager
from crm.text import fit_to, one_line
from deals import positions
from deals.defaults import ensure_default_pipeline as create_default_pipeline
from deals.models import Activity, Deal, DealStageChange, LostReason, Pipeline, Stage
from deals.signals import deal_moved, deal_reassigned

# The fields of a deal its owner edits (the form offers all but the lead, which the API sets).
DEAL_FIELDS = (
    "title",
    "lead",
    "company",
    "account",
    "contact_name",
    "contact_email",
    "amount",
    "expected_close_date",
    "next_step",
    "source_campaign",
    "forecast_category",
)


class DealMoveNotAllowed(Exception):
    """A stage move the pipeline's rules refuse; the message says why, for the user."""


class DealReassignNotAllowed(Exception):
    """Only managers hand a deal to another owner, and only to a sales rep or a manager."""


class StageInUse(Exception):
    """A stage that still holds deals cannot be deleted before they are moved elsewhere."""


class StageChangeRefused(Exception):
    """A stage edit that would leave the pipeline unusable (e.g. no open stage left)."""


def ensure_default_pipeline() -> Pipeline:
    """The default pipeline, created with DOMAIN.md's stages if it is missing (a database flushed after
    migrating, e.g. by transactional tests), so the board always has something to show."""
    pipeline = Pipeline.objects.filter(is_default=True).first()
    if pipeline is None:
        create_default_pipeline(Pipeline, Stage)
        pipeline = Pipeline.default()
    return pipeline


# --- Deals ------------------------------------------------------------------------------------------


def first_open_stage(pipeline: Pipeline) -> Stage:
    stage = pipeline.stages.filter(kind=Stage.Kind.OPEN).order_by("order", "id").first()
    if stage is None:
        raise DealMoveNotAllowed(f"The pipeline {pipeline} has no open stage.")
    return stage


def lock_columns(*stage_ids) -> None:
    """Take the board columns a write re-orders, in one order (by id), before any deal row.

    Moving a deal locks it (in its column) and may re-space the column it goes to (`deals.positions`): two
    reps moving cards in opposite directions between the same columns would each wait for the other's rows
    (a deadlock, found by the load test). With the columns taken first such moves queue instead, and a
    free position read under the lock stays free until the writer commits. NO KEY: new deals and stage
    changes may still point at the stages meanwhile.
    """
    list(Stage.objects.select_for_update(no_key=True).filter(pk__in=set(stage_ids)).order_by("pk").values_list("pk"))


def _place_at_top(stage: Stage) -> int:
    """A free position above every card of `stage`'s column (new and moved cards are seen first): one read
    of the top card's position, no other card written while there is room (`deals.positions`)."""
    lock_columns(stage.pk)
    return _free_position(stage=stage, index=0)


def _free_position(*, stage: Stage, index: int | None, exclude: int | None = None) -> int:
    """A position for a card at `index` (0-based, in the column's display order: position, then newest
    first; None: at the end) of `stage`'s column, `exclude` (the card being moved) left out.

    It lies between the positions of the cards that will be its neighbours; when they leave no room the
    column is re-spaced first, in one UPDATE. The caller holds the column's lock (`lock_columns`)."""
    for _ in range(2):
        position = positions.between(*_neighbours(stage=stage, index=index, exclude=exclude))
        if position is not None:
            return position
        positions.respace(stage.pk, exclude=exclude)
    raise AssertionError(f"No room in column {stage.pk} right after re-spacing it.")  # pragma: no cover


def _neighbours(*, stage: Stage, index: int | None, exclude: int | None) -> tuple[int | None, int | None]:
    """The positions of the cards just before and just after place `index` of the column (None: none)."""
    column = Deal.objects.filter(stage=stage)
    if exclude is not None:
        column = column.exclude(pk=exclude)
    if index is not None and index <= 0:
        return None, column.aggregate(top=Min("position"))["top"]
    if index is not None:
        pair = list(column.order_by("position", "-id").values_list("position", flat=True)[index - 1 : index + 1])
        if pair:
            return pair[0], (pair[1] if len(pair) == 2 else None)
    return column.aggregate(last=Max("position"))["last"], None


def can_own_deals(user) -> bool:
    return user is not None and user.is_active and (has_role(user, SALES_REP) or is_manager(user))


@transaction.atomic
def create_deal(*, by, owner=None, stage: Stage | None = None, **fields) -> Deal:
    """Open a deal by hand or from code. It starts in an open stage (the first by default) on top of its
    column; a rep always owns the deals they create, a manager may give it to any rep. Without an `account`
    it takes its lead's company, else the one its contact's email domain or its company name names."""
    unknown = set(fields) - set(DEAL_FIELDS)
    if unknown:
        raise TypeError(f"Unknown deal fields: {', '.join(sorted(unknown))}")
    owner = owner or by
    if owner != by and not is_manager(by):
        raise DealReassignNotAllowed("Only a manager can open a deal for someone else.")
    if not can_own_deals(owner):
        raise DealReassignNotAllowed(f"{owner} is not a sales rep or a manager.")
    stage = stage or first_open_stage(ensure_default_pipeline())
    if stage.is_closed:
        raise DealMoveNotAllowed("A new deal starts in an open stage; move it to a closed stage afterwards.")
    if fields.get("lead") is not None and not fields.get("source_campaign"):
        fields["source_campaign"] = fields["lead"].first_touch_campaign
    if fields.get("account") is None:
        fields["account"] = _company_of(fields)
    now = timezone.now()
    deal = Deal(owner=owner, stage=stage, created_at=now, stage_changed_at=now, **fields)
    deal.full_clean(exclude=["position"])
    deal.position = _place_at_top(stage)
    deal.save()
    DealStageChange.objects.create(deal=deal, to_stage=stage, to_name=stage.name, by=by, at=now)
    mark_rollups_due([deal.account_id])
    return deal


def _company_of(fields: dict):
    lead = fields.get("lead")
    if lead is not None and lead.account_id is not None:
        return lead.account
    return company_for(email=fields.get("contact_email") or "", name=fields.get("company") or "")


def open_deal_for_lead(*, lead, owner, by) -> Deal:
    """The hand-over's narrow door into sales: when a rep accepts an MQL, a deal for `lead` in the default
    pipeline's first open stage, owned by `owner`, for the lead's company, crediting the campaign that first
    brought the lead. The
    lead's own lifecycle stage and the hand-over's record are the caller's business (`handoff.services`)."""
    title = one_line(lead.company or lead.full_name or lead.email)
    return create_deal(
        by=by,
        owner=owner,
        title=fit_to(Deal, "title", title),
        lead=lead,
        company=fit_to(Deal, "company", lead.company),
        account=lead.account,
        contact_name=fit_to(Deal, "contact_name", lead.full_name),
        contact_email=lead.email,
        source_campaign=lead.first_touch_campaign,
    )


@transaction.atomic
def update_deal(*, deal: Deal, by, owner=None, **fields) -> Deal:
    """Edit a deal's details. A different `owner` is a reassignment, which only managers may do
    (`check_reassignment`): saved with the other fields, recorded in the deal's history, told to the new owner
    (in the app and by email), and announced by `signals.deal_reassigned` in this transaction, so that the
    deal's lead follows it to its new owner (`handoff.services`)."""
    unknown = set(fields) - set(DEAL_FIELDS)
    if unknown:
        raise TypeError(f"Unknown deal fields: {', '.join(sorted(unknown))}")
    previous_owner = deal.owner
    previous_account_id = Deal.objects.filter(pk=deal.pk).values_list("account_id", flat=True).first()
    reassigned = owner is not None and owner != previous_owner
    if reassigned:
        check_reassignment(owner=owner, by=by)
        deal.owner = owner
    for name, value in fields.items():
        setattr(deal, name, value)
    deal.full_clean()
    deal.save()
    mark_rollups_due([previous_account_id, deal.account_id])  # the amount or the company may have changed
    if reassigned:
        _announce_reassignment(deal=deal, previous_owner=previous_owner, by=by)
    return deal


def check_reassignment(*, owner, by) -> None:
    """Managers balance the team's load; reps cannot give deals away, and only reps and managers own deals."""
    if not is_manager(by):
        raise DealReassignNotAllowed("Only a manager can reassign a deal.")
    if not can_own_deals(owner):
        raise DealReassignNotAllowed(f"{owner} is not a sales rep or a manager.")


def _announce_reassignment(*, deal: Deal, previous_owner, by) -> None:
    if deal.owner != by:
        notify(
            users=[deal.owner],
            message=f"Deal {deal} was reassigned to you by {display_name(by)} (from {display_name(previous_owner)}).",
            url=deal.get_absolute_url(),
            email_subject=f"Relay: deal {deal} reassigned to you",
        )
    deal_reassigned.send(sender=Deal, deal=deal, previous_owner=previous_owner, by=by, at=timezone.now())


def check_transition(from_stage: Stage, to_stage: Stage) -> None:
    """The allowed transitions: an open deal may go to any stage of its pipeline; a closed deal only back to
    an open stage (won → lost goes through a reopen, so nobody rewrites a result by a slip of the mouse)."""
    if from_stage.pk == to_stage.pk:
        return
    if to_stage.pipeline_id != from_stage.pipeline_id:
        raise DealMoveNotAllowed("A deal cannot move to a stage of another pipeline.")
    if from_stage.is_closed and to_stage.is_closed:
        raise DealMoveNotAllowed(
            f"This deal is {from_stage.name}: reopen it in an open stage before closing it as {to_stage.name}."
        )


@transaction.atomic
def move_deal(*, deal: Deal, to_stage: Stage, by, position: int | None = None, lost_reason: str = "", note: str = ""):
    """Move a deal to another stage (or another place in its column) and record it.

    The one path for every stage change: it checks the allowed-transitions map, records who moved it from
    where to where and when, sets `closed_at` when the deal closes (and clears it when reopened), asks for
    a reason when the deal is lost, and announces the move (`signals.deal_moved`, in this transaction: the
    deal's lead follows it, see `handoff.services.move_lead_with_its_deal`). `position` is the 0-based
    place in the target column (None: on top when the stage changes, unchanged otherwise).
    """
    lock_columns(Deal.objects.filter(pk=deal.pk).values_list("stage_id", flat=True).get(), to_stage.pk)
    deal = Deal.objects.select_for_update(of=("self",)).select_related("stage", "lead").get(pk=deal.pk)
    from_stage = deal.stage
    check_transition(from_stage, to_stage)
    changes_stage = from_stage.pk != to_stage.pk
    if to_stage.kind == Stage.Kind.LOST and changes_stage:
        if not lost_reason:
            raise DealMoveNotAllowed("Tell us why the deal was lost: choose a reason.")
        if lost_reason not in LostReason.values:
            raise DealMoveNotAllowed(f"Unknown lost reason: {lost_reason}.")
    if not changes_stage and position is None:
        return deal

    now = timezone.now()
    if changes_stage or position is not None:
        index = position if position is not None else 0
        deal.position = _free_position(stage=to_stage, index=index, exclude=deal.pk)
    update_fields = ["position", "updated_at"]
    if changes_stage:
        deal.stage = to_stage
        deal.stage_changed_at = now
        deal.closed_at = now if to_stage.is_closed else None
        deal.lost_reason = lost_reason if to_stage.kind == Stage.Kind.LOST else ""
        deal.close_note = note if to_stage.is_closed else ""
        update_fields += ["stage", "stage_changed_at", "closed_at", "lost_reason", "close_note"]
    deal.save(update_fields=update_fields)
    if not changes_stage:
        return deal

    DealStageChange.objects.create(
        deal=deal,
        from_stage=from_stage,
        from_name=from_stage.name,
        to_stage=to_stage,
        to_name=to_stage.name,
        by=by,
        at=now,
    )
    mark_rollups_due([deal.account_id])  # open pipeline, won revenue
    deal_moved.send(sender=Deal, deal=deal, from_stage=from_stage, to_stage=to_stage, by=by, at=now)
    return deal


# --- Activities -------------------------------------------------------------------------------------


@transaction.atomic
def log_activity(*, deal: Deal, by, kind: str, subject: str, body: str = "") -> Activity:
    """Record a call, meeting, email, demo or note on a deal: activity, which keeps the deal from rotting.
    (Work still to do is a task, on the deal's task panel.)"""
    now = timezone.now()
    activity = Activity(deal=deal, by=by, kind=kind, subject=subject, body=body, at=now)
    activity.full_clean()
    activity.save()
    Deal.objects.filter(pk=deal.pk).update(last_activity_at=now)
    deal.last_activity_at = now
    return activity


# --- Stages -----------------------------------------------------------------------------------------


@transaction.atomic
def update_stage(*, stage: Stage, name: str, probability: int) -> Stage:
    """Rename a stage or change its chance to win (weighted pipeline values follow at once)."""
    stage.name = name
    stage.probability = probability
    stage.full_clean()
    stage.save(update_fields=["name", "probability"])
    return stage


def in_board_order(stages) -> list[Stage]:
    """`stages` (in their order) with every open stage before every closed one: the order a pipeline must
    keep. Stable, so a pipeline whose closed stage was moved above an open one (allowed before) is put right
    by its next stage edit."""
    return sorted(stages, key=lambda stage: stage.is_closed)


def can_swap(stage: Stage, neighbour: Stage) -> bool:
    """Whether two neighbouring stages may change places: not across the line between open and closed."""
    return stage.is_closed == neighbour.is_closed


def _renumber(stages: list[Stage]) -> None:
    for order, stage in enumerate(stages, start=1):
        stage.order = order
    Stage.objects.bulk_update([stage for stage in stages if stage.pk], ["order"])


@transaction.atomic
def add_stage(*, pipeline: Pipeline, name: str, probability: int) -> Stage:
    """Add an open stage after the last open one, before the closed stages (which stay at the end)."""
    stages = in_board_order(pipeline.stages.select_for_update().order_by("order", "id"))
    stage = Stage(pipeline=pipeline, name=name, probability=probability, kind=Stage.Kind.OPEN, order=1)
    stage.full_clean()
    stages.insert(sum(not item.is_closed for item in stages), stage)
    _renumber(stages)
    stage.save()
    return stage


@transaction.atomic
def reorder_stage(*, stage: Stage, direction: str) -> Stage:
    """Swap a stage with its neighbour ("up": earlier on the board, "down": later); a pipeline has a handful
    of stages, so they are renumbered 1..n in one bulk update. Closed stages stay after every open stage: a
    swap across that line raises StageChangeRefused."""
    stages = in_board_order(stage.pipeline.stages.select_for_update().order_by("order", "id"))
    index = next(i for i, s in enumerate(stages) if s.pk == stage.pk)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(stages):
        if not can_swap(stages[index], stages[other]):
            moving, neighbour = stages[index], stages[other]
            where = "above" if direction == "up" else "below"
            raise StageChangeRefused(
                f"{moving.name} cannot move {where} {neighbour.name}: closed stages stay after every open stage."
            )
        stages[index], stages[other] = stages[other], stages[index]
    _renumber(stages)
    stage.order = next(s.order for s in stages if s.pk == stage.pk)
    return stage


@transaction.atomic
def delete_stage(*, stage: Stage, by, move_deals_to: Stage | None = None) -> None:
    """Delete a stage. While it holds deals it is refused, unless they move to another stage of the same
    kind first (recorded in each deal's history, in one set-based pass). Past history keeps the stage's name."""
    if stage.kind == Stage.Kind.OPEN and not stage.pipeline.stages.filter(kind=Stage.Kind.OPEN).exclude(pk=stage.pk):
        raise StageChangeRefused("A pipeline needs at least one open stage.")
    deals = Deal.objects.filter(stage=stage)
    count = deals.count()
    if count and move_deals_to is None:
        raise StageInUse(f"{stage.name} still holds {count} deal(s): move them to another stage first.")
    if count:
        if move_deals_to.pk == stage.pk or move_deals_to.pipeline_id != stage.pipeline_id:
            raise StageChangeRefused("Choose another stage of the same pipeline for its deals.")
        if move_deals_to.kind != stage.kind:
            raise StageChangeRefused(f"Move its deals to another {stage.get_kind_display().lower()} stage.")
        now = timezone.now()
        lock_columns(stage.pk, move_deals_to.pk)
        ids = list(deals.values_list("id", flat=True))
        # They go below the cards already there, in their order: both columns spaced as one, then moved.
        positions.respace(move_deals_to.pk, then=stage.pk)
        deals.update(stage=move_deals_to, stage_changed_at=now)
        DealStageChange.objects.bulk_create(
            DealStageChange(
                deal_id=pk,
                from_stage=stage,
                from_name=stage.name,
                to_stage=move_deals_to,
                to_name=move_deals_to.name,
                by=by,
                at=now,
            )
            for pk in ids
        )
    stage.delete()  # history rows keep from_name / to_name; their links become empty


@transaction.atomic
def update_pipeline(*, pipeline: Pipeline, name: str, rotting_days: int) -> Pipeline:
    """Rename the pipeline, or change after how many idle days a deal shows as rotting."""
    pipeline.name = name
    pipeline.rotting_days = rotting_days
    pipeline.full_clean()
    pipeline.save(update_fields=["name", "rotting_days"])
    return pipeline


@transaction.atomic
def link_all_deals(chunk: int = 2000) -> dict[str, int]:
    """Give every deal without a company its lead's company (one UPDATE), and a deal without a lead the company
    its contact's email domain, else its company name, names (`companies_for`, a chunk at a time). Re-run
    safe: a linked deal is never touched again. Returns the deals linked each way."""
    lead_model = Deal._meta.get_field("lead").related_model  # deals do not import leads
    unlinked = Deal.objects.filter(account__isnull=True)
    through_lead = unlinked.filter(lead__account__isnull=False)
    due = set(through_lead.values_list("lead__account_id", flat=True).distinct())
    by_lead = through_lead.update(
        account=Subquery(lead_model.objects.filter(pk=OuterRef("lead_id")).values("account_id")[:1])
    )
    rows = list(unlinked.filter(lead__isnull=True).values_list("id", "contact_email", "company"))
    by_contact = 0
    for start in range(0, len(rows), chunk):
        part = rows[start : start + chunk]
        found = companies_for([CompanyHint(email=email, name=name) for _, email, name in part])
        linked = [Deal(pk=pk, account=company) for (pk, _, _), company in zip(part, found, strict=True) if company]
        Deal.objects.bulk_update(linked, ["account"])
        by_contact += len(linked)
        due |= {deal.account_id for deal in linked}
    mark_rollups_due(due)
    return {"deals linked through their lead": by_lead, "deals linked by contact email or name": by_contact}
