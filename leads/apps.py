from django.apps import AppConfig


class LeadsConfig(AppConfig):
    """Leads, their engagement events, scoring and the hand-over of MQLs to sales."""

    name = "leads"
