from django.urls import path

from leads.views import accounts, detail, imports, lists, public, scoring

app_name = "leads"

urlpatterns = [
    path("leads/", lists.lead_list, name="lead_list"),
    path("leads/count/", lists.lead_count, name="lead_count"),
    path("leads/export.csv", lists.lead_export, {"fmt": "csv"}, name="lead_export"),
    path("leads/export.xlsx", lists.lead_export, {"fmt": "xlsx"}, name="lead_export_xlsx"),
    path("leads/bulk/", lists.lead_bulk_action, name="lead_bulk_action"),
    path("leads/new/", detail.lead_create, name="lead_create"),
    path("leads/<int:pk>/", detail.lead_detail, name="lead_detail"),
    path("leads/<int:pk>/edit/", detail.lead_edit, name="lead_edit"),
    path("leads/<int:pk>/notes/", detail.lead_add_note, name="lead_add_note"),
    path("leads/<int:pk>/company/", accounts.lead_company, name="lead_company"),
    path("leads/import/", imports.import_upload, name="import_upload"),
    path("leads/import/<int:pk>/", imports.import_progress, name="import_progress"),
    path("leads/import/<int:pk>/mapping/", imports.import_mapping, name="import_mapping"),
    path("leads/import/<int:pk>/errors.csv", imports.import_errors, name="import_errors"),
    path("capture/<slug:slug>/", public.capture, name="capture"),
    path("capture/<slug:slug>/thanks/", public.capture_thanks, name="capture_thanks"),
    path("consent/confirm/<str:token>/", public.consent_confirm, name="consent_confirm"),
    path("consent/unsubscribe/<str:token>/", public.consent_unsubscribe, name="consent_unsubscribe"),
    path(
        "leads/<int:pk>/submissions/<int:submission_pk>/apply/", detail.lead_apply_submission, name="apply_submission"
    ),
    path("leads/scoring/", scoring.scoring, name="scoring"),
    path("leads/scoring/preview/", scoring.scoring_preview, name="scoring_preview"),
    path("leads/scoring/progress/", scoring.rescore_progress, name="rescore_progress"),
]
