from django.apps import AppConfig


class OutreachConfig(AppConfig):
    """Email from Relay: templates marketing writes and sales sends, one-to-one sends from a lead, deal or
    company page, open and click tracking that feeds scoring, unsubscribes and replies."""

    name = "outreach"
