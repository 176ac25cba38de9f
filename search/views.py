"""The search page, and the same results as a dropdown under the navigation's search box (htmx)."""

from django.views.decorators.http import require_GET

from crm.htmx import render_page
from crm.roles import ROLES, role_required
from search.selectors import KINDS, search_everything, search_text


@require_GET
@role_required(*ROLES)
def search(request):
    """Every kind of record matching `q`, grouped by kind; htmx (the navigation's box) gets the results alone."""
    text = search_text(request.GET.get("q"))
    results = search_everything(request.user, text)
    groups = [(kind, label, results[kind]) for kind, label in KINDS if results[kind]]
    context = {"q": text, "groups": groups, "first": groups[0][2][0] if groups else None}
    return render_page(request, "search/search.html", context, partial="results")
