"""`make bench`: measure Relay at scale in a database of its own, never the user's.

This parent command creates an empty bench database (PostgreSQL when DATABASE_URL points at one, else a
SQLite file), runs `bench_run` against it in a child process, prints the results and drops the database.
"""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg2
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

BENCH_DIR = Path(settings.BASE_DIR) / "bench"


class Command(BaseCommand):
    help = "Benchmark the main pages and jobs at --scale leads in a separate database (created and dropped)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, default=100_000, help="Leads to generate (1000000 documented).")
        parser.add_argument("--keep", action="store_true", help="Keep the bench database afterwards.")
        parser.add_argument("--runs", type=int, default=20, help="Timed runs per page (after 3 warm-ups).")
        parser.add_argument(
            "--suite",
            action="append",
            default=[],
            help="Run only this suite of bench/suites.py (by name, e.g. deal_creates); repeat for several.",
        )

    def handle(self, *args, scale, keep, runs, suite, **options):
        source = os.environ.get("DATABASE_URL", "")
        postgres = source.startswith(("postgres://", "postgresql://"))
        bench_url = self.create_postgres(source) if postgres else self.create_sqlite()
        env = {
            **os.environ,
            "DATABASE_URL": bench_url,
            "DEBUG": "0",
            "SECRET_KEY": os.environ.get("SECRET_KEY") or "bench-only-secret-key-" + "x" * 40,
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_COOKIES": "0",
            "SECURE_HSTS_SECONDS": "0",
            "ALLOWED_HOSTS": "*",
            "RELAY_ENV_FILE": os.devnull,
        }
        if not env.get("REDIS_URL"):  # no worker: tasks run inside the request, as the figures always did
            env["CELERY_TASK_ALWAYS_EAGER"] = "1"
        command = [sys.executable, "manage.py", "bench_run", "--scale", str(scale), "--runs", str(runs)]
        command += [argument for name in suite for argument in ("--suite", name)]
        try:
            result = subprocess.run(command, cwd=settings.BASE_DIR, env=env, check=False)  # noqa: S603
        finally:
            if not keep:
                self.drop_postgres(source) if postgres else self.drop_sqlite()
        if result.returncode:
            raise CommandError(f"bench_run failed with exit code {result.returncode}")

    # PostgreSQL: a database named after the user's with a _bench suffix, on the same server.
    def bench_name(self, source: str) -> str:
        return (urlsplit(source).path.lstrip("/") or "relay") + "_bench"

    def run_admin_sql(self, source: str, *statements: str) -> None:
        """Run statements outside a transaction (CREATE/DROP DATABASE) on the server's `postgres` database."""
        connection = psycopg2.connect(urlunsplit(urlsplit(source)._replace(path="/postgres")))
        connection.autocommit = True
        try:
            with connection.cursor() as cursor:
                for statement in statements:
                    cursor.execute(statement)
        finally:
            connection.close()

    def create_postgres(self, source: str) -> str:
        name = self.bench_name(source)
        self.run_admin_sql(source, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')
        self.stdout.write(f"Bench database: PostgreSQL {name}")
        return urlunsplit(urlsplit(source)._replace(path=f"/{name}"))

    def drop_postgres(self, source: str) -> None:
        self.run_admin_sql(source, f'DROP DATABASE IF EXISTS "{self.bench_name(source)}" WITH (FORCE)')

    # SQLite: a file in bench/.
    def sqlite_path(self) -> Path:
        return BENCH_DIR / "bench.sqlite3"

    def create_sqlite(self) -> str:
        self.drop_sqlite()
        self.stdout.write(f"Bench database: SQLite {self.sqlite_path()}")
        return f"sqlite:///{self.sqlite_path()}"

    def drop_sqlite(self) -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.sqlite_path()}{suffix}").unlink(missing_ok=True)
