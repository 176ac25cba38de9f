"""The scoring page: rules as data, a threshold preview before saving, and the full rescore's progress."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from companies.models import AccountSettings, CompanyFitRule
from crm.htmx import render_page
from crm.roles import MANAGER, MARKETER, ROLES, has_role, role_required
from leads.models import EngagementRule, FitRule, RescoreRun, ScoringSettings
from leads.scoring.forms import (
    AccountSettingsForm,
    CompanyFitRuleFormSet,
    EngagementRuleFormSet,
    FitRuleFormSet,
    ScoringSettingsForm,
)
from leads.scoring.rescore import threshold_preview
from leads.scoring.runs import save_scoring_rules


def can_edit_scoring(user) -> bool:
    return has_role(user, MARKETER, MANAGER)


@require_http_methods(["GET", "POST"])
@role_required(*ROLES)
def scoring(request):
    """Everyone reads the rules; marketers and managers change them, which starts a full rescore. The sales
    SLA is not here: it changes no score, so it is saved with the pipeline settings (`handoff.settings_views`)."""
    editable = can_edit_scoring(request.user)
    data = request.POST if request.method == "POST" else None
    if data is not None and not editable:
        raise PermissionDenied
    settings_row = ScoringSettings.load()
    forms = scoring_forms(data, settings_row)
    if data is not None and all(form.is_valid() for form in forms.values()):
        account_forms = [forms.pop("account_form"), forms.pop("company_rules")]
        save_scoring_rules(forms=forms.values(), account_forms=account_forms, by=request.user)
        messages.success(request, "Scoring rules saved. Every lead is being rescored now; account scores follow.")
        return redirect("leads:scoring")
    context = {
        **forms,
        "editable": editable,
        "run": RescoreRun.objects.first(),
        "preview": threshold_preview(settings_row.mql_threshold),
        "threshold": settings_row.mql_threshold,
    }
    return render(request, "leads/scoring.html", context, status=400 if data is not None else 200)


def scoring_forms(data, settings_row) -> dict:
    """The scoring page's forms, by their names in the template: the settings and the two rule formsets of
    leads, and the account settings and company fit rules (the account score)."""
    return {
        "settings_form": ScoringSettingsForm(data, instance=settings_row, prefix="settings"),
        "fit_rules": FitRuleFormSet(data, queryset=FitRule.objects.all(), prefix="fit"),
        "engagement": EngagementRuleFormSet(data, queryset=EngagementRule.objects.all(), prefix="engagement"),
        "account_form": AccountSettingsForm(data, instance=AccountSettings.load(), prefix="accounts"),
        "company_rules": CompanyFitRuleFormSet(data, queryset=CompanyFitRule.objects.all(), prefix="company-fit"),
    }


@require_GET
@role_required(*ROLES)
def scoring_preview(request):
    """htmx: how many leads a threshold would put at or above it, and how many would become MQLs."""
    try:
        threshold = max(int(request.GET.get("settings-mql_threshold", "")), 1)
    except ValueError:
        threshold = ScoringSettings.load().mql_threshold
    context = {"preview": threshold_preview(threshold), "threshold": threshold}
    return render_page(request, "leads/scoring.html#preview", context)


@require_GET
@role_required(*ROLES)
def rescore_progress(request):
    """htmx: the latest rescore's progress bar (polled while it runs)."""
    return render_page(request, "leads/scoring.html#progress", {"run": RescoreRun.objects.first()})
