"""The home page, at the site's root and named without a namespace (`{% url 'dashboard' %}`)."""

from django.urls import path

from reports import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("agreement/", views.agreement_page, name="agreement"),
    path("agreement/attainment/", views.attainment_strip, name="attainment"),
]
