"""The apps read as the funnel (campaigns → companies → leads → handoff → deals → agenda and outreach →
reports) and depend only downstream of it: leads and deals never import each other, and only the hand-over
knows both; `crm` sits below them all and imports none of them. The benchmark (`bench`) stands above them
all: it may import any app, and no app imports it. Tests, migrations and demo data may reach across (they
build whole worlds), and so does `seed_demo`, which runs every app's demo data in funnel order."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FUNNEL_APPS = {"campaigns", "companies", "leads", "handoff", "deals", "agenda", "outreach", "goals", "reports"}
CHECKED_APPS = FUNNEL_APPS | {"search", "bench"}
# What each app may import besides itself and `crm` (the shared base, below every app: it imports none).
MAY_IMPORT = {
    "crm": set(),
    "campaigns": set(),
    "companies": {"campaigns"},
    "leads": {"campaigns", "companies"},
    "deals": {"campaigns", "companies"},
    "handoff": {"campaigns", "companies", "leads", "deals"},
    # A rep's day (tasks, My day) and email from Relay work on every kind of record the funnel has.
    "agenda": {"campaigns", "companies", "leads", "deals", "handoff"},
    "outreach": {"campaigns", "companies", "leads", "deals", "handoff"},
    # Targets name a channel and a rep, nothing downstream: the agreement and the forecast (reports) read them.
    "goals": {"campaigns"},
    "reports": {"campaigns", "companies", "leads", "deals", "handoff", "agenda", "outreach", "goals"},
    # The search box reads every kind of record, so it stands above them all, as the benchmark does.
    "search": FUNNEL_APPS,
    "bench": FUNNEL_APPS | {"search"},
}
# Known exceptions, each with the issue that removes it.
ALLOWED: set[tuple[str, str]] = set()
EXEMPT_PARTS = {"tests", "migrations"}
# Modules that build whole worlds from every app, as the demo.py modules do.
EXEMPT_FILES = {"demo.py", "seed_demo.py"}


def imported_apps(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names & CHECKED_APPS


def product_modules(app: str):
    for path in sorted((ROOT / app).rglob("*.py")):
        relative = path.relative_to(ROOT / app)
        if EXEMPT_PARTS & set(relative.parts[:-1]) or path.name in EXEMPT_FILES:
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


def test_no_app_imports_the_benchmark():
    wrong = [
        f"{path.relative_to(ROOT)} imports bench"
        for app in ["crm", *sorted(FUNNEL_APPS)]
        for path in product_modules(app)
        if "bench" in imported_apps(path)
    ]
    assert wrong == []


def test_the_check_sees_an_import_inside_a_function(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from deals.models import Deal\n    import leads.services\n")
    assert imported_apps(module) == {"deals", "leads"}
