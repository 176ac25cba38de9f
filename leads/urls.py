from django.urls import path

from leads import inbox_views, scoring_views, views

app_name = "leads"

urlpatterns = [
    path("leads/", views.lead_list, name="lead_list"),
    path("leads/scoring/", scoring_views.scoring, name="scoring"),
    path("leads/scoring/preview/", scoring_views.scoring_preview, name="scoring_preview"),
    path("leads/scoring/progress/", scoring_views.rescore_progress, name="rescore_progress"),
    path("leads/inbox/", inbox_views.inbox, name="inbox"),
    path("leads/inbox/<int:pk>/accept/", inbox_views.accept, name="accept_mql"),
    path("leads/inbox/<int:pk>/reject/", inbox_views.reject, name="reject_mql"),
]
