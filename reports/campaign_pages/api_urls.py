from django.urls import path

from campaigns import api
from reports.campaign_pages import api as figures

app_name = "campaigns-api"

urlpatterns = [
    path("campaigns/", figures.CampaignListCreate.as_view(), name="campaign-list"),
    path("campaigns/<slug:slug>/", figures.CampaignDetail.as_view(), name="campaign-detail"),
    path("campaigns/<slug:slug>/stats/", api.CampaignStats.as_view(), name="campaign-stats"),
]
