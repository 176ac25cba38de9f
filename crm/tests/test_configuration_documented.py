"""Every environment variable the settings read is documented once, with its default, and listed in
`.env.example`: a new setting that is not written down fails here."""

import re

from conftest import BASE_DIR

READ = re.compile(r'env(?:\.[a-z_]+)?\(\s*"([A-Z][A-Z0-9_]*)"')


def variables_read() -> set[str]:
    return set(READ.findall((BASE_DIR / "crm" / "settings.py").read_text()))


def test_the_settings_read_the_variables_this_test_looks_for():
    assert {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "CURRENCY"} <= variables_read()


def test_every_variable_is_in_the_configuration_page_and_the_example_env():
    documented = set(re.findall(r"^\| `([A-Z][A-Z0-9_]*)`", (BASE_DIR / "docs" / "configuration.md").read_text(), re.M))
    example = (BASE_DIR / ".env.example").read_text()
    assert variables_read() - documented == set()
    assert {name for name in variables_read() if name not in example} == set()
