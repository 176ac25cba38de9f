import re
from datetime import datetime

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import ISO_8601, serializers
from rest_framework.settings import api_settings

from campaigns.models import Campaign
from campaigns.selectors import campaigns_usable_by
from companies.domains import MAX_DOMAIN_LENGTH, domain_key
from companies.models import Company
from companies.selectors import companies_visible_to
from crm.bounds import MAX_ID
from crm.relations import LimitedRelationsSerializer
from leads.models import CONTACT_FIELDS, EventKind, Lead
from leads.services.events import check_event_time, check_properties

MAX_EVENTS_PER_REQUEST = 1000


@extend_schema_field({"type": "string", "enum": EventKind.values})
class EventKindField(serializers.ChoiceField):
    """The event kind of a capture, documented inline so the schema has one EventKind enum component."""

    def __init__(self, **kwargs):
        super().__init__(choices=EventKind.choices, **kwargs)


# The contact fields as the API names them: the typed company is `company_name`, `company` the Company's id.
API_CONTACT_FIELDS = [name for name in CONTACT_FIELDS if name != "company"]


class LeadSerializer(serializers.ModelSerializer):
    """A lead as the API returns it (campaigns by slug, owner by id, company by id and as typed)."""

    company = serializers.PrimaryKeyRelatedField(
        source="account", read_only=True, help_text="The id of the lead's company (null: none known)."
    )
    company_name = serializers.CharField(source="company", read_only=True, help_text="The company as typed.")
    first_touch_campaign = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    latest_touch_campaign = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Lead
        fields = [
            "id",
            "email",
            *API_CONTACT_FIELDS,
            "company",
            "company_name",
            "marketing_consent",
            "consent_at",
            "consent_source",
            "do_not_contact",
            "stage",
            "owner",
            "first_touch_campaign",
            "latest_touch_campaign",
            "source_channel",
            "source",
            "fit_score",
            "engagement_score",
            "score",
            "scored_at",
            "last_event_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


def contact_field(name: str, **kwargs) -> serializers.Field:
    """A contact field as the API takes it: optional, blank allowed, with the model's length or choices."""
    field = Lead._meta.get_field(name)
    if field.choices:
        return serializers.ChoiceField(choices=field.choices, required=False, allow_blank=True, **kwargs)
    return serializers.CharField(max_length=field.max_length, required=False, allow_blank=True, **kwargs)


# The email and contact fields, first in every serializer that captures a lead.
ContactSerializer = type(
    "ContactSerializer",
    (serializers.Serializer,),
    {
        "email": serializers.EmailField(max_length=Lead._meta.get_field("email").max_length),
        **{name: contact_field(name) for name in API_CONTACT_FIELDS},
        "company_name": contact_field("company", source="company", help_text="The company as the person typed it."),
    },
)


class LeadCaptureSerializer(LimitedRelationsSerializer, ContactSerializer):
    """Create or merge a lead by email (blank fields never overwrite), recording one event.

    Its company: `company` (an id) when given, else the company of `company_domain` (else of `company_name`)
    for a new lead or one without a company; a new lead without either is linked by its email's domain."""

    company = serializers.PrimaryKeyRelatedField(
        source="account",
        queryset=Company.objects.none(),
        required=False,
        allow_null=True,
        help_text="The id of the lead's company; replaces the company a known lead has.",
    )
    company_domain = serializers.CharField(
        max_length=MAX_DOMAIN_LENGTH,
        required=False,
        allow_blank=True,
        write_only=True,
        help_text="The web domain of the lead's company (acme.com): links the lead to the company that owns it, "
        "created when none does.",
    )

    campaign = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Campaign.objects.none(),
        required=False,
        allow_null=True,
        help_text="Slug of the campaign that brought the lead (first touch if it has none, latest touch always).",
    )
    consent = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text="true: opted in to marketing; false: opted out; omitted: unchanged.",
    )
    event_kind = EventKindField(required=False, help_text="The engagement recorded (default: other).")
    occurred_at = serializers.DateTimeField(required=False, help_text="When it happened (default: now).")
    properties = serializers.JSONField(required=False, help_text="A JSON object of at most 4 KB.")

    def relation_choices(self, user):
        return {"campaign": campaigns_usable_by(user), "company": companies_visible_to(user)}

    def validate_company_domain(self, value):
        if value and not domain_key(value):
            raise serializers.ValidationError("Enter a web domain, such as acme.com.")
        return value

    def validate_properties(self, value):
        return _check_properties(value)

    def validate_occurred_at(self, value):
        return _check_event_time(value)


class EventSerializer(serializers.Serializer):
    """One engagement event, for a lead given by `lead` (id) or `email`."""

    lead = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, help_text="The lead's id (or give `email`)."
    )
    email = serializers.EmailField(required=False, help_text="The lead's email, any case (or give `lead`).")
    kind = serializers.ChoiceField(choices=EventKind.choices)
    occurred_at = serializers.DateTimeField(required=False, help_text="Default: now.")
    campaign = serializers.SlugField(required=False, allow_blank=True, help_text="Slug of the campaign, if any.")
    properties = serializers.JSONField(required=False, help_text="A JSON object of at most 4 KB.")
    external_id = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        help_text=(
            "Your id for the event, unique among the lead's events: an event sent again with the same external_id "
            "is ignored; one that reuses the lead's id for another kind or time is refused."
        ),
    )

    def validate_properties(self, value):
        return _check_properties(value)

    def validate_occurred_at(self, value):
        return _check_event_time(value)

    def validate(self, attrs):
        if not attrs.get("lead") and not attrs.get("email"):
            raise serializers.ValidationError({"lead": "Give the lead's id (`lead`) or its `email`."})
        return attrs


# The fields of one bound EventSerializer, whose own parts `clean_events` calls.
_EVENT_CHECKER = EventSerializer()
_EVENT_FIELDS = _EVENT_CHECKER.fields
_KIND_BY_NAME = _EVENT_FIELDS["kind"].choice_strings_to_values
# Larger ids are refused by the serializer, with the field: no lead has one, and the column cannot hold it.
_LARGEST_FAST_LEAD = MAX_ID
# Stricter than SlugField's `^[-a-zA-Z0-9_]+$`, which `search` lets end with a newline before trimming.
_SLUG = re.compile(r"[-a-zA-Z0-9_]+")


def clean_events(items) -> list[dict | None]:
    """What `EventSerializer().run_validation(item)` returns for each item, at a fraction of its cost, or None.

    Ingest validates up to 1,000 items per request, and the serializer's machinery cost more than
    storing them. The common shapes are checked here directly, with the serializer's own fields,
    validators and choices; None means "not decided here": the serializer then validates the item,
    accepts an unusual but valid one, and gives the messages of a bad one. Unknown keys are ignored,
    as the serializer ignores them.
    """
    cleaners = {**_EVENT_CLEANERS, "occurred_at": _occurred_at_cleaner()}
    return [_clean_event(item, cleaners) for item in items]


def _clean_event(item, cleaners):
    if type(item) is not dict:
        return None
    event = {}
    for name, clean in cleaners.items():
        if name in item:
            value = clean(item[name])
            if value is None:
                return None
            event[name] = value
    if "kind" not in event or not (event.get("lead") or event.get("email")):
        return None
    return event


def _is_plain_text(value) -> bool:
    """Text that CharField keeps as sent: nothing to trim, no null character, no surrogate."""
    return type(value) is str and value.isprintable() and value.strip() == value


def _clean_lead(value):
    # Not a bool, a float or a numeric string: those are left to the serializer.
    return value if type(value) is int and 1 <= value <= _LARGEST_FAST_LEAD else None


def _clean_email(value):
    if not value or not _is_plain_text(value):
        return None
    try:
        _EVENT_FIELDS["email"].run_validators(value)  # the email check, and any the field gains later
    except serializers.ValidationError:
        return None
    return value


def _clean_kind(value):
    return _KIND_BY_NAME.get(value) if type(value) is str else None


def _occurred_at_cleaner():
    """DateTimeField's reading of an ISO 8601 text, with the current time zone looked up once per batch.

    The look-up alone (a context-local variable) costs more than the rest of an item's checks.
    """
    field = _EVENT_FIELDS["occurred_at"]
    if getattr(field, "input_formats", api_settings.DATETIME_INPUT_FORMATS)[0].lower() != ISO_8601:
        return lambda value: None
    time_zone = field.timezone if hasattr(field, "timezone") else field.default_timezone()

    now = timezone.now()

    def clean(value):
        if type(value) is not str:
            return None
        try:
            parsed = datetime.fromisoformat(value)  # what `parse_datetime` tries first
            if time_zone is not None and parsed.utcoffset() is not None:
                parsed = parsed.astimezone(time_zone)  # what `enforce_timezone` does with an aware time
            else:
                parsed = field.enforce_timezone(parsed)
            return check_event_time(parsed, now)
        except (ValueError, OverflowError, serializers.ValidationError, DjangoValidationError):
            return None

    return clean


def _clean_campaign(value):
    if value == "":
        return ""
    return value if type(value) is str and _SLUG.fullmatch(value) else None


def _clean_properties(value):
    try:
        return _EVENT_CHECKER.validate_properties(_EVENT_FIELDS["properties"].run_validation(value))
    except serializers.ValidationError:
        return None


def _clean_external_id(value):
    if value == "":
        return ""
    fits = _is_plain_text(value) and len(value) <= _EVENT_FIELDS["external_id"].max_length
    return value if fits else None


# In the serializer's field order, so that the dict is the same, key order included.
_EVENT_CLEANERS = {
    "lead": _clean_lead,
    "email": _clean_email,
    "kind": _clean_kind,
    "occurred_at": None,  # per batch: _occurred_at_cleaner
    "campaign": _clean_campaign,
    "properties": _clean_properties,
    "external_id": _clean_external_id,
}


def _check_properties(value):
    try:
        return check_properties(value)
    except DjangoValidationError as exc:
        raise serializers.ValidationError(exc.message_dict["properties"]) from exc


def _check_event_time(value):
    try:
        return check_event_time(value)
    except DjangoValidationError as exc:
        raise serializers.ValidationError(exc.message_dict["occurred_at"]) from exc


class EventErrorSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="Position of the refused item in the request (0 for a single event).")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), help_text="Messages by field."
    )


class EventBatchResultSerializer(serializers.Serializer):
    stored = serializers.IntegerField(help_text="Events stored.")
    duplicates = serializers.IntegerField(help_text="Events ignored because their external_id was already stored.")
    failed = serializers.IntegerField(help_text="Items refused; see errors.")
    errors = EventErrorSerializer(many=True)


def validate_events(items: list) -> tuple[list[dict], list[dict]]:
    """The items of an event batch that are valid (each with its `index`), and the errors of the others.

    The common shapes are validated by `clean_events`; the rest by one serializer for the whole batch:
    building one per item deep-copies its fields every time, which cost more than storing the events. A
    refused item is validated again on its own serializer, for exactly the messages `errors` gives."""
    valid, errors = [], []
    checker = None
    for index, (item, event) in enumerate(zip(items, clean_events(items), strict=True)):
        try:
            if event is None:
                checker = checker or EventSerializer()
                event = checker.run_validation(item)
            valid.append({"index": index, **event})
        except serializers.ValidationError:
            serializer = EventSerializer(data=item)
            serializer.is_valid()
            errors.append({"index": index, "errors": serializer.errors})
    return valid, errors
