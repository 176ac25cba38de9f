"""The one mechanism that limits writable relations (crm/relations.py): it fails closed and keeps what a
record already points at."""

import pytest
from django import forms
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from rest_framework import serializers

from campaigns.tests.factories import CampaignFactory
from crm.relations import LimitedChoicesForm, LimitedRelationsSerializer
from deals.api import DealSerializer
from deals.forms import DealForm
from deals.models import Deal
from deals.tests.factories import DealFactory
from leads.models import Lead
from leads.tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


class DealLeadSerializer(LimitedRelationsSerializer, serializers.ModelSerializer):
    class Meta:
        model = Deal
        fields = ["title", "lead"]

    def relation_choices(self, user):
        return {}  # the lead forgotten


class LeadPickForm(LimitedChoicesForm, forms.Form):
    lead = forms.ModelChoiceField(Lead.objects.all())

    def relation_choices(self, user):
        return {}


def test_a_serializer_relation_without_a_rule_refuses_to_be_built():
    with pytest.raises(ImproperlyConfigured, match="DealLeadSerializer.lead"):
        DealLeadSerializer().fields  # noqa: B018 (building the fields is the point)


def test_a_form_relation_without_a_rule_refuses_to_be_built(rep):
    with pytest.raises(ImproperlyConfigured, match="LeadPickForm.lead"):
        LeadPickForm(user=rep)


def test_a_serializer_used_without_a_request_offers_nothing(rep):
    LeadFactory(owner=rep)
    fields = DealSerializer().fields
    assert not fields["lead"].queryset.exists()
    assert not fields["owner"].queryset.exists()


def test_what_a_deal_points_at_stays_a_choice_in_the_usual_order(rep, other_rep):
    theirs = LeadFactory(owner=other_rep)
    archived = CampaignFactory(name="Autumn", archived_at=timezone.now())
    live = CampaignFactory(name="Zebra")
    deal = DealFactory(owner=rep, lead=theirs, source_campaign=archived)
    assert list(DealSerializer(deal).fields["lead"].queryset) == [theirs]  # no request: only what it has
    form = DealForm(instance=deal, user=rep)
    assert list(form.fields["source_campaign"].queryset) == [archived, live]
    assert list(DealForm(user=rep).fields["source_campaign"].queryset) == [live]
