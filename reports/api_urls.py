from django.urls import path

from reports import api

app_name = "reports-api"

urlpatterns = [
    path("reports/funnel/", api.FunnelReportView.as_view(), name="funnel"),
    path("reports/sales/", api.SalesReportView.as_view(), name="sales"),
    path("reports/feedback/", api.FeedbackReportView.as_view(), name="feedback"),
]
