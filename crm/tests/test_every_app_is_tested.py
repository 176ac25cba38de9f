"""Every app's tests run: pytest collects only the folders pytest.ini names, so an app added without its
name there would have tests that never run (as the companies app's did, until this test)."""

import configparser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_pytest_collects_the_tests_of_every_app():
    config = configparser.ConfigParser()
    config.read(ROOT / "pytest.ini")
    collected = set(config["pytest"]["testpaths"].split())
    apps_with_tests = {path.parent.name for path in ROOT.glob("*/tests") if (path.parent / "apps.py").exists()}
    assert apps_with_tests - collected == set()
