from django.urls import path

from campaigns import views
from reports.campaign_pages import views as figures

app_name = "campaigns"

urlpatterns = [
    path("", figures.campaign_list, name="campaign_list"),
    path("new/", views.campaign_create, name="campaign_create"),
    path("<slug:slug>/", figures.campaign_detail, name="campaign_detail"),
    path("<slug:slug>/edit/", views.campaign_edit, name="campaign_edit"),
    path("<slug:slug>/archive/", views.campaign_archive, name="campaign_archive"),
    path("<slug:slug>/stats/", figures.campaign_stats, name="campaign_stats"),
    path("<slug:slug>/stats/upload/", views.campaign_upload, name="campaign_upload"),
]
