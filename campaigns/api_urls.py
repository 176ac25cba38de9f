from django.contrib.auth.decorators import login_not_required
from django.urls import path

from campaigns import api

app_name = "campaigns-api"

# DRF authenticates these itself (session or token) and answers 401/403 rather than redirecting.
urlpatterns = [
    path("campaigns/", login_not_required(api.CampaignListCreate.as_view()), name="campaign-list"),
    path("campaigns/<slug:slug>/", login_not_required(api.CampaignDetail.as_view()), name="campaign-detail"),
    path("campaigns/<slug:slug>/stats/", login_not_required(api.CampaignStats.as_view()), name="campaign-stats"),
]
