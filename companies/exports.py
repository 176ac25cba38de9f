"""The company list as CSV or Excel: one list of columns gives the header and every row (`crm.exports`)."""

from operator import attrgetter

from companies.filters import sorted_companies, top_stage_choices
from crm.exports import export_response
from crm.people import display_name

COLUMNS = [
    ("id", attrgetter("pk")),
    ("name", attrgetter("name")),
    ("domains", lambda company: " ".join(domain.domain for domain in company.domains.all())),
    ("other names", lambda company: "; ".join(company.aliases)),
    ("industry", attrgetter("industry")),
    ("size", lambda company: company.get_size_band_display()),
    ("country", attrgetter("country")),
    ("owner", lambda company: display_name(company.owner)),
    ("people", attrgetter("people_count")),
    ("engaged people", attrgetter("engaged_people")),
    ("account score", lambda company: round(company.account_score)),
    ("most advanced stage", attrgetter("top_stage_label")),
    ("open deals", attrgetter("open_deals")),
    ("open pipeline", attrgetter("open_pipeline")),
    ("won revenue", attrgetter("won_revenue")),
    ("created", attrgetter("created_at")),
]


def _labelled(companies):
    labels = dict(top_stage_choices())
    for company in companies:
        company.top_stage_label = labels.get(str(company.top_stage_rank), "")
        yield company


def companies_export(fmt: str, companies, *, sort: str):
    """`companies` (the list's filtered queryset) in the list's order as a CSV or XLSX download, read in
    chunks with their owners and domains (two queries a chunk, whatever the number of rows)."""
    rows = sorted_companies(companies, sort).select_related("owner").prefetch_related("domains")
    return export_response(fmt, "companies", COLUMNS, _labelled(rows.iterator(chunk_size=2000)))
