from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("funnel/", views.funnel_page, name="funnel"),
    path("sales/", views.sales_page, name="sales"),
    path("forecast/", views.forecast_page, name="forecast"),
    path("feedback/", views.feedback_page, name="feedback"),
    path("campaigns/", views.campaigns_page, name="campaigns"),
    path("accounts/", views.accounts_page, name="accounts"),
]
