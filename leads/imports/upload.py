"""Import of leads from a CSV or an Excel workbook, steps 1 and 2: the upload (its encoding and header read,
its columns guessed) and the mapping chosen in the browser, which queues the import (`leads.imports.run`)."""

import codecs
import csv
import hashlib
import io
import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from campaigns.models import Campaign
from leads.imports.files import ImportFileError, is_workbook, workbook_headers
from leads.models import LeadImport, field_label

__all__ = ["ImportFileError"]  # also where the views and tests find it

SNIFF_BYTES = 64 * 1024

# Fields a CSV column can fill, with the header spellings that map to each (compared without case,
# spaces, dashes and underscores).
IMPORT_FIELDS = {
    "email": ("email", "emailaddress", "mail", "e-mail", "workemail"),
    "first_name": ("firstname", "first", "givenname", "forename", "prenom"),
    "last_name": ("lastname", "last", "surname", "familyname", "nom"),
    "company": ("company", "companyname", "organization", "organisation", "account", "employer"),
    "company_domain": ("companydomain", "domain", "website", "companywebsite", "web", "url", "companyurl"),
    "job_title": ("jobtitle", "title", "position", "role"),
    "phone": ("phone", "phonenumber", "telephone", "tel", "mobile"),
    "country": ("country", "countrycode", "nation"),
    "industry": ("industry", "sector", "vertical"),
    "company_size": ("companysize", "size", "employees", "headcount", "sizeband", "numberofemployees"),
    "campaign": ("campaign", "campaignslug", "utmcampaign", "source campaign"),
}
# In IMPORT_FIELDS' order (the mapping page's choices): the lead's own labels, and the campaign's by slug.
FIELD_LABELS = {
    **{name: field_label(name) for name in IMPORT_FIELDS if name not in ("campaign", "company_domain")},
    "company_domain": "Company domain (acme.com)",
    "campaign": "Campaign (slug)",
}


def _squash(header: str) -> str:
    return re.sub(r"[\s_\-.]+", "", header.strip().lower())


def guess_mapping(headers: list[str]) -> dict[str, str]:
    """Column index (as a string) → field, from the header names; each field is used at most once."""
    mapping, used = {}, set()
    for index, header in enumerate(headers):
        squashed = _squash(header)
        for field_name, spellings in IMPORT_FIELDS.items():
            if field_name not in used and squashed in {_squash(s) for s in spellings}:
                mapping[str(index)] = field_name
                used.add(field_name)
                break
    return mapping


NOT_TEXT = (
    "This is neither a CSV text file nor an Excel workbook (.xlsx): it contains binary data (an old .xls "
    "spreadsheet, an archive or UTF-16 text?). Save it as “CSV UTF-8” or as an Excel workbook and upload it again."
)


def detect_encoding(head: bytes) -> str:
    """UTF-8 with or without a byte-order mark; anything else is refused with a message saying what to do."""
    if b"\x00" in head:  # valid UTF-8, but no spreadsheet writes NUL into a CSV
        raise ImportFileError(NOT_TEXT)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        # The chunk may end inside a multi-byte character: let the incremental decoder wait for the rest.
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            f"This file is not UTF-8 text (unexpected byte 0x{head[exc.start]:02x} at position {exc.start}). "
            "Save it as “CSV UTF-8” and upload it again."
        ) from exc
    return "utf-8"


def read_headers(uploaded) -> tuple[str, list[str]]:
    """The encoding and header row of an uploaded file, read from its first bytes only (a workbook's
    encoding is "", its header its first sheet's first row)."""
    uploaded.seek(0)
    head = uploaded.read(SNIFF_BYTES)
    uploaded.seek(0)
    if not head.strip():
        raise ImportFileError("The file is empty.")
    if is_workbook(uploaded.name, head):
        return "", _named_columns(workbook_headers(uploaded))
    encoding = detect_encoding(head)  # refuses binary files: PostgreSQL cannot even store their NUL bytes
    text = head.decode(encoding, errors="ignore")
    # newline="": a line may end in \r alone (old spreadsheets), which the csv module reads only this way.
    first_line = next(csv.reader(io.StringIO(text, newline="")), [])
    return encoding, _named_columns([header.strip() for header in first_line])


def _named_columns(headers: list[str]) -> list[str]:
    if not any(headers):
        raise ImportFileError("The first line must name the columns (for example: email, first name, company).")
    return headers


def stored_name(name: str, *, workbook: bool = False) -> str:
    """The name an upload is stored under: made from the one it came with (kept whole in `original_name`
    for the pages), short and ending in .csv (.xlsx for a workbook, which is how the import knows it), so
    that its path fits the file column. The storage cuts a long name before its extension, and refused one
    whose "extension" was long ("Leads from Dr. Smith's booth in São Paulo, three days": a 400 for a good
    file)."""
    root = re.sub(r"\.(csv|xlsx)$", "", name, flags=re.IGNORECASE)
    return f"{slugify(root, allow_unicode=True)[:60] or 'import'}.{'xlsx' if workbook else 'csv'}"


@transaction.atomic
def start_import(*, uploaded, by, campaign: Campaign | None = None) -> LeadImport:
    """Store an uploaded CSV or workbook and read its header, ready for the mapping page (nothing is imported
    yet)."""
    encoding, headers = read_headers(uploaded)
    workbook = not encoding
    digest = hashlib.sha256()
    for chunk in uploaded.chunks():
        if b"\x00" in chunk and not workbook:
            raise ImportFileError(NOT_TEXT)
        digest.update(chunk)
    uploaded.seek(0)
    lead_import = LeadImport(
        checksum=digest.hexdigest(),
        original_name=uploaded.name[:255],
        encoding=encoding,
        headers=headers,
        mapping=guess_mapping(headers),
        campaign=campaign,
        created_by=by,
    )
    lead_import.file.save(stored_name(uploaded.name, workbook=workbook), uploaded, save=False)
    lead_import.save()
    return lead_import


def check_mapping(headers: list[str], mapping: dict[str, str]) -> None:
    """A mapping must send one column to email and no two columns to the same field."""
    targets = [target for target in mapping.values() if target]
    if "email" not in targets:
        raise ValidationError("Choose the column that holds the email address: it is required to import leads.")
    twice = sorted({FIELD_LABELS[t] for t in targets if targets.count(t) > 1})
    if twice:
        raise ValidationError(f"Each field can come from one column only: {', '.join(twice)}.")
    unknown = {t for t in targets if t not in IMPORT_FIELDS} | {k for k in mapping if int(k) >= len(headers)}
    if unknown:
        raise ValidationError(f"Unknown mapping: {', '.join(sorted(unknown))}.")


@transaction.atomic
def queue_import(*, lead_import: LeadImport, mapping: dict[str, str], campaign: Campaign | None) -> LeadImport:
    """Save the mapping chosen in the browser and enqueue the import task once the transaction commits."""
    from leads.tasks import import_leads

    check_mapping(lead_import.headers, mapping)
    lead_import.mapping = {index: target for index, target in mapping.items() if target}
    lead_import.campaign = campaign
    lead_import.status = LeadImport.Status.QUEUED
    lead_import.progressed_at = timezone.now()  # a lost message counts as a stall from here
    lead_import.save(update_fields=["mapping", "campaign", "status", "progressed_at"])
    transaction.on_commit(lambda: import_leads.delay(lead_import.pk), robust=True)
    return lead_import
