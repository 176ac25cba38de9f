from django.apps import AppConfig


class DealsConfig(AppConfig):
    """The sales pipeline: stages, deals, activities."""

    name = "deals"

    def ready(self):
        from django.db.models.signals import post_migrate

        post_migrate.connect(restore_default_pipeline, sender=self)


def restore_default_pipeline(using="default", **kwargs):
    """After a flush (tests) the default pipeline is created again, as the data migration did."""
    from deals.defaults import ensure_default_pipeline
    from deals.models import Pipeline, Stage

    ensure_default_pipeline(Pipeline, Stage, using=using)
