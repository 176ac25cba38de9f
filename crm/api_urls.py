"""The REST API: /api/v1/ endpoints from each app, the OpenAPI schema and its browsable docs."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

urlpatterns = [
    path("v1/", include("campaigns.api_urls")),
    path("v1/", include("leads.api_urls")),
    path("v1/", include("deals.api_urls")),
    path("v1/", include("reports.api_urls")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
