from django.urls import path

from leads import scoring_views, views

app_name = "leads"

urlpatterns = [
    path("leads/", views.lead_list, name="lead_list"),
    path("leads/count/", views.lead_count, name="lead_count"),
    path("leads/bulk/", views.lead_bulk_action, name="lead_bulk_action"),
    path("leads/new/", views.lead_create, name="lead_create"),
    path("leads/<int:pk>/", views.lead_detail, name="lead_detail"),
    path("leads/<int:pk>/edit/", views.lead_edit, name="lead_edit"),
    path("leads/<int:pk>/notes/", views.lead_add_note, name="lead_add_note"),
    path("leads/import/", views.import_upload, name="import_upload"),
    path("leads/import/<int:pk>/", views.import_progress, name="import_progress"),
    path("leads/import/<int:pk>/mapping/", views.import_mapping, name="import_mapping"),
    path("leads/import/<int:pk>/errors.csv", views.import_errors, name="import_errors"),
    path("capture/<slug:slug>/", views.capture, name="capture"),
    path("capture/<slug:slug>/thanks/", views.capture_thanks, name="capture_thanks"),
    path("consent/confirm/<str:token>/", views.consent_confirm, name="consent_confirm"),
    path("consent/unsubscribe/<str:token>/", views.consent_unsubscribe, name="consent_unsubscribe"),
    path("leads/<int:pk>/submissions/<int:submission_pk>/apply/", views.lead_apply_submission, name="apply_submission"),
    path("leads/scoring/", scoring_views.scoring, name="scoring"),
    path("leads/scoring/preview/", scoring_views.scoring_preview, name="scoring_preview"),
    path("leads/scoring/progress/", scoring_views.rescore_progress, name="rescore_progress"),
]
