from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from crm.history import audit_context
from crm.htmx import render_page, vary_on_htmx, wants_fragment
from crm.roles import MANAGER, ROLES, role_required
from deals import services
from deals.exports import deals_export
from deals.filters import DealFilter
from deals.forms import (
    ActivityForm,
    DealCreateForm,
    DealForm,
    ForecastCategoryForm,
    MoveForm,
    StageDeleteForm,
    StageForm,
)
from deals.models import Deal, ForecastCategory, Stage
from deals.selectors import (
    LIST_SORTS,
    board_columns,
    can_create_deals,
    can_edit_deal,
    column_headers,
    column_index,
    deal_counts_by_stage,
    deal_for_user,
    deals_visible_to,
    listed_deals,
    next_task_due,
    stages_to_move_to,
)

LIST_PAGE_SIZE = 50
TIMELINE_EVENTS = 50


def _next_url(request, default):
    url = request.POST.get("next", "")
    if url and url_has_allowed_host_and_scheme(url, {request.get_host()}, require_https=request.is_secure()):
        return url
    return default


def _form_errors(form) -> str:
    return " ".join(message for errors in form.errors.values() for message in errors)


# --- Board --------------------------------------------------------------------------------------------


@role_required(*ROLES)
def board(request):
    pipeline = services.ensure_default_pipeline()
    filters = DealFilter(request.GET, request=request, page="board")
    columns = board_columns(filters.qs, pipeline=pipeline)
    _link_cards(request.user, columns)
    context = {
        "pipeline": pipeline,
        "columns": columns,
        "filter_form": filters.form,
        "open_count": sum(column.count for column in columns if not column.stage.is_closed),
        "can_create": can_create_deals(request.user),
        "lost_reasons": MoveForm.base_fields["lost_reason"].choices,
        # The card's menu and its moves are fetched by board.js from the card's id: two URLs for the board.
        "move_url": reverse("deals:deal_move", args=[0]),
        "menu_url": reverse("deals:deal_menu", args=[0]),
        "this_year": timezone.localdate().year,
    }
    return render_page(request, "deals/board.html", context)


def _link_cards(user, columns) -> None:
    """Give each card its link and whether `user` may move it: one reverse for the board, not one a card."""
    detail_url = reverse("deals:deal_detail", args=[0]).replace("/0/", "/{}/")
    for column in columns:
        for deal in column.cards:
            deal.editable = can_edit_deal(user, deal)
            deal.url = detail_url.format(deal.pk)


@require_GET
@role_required(*ROLES)
def deal_menu(request, pk):
    """A card's actions, asked for by the board when its menu opens (cards carry none); without htmx, the deal
    page, which holds the same actions."""
    queryset = deals_visible_to(request.user).select_related("stage")
    deal = deal_for_user(request.user, pk, write=True, queryset=queryset)
    if not wants_fragment(request):
        return vary_on_htmx(redirect(deal))
    context = {"deal": deal, "stages": _menu_stages(deal), "categories": ForecastCategory.choices}
    return render_page(request, "deals/board.html", context, partial="card_menu")


@require_POST
@role_required(*ROLES)
def deal_forecast(request, pk):
    """Set a deal's forecast category from its card's menu, then back to the board."""
    deal = deal_for_user(request.user, pk, write=True)
    form = ForecastCategoryForm(request.POST)
    if form.is_valid():
        services.update_deal(deal=deal, by=request.user, forecast_category=form.cleaned_data["forecast_category"])
        messages.success(request, f"{deal}: forecast {deal.get_forecast_category_display()}.")
    else:
        messages.error(request, "Choose a forecast category.")
    return redirect("deals:board")


def _menu_stages(deal) -> list:
    """The stages a card's menu offers: each one `move_deal` would take the deal to, but its own."""
    stages = []
    for stage in stages_to_move_to(deal).exclude(pk=deal.stage_id):
        try:
            services.check_transition(deal.stage, stage)
        except services.DealMoveNotAllowed:
            continue  # a closed deal reopens in an open stage before it is closed again
        stages.append(stage)
    return stages


@require_POST
@role_required(*ROLES)
def deal_move(request, pk):
    """Move a deal: from the board by drag and drop (htmx/fetch: the headers come back) or by the card's
    select and the deal page's form (plain POST: redirect with a message)."""
    deal = deal_for_user(request.user, pk, write=True, queryset=deals_visible_to(request.user).select_related("stage"))
    pipeline = deal.stage.pipeline
    form = MoveForm(request.POST, deal=deal, user=request.user)
    error = _move(request, deal, form)
    if request.htmx:
        if error:
            return vary_on_htmx(HttpResponse(error, status=400, content_type="text/plain; charset=utf-8"))
        # Fresh header figures for the board's filters, sent along as the move's query string.
        headers = column_headers(DealFilter(request.GET, request=request, page="board").qs, pipeline=pipeline)
        return render_page(request, "deals/board.html", {"columns": headers}, partial="headers")
    if not error:
        messages.success(request, f"{deal.title} moved to {form.cleaned_data['stage'].name}.")
    else:
        messages.error(request, f"{deal.title} was not moved: {error}")
        if form.is_valid() and form.cleaned_data["stage"].kind == Stage.Kind.LOST:
            return redirect(deal)  # the deal page asks for the reason
    return redirect(_next_url(request, reverse("deals:board")))


def _move(request, deal, form) -> str | None:
    """Move `deal` as the valid `form` says; why it did not move, or None."""
    if not form.is_valid():
        return _form_errors(form)
    data = form.cleaned_data
    position = data["position"]
    if data["before"] is not None:
        position = column_index(stage=data["stage"], before_id=data["before"], moving=deal)
    try:
        services.move_deal(
            deal=deal,
            to_stage=data["stage"],
            by=request.user,
            position=position,
            lost_reason=data["lost_reason"],
            note=data["note"],
        )
    except services.DealMoveNotAllowed as exc:
        return str(exc)
    return None


# --- Deal list and export -------------------------------------------------------------------------------


def _listed_deals(request):
    filters = DealFilter(request.GET, request=request, page="list")
    return filters.form, listed_deals(filters.qs, sort=request.GET.get("sort", ""))


# The deal list's columns on a phone: what the deal is, its amount and whose it is.
PHONE_COLUMNS = {"title", "amount", "owner"}


@role_required(*ROLES)
def deal_list(request):
    filter_form, deals = _listed_deals(request)
    page = Paginator(deals.annotate(next_task_due=next_task_due()), LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "filter_form": filter_form,
        "page": page,
        "sort": request.GET.get("sort", ""),
        "can_create": can_create_deals(request.user),
        "sort_columns": [(key, label, key in PHONE_COLUMNS) for key, (label, _) in LIST_SORTS.items() if label],
    }
    return render_page(request, "deals/deal_list.html", context)


@role_required(*ROLES)
def deal_export(request, fmt):
    """The filtered list as CSV (streamed row by row) or as an Excel workbook, every cell safe to open."""
    _, deals = _listed_deals(request)
    return deals_export(fmt, deals)


@role_required(*ROLES)
def deal_create(request):
    if not can_create_deals(request.user):
        raise PermissionDenied
    form = DealCreateForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            deal = services.create_deal(
                by=request.user,
                owner=form.cleaned_data.get("owner"),
                stage=form.cleaned_data["stage"],
                **form.deal_fields(),
            )
        except (services.DealReassignNotAllowed, services.DealMoveNotAllowed) as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Deal {deal.title} created.")
            return redirect(deal)
    return render(request, "deals/deal_form.html", {"form": form})


# --- Deal detail ----------------------------------------------------------------------------------------


def _detail_deal(request, pk, *, write=False):
    queryset = deals_visible_to(request.user).select_related(
        "stage__pipeline",
        "owner",
        "account",
        "source_campaign",
        "lead__first_touch_campaign",
        "lead__latest_touch_campaign",
    )
    return deal_for_user(request.user, pk, write=write, queryset=queryset)


def _activities_context(deal, form=None, *, editable=True):
    return {
        "deal": deal,
        "editable": editable,
        "activity_form": form or ActivityForm(),
        "activities": deal.activities.select_related("by"),
    }


@role_required(*ROLES)
def deal_detail(request, pk):
    deal = _detail_deal(request, pk, write=request.method == "POST")
    editable = can_edit_deal(request.user, deal)
    form = DealForm(request.POST or None, instance=deal, user=request.user) if editable else None
    if request.method == "POST" and _save(request, deal, form):
        messages.success(request, "Deal saved.")
        return redirect(deal)
    context = {
        **_activities_context(deal, editable=editable),
        "form": form,
        "move_form": MoveForm(initial={"stage": deal.stage}, deal=deal, user=request.user),
        "history": deal.stage_changes.select_related("by"),
        "lead": deal.lead,
        "events": deal.lead.events.select_related("campaign")[:TIMELINE_EVENTS] if deal.lead else [],
        **audit_context(request.user, deal),
    }
    return render_page(request, "deals/deal_detail.html", context)


def _save(request, deal, form) -> bool:
    """Save the deal as the valid `form` says; False, with the reason on the form, when it is refused."""
    if not form.is_valid():
        return False
    try:
        services.update_deal(deal=deal, by=request.user, owner=form.cleaned_data.get("owner"), **form.deal_fields())
    except services.DealReassignNotAllowed as exc:
        form.add_error("owner", str(exc))
    except ValidationError as exc:
        form.add_error(None, exc)
    else:
        return True
    return False


def _activities_response(request, deal, form=None):
    if request.htmx:
        return render_page(request, "deals/deal_detail.html", _activities_context(deal, form), partial="activities")
    return redirect(deal)


@require_POST
@role_required(*ROLES)
def activity_create(request, pk):
    deal = deal_for_user(request.user, pk, write=True)
    form = ActivityForm(request.POST)
    if not form.is_valid():
        if not request.htmx:
            messages.error(request, _form_errors(form))
        # htmx swaps only 2xx answers: the fragment with the errors (and the typed text) comes back as 200.
        return _activities_response(request, deal, form)
    services.log_activity(deal=deal, by=request.user, **form.cleaned_data)
    if not request.htmx:
        messages.success(request, "Logged.")
    return _activities_response(request, deal)


# --- Stages (managers) ----------------------------------------------------------------------------------


@role_required(MANAGER)
def stage_list(request):
    pipeline = services.ensure_default_pipeline()
    stages = services.in_board_order(pipeline.stages.all())
    counts = deal_counts_by_stage(pipeline)
    rows = [
        {
            "stage": stage,
            "form": StageForm(instance=stage, prefix=f"stage-{stage.pk}"),
            "deals": counts.get(stage.pk, 0),
            # The arrows that would cross the line between open and closed stages are off.
            "can_move_up": index > 0 and services.can_swap(stage, stages[index - 1]),
            "can_move_down": index + 1 < len(stages) and services.can_swap(stage, stages[index + 1]),
        }
        for index, stage in enumerate(stages)
    ]
    context = {"pipeline": pipeline, "rows": rows, "add_form": StageForm(prefix="new")}
    return render(request, "deals/stages.html", context)


@require_POST
@role_required(MANAGER)
def stage_add(request):
    form = StageForm(request.POST, prefix="new")
    if form.is_valid():
        try:
            stage = services.add_stage(pipeline=services.ensure_default_pipeline(), **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"Stage {stage.name} added.")
    else:
        messages.error(request, f"The stage was not added: {_form_errors(form)}")
    return redirect("deals:stage_list")


@require_POST
@role_required(MANAGER)
def stage_update(request, pk):
    stage = get_object_or_404(Stage, pk=pk)
    form = StageForm(request.POST, instance=stage, prefix=f"stage-{stage.pk}")
    if form.is_valid():
        try:
            services.update_stage(stage=stage, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"Stage {stage.name} saved.")
    else:
        messages.error(request, f"The stage was not saved: {_form_errors(form)}")
    return redirect("deals:stage_list")


@require_POST
@role_required(MANAGER)
def stage_reorder(request, pk):
    stage = get_object_or_404(Stage, pk=pk)
    try:
        services.reorder_stage(stage=stage, direction="up" if request.POST.get("direction") == "up" else "down")
    except services.StageChangeRefused as exc:
        messages.error(request, str(exc))
    return redirect("deals:stage_list")


@require_http_methods(["GET", "POST"])
@role_required(MANAGER)
def stage_delete(request, pk):
    """Deleting a stage asks first: this page says what goes and where its deals move; only its POST with
    `confirm` deletes (any other POST shows the page again)."""
    stage = get_object_or_404(Stage.objects.select_related("pipeline"), pk=pk)
    confirmed = request.method == "POST" and request.POST.get("confirm") == "yes"
    form = StageDeleteForm(request.POST if confirmed else None, stage=stage, user=request.user)
    if confirmed:
        target = form.cleaned_data["move_deals_to"] if form.is_valid() else None
        try:
            services.delete_stage(stage=stage, by=request.user, move_deals_to=target)
        except (services.StageInUse, services.StageChangeRefused) as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"Stage {stage.name} deleted.")
            return redirect("deals:stage_list")
    context = {"stage": stage, "form": form, "deals": Deal.objects.filter(stage=stage).count()}
    return render(request, "deals/stage_delete.html", context, status=400 if request.method == "POST" else 200)
