"""Writes of targets: a period's targets set at once from the targets form, and one target at a time (the API).

Every change is kept by django-simple-history (who, when, the value before): the targets page lists them.
"""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from goals.models import Target
from goals.selectors import TargetKey, key_of, targets_of_period

DUPLICATE = "This period already has this target: change that one instead."


def set_targets(*, by, period_kind: str, period_start: date, values: dict[TargetKey, Decimal | None]) -> None:
    """Make the period's targets named in `values` what it says, in one transaction: a number sets (or
    changes) the target, None removes it. Targets the dict does not name stay as they are; an unchanged
    value writes nothing, so the history holds only real changes."""
    with transaction.atomic():
        existing = {key_of(t): t for t in targets_of_period(period_kind, period_start).select_for_update(of=("self",))}
        for (metric, channel, rep_id), value in values.items():
            target = existing.get((metric, channel, rep_id))
            if value is None:
                if target is not None:
                    remove_target(by=by, target=target)
            elif target is None:
                fields = {"metric": metric, "channel": channel, "rep_id": rep_id, "value": value}
                save_target(by=by, target=Target(period_kind=period_kind, period_start=period_start, **fields))
            elif target.value != value:
                target.value = value
                save_target(by=by, target=target)


def save_target(*, by, target: Target) -> Target:
    """Validate and store one target (new or changed) as set by `by`; a second target for the same period,
    metric, channel and rep is refused as a ValidationError, also when two requests race for it."""
    target.set_by = by
    target._history_user = by
    if (
        Target.objects.filter(
            period_kind=target.period_kind,
            period_start=target.period_start,
            metric=target.metric,
            channel=target.channel,
            rep=target.rep_id,
        )
        .exclude(pk=target.pk)
        .exists()
    ):
        raise ValidationError({"metric": DUPLICATE})
    target.full_clean()
    try:
        with transaction.atomic():
            target.save()
    except IntegrityError as exc:
        raise ValidationError({"metric": DUPLICATE}) from exc
    return target


def remove_target(*, by, target: Target) -> None:
    """Remove a target (its history stays, with who removed it)."""
    target._history_user = by
    target.delete()
