"""The managers' list of personal email domains, mounted under settings/email-domains/."""

from django.urls import path

from companies import views

app_name = "personal_domains"

urlpatterns = [
    path("", views.personal_domain_list, name="list"),
    path("add/", views.personal_domain_add, name="add"),
    path("<int:pk>/remove/", views.personal_domain_remove, name="remove"),
]
