"""Link every lead that has no company yet, set-based: what a database that had leads before companies needs
once (migration 0022), and what `manage.py link_companies` runs again safely at any time.

A million leads share far fewer email domains, so the domains are read once (grouped, in SQL), each turned
into its company in Python by `companies.services.companies_for` (the one linker every door uses: public
suffix list, personal domains, creation of the missing companies), in chunks; the leads then take their
company in one UPDATE per step through a temporary table keyed by the email's domain part (`email_key` is
the normalised address). Leads whose domain names no company (free mail, disposable, not a domain) are
linked the same way by their typed company name, else left unlinked and counted with the reason.
"""

from collections import Counter
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Count, Max, Value
from django.db.models.functions import StrIndex, Substr

from companies.domains import email_domain
from companies.models import Company
from companies.services import CompanyHint, companies_for, hint_keys, mark_rollups_due
from crm.bulk_insert import insert_rows
from leads.models import Lead

CHUNK = 2000
MAP_TABLE = "relay_company_link_map"


@dataclass
class LinkReport:
    """What `link_all_leads` did; `unlinked` counts the leads left without a company, by reason."""

    companies_created: int = 0
    linked_by_domain: int = 0
    linked_by_name: int = 0
    unlinked: Counter = field(default_factory=Counter)

    def lines(self) -> list[str]:
        reasons = ", ".join(f"{reason}: {count:,}" for reason, count in sorted(self.unlinked.items())) or "none"
        return [
            f"Companies created: {self.companies_created:,}",
            f"Leads linked by email domain: {self.linked_by_domain:,}",
            f"Leads linked by company name: {self.linked_by_name:,}",
            f"Leads left without a company: {sum(self.unlinked.values()):,} ({reasons})",
        ]


def _email_domain_part():
    return Substr("email_key", StrIndex("email_key", Value("@")) + 1)


@transaction.atomic
def link_all_leads() -> LinkReport:
    """Give every lead without a company the company of its email's domain (personal domains excluded), else
    of its typed company name; returns the counts. Re-run safe: a linked lead is never touched again."""
    report = LinkReport()
    companies_before = Company.objects.count()
    unlinked = Lead.objects.filter(account__isnull=True).order_by()
    by_domain = list(
        unlinked.annotate(domain=_email_domain_part())
        .values("domain")
        .annotate(name=Max("company"), leads=Count("id"))
        .values_list("domain", "name", "leads")
    )
    domain_map, reasons = {}, {}
    for chunk in _chunks(by_domain):
        hints = [CompanyHint(email=f"x@{domain}", name=name or "") for domain, name, _ in chunk]
        # Only the domains that name a company: the typed name then only names a new company.
        keys = hint_keys(hints)
        usable = [(row[0], hint) for row, hint, (key, _) in zip(chunk, hints, keys, strict=True) if key]
        for (domain, _hint), company in zip(usable, companies_for([hint for _, hint in usable]), strict=True):
            domain_map[domain] = company.pk
        for (domain, _name, _leads), (key, _) in zip(chunk, keys, strict=True):
            if not key:
                reasons[domain] = "personal email domain" if email_domain(f"x@{domain}") else "unusable email domain"
    report.linked_by_domain = _link(unlinked, "email_key", domain_map, by_domain_part=True)

    names = list(unlinked.exclude(company="").values_list("company", flat=True).distinct())
    name_map = {}
    for chunk in _chunks(names):
        for name, company in zip(chunk, companies_for([CompanyHint(name=name) for name in chunk]), strict=True):
            if company is not None:
                name_map[name] = company.pk
    report.linked_by_name = _link(unlinked, "company", name_map)

    left = unlinked.annotate(domain=_email_domain_part()).values("domain").annotate(leads=Count("id"))
    for row in left.values_list("domain", "leads"):
        report.unlinked[reasons.get(row[0], "other")] += row[1]
    report.companies_created = Company.objects.count() - companies_before
    return report


def _chunks(items: list, size: int = CHUNK):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _link(unlinked, column: str, mapping: dict[str, int], *, by_domain_part: bool = False) -> int:
    """Set `account` on the unlinked leads whose `column` (its domain part) is a key of `mapping`, in one
    UPDATE through a temporary table; marks the companies' roll-ups due. Returns the leads linked."""
    if not mapping:
        return 0
    quote = connection.ops.quote_name
    table, column = quote(Lead._meta.db_table), quote(column)
    if by_domain_part:
        find = "strpos" if connection.vendor == "postgresql" else "instr"
        column = f"substr({table}.{column}, {find}({table}.{column}, '@') + 1)"
    else:
        column = f"{table}.{column}"
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {MAP_TABLE}")  # noqa: S608 - no user input
        cursor.execute(f"CREATE TEMPORARY TABLE {MAP_TABLE} (key varchar(400) PRIMARY KEY, company_id bigint)")
        insert_rows(MAP_TABLE, ["key", "company_id"], mapping.items())
        if connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {MAP_TABLE}")
        cursor.execute(
            f"UPDATE {table} SET account_id = (SELECT m.company_id FROM {MAP_TABLE} m WHERE m.key = {column}) "  # noqa: S608
            f"WHERE {table}.account_id IS NULL AND {column} IN (SELECT key FROM {MAP_TABLE})"
        )
        linked = cursor.rowcount
        cursor.execute(f"DROP TABLE {MAP_TABLE}")
    mark_rollups_due(set(mapping.values()))
    return linked
