"""Formatting shared by every page: figures that may be missing show as "—", never as a fake 0."""

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.conf import settings
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.html import format_html

from crm.actors import actor_name
from crm.people import display_name, initials

register = template.Library()

MISSING = "—"


def grouped(value, places) -> str:
    """`value` rounded half up to `places` decimals, with thousands separators: 1234.5 → "1,234.50"."""
    places = int(places)
    # format() alone would round half to even. Humanize's intcomma gives the same text for English at
    # about 7 times the cost (21 µs against 3), and the board shows hundreds of amounts.
    return f"{Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP):,.{places}f}"


register.filter("display_name", display_name)
# Who did it: the person's name, or "Relay" (`{{ change.by|actor }}`, `{{ row.by|actor:"scoring" }}`).
register.filter("actor", actor_name)


# The symbol of a common currency; any other shows its ISO code ("CHF 1,500").
CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹"}
CENT = Decimal("0.01")


@register.simple_tag
def currency_prefix() -> str:
    """What an amount starts with in the site's currency (settings.CURRENCY): "$", or "CHF" and a no-break
    space; static/js/reports.js writes chart labels with it."""
    code = settings.CURRENCY
    return CURRENCY_SYMBOLS.get(code, f"{code}\u00a0")


@register.filter
def money(value, places=None):
    """An amount in the site's currency: 1500 → "$1,500", 1500.5 → "$1,500.50" (cents when there are any);
    `places` fixes the decimals (a cost per lead: money:2 → "$12.30"); None → "—". CSV exports keep plain
    numbers (reports/exports.py)."""
    if value in (None, ""):
        return MISSING
    amount = Decimal(value)
    if places is None:
        cents = amount.quantize(CENT, rounding=ROUND_HALF_UP)
        places = 0 if cents == cents.to_integral_value() else 2
    digits = grouped(amount, places)
    sign = ""
    if digits.startswith("-"):  # the sign goes before the symbol: "-$1,500"; "-0" is "$0"
        digits = digits[1:]
        sign = "-" if digits.strip("0.,") else ""
    return f"{sign}{currency_prefix()}{digits}"


@register.filter
def percent(value):
    """The one format of a percentage: 0.3164 → "31.6 %" (one decimal everywhere); None → "—"."""
    if value in (None, ""):
        return MISSING
    return f"{(Decimal(value) * 100).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)} %"


@register.filter
def number(value):
    """12345 → "12,345"; None → "—"."""
    if value in (None, ""):
        return MISSING
    return intcomma(value)


@register.filter
def figure(value, places=2):
    """A plain decimal figure (a ratio that is not a percentage); None → "—"."""
    if value in (None, ""):
        return MISSING
    return grouped(value, places)


@register.filter
def active_filters(form) -> int:
    """How many filters of a list's form narrow it: its fields with a valid value other than their default (the
    sort orders, it does not narrow). The "Filters" button of a list on a phone shows it."""
    if not form.is_bound:
        return 0
    form.is_valid()
    values = getattr(form, "cleaned_data", {}).items()
    return sum(
        value not in (None, "", [], ()) and value != form.get_initial_for_field(form.fields[name], name)
        for name, value in values
        if name != "sort"
    )


# How many owner colours static/css/app.css defines (.avatar.c0 … .avatar.c7, short names: a board prints one per
# card), each with white text at 5:1 or more.
AVATAR_COLOURS = 8


@register.filter
def avatar(user):
    """A person's initials in a small round badge, their full name on hover: `{{ deal.owner|avatar }}`. The
    colour comes from the user id, so one person keeps theirs on every page and neighbours in id differ."""
    if not user:
        return ""
    return format_html(
        '<abbr class="avatar c{}" title="{}">{}</abbr>',
        user.pk % AVATAR_COLOURS,
        display_name(user),
        initials(user),
    )
