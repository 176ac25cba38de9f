"""Every writable relation of every API operation and of every form a page builds, tried by every role.

A relation (a foreign key, a many-to-many, a slug-related field) is found, never listed: in the request
serializer of each operation of the OpenAPI schema (drf-spectacular's own generator finds them), and in
every form the pages build while each role opens every page the permission walk lets it open. Each
role that may write through it then sends objects it may not use there (another rep's lead, a user
without a role, an archived campaign, a stage of another pipeline): the API must answer 400 naming the
field and change nothing; a form must neither offer them nor accept them. Objects the role may use must
go through. A relation to a model the `choices` fixture knows nothing of fails the walk: say who may use
what there.

The world is the permission walk's (see test_permission_walk.py), plus the objects refused below.
"""

import json
from contextlib import contextmanager
from dataclasses import dataclass
from unittest import mock

import pytest
from django import forms
from django.db import transaction
from django.forms.forms import DeclarativeFieldsMetaclass
from django.http import QueryDict
from django.urls import resolve, reverse
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.settings import spectacular_settings
from drf_spectacular.utils import PolymorphicProxySerializer
from rest_framework import relations, serializers

from campaigns.filters import FilterForm as CampaignFilterForm
from campaigns.tests.factories import CampaignFactory
from companies.filters import CompanyFilterForm
from companies.models import Company
from crm.relations import LimitedChoicesForm, LimitedRelationsSerializer
from crm.tests import test_permission_walk as permission_walk
from crm.tests.factories import UserFactory
from crm.tests.test_permission_walk import (
    DONE,
    OK,
    PAYLOADS,
    PK_OF,
    ROLES,
    RULES,
    database_rows,
    schema_operations,
    url_kwargs,
    walked_patterns,
)
from deals.forms import DealFilterForm
from deals.models import Deal, Pipeline, Stage
from deals.tests.factories import stage_named
from leads.forms import LeadFilterForm
from leads.tests.factories import LeadFactory
from outreach.tests.factories import EmailTemplateFactory
from reports.filters import ReportFilterForm

pytestmark = pytest.mark.django_db

# The permission walk's world (and its media files kept in a temporary folder), which this walk extends.
world = permission_walk.world
_media_in_tmp = permission_walk._media_in_tmp

# Forms that only choose what a list or report shows: they write nothing, so their choices are reads
# (every campaign a user may see, every owner), and the views that build them are GET-only.
FILTER_FORMS = (DealFilterForm, LeadFilterForm, CampaignFilterForm, ReportFilterForm, CompanyFilterForm)
RELAY_APPS = ("campaigns", "leads", "deals", "outreach", "reports", "crm")


# --- Who may use what ---------------------------------------------------------------------------------


@dataclass
class Choices:
    """Per role and related model (its label), the objects it may use in a relation and those it may not."""

    allowed: dict
    refused: dict
    # Refused in one relation only, by "app.Model.field" (the form's or serializer's model) then role.
    refused_in: dict
    # One relation's own rule, by "app.Model.field" then role: (allowed, refused) instead of the model's.
    only_in: dict | None = None

    def refused_for(self, role, label, relation) -> list:
        if role in (self.only_in or {}).get(relation, {}):
            return self.only_in[relation][role][1]
        return [*self.refused[role].get(label, []), *self.refused_in.get(relation, {}).get(role, [])]

    def allowed_for(self, role, label, relation) -> list:
        if role in (self.only_in or {}).get(relation, {}):
            return self.only_in[relation][role][0]
        return self.allowed[role].get(label, [])


@pytest.fixture
def choices(world):
    users = world.users
    rep_lead = LeadFactory(owner=users["rep"], email="second.of.rita@example.com")
    sams_lead = LeadFactory(owner=users["other_rep"], email="lead.of.sam@example.com")
    unowned_lead = LeadFactory(owner=None, email="nobodys@example.com")
    archived = CampaignFactory(
        name="Last year", slug="last-year", owner=world.campaign.owner, archived_at=timezone.now()
    )
    gone = UserFactory(role="Sales rep", username="gone", is_active=False)
    company = Company.objects.create(name="Walk Co")
    renewals = Pipeline.objects.create(name="Renewals")
    foreign_stage = Stage.objects.create(pipeline=renewals, name="Renewal call", order=1, probability=50)
    # The deal the writes change: the rep's, in Discovery (where a PUT may leave it), tied to no lead yet.
    Deal.objects.filter(pk=world.deal.pk).update(stage=stage_named("Discovery"), lead=None)

    # Email templates: the approved ones and one's own are everyone's to send; someone else's draft is not.
    approved_template = EmailTemplateFactory(owner=world.campaign.owner, name="Approved follow-up")
    sams_draft = EmailTemplateFactory(owner=users["other_rep"], approved=False, name="Sam's draft")
    own_leads = {"rep": [world.lead, rep_lead], "other_rep": [sams_lead]}
    refused, allowed = {}, {}
    for role in ROLES:
        refused[role] = {
            "auth.User": [users["nobody"], gone],  # nobody without a role, or no longer active, owns anything
            "campaigns.Campaign": [archived],
            "deals.Stage": [foreign_stage],
            "leads.Lead": [],  # marketers and managers work every lead
            "companies.Company": [],  # every role reads every company, so may link leads and deals to it
            "outreach.EmailTemplate": [world.email_template if role == "other_rep" else sams_draft],
        }
        allowed[role] = {
            "auth.User": [users[role], users["other_rep"]] if role == "manager" else [users[role]],
            "campaigns.Campaign": [world.campaign],
            "deals.Stage": [stage_named("Discovery"), stage_named("Demo")],
            "leads.Lead": [sams_lead],
            "companies.Company": [company],
            "outreach.EmailTemplate": [approved_template],
        }
        if role in own_leads:  # a sales rep: their own leads only, and nobody but themselves as an owner
            other = "other_rep" if role == "rep" else "rep"
            refused[role]["leads.Lead"] = [*own_leads[other], unowned_lead]
            refused[role]["auth.User"] += [users[other], users["manager"]]
            allowed[role]["leads.Lead"] = own_leads[role][-1:]
    refused_in = {
        "deals.Deal.owner": {"manager": [users["marketer"]]},  # deals are owned by reps and managers
        "campaigns.Campaign.owner": {role: [users["rep"]] for role in ROLES},  # campaigns by marketing
        "deals.Deal.stage": {role: [stage_named("Closed won")] for role in ROLES},  # deals start open
    }
    only_in = {
        # A task goes on any lead its maker sees (every role sees every lead), a deal's only for sales.
        "agenda.Task.lead": {role: ([sams_lead], []) for role in ROLES},
        "agenda.Task.deal": {"marketer": ([], [world.deal])},
        # A revenue quota is an active sales rep's (managers set them, nobody else writes targets).
        "goals.Target.rep": {"manager": ([users["other_rep"]], [users["nobody"], gone, users["marketer"]])},
    }
    for role in ROLES:
        refused[role]["deals.Deal"] = []  # every role sees every deal
        allowed[role]["deals.Deal"] = [world.deal]
    return Choices(allowed=allowed, refused=refused, refused_in=refused_in, only_in=only_in)


def relation_name(holder, name: str) -> str:
    """ "deals.Deal.owner": the relation's field named after the model the form or serializer writes."""
    meta = getattr(holder, "_meta", None) or getattr(holder, "Meta", None)
    model = getattr(meta, "model", None)
    return f"{model._meta.label}.{name}" if model else f"{type(holder).__name__}.{name}"


# --- The API ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ApiRelation:
    path: str  # the schema's path template
    method: str
    url_name: str
    serializer: object
    name: str
    field: object  # the RelatedField (the child of a many-to-many)
    many: bool
    batch: bool  # the operation takes a list of items

    @property
    def model_label(self) -> str:
        return self.field.queryset.model._meta.label

    def __str__(self):
        return f"{self.method} {self.path} {self.name}"


def request_serializers(serializer) -> list[tuple[object, bool]]:
    """(serializer, is a list of items) for what an operation's request body may be."""
    if serializer is None:
        return []
    if isinstance(serializer, PolymorphicProxySerializer):
        parts = serializer.serializers
        return [
            found
            for part in (parts.values() if isinstance(parts, dict) else parts)
            for found in request_serializers(part)
        ]
    if isinstance(serializer, type):
        serializer = serializer()
    if isinstance(serializer, serializers.ListSerializer):
        return [(serializer.child, True)]
    return [(serializer, False)]


def api_operations() -> list[tuple[str, str, object]]:
    """(path template, METHOD, request serializer) of every operation, as drf-spectacular reads the views."""
    generator = SchemaGenerator()
    generator._initialise_endpoints()
    found = []
    for path, path_regex, method, view in generator._get_paths_and_endpoints():
        view.request = spectacular_settings.GET_MOCK_REQUEST(method, path, view, None)
        schema = view.schema
        schema.registry, schema.path, schema.path_regex, schema.method = generator.registry, path, path_regex, method
        found.append((path, method, schema.get_request_serializer() if method != "GET" else None))
    return found


def api_relations() -> tuple[list[ApiRelation], list[str]]:
    """Every writable relation of every operation's request, and what the walk cannot try (to fail on)."""
    found, unknown = [], []
    for path, method, request_serializer in api_operations():
        url_name = resolve(path.replace("{slug}", "x").replace("{id}", "1")).view_name
        for serializer, batch in request_serializers(request_serializer):
            for name, field in serializer.fields.items():
                if field.read_only:
                    continue
                many = isinstance(field, relations.ManyRelatedField)
                relation = field.child_relation if many else field
                if isinstance(relation, relations.RelatedField):
                    found.append(ApiRelation(path, method, url_name, serializer, name, relation, many, batch))
                elif isinstance(field, serializers.BaseSerializer) and has_writable_relation(field):
                    unknown.append(f"{method} {path} {name}: a relation in a nested serializer; teach the walk it")
    return found, unknown


def has_writable_relation(serializer) -> bool:
    serializer = serializer.child if isinstance(serializer, serializers.ListSerializer) else serializer
    for field in serializer.fields.values():
        if field.read_only:
            continue
        if isinstance(field, relations.RelatedField | relations.ManyRelatedField):
            return True
        if isinstance(field, serializers.BaseSerializer) and has_writable_relation(field):
            return True
    return False


def writers(url_name: str, method: str) -> list[str]:
    """The roles the permission walk lets write through an operation."""
    return [role for role, outcome in RULES[url_name][method].items() if outcome == DONE]


# Relations of which a request gives exactly one: sending one of them leaves the others out of the payload.
ONE_OF = {"agenda-api:task-list": ("lead", "deal", "company")}


def send(client, world, relation: ApiRelation, obj):
    value = relation.field.to_representation(obj)
    payload = PAYLOADS.get((relation.url_name, relation.method), lambda w: {})(world)
    if relation.name in ONE_OF.get(relation.url_name, ()):
        for other in ONE_OF[relation.url_name]:
            payload.pop(other, None)
    payload[relation.name] = [value] if relation.many else value
    pk = getattr(world, PK_OF[relation.url_name]).pk if relation.url_name in PK_OF else None
    path = relation.path.replace("{slug}", world.campaign.slug).replace("{id}", str(pk))
    return client.generic(relation.method, path, json.dumps(payload), content_type="application/json")


def names_the_field(response, name) -> bool:
    try:
        body = response.json()
    except ValueError:
        return False
    return isinstance(body, dict) and name in body


def test_the_api_walk_finds_every_operation_of_the_schema_and_the_relations_known_today():
    assert set(schema_operations()) <= {(path, method) for path, method, _ in api_operations()}
    found = {f"{r.url_name} {r.method} {r.name}" for r in api_relations()[0]}
    # A floor, not the list: the walk below tries whatever it finds.
    assert {
        "deals-api:deal-list POST lead",
        "deals-api:deal-detail PATCH owner",
        "deals-api:deal-move POST stage",
    } <= found
    assert {"campaigns-api:campaign-list POST owner", "leads-api:lead-list POST campaign"} <= found


def test_every_writable_api_relation_refuses_what_the_role_may_not_use_and_takes_what_it_may(client, world, choices):
    relations_found, wrong = api_relations()
    for relation in relations_found:
        if relation.batch:
            wrong.append(f"{relation}: a relation inside a batch of items; teach the walk its per-item answer")
            continue
        if not isinstance(relation.serializer, LimitedRelationsSerializer):
            wrong.append(f"{relation}: {type(relation.serializer).__name__} is no LimitedRelationsSerializer")
        for role in writers(relation.url_name, relation.method):
            client.force_login(world.users[role])
            label, name = relation.model_label, relation_name(relation.serializer, relation.name)
            if label not in choices.refused[role]:
                wrong.append(f"{relation} ({label}): the walk knows no {label} to refuse; add some to `choices`")
                continue
            for obj in choices.refused_for(role, label, name):
                with transaction.atomic():
                    before = database_rows()
                    response = send(client, world, relation, obj)
                    if response.status_code != 400 or not names_the_field(response, relation.name):
                        wrong.append(
                            f"{relation} as {role} with {obj!r}: {response.status_code} {response.content[:200]}"
                        )
                    elif database_rows() != before:
                        wrong.append(f"{relation} as {role} with {obj!r}: refused but the database changed")
                    transaction.set_rollback(True)
            answers = []
            allowed = choices.allowed_for(role, label, name)
            for obj in allowed:
                with transaction.atomic():
                    answers.append((obj, send(client, world, relation, obj).status_code))
                    transaction.set_rollback(True)
            if allowed and not any(200 <= status < 300 for _, status in answers):
                wrong.append(f"{relation} as {role}: took none of what the role may use: {answers}")
    assert not wrong, "\n".join(wrong)


# --- The pages' forms ---------------------------------------------------------------------------------


@contextmanager
def forms_built():
    """Every form built meanwhile (by a view, a formset, ...), with the arguments it was built with."""
    built = []

    def build(cls, *args, **kwargs):
        form = type.__call__(cls, *args, **kwargs)
        built.append((form, args, kwargs))
        return form

    with mock.patch.object(DeclarativeFieldsMetaclass, "__call__", build, create=True):
        yield built


def rebuilt_with(form, args, kwargs, name, value):
    """The same form, built as the view built it, bound to `value` for the field `name` only."""
    data = QueryDict(mutable=True)
    data.setlist(form.add_prefix(name), value if isinstance(value, list) else [value])
    if args:
        return type(form)(data, *args[1:], **kwargs)
    return type(form)(**{**kwargs, "data": data})


def posted(field, obj, many):
    """What a browser sends for `obj` in the choice field."""
    return [field.prepare_value(obj)] if many else field.prepare_value(obj)


def is_formset_row_key(form, name) -> bool:
    """A model formset's hidden id: the row being edited, among the rows the view chose to show."""
    meta = getattr(form, "_meta", None)
    hidden = isinstance(form.fields[name].widget, forms.HiddenInput)
    return bool(meta and meta.model and name == meta.model._meta.pk.name and hidden)


def page_forms(client, world) -> list[tuple[str, object, tuple, dict]]:
    """(role, form, args, kwargs) for every form with a relation that any page builds for any role."""
    found = []
    for role in ("marketer", "rep", "other_rep", "manager"):
        client.force_login(world.users[role])
        for pattern in walked_patterns():
            if pattern.route.startswith("api/") or RULES.get(pattern.name, {}).get("GET", {}).get(role) != OK:
                continue
            with forms_built() as built:
                response = client.get(reverse(pattern.name, kwargs=url_kwargs(pattern, world)))
            assert response.status_code == 200, (role, pattern.name, response.status_code)
            for form, args, kwargs in built:
                if isinstance(form, FILTER_FORMS):
                    continue
                relations_ = [
                    name
                    for name, field in form.fields.items()
                    if isinstance(field, forms.ModelChoiceField) and not is_formset_row_key(form, name)
                ]
                if relations_:
                    found.append((role, form, args, kwargs))
    return found


def relay_form_classes() -> set[type]:
    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    # Not the admin's forms (staff use them under the admin's own model permissions, crm/roles.py), nor
    # the tests' own.
    return {
        cls
        for cls in subclasses(forms.BaseForm)
        if cls.__module__.split(".")[0] in RELAY_APPS
        and cls.__module__.rpartition(".")[2] != "admin"
        and ".tests." not in cls.__module__
    }


def test_every_form_a_page_builds_offers_and_takes_only_what_the_role_may_use(client, world, choices):
    wrong, walked, offered_allowed = [], set(), {}
    for role, form, args, kwargs in page_forms(client, world):
        walked.add(type(form))
        if not isinstance(form, LimitedChoicesForm):
            wrong.append(f"{type(form).__name__} as {role}: a form with a relation is no LimitedChoicesForm")
        for name, field in form.fields.items():
            if not isinstance(field, forms.ModelChoiceField) or is_formset_row_key(form, name):
                continue
            label, relation = field.queryset.model._meta.label, relation_name(form, name)
            where = f"{type(form).__name__}.{name} as {role}"
            if label not in choices.refused[role]:
                wrong.append(f"{where} ({label}): the walk knows no {label} to refuse; add some to `choices`")
                continue
            many = isinstance(field, forms.ModelMultipleChoiceField)
            for obj in choices.refused_for(role, label, relation):
                if field.queryset.filter(pk=obj.pk).exists():
                    wrong.append(f"{where} offers {obj!r}")
                if name not in rebuilt_with(form, args, kwargs, name, posted(field, obj, many)).errors:
                    wrong.append(f"{where} takes {obj!r} when it is posted by hand")
            for obj in choices.allowed_for(role, label, relation):
                if field.queryset.filter(pk=obj.pk).exists():
                    offered_allowed.setdefault(where, []).append(obj)
                    if name in (errors := rebuilt_with(form, args, kwargs, name, posted(field, obj, many)).errors):
                        wrong.append(f"{where} offers {obj!r} but refuses it: {errors[name]}")
                else:
                    offered_allowed.setdefault(where, [])
    wrong += [f"{where} offers none of what the role may use" for where, objs in offered_allowed.items() if not objs]
    # Every form of Relay's with a relation among its declared fields was built by some page (else it is
    # built where the walk does not look: teach it where).
    declared = {
        cls
        for cls in relay_form_classes()
        if not issubclass(cls, FILTER_FORMS)
        and any(isinstance(field, forms.ModelChoiceField) for field in cls.base_fields.values())
    }
    wrong += [f"{cls.__module__}.{cls.__name__} has a relation but no page built it" for cls in declared - walked]
    assert walked, "no page built a form with a relation"
    assert not wrong, "\n".join(wrong)
