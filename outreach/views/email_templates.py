"""Email templates: the list (grouped by purpose, with how each does), creating and editing one, previewing it."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from crm.roles import ROLES, role_required
from leads.forms import add_validation_errors
from outreach import rendering, selectors
from outreach.forms import EmailTemplateForm, MergeFieldsForm
from outreach.services import save_template
from outreach.stats import TemplateStats, template_stats


@require_GET
@role_required(*ROLES)
def template_list(request):
    """The templates the user may see, by purpose, each with its sends, open and click rates and deals won."""
    templates = list(selectors.templates_visible_to(request.user).select_related("owner"))
    stats = template_stats(template.pk for template in templates)
    groups = {}
    for template in templates:
        template.stats = stats.get(template.pk, TemplateStats())
        groups.setdefault(template.get_purpose_display(), []).append(template)
    context = {"groups": groups, "can_create": selectors.can_create_templates(request.user)}
    return render(request, "outreach/template_list.html", context)


@require_http_methods(["GET", "POST"])
@role_required(*ROLES)
def template_create(request):
    """Every role writes templates: marketing's to approve, a rep's for their own use."""
    return _edit(request, None)


@require_http_methods(["GET", "POST"])
def template_edit(request, pk):
    return _edit(request, selectors.template_for_user(request.user, pk, write=True))


def _edit(request, template):
    form = EmailTemplateForm(request.POST or None, instance=template, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            saved = save_template(by=request.user, template=template, **form.cleaned_data)
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, f"Template {saved} saved.")
            return redirect("outreach:template_list")
    context = {"form": form, "template": template, "merge_fields": rendering.MERGE_FIELDS}
    return render(request, "outreach/template_form.html", context)


@require_POST
@role_required(*ROLES)
def template_preview(request):
    """htmx: the subject and body being written, filled in for a sample person and the signed-in rep."""
    form = MergeFieldsForm(request.POST)
    rendered = None
    if form.is_valid():
        context = rendering.sample_context(rep=request.user)
        rendered = rendering.render_message(**form.cleaned_data, context=context)
    return render(request, "outreach/partials/preview.html", {"form": form, "rendered": rendered, "sample": True})
