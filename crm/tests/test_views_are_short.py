"""Every view is short: forms validate, services write, selectors read, `crm.htmx.render_page` renders.
A function in a views or API module longer than MAX_LINES fails here, with its place."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ["crm", "campaigns", "leads", "handoff", "deals", "outreach", "reports"]
MAX_LINES = 25


def view_modules():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            relative = path.relative_to(ROOT / app)
            if {"tests", "migrations"} & set(relative.parts):
                continue
            if path.stem in {"views", "api"} or "views" in relative.parts[:-1]:
                yield path


def long_functions(path: Path, limit: int = MAX_LINES) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    return [
        f"{path}:{node.lineno} {node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.end_lineno - node.lineno + 1 > limit
    ]


def test_the_walk_finds_the_views_of_every_app():
    found = {path.relative_to(ROOT).parts[0] for path in view_modules()}
    assert found == set(APPS)


def test_no_view_is_longer_than_25_lines():
    assert [place for path in view_modules() for place in long_functions(path)] == []


def test_the_check_counts_a_method_of_a_class(tmp_path):
    module = tmp_path / "views.py"
    body = "".join(f"        x = {n}\n" for n in range(MAX_LINES))
    module.write_text(f"class V:\n    def get(self):\n{body}")
    assert len(long_functions(module)) == 1
