"""The email API's shapes: templates (read and written), an email to send, and the queued email it answers."""

from rest_framework import serializers

from crm.relations import LimitedRelationsSerializer
from outreach import rendering
from outreach.models import Email, EmailTemplate
from outreach.selectors import templates_usable_by


class EmailTemplateSerializer(serializers.ModelSerializer):
    """A template with merge fields. `approved` and `kind` are marketing's: a rep's own stay unapproved, sales."""

    class Meta:
        model = EmailTemplate
        fields = ["id", "name", "purpose", "kind", "subject", "body", "approved", "owner", "created_at", "updated_at"]
        read_only_fields = ["owner", "created_at", "updated_at"]
        extra_kwargs = {name: {"validators": [rendering.validate_merge_fields]} for name in ("subject", "body")}


class EmailSendSerializer(LimitedRelationsSerializer, serializers.Serializer):
    """What to send: a template (its subject and body), or a `subject` and `body`; either may be given with a
    template to replace its own. Merge fields are filled in for the lead."""

    template = serializers.PrimaryKeyRelatedField(
        queryset=EmailTemplate.objects.none(),
        required=False,
        allow_null=True,
        help_text="An approved template, or one of your own.",
    )
    subject = serializers.CharField(max_length=200, required=False, validators=[rendering.validate_merge_fields])
    body = serializers.CharField(max_length=20_000, required=False, validators=[rendering.validate_merge_fields])

    def relation_choices(self, user):
        return {"template": templates_usable_by(user)}

    def validate(self, data):
        template = data.get("template")
        data.setdefault("subject", template.subject if template else "")
        data.setdefault("body", template.body if template else "")
        missing = {name: ["Give a template, or this field."] for name in ("subject", "body") if not data[name]}
        if missing:
            raise serializers.ValidationError(missing)
        return data


class EmailSerializer(serializers.ModelSerializer):
    """An email from Relay: what was sent (merge fields filled in) and where it stands."""

    class Meta:
        model = Email
        fields = [
            "id",
            "lead",
            "deal",
            "company",
            "template",
            "kind",
            "sender",
            "to_address",
            "subject",
            "body",
            "status",
            "attempts",
            "error",
            "queued_at",
            "sent_at",
            "opened_at",
            "clicked_at",
        ]
        read_only_fields = fields
