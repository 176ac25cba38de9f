"""Import of leads from a CSV or an Excel workbook, step 3: a streamed, set-based merge run by a Celery task
(steps 1 and 2: `upload`; reading the file: `files`).

The file is read twice, never held in memory: once to count its rows (and prove it decodes), then in
batches of BATCH_SIZE rows, each merged in a handful of queries (find the existing emails, insert the new
leads already stamped for scoring, bulk_update the merged ones, insert the events skipping those already
stored, stamp the known leads that changed). The merge rules are those of
`capture_lead`. Each row's import event carries an external id made of the file's checksum and the
email, so importing the same file again adds no lead and no event. Rows that cannot be imported are
written, with their line number, reason and original cells, to an errors CSV the user downloads. Each lead
the import created or merged a row into points to it (`Lead.lead_import`), for "See the imported leads".

Each batch commits with its counts (created, merged, failed, and the records it covered) on the LeadImport
row, once: a task redelivered after its worker was killed, or sent again by beat's sweep of stalled work
(`resume_stalled_imports`), goes on after the last committed batch, and the summary counts every row once,
as if nothing had happened.
"""

import hashlib
import io
import itertools
import json
import tempfile
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.validators import validate_email
from django.db import IntegrityError, connection, reset_queries, transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from campaigns.models import Campaign
from companies.domains import MAX_DOMAIN_LENGTH
from companies.services import CompanyHint, companies_for, mark_rollups_due
from crm.bulk_insert import insert_objects, instance_builder
from crm.csv import SafeWriter
from leads.imports import files
from leads.imports.files import ImportFileError, Record
from leads.imports.upload import FIELD_LABELS, check_mapping
from leads.models import (
    CONTACT_FIELDS,
    CaptureSource,
    CompanySize,
    EventKind,
    Lead,
    LeadImport,
    LifecycleStage,
    email_key,
)
from leads.scoring.queue import request_scores
from leads.services import stalled
from leads.services.capture import COMPANY_SIZES, clean_contact, merge_contact, touch
from leads.services.events import store_events

BATCH_SIZE = 1000
MAX_LENGTHS = {name: Lead._meta.get_field(name).max_length for name in ("email", *CONTACT_FIELDS)}


@dataclass
class Row:
    line: int
    email: str
    key: str
    contact: dict
    campaign_slug: str
    campaign: Campaign | None = None
    company_domain: str = ""


def count_rows(lead_import: LeadImport) -> int:
    """Records after the header; reading the whole file here means a bad byte (or a damaged workbook) stops
    the import before it writes."""
    try:
        with files.records(lead_import) as found:
            return sum(1 for _record in found)
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            "This file is not UTF-8 text: part of it cannot be read as UTF-8. Save it as “CSV UTF-8” and upload "
            "it again; nothing was imported."
        ) from exc


def parse_row(line: int, cells: list[str], width: int, mapping: dict[int, str]) -> Row:
    """One CSV record → a Row, or ValidationError with the reason the row is refused."""
    if len(cells) != width:
        raise ValidationError(f"Expected {width} columns, found {len(cells)}.")
    values = {target: cells[index].strip() for index, target in mapping.items()}
    if any("\x00" in value for value in values.values()):
        # PostgreSQL cannot store it in a text column: refused here, the row cannot stop the whole import.
        raise ValidationError("The row contains a NUL character; is this a binary file saved as .csv?")
    email = values.get("email", "")
    if not email:
        raise ValidationError("Email is empty.")
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ValidationError(f"Invalid email: {email}.") from exc
    contact = clean_contact(values)
    problems = [
        f"{FIELD_LABELS[name]} is longer than {MAX_LENGTHS[name]} characters."
        for name, value in [("email", email), *contact.items()]
        if len(value) > MAX_LENGTHS[name]
    ]
    if contact["company_size"] and contact["company_size"] not in COMPANY_SIZES:
        problems.append(f"Company size {contact['company_size']!r} is not one of {', '.join(CompanySize.values)}.")
    company_domain = values.get("company_domain", "")
    if len(company_domain) > MAX_DOMAIN_LENGTH:
        problems.append(f"{FIELD_LABELS['company_domain']} is longer than {MAX_DOMAIN_LENGTH} characters.")
    if problems:
        raise ValidationError(" ".join(problems))
    return Row(
        line=line,
        email=email,
        key=email_key(email),
        contact=contact,
        campaign_slug=values.get("campaign", ""),
        company_domain=company_domain,
    )


@dataclass
class Batch:
    """Consecutive records of the file, parsed: the rows to merge (folded by email) and the refused ones."""

    size: int
    folded: dict[str, list[Row]]
    errors: list[tuple[int, str, list[str]]]  # (line, reason, the row's cells)


class LostBatch(Exception):
    """Another run of the same import committed this batch first (see `ImportRun.commit`)."""


class ImportRun:
    """One run of an import: the campaigns seen, the errors CSV being written and how far the import got.

    The summary is the LeadImport row's, never this run's: each batch adds its counters to it in the
    transaction that writes its leads, so a run killed at any point leaves counters that match the leads it
    committed, and the run that picks the task up again goes on from there.
    """

    def __init__(self, lead_import: LeadImport):
        self.lead_import = lead_import
        self.mapping = {int(index): target for index, target in lead_import.mapping.items()}
        self.width = len(lead_import.headers)
        self.campaigns: dict[str, Campaign | None] = {}
        self.default_campaign = lead_import.campaign
        self.checksum = lead_import.checksum or self._checksum()
        # Records (non-blank lines after the header) of the file committed by this run or an earlier one.
        self.committed = lead_import.processed
        # Bad rows go to a temporary file, not memory: a file may have a million of them.
        self.errors = tempfile.TemporaryFile("w+b")  # noqa: SIM115 - closed by save_errors()
        self.errors_text = io.TextIOWrapper(self.errors, encoding="utf-8", newline="")
        self.error_writer = SafeWriter(self.errors_text)
        self.error_writer.writerow(["line", "reason", *lead_import.headers])
        self.errors_written = 0
        self.now = timezone.now()
        # A new lead's import event is its newest event.
        self.new_lead = instance_builder(
            Lead,
            source=CaptureSource.IMPORT,
            stage=LifecycleStage.LEAD,
            lead_at=self.now,
            created_at=self.now,
            last_event_at=self.now,
        )
        self.event_properties = json.dumps(
            {"source": CaptureSource.IMPORT.value, "file": lead_import.original_name[:100]}
        )

    def _checksum(self) -> str:
        digest = hashlib.sha256()
        with self.lead_import.file.open("rb") as binary:
            for chunk in iter(lambda: binary.read(1024 * 1024), b""):
                digest.update(chunk)
        return digest.hexdigest()

    def campaign_for(self, slugs: set[str]) -> None:
        missing = slugs - self.campaigns.keys()
        if missing:
            found = {c.slug: c for c in Campaign.objects.filter(slug__in=missing)}
            self.campaigns.update({slug: found.get(slug) for slug in missing})

    def event_id(self, key: str) -> str:
        return "import:" + hashlib.sha1(f"{self.checksum}:{key}".encode(), usedforsecurity=False).hexdigest()

    def take(self, records: list[Record], start: int) -> None:
        """Import `records`, the file's records from number `start` on, as one batch; those that a run of this
        import already committed (a run killed midway, or one still running beside this one) are not written
        again, only their errors, so that the errors CSV lists every refused row once."""
        end = start + len(records)
        while start < end:
            if self.committed > start:
                done = min(self.committed, end) - start
                self.write_errors(self.parse(records[:done]).errors)
                records, start = records[done:], start + done
            elif self.commit(self.parse(records), start):
                return
            else:
                self.committed = LeadImport.objects.values_list("processed", flat=True).get(pk=self.lead_import.pk)

    def parse(self, records: list[Record]) -> Batch:
        """Parse records into the rows to merge, folded by email, and the refused rows with their reasons."""
        rows, errors = [], []
        for line, cells, problem in records:
            if problem:
                errors.append((line, problem, []))
                continue
            try:
                rows.append(parse_row(line, cells, self.width, self.mapping))
            except ValidationError as exc:
                errors.append((line, " ".join(exc.messages), cells))
        self.campaign_for({row.campaign_slug for row in rows if row.campaign_slug})
        # Rows of the same email within the batch fold into one, in file order (later values win).
        folded: dict[str, list[Row]] = {}
        for row in rows:
            campaign = self.campaigns.get(row.campaign_slug) if row.campaign_slug else self.default_campaign
            if row.campaign_slug and campaign is None:
                cells = next(cells for line, cells, _problem in records if line == row.line)
                errors.append((row.line, f"Unknown campaign {row.campaign_slug!r}.", cells))
                continue
            row.campaign = campaign
            folded.setdefault(row.key, []).append(row)
        return Batch(size=len(records), folded=folded, errors=sorted(errors))

    def commit(self, batch: Batch, start: int) -> bool:
        """Merge a batch into the leads table in a handful of queries, and add its counts to the import's, in
        one transaction; False, with nothing written, when another run committed records from `start` first.

        The batch first moves the import's position from `start` to its end (a row lock until it commits): a
        run that tries the same batch meanwhile waits, then finds the position moved and writes nothing.
        """
        imports = LeadImport.objects.filter(pk=self.lead_import.pk)
        end = start + batch.size
        for attempt in range(2):
            try:
                with transaction.atomic():
                    if not imports.filter(processed=start).update(processed=end, **stalled.moved()):
                        raise LostBatch
                    created, merged = self._write(batch.folded) if batch.folded else (0, 0)
                    Lead.objects.with_email_keys(batch.folded).update(lead_import=self.lead_import)
                    imports.update(
                        created=F("created") + created,
                        merged=F("merged") + merged,
                        failed=F("failed") + len(batch.errors),
                    )
                break
            except LostBatch:
                return False
            except IntegrityError:
                # A lead of this batch was captured by another door meanwhile: look the emails up again.
                if attempt:
                    raise
        self.committed = end
        self.write_errors(batch.errors)
        return True

    def _write(self, folded: dict[str, list[Row]]) -> tuple[int, int]:
        existing = {lead.email_key: lead for lead in Lead.objects.with_email_keys(folded)}
        new_leads, changed_leads, changed_fields = [], [], set()
        for key, rows in folded.items():
            lead = existing.get(key)
            is_new = lead is None
            if is_new:
                lead = self.new_lead(email=rows[0].email, email_key=key)
            fields = set()
            for row in rows:
                fields.update(merge_contact(lead, row.contact))
                fields.update(touch(lead, row.campaign, self.now))
            if is_new:
                new_leads.append(lead)
            elif fields:
                changed_leads.append(lead)
                changed_fields |= fields
        relinked = self._link_companies(folded, existing, new_leads)
        if relinked:
            known = {lead.pk for lead in changed_leads}
            changed_leads += [lead for lead in relinked if lead.pk not in known]
            changed_fields.add("account")
        insert_objects(new_leads)
        if changed_leads:
            for lead in changed_leads:
                lead.updated_at = self.now
            Lead.objects.bulk_update(changed_leads, [*sorted(changed_fields), "updated_at"], batch_size=BATCH_SIZE)
        leads = {**existing, **{lead.email_key: lead for lead in new_leads}}
        adapt_time = connection.ops.adapt_datetimefield_value
        now, properties = adapt_time(self.now), self.event_properties
        events = [
            (
                leads[key].pk,
                EventKind.OTHER,
                rows[-1].campaign and rows[-1].campaign.pk,
                now,
                properties,
                self.event_id(key),
                now,
            )
            for key, rows in folded.items()
        ]
        # The import event of a row already imported (the same file again) is skipped by the unique index.
        # Leads with a new event are queued for scoring with it (which also moves a known lead's
        # last_event_at to its import event); so are the others that are new or changed.
        with_event = set(store_events(events).lead_ids)
        request_scores(({lead.pk for lead in changed_leads} | {lead.pk for lead in new_leads}) - with_event)
        rows_merged = sum(len(rows) for rows in folded.values()) - len(new_leads)
        return len(new_leads), rows_merged

    def _link_companies(self, folded: dict[str, list[Row]], existing: dict[str, Lead], new_leads: list[Lead]):
        """Give the batch's leads their companies in one `companies_for` call: new leads and known ones without a
        company by their company domain, email domain or typed company; a known lead with a company moves only
        when its row names a company domain. Returns the known leads whose company changed."""
        domains = {
            key: next((r.company_domain for r in reversed(rows) if r.company_domain), "")
            for key, rows in folded.items()
        }
        linking = [*new_leads, *(lead for key, lead in existing.items() if lead.account_id is None or domains[key])]
        hints = [CompanyHint.of(lead, domain=domains[lead.email_key]) for lead in linking]
        relinked, due = [], set()
        for lead, company in zip(linking, companies_for(hints), strict=True):
            if company is None or company.pk == lead.account_id:
                continue
            due |= {lead.account_id, company.pk}
            lead.account = company
            if lead.pk is not None:
                relinked.append(lead)
        mark_rollups_due(due)
        return relinked

    def write_errors(self, errors: list[tuple[int, str, list[str]]]) -> None:
        self.error_writer.writerows([line, reason, *cells] for line, reason, cells in errors)
        self.errors_written += len(errors)

    def save_errors(self) -> str:
        """Store the errors CSV (when a row failed) and return its name in the storage."""
        self.errors_text.flush()
        if self.errors_written:
            self.errors.seek(0)
            self.lead_import.errors_file.save(f"import-{self.lead_import.pk}-errors.csv", File(self.errors), save=False)
        self.errors_text.close()
        return self.lead_import.errors_file.name or ""


def run_import(import_id: int) -> LeadImport:
    """Import the rows of a queued LeadImport; safe to run again, even beside a run still going.

    A run after a crash (a redelivered task: its worker was killed) goes on after the last committed batch,
    so the summary counts each row once, as the run that was not interrupted would have. The counts and the
    position reached are written with each batch, for the page that polls them.
    """
    imports = LeadImport.objects.filter(pk=import_id)
    lead_import = imports.get()
    if lead_import.status == LeadImport.Status.DONE or lead_import.attempts >= stalled.MAX_STARTS:
        return lead_import  # done, or given up (`resume_stalled_imports`)
    try:
        check_mapping(lead_import.headers, lead_import.mapping)
        total = count_rows(lead_import)
    except (ImportFileError, ValidationError) as exc:
        message = exc.messages[0] if isinstance(exc, ValidationError) else str(exc)
        imports.update(status=LeadImport.Status.FAILED, error=message, finished_at=timezone.now())
        lead_import.refresh_from_db()
        return lead_import
    not_done = imports.exclude(status=LeadImport.Status.DONE)
    started = stalled.start(
        not_done,
        status=LeadImport.Status.RUNNING,
        total_rows=total,
        started_at=Coalesce("started_at", Value(timezone.now())),
        error="",
        finished_at=None,
    )
    lead_import.refresh_from_db()  # the position a crashed run reached, to go on from
    if not started:
        return lead_import
    run = ImportRun(lead_import)
    try:
        _import_rows(run)
    except Exception as exc:
        # Leave a clear state for the page that polls it; the rows of finished batches stay imported.
        not_done.update(
            status=LeadImport.Status.FAILED,
            error=f"The import stopped after {run.committed:,} rows on an unexpected error ({exc.__class__.__name__}). "
            "Rows already imported are kept; importing the file again continues safely.",
            finished_at=timezone.now(),
            **stalled.ended(),
        )
        raise
    errors_name = run.save_errors()
    finished = not_done.update(status=LeadImport.Status.DONE, errors_file=errors_name, finished_at=timezone.now())
    if not finished and errors_name:
        run.lead_import.errors_file.storage.delete(errors_name)  # a run beside this one finished first
    lead_import.refresh_from_db()
    return lead_import


def _import_rows(run: ImportRun) -> None:
    """Read the file in batches of BATCH_SIZE records (blank lines are not records), the same batches on
    every run of the same file."""
    with files.records(run.lead_import) as found:
        start = 0
        while batch := list(itertools.islice(found, BATCH_SIZE)):
            run.take(batch, start)
            start += len(batch)
            # With DEBUG on, Django keeps the SQL of the last 9,000 queries: not for a million-row import.
            reset_queries()


STALLED_MESSAGE = (
    f"The import stopped {stalled.MAX_STARTS} times without importing another row: the worker running it was "
    "stopped each time (a file too large for its memory, or a worker killed). Rows already imported are kept; "
    "importing the file again continues safely."
)


def resume_stalled_imports() -> tuple[int, int]:
    """Send again each queued or running import that has not moved for STALLED_WORK_MINUTES (its worker died,
    or its message was lost before a worker took it), or mark it failed when its runs kept dying before
    importing another batch; returns (sent again, given up). A run sent again beside one still going is
    safe: `run_import` goes on after the last committed batch and the two never write a batch twice."""
    from leads import tasks  # tasks import this module

    unfinished = LeadImport.objects.filter(status__in=[LeadImport.Status.QUEUED, LeadImport.Status.RUNNING])
    return stalled.resume_stalled(
        unfinished,
        send=lambda pk: tasks.enqueue_now(tasks.import_leads, pk),
        give_up={"status": LeadImport.Status.FAILED, "error": STALLED_MESSAGE, "finished_at": timezone.now()},
    )
