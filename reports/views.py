"""Report pages: read the filters from the query string, run the report's selectors, render or export CSV.

Who sees what (enforced here and in reports.filters.restrict_to_user):
- managers: every report, every figure, any owner;
- marketers: the funnel and feedback reports for all campaigns and owners; not the sales report (per rep);
- sales reps: every report but only rows they own (leads they own in the funnel, their deals and
  hand-overs in the sales report, their answers, deals and leads in the feedback report).
"""

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from crm.htmx import render_page, vary_on_htmx
from crm.roles import has_role, primary_role, role_required
from reports import agreement, campaigns, exports, feedback, forecast, funnel, sales
from reports.accounts import funnel as account_funnel
from reports.dashboard import dashboard_figures
from reports.filters import (
    CAMPAIGN_VIEWERS,
    REPORT_VIEWERS,
    SALES_VIEWERS,
    ReportFilterForm,
    filters_from_query,
    sees_only_own_figures,
)
from reports.forms import AccountFunnelFilterForm, CampaignReportFilterForm, ForecastFilterForm, FunnelFilterForm


def read_filters(request, form_class=ReportFilterForm):
    return filters_from_query(request.GET, user=request.user, form_class=form_class)


def render_report(request, template: str, context: dict):
    """The whole page, or only its #report fragment for htmx (the filter form swaps it in place)."""
    context |= {"own_figures_only": sees_only_own_figures(request.user)}
    return render_page(request, template, context, partial="report")


def wants_csv(request) -> str | None:
    """The table asked for with ?format=csv&table=<name> (None: the page)."""
    if request.GET.get("format") != "csv":
        return None
    return request.GET.get("table", "")


def bar_chart(labels, datasets, *, horizontal=False, stacked=False) -> dict:
    """Chart.js data for static/js/reports.js (numbers as floats: JSON has no Decimal)."""
    return {
        "horizontal": horizontal,
        "stacked": stacked,
        "labels": list(labels),
        "datasets": [
            {"label": label, "data": [None if value is None else float(value) for value in data]}
            for label, data in datasets
        ],
    }


def dashboard(request):
    """Each role's home: the figures of the last 30 days that matter to it, and what to do next."""
    context = {"role": primary_role(request.user), "figures": dashboard_figures(request.user)}
    return render(request, "reports/dashboard.html", context)


@require_GET
@role_required(*REPORT_VIEWERS)
def index(request):
    context = {
        "sees_sales": has_role(request.user, *SALES_VIEWERS),
        "sees_campaigns": has_role(request.user, *CAMPAIGN_VIEWERS),
    }
    return render(request, "reports/index.html", context)


@require_GET
@role_required(*REPORT_VIEWERS)
def funnel_page(request):
    form, filters = read_filters(request, FunnelFilterForm)
    split = form.cleaned_data.get("split") or ""
    split_label = dict(funnel.SPLITS).get(split, "")
    table = wants_csv(request)
    if table is not None:
        return funnel_csv(table, filters, split, split_label)
    report = funnel.funnel_report(filters)
    context = {
        "form": form,
        "filters": filters,
        "report": report,
        "split": split,
        "split_label": split_label,
        "groups": funnel.funnel_by_group(filters, split),
        "stages": funnel.FUNNEL,
        "chart": funnel_chart(report),
    }
    return render_report(request, "reports/funnel.html", context)


def funnel_csv(table: str, filters, split: str, split_label: str):
    if table == "stages":
        return exports.download("funnel", filters, exports.funnel_stages(funnel.funnel_report(filters)))
    if table == "groups" and split:
        groups = funnel.funnel_by_group(filters, split)
        return exports.download(f"funnel-by-{split}", filters, exports.funnel_groups(groups, split_label))
    raise Http404("No such table in this report.")


def funnel_chart(report) -> dict:
    return bar_chart(
        [row["label"] for row in report["stages"]],
        [
            ("This period", [row["reached"] for row in report["stages"]]),
            ("Previous period", [row["previous_reached"] for row in report["stages"]]),
        ],
        horizontal=True,
    )


@require_GET
@role_required(*SALES_VIEWERS)
def sales_page(request):
    form, filters = read_filters(request)
    table = wants_csv(request)
    if table == "forecast":
        return exports.download("forecast", filters, exports.sales_forecast(sales.forecast_by_month(filters)))
    if table == "reps":
        return exports.download("sales-by-rep", filters, exports.sales_reps(sales.rep_table(filters)))
    if table is not None:
        raise Http404("No such table in this report.")
    report = sales.sales_report(filters)
    forecast = report["forecast"]
    chart = bar_chart(
        [row["label"] for row in forecast],
        [
            ("Weighted amount", [row["weighted_amount"] for row in forecast]),
            ("Amount", [row["amount"] for row in forecast]),
        ],
    )
    context = {
        "form": form,
        "filters": filters,
        **report,
        "chart": chart,
    }
    return render_report(request, "reports/sales.html", context)


@require_GET
@role_required(*SALES_VIEWERS)
def forecast_page(request):
    """Open deals by expected close month and forecast category, the overdue ones apart, and how the weekly
    snapshots of past months compared with what closed won."""
    form, filters = read_filters(request, ForecastFilterForm)
    report = forecast.forecast_report(filters, today=timezone.localdate())
    context = {"form": form, "filters": filters, **report}
    return render_report(request, "reports/forecast.html", context)


FEEDBACK_TABLES = {
    "acceptance": lambda filters: exports.acceptance(feedback.acceptance_by_campaign(filters)),
    "rejections-by-campaign": lambda filters: exports.reasons(feedback.rejection_reasons(filters), "Campaign"),
    "rejections-by-channel": lambda filters: exports.reasons(feedback.rejection_reasons(filters, "channel"), "Channel"),
    "losses-by-campaign": lambda filters: exports.reasons(feedback.loss_reasons(filters), "Campaign"),
    "losses-by-channel": lambda filters: exports.reasons(feedback.loss_reasons(filters, "channel"), "Channel"),
    "notes": lambda filters: exports.notes(feedback.latest_sales_notes(filters)),
}


def stacked(pivot) -> dict:
    chart = pivot["chart"]
    return bar_chart(chart["labels"], [(d["label"], d["data"]) for d in chart["datasets"]], stacked=True)


@require_GET
@role_required(*REPORT_VIEWERS)
def feedback_page(request):
    form, filters = read_filters(request)
    table = wants_csv(request)
    if table in FEEDBACK_TABLES:
        return exports.download(f"feedback-{table}", filters, FEEDBACK_TABLES[table](filters))
    if table is not None:
        raise Http404("No such table in this report.")
    report = feedback.feedback_report(filters)
    context = {
        "form": form,
        "filters": filters,
        **report,
        "rejections_chart": stacked(report["rejections"]["campaign"]),
        "losses_chart": stacked(report["losses"]["campaign"]),
    }
    return render_report(request, "reports/feedback.html", context)


@require_GET
@role_required(*CAMPAIGN_VIEWERS)
def campaigns_page(request):
    """Spend, funnel counts, revenue and their ratios per campaign and per channel, first or last touch, as a
    cohort or as the period's activity, with what no campaign gets the credit for."""
    form, filters = read_filters(request, CampaignReportFilterForm)
    attribution = form.cleaned_data.get("attribution") or "first"
    view = form.cleaned_data.get("view") or campaigns.DEFAULT_VIEW
    report = campaigns.campaign_report(filters, attribution, view)
    table = wants_csv(request)
    if table is not None:
        return campaign_report_csv(table, report, filters, f"{table}-{attribution}-touch-{view}")
    rows = report.campaigns
    chart = bar_chart(
        [row.name for row in rows], [("Spend", [r.spend for r in rows]), ("Revenue", [r.revenue for r in rows])]
    )
    context = {
        "form": form,
        "filters": filters,
        "attribution": attribution,
        "view": view,
        "rows": rows,
        "channels": report.channels,
        "unattributed": report.unattributed,
        "chart": chart,
    }
    return render_report(request, "reports/campaigns.html", context)


def campaign_report_csv(table: str, report, filters, filename: str):
    if table == "campaigns":
        data = exports.campaign_figures(report.campaigns, "Campaign", lambda row: row.name, report.unattributed)
    elif table == "channels":
        data = exports.campaign_figures(report.channels, "Channel", lambda row: row.label, report.unattributed)
    else:
        raise Http404("No such table in this report.")
    return exports.download(filename, filters, data)


@require_GET
@role_required(*REPORT_VIEWERS)
def accounts_page(request):
    """The account funnel: per campaign and per channel, the companies reached in the period and how far
    they got (reports.accounts.funnel says exactly what each column counts)."""
    form, filters = read_filters(request, AccountFunnelFilterForm)
    view = form.cleaned_data.get("view") or account_funnel.DEFAULT_VIEW
    funnels = account_funnel.account_funnels(filters, view)
    by_campaign = funnels["campaign"]
    steps = account_funnel.STEPS
    chart = bar_chart(
        [row["label"] for row in by_campaign],
        [(label, [row[name] for row in by_campaign]) for name, label in steps],
    )
    context = {
        "form": form,
        "filters": filters,
        "steps": steps,
        "campaigns": by_campaign,
        "channels": funnels["channel"],
        "view": view,
        "chart": chart,
    }
    return render_report(request, "reports/accounts.html", context)


@require_GET
@role_required(*REPORT_VIEWERS)
def agreement_page(request):
    """The commitments of a month or quarter beside their actuals and projections (reports.agreement)."""
    today = timezone.localdate()
    period = agreement.parse_period(request.GET.get("period"), today) or agreement.current_period(today)
    own_only = sees_only_own_figures(request.user)
    context = {
        "figures": agreement.agreement(period, user_id=request.user.pk if own_only else None, today=today),
        "periods": agreement.recent_periods(today),
        "period_unread": bool(request.GET.get("period")) and period == agreement.current_period(today),
        "range_query": agreement.range_query(period),
        "sees_sales": has_role(request.user, *SALES_VIEWERS),
        "sees_campaigns": has_role(request.user, *CAMPAIGN_VIEWERS),
    }
    return render_report(request, "reports/agreement.html", context)


@require_GET
@role_required(*REPORT_VIEWERS)
def attainment_strip(request):
    """This month's attainment, a strip that My day and the dashboard load by htmx."""
    context = {"strip": agreement.attainment(request.user)}
    return vary_on_htmx(render(request, "reports/partials/attainment.html", context))
