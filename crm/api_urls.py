"""The REST API: /api/v1/ endpoints from each app, the OpenAPI schema and its browsable docs."""

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

# Swagger UI's page carries a small <style> block of its own; its script is served as a separate file
# (the split view), so the Content-Security-Policy needs no inline script, only inline style here.
api_docs = csp_update({"style-src": [UNSAFE_INLINE]})(SpectacularSwaggerSplitView.as_view(url_name="api-schema"))

urlpatterns = [
    # Leads first: integrations send events hundreds of times a second, and each pattern tried before
    # the one that matches costs time on every request.
    path("v1/", include("leads.api_urls")),
    path("v1/", include("reports.campaign_pages.api_urls")),
    path("v1/", include("reports.company_pages.api_urls")),
    path("v1/", include("deals.api_urls")),
    path("v1/", include("agenda.api_urls")),
    path("v1/", include("outreach.api_urls")),
    path("v1/", include("goals.api_urls")),
    path("v1/", include("reports.api_urls")),
    path("v1/", include("search.api_urls")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", api_docs, name="api-docs"),
]
