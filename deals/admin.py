from django.contrib import admin

from deals.models import Activity, Deal, DealStageChange, Pipeline, Stage


class StageInline(admin.TabularInline):
    model = Stage
    extra = 0
    fields = ["name", "order", "probability", "kind"]
    ordering = ["order"]


@admin.register(Pipeline)
class PipelineAdmin(admin.ModelAdmin):
    list_display = ["name", "is_default", "rotting_days"]
    inlines = [StageInline]


class DealStageChangeInline(admin.TabularInline):
    model = DealStageChange
    extra = 0
    fields = ["from_name", "to_name", "by", "at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Deal)
class DealAdmin(admin.ModelAdmin):
    list_display = ["title", "company", "amount", "stage", "owner", "expected_close_date", "closed_at"]
    list_filter = ["stage", "owner", "lost_reason"]
    search_fields = ["title", "company", "contact_name", "contact_email"]
    list_select_related = ["stage", "owner"]
    raw_id_fields = ["lead", "source_campaign"]
    readonly_fields = ["created_at", "updated_at", "stage_changed_at", "last_activity_at", "closed_at"]
    inlines = [DealStageChangeInline]

    def get_readonly_fields(self, request, obj=None):
        # Stage moves go through move_deal (history, closed_at, the lead's stage), i.e. the board or the API.
        return [*self.readonly_fields, "stage"] if obj else self.readonly_fields


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ["subject", "kind", "deal", "by", "at"]
    list_filter = ["kind"]
    search_fields = ["subject", "deal__title"]
    list_select_related = ["deal", "by"]
    raw_id_fields = ["deal"]
