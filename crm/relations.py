"""Writable relations offer and accept only the objects the signed-in user may use through them.

A serializer or a form that writes a relation (a foreign key, a many-to-many, a slug-related field) says
in `relation_choices(user)` which objects each relation may point at for that user, built from the access
functions the views use (`leads_writable_by(user)`, `deal_owners_for(user)`, ...). The mixins below put
those querysets on the fields, so a choice list shows only them and anything else sent by hand gets the
field's own error: a 400 naming the field in the API, the form's error on the pages, never a write.

What the record being edited already points at stays a valid choice: saving a deal's title never fails
on (or quietly clears) a lead or an archived campaign that someone allowed to set it chose earlier.

A writable relation missing from `relation_choices` is a programming error, raised when the form or
serializer is built: a new relation fails closed instead of offering every row of its table.
"""

from django import forms
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.db.models import Model, Q, QuerySet
from rest_framework import relations


def with_current(allowed: QuerySet, current: list) -> QuerySet:
    """`allowed` and the objects whose primary key is in `current`, in `allowed`'s order."""
    current = [pk for pk in current if pk is not None]
    if not current:
        return allowed
    both = allowed.model._default_manager.filter(Q(pk__in=allowed.values("pk")) | Q(pk__in=current))
    return both.order_by(*allowed.query.order_by) if allowed.query.order_by else both


def current_pks(instance, name: str) -> list:
    """The primary keys the saved `instance` points at through its relation `name` (none for anything else)."""
    if not isinstance(instance, Model) or instance.pk is None:
        return []
    try:
        field = instance._meta.get_field(name)
    except FieldDoesNotExist:
        return []
    if field.many_to_many:
        return list(getattr(instance, name).values_list("pk", flat=True))
    if not (field.many_to_one or field.one_to_one) or not field.concrete:
        return []
    if field.target_field.primary_key:
        return [getattr(instance, field.attname)]
    return [getattr(getattr(instance, name), "pk", None)]


def _missing(holder, name):
    return ImproperlyConfigured(
        f"{type(holder).__name__}.{name} is a writable relation without a rule: "
        "say in relation_choices(user) which objects the user may pick there."
    )


class LimitedRelationsSerializer:
    """Serializer mixin: each writable relation's queryset is `relation_choices(user)[name]`, for the user of
    `context["request"]` (no request: nobody, so nothing), plus what the instance points at now."""

    def relation_choices(self, user) -> dict[str, QuerySet]:
        raise NotImplementedError

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        user = getattr(request, "user", None) or AnonymousUser()
        choices = None
        for name, field in fields.items():
            many = isinstance(field, relations.ManyRelatedField)
            relation = field.child_relation if many else field
            if field.read_only or not isinstance(relation, relations.RelatedField):
                continue
            choices = self.relation_choices(user) if choices is None else choices
            if name not in choices:
                raise _missing(self, name)
            relation.queryset = with_current(choices[name], current_pks(self.instance, field.source or name))
        return fields


class LimitedChoicesForm:
    """Form mixin, built with `user=`: each model choice field offers `relation_choices(user)[name]`, plus what
    the saved instance of a model form points at now. Set what `relation_choices` reads before calling
    `super().__init__()`, and add no relation field after it (delete one instead)."""

    def relation_choices(self, user) -> dict[str, QuerySet]:
        raise NotImplementedError

    def __init__(self, *args, user, **kwargs):
        self.user = user or AnonymousUser()
        super().__init__(*args, **kwargs)
        choices = self.relation_choices(self.user)
        for name, field in self.fields.items():
            if not isinstance(field, forms.ModelChoiceField):  # ModelMultipleChoiceField is one too
                continue
            if name not in choices:
                raise _missing(self, name)
            field.queryset = with_current(choices[name], current_pks(getattr(self, "instance", None), name))
