"""The scoring rules (DOMAIN.md "Scoring") as data: fit rules matched in Python and in SQL, engagement points per
event kind, the MQL threshold and the half-life of engagement."""

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import reduce
from operator import or_

from django.db.models import Q

from leads.models import CompanySize, EngagementRule, FitRule, Lead, LifecycleStage, ScoringSettings

QUALIFYING_STAGES = (LifecycleStage.SUBSCRIBER, LifecycleStage.LEAD)
NO_RESET = datetime(1970, 1, 1, tzinfo=UTC)  # "every event counts" for leads never reset
SIZE_BANDS = list(CompanySize.values)


class InvalidRule(ValueError):
    """A fit rule whose value cannot be read (e.g. an unknown company size band)."""


def rule_values(rule: FitRule) -> list[str]:
    """The value(s) a rule compares with, normalised: one for contains/equals, several for in/between."""
    if rule.operator == FitRule.Operator.IN:
        return [part.strip() for part in rule.value.split(",") if part.strip()]
    if rule.operator == FitRule.Operator.BETWEEN:
        low, _, high = rule.value.partition("..")
        try:
            start, end = SIZE_BANDS.index(low.strip()), SIZE_BANDS.index(high.strip())
        except ValueError as exc:
            raise InvalidRule(
                f"Use two company size bands such as 51-200..1001-5000 (bands: {', '.join(SIZE_BANDS)})."
            ) from exc
        return SIZE_BANDS[min(start, end) : max(start, end) + 1]
    return [rule.value.strip()]


def rule_matches(rule: FitRule, lead: Lead) -> bool:
    """Whether `lead` earns `rule`'s points; comparisons ignore case, as `rule_condition` does in SQL."""
    actual = (getattr(lead, rule.field) or "").strip().lower()
    wanted = [value.lower() for value in rule_values(rule)]
    if not actual or not wanted:
        return False
    if rule.operator == FitRule.Operator.CONTAINS:
        return wanted[0] in actual
    return actual in wanted


def rule_condition(rule: FitRule) -> Q:
    """The SQL twin of `rule_matches`."""
    values = rule_values(rule)
    if not values:
        return Q(pk__in=[])
    if rule.operator == FitRule.Operator.CONTAINS:
        return Q(**{f"{rule.field}__icontains": values[0]})
    return reduce(or_, (Q(**{f"{rule.field}__iexact": value}) for value in values))


@dataclass(frozen=True)
class Ruleset:
    fit_rules: tuple[FitRule, ...]
    points: dict[str, int]
    half_life_days: int
    threshold: int

    @classmethod
    def load(cls) -> "Ruleset":
        settings_row = ScoringSettings.load()
        return cls(
            fit_rules=tuple(FitRule.objects.all()),
            points=dict(EngagementRule.objects.values_list("kind", "points")),
            half_life_days=settings_row.half_life_days,
            threshold=settings_row.mql_threshold,
        )
