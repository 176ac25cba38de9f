from datetime import date

import factory

from goals.models import Metric, PeriodKind, Target


class TargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Target

    period_kind = PeriodKind.MONTH
    period_start = date(2026, 12, 1)
    metric = Metric.MQLS
    value = 300
