"""The one way a page answers htmx: the whole page, or one of its template partials, with the right Vary.

A page and its fragment share a URL, so every response says it varies on HX-Request: a browser or proxy
cache must not hand the fragment to a full page load (or the reverse). The history restore htmx asks for
on "back" gets the whole page.
"""

from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django_htmx.http import reswap, retarget


def wants_fragment(request) -> bool:
    """True when htmx asks for part of the page (not when it restores history)."""
    return bool(request.htmx) and not request.htmx.history_restore_request


def vary_on_htmx(response):
    patch_vary_headers(response, ["HX-Request"])
    return response


def render_page(request, template: str, context: dict | None = None, *, partial: str | None = None, status=None):
    """`template` for a page load; `template#partial` when htmx asks for a fragment (`partial` given)."""
    name = f"{template}#{partial}" if partial and wants_fragment(request) else template
    return vary_on_htmx(render(request, name, context, status=status))


def render_message(request, template: str, context: dict, *, status: int, target: str = "#messages"):
    """A fragment appended to `target` (the page's message area) instead of replacing the request's own
    target: for a refusal answered to an htmx action."""
    response = render(request, template, context, status=status)
    return reswap(retarget(response, target), "beforeend")
