"""Prepared statements: planned once per database session, run by name, prepared again on a new connection."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from crm.prepared import Prepared

pytestmark = pytest.mark.django_db(transaction=True)

LABELS = Prepared("relay_test_labels", "SELECT %s || ':' || %s", ("text", "text"))
COUNT = Prepared("relay_test_count", "SELECT count(*) FROM unnest(%s)", ("bigint[]",))

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")


def run(statement, params):
    with connection.cursor() as cursor:
        statement.execute(cursor, params)
        return cursor.fetchall()


def prepared_names() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements")
        return {name for (name,) in cursor.fetchall()}


def test_a_statement_gives_what_its_sql_gives():
    assert run(LABELS, ["stage", "mql"]) == [("stage:mql",)]
    assert run(LABELS, ["stage", "sql"]) == [("stage:sql",)]


def test_a_placeholder_without_a_type_is_refused_when_the_statement_is_declared():
    with pytest.raises(ValueError, match="2 placeholders for 1 types"):
        Prepared("relay_test_bad", "SELECT %s, %s", ("text",))


@postgres_only
def test_the_statement_is_prepared_once_per_session_and_the_log_shows_one_query_per_run():
    connection.close()
    with CaptureQueriesContext(connection) as queries:
        run(LABELS, ["a", "b"])
        run(LABELS, ["c", "d"])
    assert [query["sql"] for query in queries] == [
        "EXECUTE relay_test_labels ('a'::text, 'b'::text)",
        "EXECUTE relay_test_labels ('c'::text, 'd'::text)",
    ]
    assert "relay_test_labels" in prepared_names()


@postgres_only
def test_a_new_connection_prepares_again():
    run(LABELS, ["a", "b"])
    connection.close()  # as Django does after CONN_MAX_AGE, or after a broken connection
    assert "relay_test_labels" not in prepared_names()
    assert run(LABELS, ["e", "f"]) == [("e:f",)]


@postgres_only
def test_a_statement_prepared_in_a_rolled_back_transaction_is_still_there():
    connection.close()
    with pytest.raises(RuntimeError), transaction.atomic():
        run(LABELS, ["a", "b"])
        raise RuntimeError("roll back")
    assert run(LABELS, ["g", "h"]) == [("g:h",)]


@postgres_only
def test_an_array_of_nulls_reads_as_the_declared_type():
    # psycopg2 sends [None, None] as ARRAY[NULL,NULL], a text[] unless cast.
    assert run(COUNT, [[None, None]]) == [(2,)]
    assert run(COUNT, [[1, 2, 3]]) == [(3,)]
