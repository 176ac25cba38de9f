"""A company as the API reads and writes it: its details and web domains, and its roll-ups (read only)."""

from rest_framework import serializers

from companies.domains import domain_key, registrable_domain
from companies.models import ROLLUP_FIELDS, Company
from companies.selectors import company_owners_for
from crm.bounds import MAX_ID
from crm.relations import LimitedRelationsSerializer

MAX_DOMAINS = 50
ROLLUPS = [name for name in ROLLUP_FIELDS if name != "rollups_due"]


class DomainsField(serializers.ListField):
    """The company's web domains: read from its CompanyDomain rows, written as a list of domains."""

    def __init__(self, **kwargs):
        child = serializers.CharField(max_length=253)
        super().__init__(child=child, max_length=MAX_DOMAINS, required=False, **kwargs)

    def get_attribute(self, instance):
        return [domain.domain for domain in instance.domains.all()]

    def to_internal_value(self, data):
        domains = super().to_internal_value(data)
        wrong = [text for text in domains if not registrable_domain(domain_key(text))]
        if wrong:
            raise serializers.ValidationError(f"{', '.join(wrong)}: not a web domain. Send one such as acme.com.")
        return list(dict.fromkeys(registrable_domain(domain_key(text)) for text in domains))


class CompanySerializer(LimitedRelationsSerializer, serializers.ModelSerializer):
    domains = DomainsField(
        help_text="Web domains, such as acme.com. On update, the list given replaces the company's domains."
    )

    class Meta:
        model = Company
        fields = ["id", "name", "domains", "aliases", "industry", "size_band", "country", "owner", *ROLLUPS]
        fields += ["created_at", "updated_at"]
        read_only_fields = ["id", "aliases", *ROLLUPS, "created_at", "updated_at"]
        extra_kwargs = {"top_stage_rank": {"help_text": "Stage of its most advanced person: 1 subscriber, … 0 none."}}

    def relation_choices(self, user):
        return {"owner": company_owners_for(user)}


class CompanyMergeSerializer(serializers.Serializer):
    merge = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text="The id of the duplicate to merge into this company."
    )
