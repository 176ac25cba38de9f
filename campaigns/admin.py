from django.contrib import admin

from campaigns.models import Campaign, CampaignDailyStat
from crm.bounds import DateHierarchyInRange


class CampaignDailyStatInline(admin.TabularInline):
    model = CampaignDailyStat
    extra = 0
    ordering = ["-date"]
    fields = ["date", "impressions", "clicks", "spend"]


@admin.register(Campaign)
class CampaignAdmin(DateHierarchyInRange, admin.ModelAdmin):
    list_display = [
        "name",
        "channel",
        "objective",
        "status",
        "start_date",
        "end_date",
        "budget",
        "owner",
        "archived_at",
    ]
    list_filter = ["channel", "status", "objective", ("archived_at", admin.EmptyFieldListFilter), "owner"]
    search_fields = ["name", "slug", "utm_campaign"]
    prepopulated_fields = {"slug": ["name"]}
    date_hierarchy = "start_date"
    list_select_related = ["owner"]
    raw_id_fields = ["owner"]
    inlines = [CampaignDailyStatInline]


@admin.register(CampaignDailyStat)
class CampaignDailyStatAdmin(DateHierarchyInRange, admin.ModelAdmin):
    list_display = ["campaign", "date", "impressions", "clicks", "spend"]
    list_filter = ["campaign__channel"]
    search_fields = ["campaign__name"]
    date_hierarchy = "date"
    list_select_related = ["campaign"]
    raw_id_fields = ["campaign"]
