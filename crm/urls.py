from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from crm import views

admin.site.site_header = "Relay administration"
admin.site.site_title = "Relay admin"

urlpatterns = [
    # First: integrations call the API hundreds of times a second, and no page pattern matches api/.
    path("api/", include("crm.api_urls")),
    path("", include("reports.dashboard_urls")),
    path("healthz", views.healthz, name="healthz"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/<int:pk>/", views.notification_open, name="notification_open"),
    path("notifications/read/", views.notifications_mark_all_read, name="notifications_mark_all_read"),
    path("profile/", views.profile, name="profile"),
    path("accounts/login/", views.SignInView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("campaigns/", include("reports.campaign_pages.urls")),
    path("companies/", include("reports.company_pages.urls")),
    path("", include("leads.urls")),
    path("settings/email-domains/", include("companies.urls")),
    path("", include("handoff.urls")),
    path("", include("deals.urls")),
    path("", include("agenda.urls")),
    path("", include("outreach.urls")),
    path("targets/", include("goals.urls")),
    path("reports/", include("reports.urls")),
    path("search/", include("search.urls")),
]
