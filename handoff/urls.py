from django.urls import path

from handoff import settings_views, views

app_name = "handoff"

urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/<int:pk>/accept/", views.accept, name="accept_mql"),
    path("inbox/<int:pk>/reject/", views.reject, name="reject_mql"),
    path("handoffs/failed/", views.failed_handoffs, name="failed_handoffs"),
    path("handoffs/failed/<int:pk>/retry/", views.retry_handoff, name="retry_handoff"),
    path("settings/", settings_views.sales_settings, name="sales_settings"),
]
