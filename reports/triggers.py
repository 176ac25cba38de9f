"""The database triggers that mark the days whose cohort figures changed (see reports.models).

A lead's figures change when one of LEAD_COLUMNS changes, when a deal of the lead is added, removed, moved
or re-priced, when a hand-over of it is made, answered or removed, and when a stage becomes (or stops being)
a won stage. Each of those writes the UTC day of the lead's creation into reports_staleday, in the writer's
own transaction. Triggers rather than application code: bulk updates, COPY and raw SQL are covered too.

PostgreSQL marks inserted and deleted leads once per statement (transition tables, so a COPY of a million
leads writes a few rows, not a million) and updates per row, but only when a column that matters changed
(the WHEN clause is checked before the trigger runs, so rescoring a million leads costs nothing here).
SQLite has row triggers only; there the day is inserted unless it is already marked.
"""

LEAD_COLUMNS = (
    "created_at",
    "first_touch_campaign_id",
    "latest_touch_campaign_id",
    "lead_at",
    "mql_at",
    "sql_at",
    "opportunity_at",
    "customer_at",
    "stage",
    "owner_id",
    "source_channel",
)
DEAL_COLUMNS = ("lead_id", "stage_id", "amount")
HANDOFF_COLUMNS = ("lead_id", "outcome")
STALE = "reports_staleday"


def _changed(columns) -> str:
    return " OR ".join(f"OLD.{column} IS DISTINCT FROM NEW.{column}" for column in columns)


def _sqlite_changed(columns) -> str:
    return " OR ".join(f"OLD.{column} IS NOT NEW.{column}" for column in columns)


def postgresql(lead: str, deal: str, handoff: str, stage: str) -> list[str]:
    utc_day = "(({alias}.created_at AT TIME ZONE 'UTC')::date)"
    lead_days_of = f"SELECT DISTINCT {utc_day.format(alias='l')} FROM {lead} l WHERE l.id IN (%s)"
    return [
        f"""CREATE FUNCTION reports_mark_inserted_leads() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO {STALE} (day) SELECT DISTINCT {utc_day.format(alias="n")} FROM new_leads n;
            RETURN NULL;
        END $$""",
        f"""CREATE FUNCTION reports_mark_deleted_leads() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO {STALE} (day) SELECT DISTINCT {utc_day.format(alias="o")} FROM old_leads o;
            RETURN NULL;
        END $$""",
        f"""CREATE FUNCTION reports_mark_updated_lead() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO {STALE} (day) SELECT DISTINCT d FROM (VALUES
                ({utc_day.format(alias="OLD")}), ({utc_day.format(alias="NEW")})) AS days (d);
            RETURN NULL;
        END $$""",
        # Deals and hand-overs: the day of the lead on either side of the change (OLD is NULL on INSERT).
        f"""CREATE FUNCTION reports_mark_lead_of_row() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            old_lead bigint;
            new_lead bigint;
        BEGIN
            IF TG_OP <> 'INSERT' THEN old_lead := OLD.lead_id; END IF;
            IF TG_OP <> 'DELETE' THEN new_lead := NEW.lead_id; END IF;
            INSERT INTO {STALE} (day) {lead_days_of % "old_lead, new_lead"};
            RETURN NULL;
        END $$""",
        f"""CREATE FUNCTION reports_mark_leads_of_stage() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO {STALE} (day) {lead_days_of % f"SELECT lead_id FROM {deal} WHERE stage_id = NEW.id"};
            RETURN NULL;
        END $$""",
        f"""CREATE TRIGGER reports_lead_insert AFTER INSERT ON {lead}
            REFERENCING NEW TABLE AS new_leads FOR EACH STATEMENT EXECUTE FUNCTION reports_mark_inserted_leads()""",
        f"""CREATE TRIGGER reports_lead_delete AFTER DELETE ON {lead}
            REFERENCING OLD TABLE AS old_leads FOR EACH STATEMENT EXECUTE FUNCTION reports_mark_deleted_leads()""",
        f"""CREATE TRIGGER reports_lead_update AFTER UPDATE ON {lead} FOR EACH ROW
            WHEN ({_changed(LEAD_COLUMNS)}) EXECUTE FUNCTION reports_mark_updated_lead()""",
        f"""CREATE TRIGGER reports_deal_change_insert_delete AFTER INSERT OR DELETE ON {deal} FOR EACH ROW
            EXECUTE FUNCTION reports_mark_lead_of_row()""",
        f"""CREATE TRIGGER reports_deal_change_update AFTER UPDATE ON {deal} FOR EACH ROW
            WHEN ({_changed(DEAL_COLUMNS)}) EXECUTE FUNCTION reports_mark_lead_of_row()""",
        f"""CREATE TRIGGER reports_handoff_change_insert_delete AFTER INSERT OR DELETE ON {handoff} FOR EACH ROW
            EXECUTE FUNCTION reports_mark_lead_of_row()""",
        f"""CREATE TRIGGER reports_handoff_change_update AFTER UPDATE ON {handoff} FOR EACH ROW
            WHEN ({_changed(HANDOFF_COLUMNS)}) EXECUTE FUNCTION reports_mark_lead_of_row()""",
        f"""CREATE TRIGGER reports_stage_kind_change AFTER UPDATE ON {stage} FOR EACH ROW
            WHEN (OLD.kind IS DISTINCT FROM NEW.kind) EXECUTE FUNCTION reports_mark_leads_of_stage()""",
    ]


def sqlite(lead: str, deal: str, handoff: str, stage: str) -> list[str]:
    def mark(day_sql: str) -> str:
        return (
            f"INSERT INTO {STALE} (day) SELECT DISTINCT d FROM (SELECT {day_sql} AS d) "
            f"WHERE d IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {STALE} s WHERE s.day = d);"
        )

    def lead_day(lead_id: str) -> str:
        return f"(SELECT date(created_at) FROM {lead} WHERE id = {lead_id})"

    def lead_of_row(name: str, table: str, columns) -> list[str]:
        return [
            f"CREATE TRIGGER reports_{name}_insert AFTER INSERT ON {table} BEGIN {mark(lead_day('NEW.lead_id'))} END",
            f"CREATE TRIGGER reports_{name}_delete AFTER DELETE ON {table} BEGIN {mark(lead_day('OLD.lead_id'))} END",
            f"CREATE TRIGGER reports_{name}_update AFTER UPDATE ON {table} WHEN {_sqlite_changed(columns)} "
            f"BEGIN {mark(lead_day('OLD.lead_id'))} {mark(lead_day('NEW.lead_id'))} END",
        ]

    stage_days = (
        f"INSERT INTO {STALE} (day) SELECT DISTINCT date(l.created_at) FROM {lead} l JOIN {deal} d ON d.lead_id = l.id "
        f"WHERE d.stage_id = NEW.id AND NOT EXISTS (SELECT 1 FROM {STALE} s WHERE s.day = date(l.created_at));"
    )
    return [
        f"CREATE TRIGGER reports_lead_insert AFTER INSERT ON {lead} BEGIN {mark('date(NEW.created_at)')} END",
        f"CREATE TRIGGER reports_lead_delete AFTER DELETE ON {lead} BEGIN {mark('date(OLD.created_at)')} END",
        f"CREATE TRIGGER reports_lead_update AFTER UPDATE ON {lead} WHEN {_sqlite_changed(LEAD_COLUMNS)} "
        f"BEGIN {mark('date(OLD.created_at)')} {mark('date(NEW.created_at)')} END",
        *lead_of_row("deal_change", deal, DEAL_COLUMNS),
        *lead_of_row("handoff_change", handoff, HANDOFF_COLUMNS),
        f"CREATE TRIGGER reports_stage_kind_change AFTER UPDATE ON {stage} WHEN OLD.kind IS NOT NEW.kind "
        f"BEGIN {stage_days} END",
    ]


def _handoff_table(apps) -> str:
    """The hand-overs' table, from whichever app holds the model in this migration's state (it moved from
    leads to handoff, keeping its table)."""
    for label in ("handoff", "leads"):
        try:
            return apps.get_model(label, "Handoff")._meta.db_table
        except LookupError:
            continue
    raise LookupError("No Handoff model in this migration state.")


def create(apps, schema_editor):
    """Create the triggers, and mark every day that already has leads so the first refresh builds it."""
    tables = [apps.get_model(*name.split("."))._meta.db_table for name in ("leads.Lead", "deals.Deal")]
    tables += [_handoff_table(apps), apps.get_model("deals", "Stage")._meta.db_table]
    vendor = schema_editor.connection.vendor
    statements = postgresql(*tables) if vendor == "postgresql" else sqlite(*tables)
    for statement in statements:
        schema_editor.execute(statement, params=None)
    day = "(created_at AT TIME ZONE 'UTC')::date" if vendor == "postgresql" else "date(created_at)"
    schema_editor.execute(f"INSERT INTO {STALE} (day) SELECT DISTINCT {day} FROM {tables[0]}", params=None)  # noqa: S608


def drop(apps, schema_editor):
    tables = {
        "lead": apps.get_model("leads", "Lead")._meta.db_table,
        "deal": apps.get_model("deals", "Deal")._meta.db_table,
        "handoff": _handoff_table(apps),
        "stage": apps.get_model("deals", "Stage")._meta.db_table,
    }
    if schema_editor.connection.vendor == "postgresql":
        triggers = {
            "reports_lead_insert": "lead",
            "reports_lead_delete": "lead",
            "reports_lead_update": "lead",
            "reports_deal_change_insert_delete": "deal",
            "reports_deal_change_update": "deal",
            "reports_handoff_change_insert_delete": "handoff",
            "reports_handoff_change_update": "handoff",
            "reports_stage_kind_change": "stage",
        }
        for trigger, table in triggers.items():
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {trigger} ON {tables[table]}", params=None)
        for function in (
            "reports_mark_inserted_leads",
            "reports_mark_deleted_leads",
            "reports_mark_updated_lead",
            "reports_mark_lead_of_row",
            "reports_mark_leads_of_stage",
        ):
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {function}()", params=None)
        return
    for name in ("lead_insert", "lead_delete", "lead_update", "stage_kind_change"):
        schema_editor.execute(f"DROP TRIGGER IF EXISTS reports_{name}", params=None)
    for name in ("deal_change", "handoff_change"):
        for operation in ("insert", "delete", "update"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS reports_{name}_{operation}", params=None)
