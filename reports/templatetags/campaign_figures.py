"""A campaign's figures on a page, from their one definition (reports.selectors.CAMPAIGN_FIGURES):
`{% campaign_figures "page" as figures %}` lists them, `{% figure_value row figure %}` shows one."""

from django import template

from crm.templatetags.relay import money, number, percent
from reports.selectors import PAGE_FIGURES, REPORT_FIGURES

register = template.Library()

FORMATS = {"count": number, "money": money, "unit": lambda value: money(value, 2), "rate": percent}


@register.simple_tag
def campaign_figures(where: str):
    """The figures of the campaign pages ("page") or of the campaign report ("report")."""
    return {"page": PAGE_FIGURES, "report": REPORT_FIGURES}[where]


@register.simple_tag
def figure_value(row, figure) -> str:
    return FORMATS[figure.kind](figure.of(row))
