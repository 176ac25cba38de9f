"""The apps read as the funnel (campaigns → leads → handoff → deals → reports) and depend only downstream of
it: leads and deals never import each other, and only the hand-over knows both; `crm` sits below them all.
Tests, migrations, management commands and demo data may reach across (they build whole worlds)."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FUNNEL_APPS = {"campaigns", "leads", "handoff", "deals", "reports"}
# What each app may import besides itself and `crm` (the shared base, below every app: it imports none).
MAY_IMPORT = {
    "crm": set(),
    "campaigns": set(),
    "leads": {"campaigns"},
    "deals": {"campaigns"},
    "handoff": {"campaigns", "leads", "deals"},
    "reports": {"campaigns", "leads", "deals", "handoff"},
}
# Known exceptions, each with the issue that removes it.
ALLOWED: set[tuple[str, str]] = set()
EXEMPT_PARTS = {"tests", "migrations", "management"}


def imported_apps(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names & FUNNEL_APPS


def product_modules(app: str):
    for path in sorted((ROOT / app).rglob("*.py")):
        relative = path.relative_to(ROOT / app)
        if EXEMPT_PARTS & set(relative.parts[:-1]) or path.name == "demo.py":
            continue
        yield path


def test_every_app_imports_only_what_comes_before_it_in_the_funnel():
    wrong = []
    for app, allowed in MAY_IMPORT.items():
        for path in product_modules(app):
            for other in imported_apps(path) - {app} - allowed:
                if (app, other) not in ALLOWED:
                    wrong.append(f"{path.relative_to(ROOT)} imports {other}")
    assert wrong == []


def test_the_check_sees_an_import_inside_a_function(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from deals.models import Deal\n    import leads.services\n")
    assert imported_apps(module) == {"deals", "leads"}
