from django.apps import AppConfig


class LeadsConfig(AppConfig):
    """Leads, their engagement events, scoring and the hand-over of MQLs to sales."""

    name = "leads"

    def ready(self):
        from django.db.models.signals import post_delete, post_migrate

        from leads.tasks import sweep_after_delete

        post_migrate.connect(restore_scoring_defaults, sender=self)
        post_delete.connect(sweep_after_delete, sender=self.get_model("Lead"))


def restore_scoring_defaults(using="default", **kwargs):
    """After a flush (tests) the default scoring rules are created again, as the data migration did."""
    from leads.defaults import ensure_scoring_defaults
    from leads.models import EngagementRule, FitRule, ScoringSettings

    ensure_scoring_defaults(ScoringSettings, EngagementRule, FitRule, using=using)
