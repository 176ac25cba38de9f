"""The campaign list and the campaign page, with every figure, and the stats form that refreshes them."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.dateparse import parse_date
from django.views.decorators.http import require_GET, require_http_methods

from campaigns.filters import CampaignFilter
from campaigns.forms import DailyStatForm
from campaigns.models import Campaign
from campaigns.selectors import EDITOR_ROLES, campaign_for_user, campaigns_visible_to, can_edit_campaigns
from campaigns.services import log_daily_stat
from crm import metrics
from crm.history import audit_context
from crm.htmx import render_page
from crm.roles import role_required
from reports.accounts.funnel import influenced_accounts
from reports.selectors import campaigns_with_figures, order_by_figure, sort_columns, with_ratios

PAGE_SIZE = 25
LATEST_LEADS = 20


@require_GET
def campaign_list(request):
    filters = CampaignFilter(request.GET, queryset=campaigns_visible_to(request.user).select_related("owner"))
    campaigns = campaigns_with_figures(filters.qs, **filters.period())
    sort = request.GET.get("sort", "")
    page = Paginator(order_by_figure(campaigns, sort), PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = with_ratios(page.object_list)
    context = {
        "filters": filters.form,
        "page_obj": page,
        "columns": sort_columns(sort),
        "can_edit": can_edit_campaigns(request.user),
    }
    return render(request, "campaigns/campaign_list.html", context)


def campaign_with_figures(request, slug, *, write=False) -> Campaign:
    queryset = campaigns_with_figures(campaigns_visible_to(request.user).select_related("owner"))
    campaign = campaign_for_user(request.user, slug, write=write, queryset=queryset)
    return with_ratios([campaign])[0]


def detail_context(request, campaign: Campaign, stat_form: DailyStatForm | None = None) -> dict:
    """Everything the campaign page and its stats fragment show; a constant number of queries."""
    stats = list(campaign.daily_stats.order_by("date").values("date", "impressions", "clicks", "spend"))
    return {
        "campaign": campaign,
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


@require_GET
def campaign_detail(request, slug):
    campaign = campaign_with_figures(request, slug)
    leads = campaign.first_touch_leads.order_by("-created_at", "-id")
    context = detail_context(request, campaign) | audit_context(request.user, campaign)
    context |= {
        "latest_leads": leads[:LATEST_LEADS],
        "lead_count": leads.count(),
        "influenced_accounts": influenced_accounts(campaign.pk),
    }
    return render(request, "campaigns/campaign_detail.html", context)


def stat_form_for(campaign: Campaign, day_text: str | None) -> DailyStatForm:
    """The stats form, filled with the logged day `day_text` names (to correct it), else empty."""
    try:
        day = parse_date(day_text or "")
    except ValueError:
        day = None
    stat = campaign.daily_stats.filter(date=day).first() if day else None
    fields = ("date", "impressions", "clicks", "spend")
    return DailyStatForm(initial={name: getattr(stat, name) for name in fields} if stat else None)


@role_required(*EDITOR_ROLES)
@require_http_methods(["GET", "POST"])
def campaign_stats(request, slug):
    """Log or correct one day's figures inline. GET ?date=… fills the form with a logged day, to edit it."""
    campaign = campaign_for_user(request.user, slug, write=True)
    if request.method == "GET":
        form = stat_form_for(campaign, request.GET.get("date"))
    else:
        form = DailyStatForm(request.POST)
        if form.is_valid():
            _, created = log_daily_stat(campaign=campaign, **form.cleaned_data)
            day = form.cleaned_data["date"]
            messages.success(request, f"{'Logged' if created else 'Updated'} the figures for {day:%d %b %Y}.")
            form = DailyStatForm()
        elif not request.htmx:
            problems = " ".join(message for errors in form.errors.values() for message in errors)
            messages.error(request, f"The day's figures were not saved: {problems}")
    if not request.htmx:
        return redirect(campaign)
    context = detail_context(request, campaign_with_figures(request, slug), stat_form=form)
    return render_page(request, "campaigns/campaign_detail.html", context, partial="stats")
