from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """Funnel, campaign, sales and feedback reports for managers."""

    name = "reports"
