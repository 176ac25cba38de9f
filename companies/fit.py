"""Company fit rules (`CompanyFitRule`) matched in Python and in SQL: one meaning, two implementations.

- industry and country: text, compared ignoring case; "contains", "equals" or "is one of" (comma-separated);
- size: a size band; "equals", "is one of", or "is at least" a band (that band and every larger one);
- people: how many people Relay knows at the company (its `people_count`); "equals", "is one of" (numbers)
  or "is at least" a number.
A blank field matches no rule, as for lead fit rules. The SQL condition is used by the roll-ups
(`reports.accounts.rollups`), the Python one by the company page's breakdown; a test runs both on random data.
"""

from functools import reduce

from django.db.models import Case, F, IntegerField, Q, Value, When
from django.db.models.functions import Lower, Trim
from django.db.models.lookups import GreaterThanOrEqual, In

from companies.models import CompanyFitRule, CompanySize

SIZE_BANDS = list(CompanySize.values)
Field, Operator = CompanyFitRule.Field, CompanyFitRule.Operator
# The operators each field takes.
OPERATORS = {
    Field.INDUSTRY: {Operator.CONTAINS, Operator.EQUALS, Operator.IN},
    Field.COUNTRY: {Operator.CONTAINS, Operator.EQUALS, Operator.IN},
    Field.SIZE_BAND: {Operator.EQUALS, Operator.IN, Operator.AT_LEAST},
    Field.PEOPLE: {Operator.EQUALS, Operator.IN, Operator.AT_LEAST},
}


class InvalidCompanyRule(ValueError):
    """A rule whose operator does not fit its field, or whose value cannot be read; the message says why."""


def rule_values(rule: CompanyFitRule) -> list:
    """What `rule` compares with: lower-case text, size bands, or whole numbers (people). Raises
    InvalidCompanyRule for an operator the field does not take or a value it cannot read."""
    if rule.operator not in OPERATORS.get(rule.field, ()):
        allowed = ", ".join(f"“{Operator(op).label}”" for op in sorted(OPERATORS.get(rule.field, ())))
        raise InvalidCompanyRule(f"{Field(rule.field).label} takes {allowed}.")
    parts = [part.strip() for part in rule.value.split(",")] if rule.operator == Operator.IN else [rule.value.strip()]
    parts = [part for part in parts if part]
    if rule.field == Field.PEOPLE:
        try:
            return [int(part) for part in parts]
        except ValueError:
            raise InvalidCompanyRule("People takes whole numbers, such as 5 or 1, 2, 3.") from None
    if rule.field == Field.SIZE_BAND:
        wrong = [part for part in parts if part not in SIZE_BANDS]
        if wrong:
            raise InvalidCompanyRule(f"Unknown size {wrong[0]}: use one of {', '.join(SIZE_BANDS)}.")
        if rule.operator == Operator.AT_LEAST:
            return SIZE_BANDS[SIZE_BANDS.index(parts[0]) :]
        return parts
    return [part.lower() for part in parts]


def rule_matches(rule: CompanyFitRule, company, people_count: int | None = None) -> bool:
    """Whether `company` earns `rule`'s points (`people_count` overrides the stored count). A rule that
    cannot be read earns nothing."""
    if not _readable(rule):
        return False
    wanted = rule_values(rule)
    if not wanted:
        return False
    if rule.field == Field.PEOPLE:
        count = company.people_count if people_count is None else people_count
        return count >= wanted[0] if rule.operator == Operator.AT_LEAST else count in wanted
    actual = (getattr(company, rule.field) or "").strip()
    if rule.field != Field.SIZE_BAND:
        actual = actual.lower()
    if not actual:
        return False
    if rule.operator == Operator.CONTAINS:
        return wanted[0] in actual
    return actual in wanted


def rule_condition(rule: CompanyFitRule, people_count=None):
    """The SQL twin of `rule_matches` on a Company queryset (`people_count`: an expression to use instead
    of the stored column). A Q, or for people a lookup: either goes in a `When`."""
    wanted = rule_values(rule)
    if not wanted:
        return Q(pk__in=[])
    if rule.field == Field.PEOPLE:
        column = F("people_count") if people_count is None else people_count
        if rule.operator == Operator.AT_LEAST:
            return GreaterThanOrEqual(column, wanted[0])
        return In(column, wanted)
    if rule.field == Field.SIZE_BAND:
        return Q(size_band__in=wanted)
    if rule.operator == Operator.CONTAINS:
        return Q(**{f"{rule.field}__icontains": wanted[0]})
    return In(Lower(Trim(rule.field)), wanted)  # trimmed, as `rule_matches` strips


def fit_expression(rules, people_count=None):
    """SUM of the matching rules' points, as one SQL expression over a company's columns."""
    terms = [
        Case(When(rule_condition(rule, people_count), then=Value(rule.points)), default=Value(0))
        for rule in rules
        if _readable(rule)
    ]
    return reduce(lambda left, right: left + right, terms, Value(0, output_field=IntegerField()))


def fit_breakdown(company, rules=None) -> list[dict]:
    """The rules `company` matches, each with its points (the company page's "why this fit score")."""
    rules = CompanyFitRule.objects.all() if rules is None else rules
    return [{"rule": str(rule), "points": rule.points} for rule in rules if rule_matches(rule, company)]


def _readable(rule: CompanyFitRule) -> bool:
    """A rule saved before its checks existed (or through the admin) that cannot be read earns nothing."""
    try:
        rule_values(rule)
    except InvalidCompanyRule:
        return False
    return True
