"""Lead scoring (DOMAIN.md "Scoring"): fit points + engagement points halving every `half_life_days`.

Two implementations of one definition:
- `score_lead` scores one lead in Python and stores the breakdown shown on the lead page;
- `leads.scoring.rescore.rescore_leads` scores the whole base in SQL, a batch of leads per UPDATE statement.
A test runs both on random data and requires the same scores.
"""

import math
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

from companies.services import mark_rollups_due
from leads.models import EventKind, Lead, LeadEvent
from leads.scoring.rules import NO_RESET, Ruleset, rule_matches


def decayed(points: float, age_days: float, half_life_days: int) -> float:
    """`points` after `age_days` of halving every `half_life_days` (future events count in full)."""
    return points * math.pow(0.5, max(age_days, 0.0) / half_life_days)


def total_score(fit: int, engagement: float) -> int:
    """fit + engagement rounded to the nearest integer, halves up (the same rule as the SQL path)."""
    return math.floor(fit + engagement + 0.5)


@dataclass
class ScoreCard:
    fit: int = 0
    engagement: float = 0.0
    fit_rules: list[dict] = field(default_factory=list)
    engagement_by_kind: dict[str, dict] = field(default_factory=dict)

    @property
    def score(self) -> int:
        return total_score(self.fit, self.engagement)

    def as_breakdown(self, ruleset: Ruleset) -> dict:
        return {
            "fit": self.fit,
            "fit_rules": self.fit_rules,
            "engagement": round(self.engagement, 4),
            "engagement_by_kind": self.engagement_by_kind,
            "half_life_days": ruleset.half_life_days,
            "threshold": ruleset.threshold,
        }


def score_card(lead: Lead, ruleset: Ruleset, now: datetime) -> ScoreCard:
    """How `lead` scores now, rule by rule and event kind by event kind."""
    card = ScoreCard()
    for rule in ruleset.fit_rules:
        if rule_matches(rule, lead):
            card.fit += rule.points
            card.fit_rules.append({"rule": str(rule), "points": rule.points})
    events = LeadEvent.objects.filter(lead=lead, occurred_at__gt=lead.engagement_reset_at or NO_RESET)
    for kind, occurred_at in events.values_list("kind", "occurred_at").iterator():
        points = ruleset.points.get(kind, 0)
        if not points:
            continue
        age_days = (now - occurred_at).total_seconds() / 86400
        earned = decayed(points, age_days, ruleset.half_life_days)
        card.engagement += earned
        entry = card.engagement_by_kind.setdefault(kind, {"count": 0, "points": 0.0})
        entry["count"] += 1
        entry["points"] = round(entry["points"] + earned, 4)
    return card


def explain_score(lead: Lead, now: datetime | None = None) -> dict[str, str]:
    """The lead's score line by line as it would be computed now: fit rules, engagement per kind, total."""
    ruleset = Ruleset.load()
    card = score_card(lead, ruleset, now or timezone.now())
    lines = {entry["rule"]: f"{entry['points']:+d}" for entry in card.fit_rules}
    for kind, entry in sorted(card.engagement_by_kind.items(), key=lambda item: -item[1]["points"]):
        lines[f"{EventKind(kind).label} ×{entry['count']} (decayed)"] = f"{entry['points']:+.1f}"
    lines["Score now"] = str(card.score)
    return lines


def score_lead(*, lead_id: int, now: datetime | None = None, ruleset: Ruleset | None = None) -> Lead | None:
    """Recompute one lead's fit and decayed engagement, store them with the breakdown, and return the lead.

    Idempotent: running it twice stores the same figures. Returns None when the lead no longer exists.
    """
    lead = Lead.objects.filter(pk=lead_id).first()
    if lead is None:
        return None
    now = now or timezone.now()
    ruleset = ruleset or Ruleset.load()
    card = score_card(lead, ruleset, now)
    lead.fit_score = card.fit
    lead.engagement_score = card.engagement
    lead.score = card.score
    lead.score_breakdown = card.as_breakdown(ruleset)
    lead.scored_at = now
    Lead.objects.filter(pk=lead.pk).update(
        fit_score=lead.fit_score,
        engagement_score=lead.engagement_score,
        score=lead.score,
        score_breakdown=lead.score_breakdown,
        scored_at=now,
    )
    mark_rollups_due([lead.account_id])
    return lead
