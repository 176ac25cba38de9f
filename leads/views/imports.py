"""The import of a CSV or an Excel workbook: upload, column mapping, progress, and the refused rows as a
download."""

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from crm.htmx import render_page
from crm.roles import MANAGER, MARKETER, role_required
from leads import selectors
from leads.forms import ImportMappingForm, ImportUploadForm
from leads.imports.files import sample_values
from leads.imports.upload import ImportFileError, queue_import, start_import
from leads.models import LeadImport


@require_http_methods(["GET", "POST"])
@role_required(MARKETER, MANAGER)
def import_upload(request):
    """Step 1: upload a CSV or a workbook; its header is read and the columns are guessed for the mapping page."""
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            lead_import = start_import(uploaded=form.cleaned_data["file"], by=request.user)
        except ImportFileError as exc:
            form.add_error("file", str(exc))
        else:
            return redirect("leads:import_mapping", pk=lead_import.pk)
    recent = LeadImport.objects.select_related("created_by")[:10]
    return render(request, "leads/import_upload.html", {"form": form, "recent": recent})


@require_http_methods(["GET", "POST"])
def import_mapping(request, pk):
    """Step 2: confirm which column fills which field (a few of its values shown); email is required. Then
    the task is queued."""
    lead_import = selectors.lead_import_for_user(request.user, pk)
    if lead_import.status != LeadImport.Status.MAPPING:
        return redirect(lead_import)
    columns = {"headers": lead_import.headers, "mapping": lead_import.mapping, "samples": sample_values(lead_import)}
    form = ImportMappingForm(request.POST or None, user=request.user, **columns)
    if request.method == "POST" and form.is_valid():
        try:
            queue_import(lead_import=lead_import, mapping=form.mapping(), campaign=form.cleaned_data["campaign"])
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            return redirect(lead_import)
    missing_email = "email" not in lead_import.mapping.values()
    return render(
        request, "leads/import_mapping.html", {"form": form, "lead_import": lead_import, "missing_email": missing_email}
    )


def import_progress(request, pk):
    """Step 3: the progress bar, polled by htmx every second until the import is done, then the summary."""
    lead_import = selectors.lead_import_for_user(request.user, pk)
    return render_page(request, "leads/import_progress.html", {"lead_import": lead_import}, partial="progress")


def import_errors(request, pk):
    """The rows that could not be imported, with their line number, reason and cells, as a CSV download."""
    lead_import = selectors.lead_import_for_user(request.user, pk)
    if not lead_import.errors_file:
        raise Http404("This import has no errors.")
    return FileResponse(
        lead_import.errors_file.open("rb"),
        as_attachment=True,
        filename=f"{lead_import.original_name.rsplit('.', 1)[0]}-errors.csv",
        content_type="text/csv",
    )
