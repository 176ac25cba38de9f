from django.contrib import admin

from companies.models import ROLLUP_FIELDS, Company, CompanyDomain, CompanyFitRule, CompanyMerge, PersonalEmailDomain


class CompanyDomainInline(admin.TabularInline):
    model = CompanyDomain
    extra = 0


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ["name", "industry", "size_band", "country", "owner", "people_count", "account_score"]
    list_filter = ["size_band", "owner"]
    search_fields = ["name", "domains__domain"]
    list_select_related = ["owner"]
    raw_id_fields = ["owner"]
    readonly_fields = ROLLUP_FIELDS
    inlines = [CompanyDomainInline]


@admin.register(PersonalEmailDomain)
class PersonalEmailDomainAdmin(admin.ModelAdmin):
    list_display = ["domain", "kind", "added_by", "added_at"]
    list_filter = ["kind"]
    search_fields = ["domain"]
    raw_id_fields = ["added_by"]


@admin.register(CompanyMerge)
class CompanyMergeAdmin(admin.ModelAdmin):
    list_display = ["merged_name", "into", "by", "at"]
    raw_id_fields = ["into", "by"]


admin.site.register(CompanyFitRule)
