"""Forms own validation; the messages speak the marketer's language."""

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat

from campaigns.models import MAX_DAILY_IMPRESSIONS, MAX_DAILY_SPEND, Campaign
from campaigns.selectors import campaign_owners_for
from campaigns.services import validate_day
from crm import bounds
from crm.people import UserChoiceField
from crm.relations import LimitedChoicesForm

# What a marketer sets on a campaign, in the form and in the API alike.
CAMPAIGN_FIELDS = [
    "name",
    "slug",
    "channel",
    "objective",
    "status",
    "start_date",
    "end_date",
    "budget",
    "owner",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "description",
]
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
RESERVED_SLUGS = {"new"}


class CampaignForm(LimitedChoicesForm, forms.ModelForm):
    class Meta:
        model = Campaign
        fields = CAMPAIGN_FIELDS
        widgets = {"start_date": DATE_INPUT, "end_date": DATE_INPUT, "description": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"slug": "The campaign's address, as in /campaigns/spring-launch/. Empty: made from the name."}
        field_classes = {"owner": UserChoiceField}
        error_messages = {
            "name": {"required": "Give the campaign a name."},
            "channel": {"required": "Choose the channel the campaign runs on."},
            "start_date": {"required": "When does the campaign start?", "invalid": "Enter a date like 2026-09-01."},
            "end_date": {"invalid": "Enter a date like 2026-09-30."},
            "budget": {"invalid": "Enter the budget as an amount, like 2500 or 2500.50."},
            "slug": {
                "invalid": "Use only lowercase letters, numbers and hyphens.",
                "unique": "Another campaign already uses this address; choose another.",
            },
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False
        if not self.instance.pk:
            self.fields["owner"].initial = self.user.pk

    def relation_choices(self, user):
        return {"owner": campaign_owners_for(user)}

    def clean_slug(self):
        slug = self.cleaned_data.get("slug", "")
        if slug in RESERVED_SLUGS:
            raise forms.ValidationError("“new” is reserved; choose another address.")
        return slug

    def clean_budget(self):
        budget = self.cleaned_data.get("budget")
        if budget is not None and budget < 0:
            raise forms.ValidationError("The budget cannot be negative.")
        return budget

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "The end date cannot be before the start date.")
        return cleaned


def daily_count(label: str) -> forms.IntegerField:
    """A day's count of impressions or clicks: not negative, and within the bound that keeps sums safe."""
    return forms.IntegerField(
        min_value=0,
        max_value=MAX_DAILY_IMPRESSIONS,
        error_messages={
            "min_value": f"{label} cannot be negative.",
            "max_value": f"{label} is too large a number for one day (at most {MAX_DAILY_IMPRESSIONS:,}).",
        },
    )


class DailyStatForm(forms.Form):
    """One day's figures, logged inline on the campaign page."""

    date = bounds.DateField(widget=DATE_INPUT, error_messages={"required": "Which day?", "invalid": "Not a date."})
    impressions = daily_count("Impressions")
    clicks = daily_count("Clicks")
    spend = forms.DecimalField(
        min_value=0,
        max_value=MAX_DAILY_SPEND,
        max_digits=12,
        decimal_places=2,
        error_messages={
            "min_value": "Spend cannot be negative.",
            "max_value": f"Spend is too large for one day (at most {MAX_DAILY_SPEND:,}).",
            "max_decimal_places": "Spend has at most cents.",
        },
    )

    def clean(self):
        cleaned = super().clean()
        values = {name: cleaned.get(name) for name in ("date", "impressions", "clicks", "spend")}
        for name, message in validate_day(**values).items():
            if name not in self.errors:
                self.add_error(name, message)
        return cleaned


class StatsUploadForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="Columns: date (YYYY-MM-DD), impressions, clicks, spend. Days already logged are updated.",
        error_messages={"required": "Choose a CSV file to upload."},
    )

    def clean_file(self):
        file = self.cleaned_data["file"]
        limit = settings.CAMPAIGN_STATS_MAX_BYTES
        if file.size > limit:
            raise forms.ValidationError(f"The file is larger than {filesizeformat(limit)}; split it into smaller ones.")
        return file
