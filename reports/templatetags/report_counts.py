"""What a figure counts, said the same way on every page: `{% count_kind "cohort" %}` is a small badge whose
tooltip (and screen-reader text) is DOMAIN.md's definition, `{% figure_label "mqls_reached" %}` a shared
figure's label with its badge, `{% count_legend "cohort" "activity" %}` the definitions written out under a
report's filters. The words live in reports.counts."""

from django import template
from django.utils.html import format_html, format_html_join

from reports.counts import FIGURES, KINDS

register = template.Library()


@register.simple_tag
def count_kind(kind: str):
    definition = KINDS[kind]
    return format_html(
        '<span class="badge rounded-pill text-bg-light border fw-normal align-text-bottom" data-count="{}" title="{}">'
        '{}<span class="visually-hidden"> ({})</span></span>',
        kind,
        definition.definition,
        definition.badge,
        definition.definition,
    )


@register.simple_tag
def figure_label(name: str):
    figure = FIGURES[name]
    return format_html("{} {}", figure.label, count_kind(figure.kind))


@register.simple_tag
def count_legend(*kinds: str):
    return format_html(
        '<p class="small text-body-secondary mb-2" data-testid="count-legend">{}</p>',
        format_html_join(" · ", "{}", ((KINDS[kind].definition,) for kind in kinds)),
    )
