"""Campaign pages: thin views (access → form → one service → response).

Campaigns sit upstream of leads and deals and never import them. The one exception is `reports.selectors`,
the shared read-side module that computes every campaign figure (list, page and API use the same one).
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.cache import patch_vary_headers
from django.utils.dateparse import parse_date
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from campaigns.forms import CampaignFilterForm, CampaignForm, DailyStatForm, StatsUploadForm
from campaigns.models import Campaign
from campaigns.selectors import EDITOR_ROLES, campaign_for_user, campaigns_visible_to, can_edit_campaigns
from campaigns.services import (
    StatsFileUnreadable,
    archive_campaign,
    import_daily_stats_csv,
    log_daily_stat,
    restore_campaign,
    save_campaign,
)
from crm import metrics
from crm.history import audit_context
from crm.roles import role_required
from reports.selectors import campaigns_with_figures, order_by_figure, with_ratios

PAGE_SIZE = 25


def parse_date_or_none(text):
    try:
        return parse_date(text or "")
    except ValueError:
        return None


LATEST_LEADS = 20


def _url_or_none(name: str, *args) -> str | None:
    """The URL if another app already provides it (leads' pages land in their own issue), else None."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


FIGURE_LABELS = {
    "spend": "Spend / budget",
    "impressions": "Impressions",
    "clicks": "Clicks",
    "ctr": "CTR",
    "cpc": "CPC",
    "leads": "Leads",
    "mqls": "MQLs",
    "customers": "Customers",
    "revenue": "Revenue",
    "cpl": "CPL",
    "cost_per_mql": "Cost / MQL",
    "cac": "CAC",
    "roi": "ROI",
}


def _sort_columns(sort: str) -> list[dict]:
    """Header links: a figure sorts descending first (the biggest at the top), clicking again flips it."""
    columns = []
    for name, label in FIGURE_LABELS.items():
        direction = {f"-{name}": "descending", name: "ascending"}.get(sort)
        columns.append(
            {"label": label, "sort": name if direction == "descending" else f"-{name}", "direction": direction}
        )
    return columns


@require_GET
def campaign_list(request):
    filters = CampaignFilterForm(request.GET or None)
    campaigns = campaigns_with_figures(
        filters.filter(campaigns_visible_to(request.user)).select_related("owner"), **filters.date_range()
    )
    sort = request.GET.get("sort", "")
    page = Paginator(order_by_figure(campaigns, sort), PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = with_ratios(page.object_list)
    return render(
        request,
        "campaigns/campaign_list.html",
        {
            "filters": filters,
            "page_obj": page,
            "columns": _sort_columns(sort),
            "can_edit": can_edit_campaigns(request.user),
        },
    )


def _detail_context(request, campaign: Campaign, stat_form: DailyStatForm | None = None) -> dict:
    """Everything the campaign page and its stats fragment show; a constant number of queries."""
    stats = list(campaign.daily_stats.order_by("date").values("date", "impressions", "clicks", "spend"))
    return {
        "campaign": campaign,
        "ratios": campaign.ratios,
        "stats": [
            {**row, "ctr": metrics.ctr(clicks=row["clicks"], impressions=row["impressions"])} for row in stats[::-1]
        ],
        "chart": {
            "labels": [row["date"].isoformat() for row in stats],
            "impressions": [row["impressions"] for row in stats],
            "clicks": [row["clicks"] for row in stats],
            "spend": [str(row["spend"]) for row in stats],
        },
        "stat_form": stat_form or DailyStatForm(),
        "can_edit": can_edit_campaigns(request.user),
    }


def _campaign_with_figures(request, slug, *, write=False) -> Campaign:
    queryset = campaigns_with_figures(campaigns_visible_to(request.user).select_related("owner"))
    campaign = campaign_for_user(request.user, slug, write=write, queryset=queryset)
    return with_ratios([campaign])[0]


@require_GET
def campaign_detail(request, slug):
    campaign = _campaign_with_figures(request, slug)
    leads = campaign.first_touch_leads.order_by("-created_at", "-id")
    context = _detail_context(request, campaign)
    context.update(
        latest_leads=leads[:LATEST_LEADS],
        lead_count=leads.count(),
        leads_url=_url_or_none("leads:lead_list"),
        lead_links=_url_or_none("leads:lead_detail", 0) is not None,
        capture_url=_url_or_none("leads:capture", campaign.slug),
        **audit_context(request.user, campaign),
    )
    return render(request, "campaigns/campaign_detail.html", context)


def _campaign_form(request, campaign: Campaign | None, success: str):
    """The create and edit pages: the same form, one service, PRG to the campaign."""
    # Validation writes the typed values onto the instance: keep the stored name and address for the page.
    stored_name = campaign.name if campaign else None
    stored_url = campaign.get_absolute_url() if campaign else None
    form = CampaignForm(request.POST or None, instance=campaign, user=request.user)
    if form.is_valid():
        saved = save_campaign(campaign=form.save(commit=False))
        messages.success(request, success.format(name=saved.name))
        return redirect(saved)
    context = {"form": form, "campaign": campaign, "stored_name": stored_name, "stored_url": stored_url}
    return render(request, "campaigns/campaign_form.html", context)


@role_required(*EDITOR_ROLES)
@require_http_methods(["GET", "POST"])
def campaign_create(request):
    return _campaign_form(request, None, "Campaign “{name}” created. Log its first day of figures below.")


@role_required(*EDITOR_ROLES)
@require_http_methods(["GET", "POST"])
def campaign_edit(request, slug):
    campaign = campaign_for_user(request.user, slug, write=True)
    return _campaign_form(request, campaign, "Campaign “{name}” saved.")


@role_required(*EDITOR_ROLES)
@require_POST
def campaign_archive(request, slug):
    """Archive (or, with restore=1, bring back) a campaign."""
    campaign = campaign_for_user(request.user, slug, write=True)
    if request.POST.get("restore"):
        restore_campaign(campaign=campaign)
        messages.success(request, f"Campaign “{campaign.name}” is back in the list.")
        return redirect(campaign)
    archive_campaign(campaign=campaign)
    messages.success(request, f"Campaign “{campaign.name}” archived. Filter the list by “Archived” to find it.")
    return redirect("campaigns:campaign_list")


@role_required(*EDITOR_ROLES)
@require_http_methods(["GET", "POST"])
def campaign_stats(request, slug):
    """Log or correct one day's figures inline. GET ?date=… fills the form with a logged day, to edit it."""
    campaign = campaign_for_user(request.user, slug, write=True)
    if request.method == "GET":
        day = parse_date_or_none(request.GET.get("date"))
        stat = campaign.daily_stats.filter(date=day).first() if day else None
        fields = ("date", "impressions", "clicks", "spend")
        form = DailyStatForm(initial={name: getattr(stat, name) for name in fields} if stat else None)
    else:
        form = DailyStatForm(request.POST)
        if form.is_valid():
            _, created = log_daily_stat(campaign=campaign, **form.cleaned_data)
            day = form.cleaned_data["date"]
            messages.success(request, f"{'Logged' if created else 'Updated'} the figures for {day:%d %b %Y}.")
            if not request.htmx:
                return redirect(campaign)
            form = DailyStatForm()
        elif not request.htmx:
            problems = " ".join(message for errors in form.errors.values() for message in errors)
            messages.error(request, f"The day's figures were not saved: {problems}")
            return redirect(campaign)
    if not request.htmx:
        return redirect(campaign)
    response = render(
        request,
        "campaigns/campaign_detail.html#stats",
        _detail_context(request, _campaign_with_figures(request, slug), stat_form=form),
    )
    patch_vary_headers(response, ["HX-Request"])
    return response


@role_required(*EDITOR_ROLES)
@require_http_methods(["GET", "POST"])
def campaign_upload(request, slug):
    """Upload a CSV of daily stats: each bad line is reported, good lines are saved, known days updated."""
    campaign = campaign_for_user(request.user, slug, write=True)
    form = StatsUploadForm(request.POST or None, request.FILES or None)
    result = None
    if form.is_valid():
        try:
            result = import_daily_stats_csv(campaign=campaign, file=form.cleaned_data["file"])
        except StatsFileUnreadable as exc:
            form.add_error("file", str(exc))
    return render(request, "campaigns/campaign_upload.html", {"campaign": campaign, "form": form, "result": result})
