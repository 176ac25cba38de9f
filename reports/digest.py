"""The weekly digest of the agreement: its figures for the current month, mailed to managers and marketers every
Monday morning (beat, crontab in TIME_ZONE), with what moved since the previous week's digest.

Once per week whatever runs: the week's AgreementDigest row is created first (unique per week), then locked
while the email goes out and marked sent; a second run waits on the lock and finds it sent. An SMTP failure
rolls the mark back, so the next run (a rerun of the task) sends it.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from crm.roles import MANAGER, MARKETER
from crm.templatetags.relay import money, percent
from reports import agreement
from reports.models import AgreementDigest

# name → (label, format): the figures the digest reports and compares, in this order.
LINES = {
    "mqls": ("MQLs delivered (leads that reached MQL)", "number"),
    "sourced_pipeline": ("Marketing-sourced pipeline (deals created from accepted MQLs)", "money"),
    "revenue": ("Revenue closed won (team)", "money"),
    "acceptance_rate": ("MQL acceptance rate", "percent"),
    "sla_compliance": ("SLA compliance (MQLs answered within the SLA)", "percent"),
    "speed_to_lead_hours": ("Speed to lead (median hours)", "hours"),
}


def week_start(today: datetime.date) -> datetime.date:
    return today - datetime.timedelta(days=today.weekday())


def digest_recipients() -> list[str]:
    """The email addresses of active managers and marketers."""
    users = get_user_model().objects.filter(is_active=True, groups__name__in=[MANAGER, MARKETER]).exclude(email="")
    return sorted(set(users.values_list("email", flat=True)))


def _plain(value) -> str | None:
    return None if value is None else str(value)


def digest_figures(figures: dict) -> dict:
    """The agreement's figures as JSON (amounts and ratios as strings: exact), to store and compare."""
    row = {name: figures[name] for name in ("mqls", "sourced_pipeline", "revenue")}
    return {
        **{name: {"actual": _plain(value["actual"]), "target": _plain(value["target"])} for name, value in row.items()},
        "acceptance_rate": {"actual": _plain(figures["answers"]["acceptance_rate"]), "target": None},
        "sla_compliance": {"actual": _plain(figures["answers"]["sla_compliance"]), "target": None},
        "speed_to_lead_hours": {"actual": _plain(figures["speed_to_lead_hours"]), "target": None},
    }


def _shown(value: str | None, kind: str) -> str:
    if value is None:
        return "—"
    number = Decimal(value)
    if kind == "money":
        return money(number)
    if kind == "percent":
        return percent(number)
    if kind == "hours":
        return f"{number:.1f} h"
    return f"{number:,.0f}"


def _moved(now: str | None, before: str | None, kind: str) -> str:
    if now is None or before is None:
        return ""
    change = Decimal(now) - Decimal(before)
    if not change:
        return " (no change since last week)"
    if kind == "percent":
        return f" ({change * 100:+.1f} points since last week)"
    sign = "+" if change > 0 else "−"
    return f" ({sign}{_shown(str(abs(change)), kind)} since last week)"


def digest_body(figures: dict, previous: dict | None, *, period_label: str) -> str:
    """The email's text: each figure, its target and what moved since the previous digest of the same month."""
    lines = [f"The agreement for {period_label}, to date.", ""]
    for name, (label, kind) in LINES.items():
        figure = figures[name]
        line = f"- {label}: {_shown(figure['actual'], kind)}"
        if figure["target"] is not None:
            line += f" of {_shown(figure['target'], kind)}"
        if previous is not None:
            line += _moved(figure["actual"], previous[name]["actual"], kind)
        lines.append(line)
    if previous is None:
        lines += ["", "Nothing to compare with: the first digest of this month."]
    lines += ["", f"The whole page, with projections: {settings.SITE_URL.rstrip('/')}{reverse('agreement')}"]
    return "\n".join(lines) + "\n"


def send_weekly_digest(*, today: datetime.date | None = None) -> bool:
    """Send this week's digest unless it was sent; returns whether this call sent it."""
    today = today or timezone.localdate()
    week = week_start(today)
    AgreementDigest.objects.get_or_create(week_start=week)
    with transaction.atomic():
        digest = AgreementDigest.objects.select_for_update().get(week_start=week)
        if digest.sent_at is not None:
            return False
        period = agreement.current_period(today)
        figures = digest_figures(agreement.agreement(period, today=today))
        previous = (
            AgreementDigest.objects.filter(week_start__lt=week, sent_at__isnull=False, period_start=period.start)
            .order_by("-week_start")
            .first()
        )
        recipients = digest_recipients()
        if recipients:
            EmailMessage(
                subject=f"The agreement, week of {week:%b %-d}: {period.label}",
                body=digest_body(figures, previous and previous.figures, period_label=period.label),
                to=recipients,
            ).send(fail_silently=False)
        digest.period_start, digest.figures, digest.recipients = period.start, figures, recipients
        digest.sent_at = timezone.now()
        digest.save()
    return True
