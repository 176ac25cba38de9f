from django.apps import AppConfig


class BenchConfig(AppConfig):
    """The benchmark: its commands (`manage.py bench` and the `bench_*` of each area), its data generator
    and its load client. It may use every app; no app's
    product code uses it (the demo data borrows its generator)."""

    name = "bench"
    verbose_name = "Benchmark"
