"""A real `celery -A crm worker` in a child process, for the integration tests and the benchmark."""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def database_url(settings_dict) -> str:
    """The DATABASE_URL of a PostgreSQL connection's settings (e.g. the test database's)."""
    auth = settings_dict["USER"] + (f":{settings_dict['PASSWORD']}" if settings_dict["PASSWORD"] else "")
    host, port = settings_dict["HOST"] or "127.0.0.1", settings_dict["PORT"] or 5432
    return f"postgres://{auth}@{host}:{port}/{settings_dict['NAME']}"


class WorkerProcess:
    """Start with `start()`, which waits until the worker answers a ping; `stop()` ends it.

    `beat=True` embeds beat (`-B`, as `make worker` runs it), sending CELERY_BEAT_SCHEDULE's tasks; its
    schedule file lives in a temporary folder that `stop()` removes."""

    def __init__(
        self,
        *,
        database_url: str,
        broker_url: str,
        name: str,
        log_path: Path,
        concurrency: int = 2,
        env=None,
        beat: bool = False,
    ):
        self.env = {
            **os.environ,
            **(env or {}),
            "DATABASE_URL": database_url,
            "REDIS_URL": broker_url,
            "CONN_MAX_AGE": "0",
            "DEBUG": "0",
            "SECRET_KEY": os.environ.get("SECRET_KEY") or "worker-process-" + "k" * 40,
            "SECURE_SSL_REDIRECT": "0",
        }
        self.name = f"{name}-{os.getpid()}"
        self.log_path = log_path
        self.concurrency = concurrency
        self.beat = beat
        self.schedule_dir = None
        self.process = None
        self.log = None

    def start(self, timeout: float = 60) -> "WorkerProcess":
        from crm.celery import app

        self.log = open(self.log_path, "w")  # noqa: SIM115 - closed by stop()
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "crm",
            "worker",
            "--loglevel=INFO",
            f"--concurrency={self.concurrency}",
            "--without-gossip",
            "--without-mingle",
            "-n",
            f"{self.name}@%h",
        ]
        if self.beat:
            self.schedule_dir = tempfile.mkdtemp(prefix="relay-beat-")
            command += ["--beat", f"--schedule={Path(self.schedule_dir) / 'celerybeat-schedule'}"]
        self.process = subprocess.Popen(  # noqa: S603 - our own command line
            command, cwd=BASE_DIR, env=self.env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the Celery worker exited with {self.process.returncode}; see {self.log_path}")
            if any(self.name in reply_name for reply in app.control.ping(timeout=0.5) for reply_name in reply):
                return self
        self.stop()
        raise RuntimeError(f"the Celery worker did not answer a ping within {timeout:.0f} s; see {self.log_path}")

    def wait_until_idle(self, timeout: float = 60) -> None:
        """Wait until the broker's queue is empty and this worker holds no task (running, prefetched or
        waiting for its countdown), twice in a row, as a task may send another as it ends."""
        import redis

        from crm.celery import app

        broker = redis.Redis.from_url(self.env["REDIS_URL"])
        deadline = time.monotonic() + timeout
        quiet = 0
        while quiet < 2:
            if time.monotonic() > deadline:
                raise RuntimeError(f"the Celery worker was still busy after {timeout:.0f} s; see {self.log_path}")
            inspect = app.control.inspect(timeout=1, limit=1, pattern=f"{self.name}@*", matcher="glob")
            held = [inspect.active(), inspect.reserved(), inspect.scheduled()]  # None: no answer yet
            busy = broker.llen("celery") or any(replies is None or any(replies.values()) for replies in held)
            quiet = 0 if busy else quiet + 1
            time.sleep(0.2)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        if self.log is not None:
            self.log.close()
        if self.schedule_dir is not None:
            shutil.rmtree(self.schedule_dir, ignore_errors=True)
            self.schedule_dir = None
