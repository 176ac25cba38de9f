from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    """Marketing campaigns and their daily impressions, clicks and spend."""

    name = "campaigns"
