from django.contrib import admin

from leads.models import Lead, LeadEvent, LeadImport, LeadNote, LeadStageChange


class LeadNoteInline(admin.TabularInline):
    model = LeadNote
    extra = 0
    autocomplete_fields = ["author"]


@admin.register(Lead)
class LeadAdmin(admin.ModelAdmin):
    list_display = ["email", "first_name", "last_name", "company", "stage", "score", "owner", "source", "created_at"]
    list_filter = ["stage", "source", "source_channel", "marketing_consent"]
    search_fields = ["email", "first_name", "last_name", "company"]
    list_select_related = ["owner"]
    raw_id_fields = ["owner", "first_touch_campaign", "latest_touch_campaign"]
    readonly_fields = [
        "stage",
        "created_at",
        "updated_at",
        "lead_at",
        "mql_at",
        "sql_at",
        "opportunity_at",
        "customer_at",
    ]
    inlines = [LeadNoteInline]
    # A million rows: no full COUNT(*) on each page of the admin list.
    show_full_result_count = False


@admin.register(LeadEvent)
class LeadEventAdmin(admin.ModelAdmin):
    list_display = ["lead", "kind", "campaign", "occurred_at"]
    list_filter = ["kind"]
    raw_id_fields = ["lead", "campaign"]
    list_select_related = ["lead", "campaign"]
    show_full_result_count = False


@admin.register(LeadStageChange)
class LeadStageChangeAdmin(admin.ModelAdmin):
    """Read-only: stage changes are written by `change_stage` only."""

    list_display = ["lead", "from_stage", "to_stage", "who", "why", "at"]
    list_filter = ["to_stage"]
    list_select_related = ["lead", "by"]

    @admin.display(description="by")
    def who(self, change):
        return change.actor

    @admin.display(description="reason")
    def why(self, change):
        return change.reason_text

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(LeadImport)
class LeadImportAdmin(admin.ModelAdmin):
    list_display = ["original_name", "status", "total_rows", "created", "merged", "failed", "created_by", "created_at"]
    list_filter = ["status"]
    readonly_fields = [f.name for f in LeadImport._meta.fields]
