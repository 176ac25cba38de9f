"""Server-side prepared statements for the few statements the event API runs hundreds of times a second.

PostgreSQL plans a statement each time it receives its text; for the API's short statements (the token
look-up, and the event insert that also checks the events' leads) planning cost the database more CPU
than running them. A `Prepared` statement is sent once per database connection (PREPARE), planned there,
and then run by name (EXECUTE) with only its parameters.

A prepared statement lives as long as its database session, whatever happens to the transaction that
prepared it, so each connection is tracked by identity: a new connection (Django reconnects after
CONN_MAX_AGE, or after an error) prepares again. This needs session-level connections: a pooler in
transaction mode (e.g. PgBouncer's default) would hand the session's statements to another client.
On other databases the statement runs as plain SQL; SQLite caches its own compiled statements.
"""

import re
from dataclasses import dataclass
from functools import cached_property

_PLACEHOLDER = re.compile(r"%s")


@dataclass(frozen=True)
class Prepared:
    """`sql` with `%s` placeholders, one per entry of `types` (PostgreSQL type names, e.g. "bigint[]").

    Use `Prepared(...).execute(cursor, params)` in place of `cursor.execute(sql, params)`.
    """

    name: str
    sql: str
    types: tuple[str, ...]

    def __post_init__(self):
        count = len(_PLACEHOLDER.findall(self.sql))
        if count != len(self.types):
            raise ValueError(f"{self.name}: {count} placeholders for {len(self.types)} types")

    @cached_property
    def prepare_sql(self) -> str:
        numbered = iter(range(1, len(self.types) + 1))
        body = _PLACEHOLDER.sub(lambda match: f"${next(numbered)}", self.sql)
        return f"PREPARE {self.name} ({', '.join(self.types)}) AS {body}"

    @cached_property
    def execute_sql(self) -> str:
        # Explicit casts: psycopg2 sends a list as ARRAY[...], which PostgreSQL types as text[] when every
        # element is NULL; an explicit cast reads it as the declared type.
        return f"EXECUTE {self.name} ({', '.join(f'%s::{type_}' for type_ in self.types)})"

    def execute(self, cursor, params) -> None:
        connection = cursor.db
        if connection.vendor != "postgresql":
            cursor.execute(self.sql, params)
            return
        prepared = _prepared_on(connection)
        if self.name not in prepared:
            # Session set-up, as Django's own (SET TIME ZONE...): on the driver's cursor, so that query logs
            # and counts show the same statements on every request, not one more on a connection's first.
            with connection.wrap_database_errors:
                cursor.cursor.execute(self.prepare_sql)
            prepared.add(self.name)
        cursor.execute(self.execute_sql, params)


def _prepared_on(connection) -> set[str]:
    """The names prepared on `connection`'s current database session."""
    session = connection.connection
    state = getattr(connection, "_relay_prepared", None)
    if state is None or state[0] is not session:
        state = (session, set())
        connection._relay_prepared = state
    return state[1]
