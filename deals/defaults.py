"""The default pipeline (DOMAIN.md "Pipeline stages"). Created by a data migration, and again after every
flush of a test database (post_migrate), through this one function."""

DEFAULT_STAGES = [
    # name, probability %, kind
    ("Qualification", 10, "open"),
    ("Discovery", 20, "open"),
    ("Demo", 40, "open"),
    ("Proposal", 60, "open"),
    ("Negotiation", 80, "open"),
    ("Closed won", 100, "won"),
    ("Closed lost", 0, "lost"),
]


def ensure_default_pipeline(Pipeline, Stage, using="default"):
    """Create the default pipeline and its stages unless a default pipeline exists (models may be historical)."""
    if Pipeline.objects.using(using).filter(is_default=True).exists():
        return
    pipeline, _ = Pipeline.objects.using(using).get_or_create(name="Sales", defaults={"is_default": True})
    for order, (name, probability, kind) in enumerate(DEFAULT_STAGES, start=1):
        Stage.objects.using(using).get_or_create(
            pipeline=pipeline, name=name, defaults={"order": order, "probability": probability, "kind": kind}
        )
