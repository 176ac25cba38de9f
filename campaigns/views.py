"""Campaign pages that change a campaign: thin views (access → form → one service → response).

Campaigns sit upstream of leads and deals and never import them: the pages that show a campaign's figures
(the list, the campaign page and its stats form) are served by reports.campaign_pages.
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from campaigns.forms import CampaignForm, StatsUploadForm
from campaigns.models import Campaign
from campaigns.selectors import EDITOR_ROLES, campaign_for_user
from campaigns.services import (
    StatsFileUnreadable,
    archive_campaign,
    import_daily_stats_csv,
    restore_campaign,
    save_campaign,
)
from crm.roles import role_required


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
