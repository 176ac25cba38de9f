"""Writes on campaigns: create, change, archive, and log daily figures (one by one, by CSV or by API)."""

import csv
import datetime
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from campaigns.models import MAX_DAILY_IMPRESSIONS, MAX_DAILY_SPEND, Campaign, CampaignDailyStat

# A day's figures older than this, or in the future, is almost certainly a typo (a year of 2205 or 1925).
OLDEST_STAT_DAYS = 365 * 10
CSV_COLUMNS = ("date", "impressions", "clicks", "spend")


class StatsFileUnreadable(Exception):
    """The uploaded file is not a CSV with the expected header; the message says what to fix."""


def suggest_slug(name: str, *, exclude_pk=None) -> str:
    """A unique slug from the campaign's name: "Spring webinar" → "spring-webinar" (then "-2", "-3"…)."""
    base = slugify(name)[:70] or "campaign"
    if base == "new":
        base = "new-campaign"
    taken = set(Campaign.objects.filter(slug__startswith=base).exclude(pk=exclude_pk).values_list("slug", flat=True))
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def save_campaign(*, campaign: Campaign) -> Campaign:
    """Create or update a campaign, filling the slug from the name when left blank so links stay readable."""
    if not campaign.slug:
        campaign.slug = suggest_slug(campaign.name, exclude_pk=campaign.pk)
    campaign.full_clean()
    campaign.save()
    return campaign


def archive_campaign(*, campaign: Campaign) -> Campaign:
    """Hide a finished campaign from the list without deleting it: its leads keep their attribution."""
    if campaign.archived_at is None:
        campaign.archived_at = timezone.now()
        campaign.save(update_fields=["archived_at", "updated_at"])
    return campaign


def restore_campaign(*, campaign: Campaign) -> Campaign:
    """Bring an archived campaign back to the list."""
    if campaign.archived_at is not None:
        campaign.archived_at = None
        campaign.save(update_fields=["archived_at", "updated_at"])
    return campaign


def validate_day(*, date=None, impressions=None, clicks=None, spend=None) -> dict[str, str]:
    """The same rules for the inline form, the CSV upload and the API; field → plain-language error.

    A value that is None (missing, or refused earlier by a form field) is skipped.
    """
    errors = {}
    today = timezone.localdate()
    if date is not None and date > today:
        errors["date"] = "The date is in the future: figures can only be logged for days that have happened."
    elif date is not None and date < today - datetime.timedelta(days=OLDEST_STAT_DAYS):
        errors["date"] = "The date is more than ten years ago; check the year."
    if impressions is not None and impressions < 0:
        errors["impressions"] = "Impressions cannot be negative."
    elif impressions is not None and impressions > MAX_DAILY_IMPRESSIONS:
        errors["impressions"] = f"Impressions is too large a number for one day (at most {MAX_DAILY_IMPRESSIONS:,})."
    if clicks is not None and clicks < 0:
        errors["clicks"] = "Clicks cannot be negative."
    elif clicks is not None and clicks > MAX_DAILY_IMPRESSIONS:
        errors["clicks"] = f"Clicks is too large a number for one day (at most {MAX_DAILY_IMPRESSIONS:,})."
    elif clicks is not None and impressions is not None and impressions >= 0 and clicks > impressions:
        errors["clicks"] = f"Clicks ({clicks}) cannot be more than impressions ({impressions})."
    if spend is not None and spend < 0:
        errors["spend"] = "Spend cannot be negative."
    elif spend is not None and spend.as_tuple().exponent < -2:
        errors["spend"] = "Spend has at most two decimals (cents)."
    elif spend is not None and spend > MAX_DAILY_SPEND:
        errors["spend"] = f"Spend is too large for one day (at most {MAX_DAILY_SPEND:,})."
    return errors


@dataclass
class UpsertResult:
    created: int = 0
    updated: int = 0
    # (index or line number, {field: message}) for each row refused
    errors: list[tuple[int, dict[str, str]]] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return len(self.errors)


@transaction.atomic
def upsert_daily_stats(*, campaign: Campaign, rows) -> UpsertResult:
    """Save each day's figures, replacing a day already logged rather than counting it twice.

    `rows` are (key, {date, impressions, clicks, spend}) pairs already parsed to Python types; the key (a CSV
    line number or an API index) is how errors point back at the input. Good rows are saved even when
    others fail, in two set-based statements (one bulk insert, one bulk update). The last row for a date wins.
    """
    result = UpsertResult()
    good: dict[datetime.date, dict] = {}
    for key, row in rows:
        problems = validate_day(**row)
        if problems:
            result.errors.append((key, problems))
        else:
            good[row["date"]] = row
    existing = {stat.date: stat for stat in campaign.daily_stats.filter(date__in=list(good))}
    to_create, to_update = [], []
    for day, row in good.items():
        stat = existing.get(day)
        if stat is None:
            to_create.append(CampaignDailyStat(campaign=campaign, **row))
        else:
            stat.impressions, stat.clicks, stat.spend = row["impressions"], row["clicks"], row["spend"]
            to_update.append(stat)
    CampaignDailyStat.objects.bulk_create(to_create)
    CampaignDailyStat.objects.bulk_update(to_update, ["impressions", "clicks", "spend"])
    result.created, result.updated = len(to_create), len(to_update)
    return result


def _parse_row(raw: dict[str, str]) -> tuple[dict | None, dict[str, str]]:
    """One CSV row to typed values, or the errors that stop it (each field named for the user)."""
    values, errors = {}, {}
    text = (raw.get("date") or "").strip()
    try:
        values["date"] = datetime.date.fromisoformat(text)
    except ValueError:
        errors["date"] = f"“{text}” is not a date; write it as YYYY-MM-DD."
    for name in ("impressions", "clicks"):
        text = (raw.get(name) or "").strip().replace(",", "")
        try:
            values[name] = int(text or "0")
        except ValueError:
            errors[name] = f"“{text}” is not a whole number."
    text = (raw.get("spend") or "").strip().replace(",", "")
    try:
        values["spend"] = Decimal(text or "0")
        if not values["spend"].is_finite():
            raise InvalidOperation
    except InvalidOperation:
        errors["spend"] = f"“{text}” is not an amount."
    return (None if errors else values), errors


def import_daily_stats_csv(*, campaign: Campaign, file) -> UpsertResult:
    """Upsert daily stats from an uploaded CSV (header: date, impressions, clicks, spend).

    Errors are reported by line number (the header is line 1); good lines are saved, and uploading the same
    days again updates them.
    """
    try:
        text = file.read().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise StatsFileUnreadable("The file is not UTF-8 text; export it from your spreadsheet as CSV.") from exc
    if "\x00" in text:  # valid UTF-8, but binary: no spreadsheet writes NUL into a CSV
        raise StatsFileUnreadable("The file contains binary data, not text; export it from your spreadsheet as CSV.")
    # newline="": lines may end in \r alone (old spreadsheets), which the csv module reads only this way.
    reader = csv.DictReader(io.StringIO(text, newline=""))
    parsed, unparsable = [], []
    try:
        header = [name.strip().lower() for name in (reader.fieldnames or [])]
        missing = [name for name in CSV_COLUMNS if name not in header]
        if missing:
            raise StatsFileUnreadable(
                f"The first line must name the columns {', '.join(CSV_COLUMNS)}; missing: {', '.join(missing)}."
            )
        reader.fieldnames = header
        for line, raw in enumerate(reader, start=2):
            values, errors = _parse_row(raw)
            if errors:
                unparsable.append((line, errors))
            else:
                parsed.append((line, values))
    except csv.Error as exc:  # e.g. a cell longer than the csv module's limit (128 KB)
        raise StatsFileUnreadable(
            f"Line {reader.line_num + 1} is not readable as CSV ({exc}); nothing was saved."
        ) from exc
    result = upsert_daily_stats(campaign=campaign, rows=parsed)
    result.errors = sorted(unparsable + result.errors, key=lambda item: item[0])
    return result


def log_daily_stat(*, campaign: Campaign, date, impressions, clicks, spend) -> tuple[CampaignDailyStat, bool]:
    """Log (or correct) one day's figures from the inline form; returns the stat and whether it is new."""
    row = {"date": date, "impressions": impressions, "clicks": clicks, "spend": spend}
    problems = validate_day(**row)
    if problems:
        raise ValidationError(problems)
    stat, created = CampaignDailyStat.objects.update_or_create(
        campaign=campaign, date=date, defaults={k: v for k, v in row.items() if k != "date"}
    )
    return stat, created
