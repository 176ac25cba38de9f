from django import forms
from django.utils import timezone

from campaigns.models import Channel
from crm.people import display_name
from goals.models import Metric, PeriodKind, period_start
from goals.selectors import TargetKey, key_of, targets_of_period


class PeriodForm(forms.Form):
    """Which month or quarter a page is about: `kind` and `start`, the period's first day (this one by default)."""

    kind = forms.ChoiceField(label="Period", choices=PeriodKind.choices, required=False)
    start = forms.DateField(
        label="Starting on",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The first day of the month or quarter.",
    )

    def clean(self):
        data = super().clean()
        kind, start = data.get("kind") or PeriodKind.MONTH, data.get("start")
        if start and period_start(start, kind) != start:
            first = "quarter (1 January, April, July or October)" if kind == PeriodKind.QUARTER else "month"
            self.add_error("start", f"A {PeriodKind(kind).label.lower()} starts on the first day of a {first}.")
        return data

    def chosen(self) -> tuple[str, object]:
        """(kind, start) asked for, or the current month when nothing valid was asked."""
        self.is_valid()  # a bound form: what is invalid is left out of cleaned_data
        kind = self.cleaned_data.get("kind") or PeriodKind.MONTH
        return kind, self.cleaned_data.get("start") or period_start(timezone.localdate(), kind)


def _amount(label: str, *, whole=False) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=0 if whole else 2,
        widget=forms.NumberInput(attrs={"min": 0, "step": 1 if whole else "0.01", "placeholder": "No target"}),
    )


class TargetsForm(PeriodForm):
    """One period's targets on one form: MQLs in total and per channel, marketing-sourced pipeline, the team's
    revenue quota and one per rep. A blank field means no target (an existing one is removed)."""

    def __init__(self, *args, reps=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].required = self.fields["start"].required = True
        self.keys: dict[str, TargetKey] = {}
        self._add("mqls", (Metric.MQLS, "", None), "MQLs in total", whole=True)
        for channel in Channel:
            self._add(f"mqls_{channel.value}", (Metric.MQLS, channel.value, None), channel.label, whole=True)
        self._add("sourced_pipeline", (Metric.SOURCED_PIPELINE, "", None), "Marketing-sourced pipeline")
        self._add("revenue", (Metric.REVENUE, "", None), "Team revenue quota")
        for rep in reps:
            self._add(f"revenue_rep_{rep.pk}", (Metric.REVENUE, "", rep.pk), display_name(rep))

    def _add(self, name, key, label, whole=False):
        self.fields[name] = _amount(label, whole=whole)
        self.keys[name] = key

    @property
    def channel_fields(self):
        return [self[name] for name in self.keys if name.startswith("mqls_")]

    @property
    def rep_fields(self):
        return [self[name] for name in self.keys if name.startswith("revenue_rep_")]

    def values(self) -> dict:
        """Each field's target as `set_targets` takes them: a number, or None for no target."""
        return {key: self.cleaned_data[name] for name, key in self.keys.items()}

    @staticmethod
    def initial_from(kind, start, *, source=None) -> dict:
        """The form's values: the period's targets, or those of `source` (copying the previous period)."""
        by_key = {key_of(t): t.value for t in targets_of_period(kind, source or start)}
        initial = {"kind": kind, "start": start}
        for key, value in by_key.items():
            metric, channel, rep_id = key
            name = f"revenue_rep_{rep_id}" if rep_id else (f"mqls_{channel}" if channel else metric)
            initial[name] = int(value) if metric == Metric.MQLS else value
        return initial
