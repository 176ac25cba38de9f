"""The sales settings page (managers): the hand-over's SLA (from a date on, with its history) and the
pipeline deals move through.

Neither changes a score, so saving them rescores nothing: they are kept apart from the scoring rules,
whose save rescores every lead.
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from crm.roles import MANAGER, role_required
from deals.forms import PipelineForm
from deals.services import ensure_default_pipeline
from handoff.forms import SlaForm
from handoff.selectors import sla_history, sla_hours_at
from handoff.services import update_sales_settings


@require_http_methods(["GET", "POST"])
@role_required(MANAGER)
def sales_settings(request):
    pipeline = ensure_default_pipeline()
    data = request.POST if request.method == "POST" else None
    sla_form = SlaForm(data, initial={"sla_hours": sla_hours_at()}, prefix="sla")
    pipeline_form = PipelineForm(data, instance=pipeline, prefix="pipeline")
    if data is not None and all([sla_form.is_valid(), pipeline_form.is_valid()]):  # both, to show every error
        update_sales_settings(pipeline=pipeline, by=request.user, **sla_form.cleaned_data, **pipeline_form.cleaned_data)
        messages.success(request, "Sales settings saved.")
        return redirect("handoff:sales_settings")
    context = {
        "sla_form": sla_form,
        "sla_history": sla_history(),
        "pipeline_form": pipeline_form,
        "stages": pipeline.stages.all(),
    }
    return render(request, "handoff/sales_settings.html", context, status=400 if data is not None else 200)
