import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "a-long-random-production-key-" + "x7Qp2mZ9" * 4,
    "ALLOWED_HOSTS": "relay.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://relay.example.com",
    "DATABASE_URL": "sqlite:///:memory:",
}


def run_manage(*args, env):
    unset = ("DEBUG", "SECRET_KEY", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")
    clean = {key: value for key, value in os.environ.items() if key not in unset}
    # An empty .env path keeps the developer's .env (DEBUG=1) out of these checks.
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env={**clean, "RELAY_ENV_FILE": os.devnull, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_refuses_to_start_without_secret_key_when_debug_is_off():
    result = run_manage("check", env={"DEBUG": "0", "SECRET_KEY": ""})
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_starts_with_a_development_key_when_debug_is_on():
    result = run_manage("check", env={"DEBUG": "1", "SECRET_KEY": ""})
    assert result.returncode == 0, result.stderr


def test_deploy_check_is_clean_with_production_settings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_refuses_to_start_with_a_currency_that_is_not_an_iso_code():
    result = run_manage("check", env={"DEBUG": "1", "CURRENCY": "dollars"})
    assert result.returncode != 0
    assert "CURRENCY must be a three-letter ISO 4217 code" in result.stderr


def test_currency_is_read_from_the_environment_in_any_case():
    script = "from django.conf import settings; print(settings.CURRENCY)"
    result = run_manage("shell", "-c", script, env={"DEBUG": "1", "CURRENCY": " eur "})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "EUR"
