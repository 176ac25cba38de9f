"""How each email template does in sales' hands: sends, open and click rates, and the deals it was used on
that were won. One query for any number of templates: the aggregates are counted in SQL."""

from dataclasses import dataclass

from django.db.models import Count, Q

from deals.models import Stage
from outreach.models import Email


@dataclass(frozen=True)
class TemplateStats:
    sends: int = 0  # emails of the template that went out
    opened: int = 0  # of those, how many were opened at least once
    clicked: int = 0  # of those, how many had a link clicked at least once
    deals: int = 0  # distinct deals an email of the template was sent about
    deals_won: int = 0  # of those deals, how many are won

    @property
    def open_rate(self) -> float | None:
        """Opened ÷ sent; None (shown "—") before anything was sent."""
        return self.opened / self.sends if self.sends else None

    @property
    def click_rate(self) -> float | None:
        """Clicked ÷ sent; None (shown "—") before anything was sent."""
        return self.clicked / self.sends if self.sends else None


def template_stats(template_ids) -> dict[int, TemplateStats]:
    """TemplateStats by template id (templates never sent are left out: `TemplateStats()` is theirs)."""
    sent = Q(status=Email.Status.SENT)
    rows = (
        Email.objects.filter(sent, template_id__in=list(template_ids))
        .order_by()
        .values("template_id")
        .annotate(
            sends=Count("id"),
            opened=Count("id", filter=Q(opened_at__isnull=False)),
            clicked=Count("id", filter=Q(clicked_at__isnull=False)),
            deals=Count("deal", distinct=True),
            deals_won=Count("deal", distinct=True, filter=Q(deal__stage__kind=Stage.Kind.WON)),
        )
    )
    return {row.pop("template_id"): TemplateStats(**row) for row in rows}
