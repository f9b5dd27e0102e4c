"""No strings of upper apps in lower ones (issue 12).

The import contract (`lint-imports`, pyproject's [tool.importlinter]) sees imports only. A lower
app can still reach an upper one by name: a model label ("consultations.Comment"), a dotted path
for import_string, a URL name ("consultations:decisions"), a template path, or
apps.get_model("consultations", ...). This script finds those in the lower apps' Python files
(string literals, not docstrings or comments) and in the templates they own (inside {% %} and
{{ }}), and fails with file:line for each.

    .venv/bin/python tools/layer_strings.py          # exit 1 and the list when something is found
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Bottom to top, as the import contract: an app may name the apps below it, never those above.
LAYERS = ["notifications", "networks", "documents", "consultations", "workspace"]

# Hits that are known and on their way out, as (file, string), each with why it is here; delete
# the entry with the code. A stale entry (no longer found) fails too, so the list only shrinks.
# Empty: what a lower page shows of an upper app is registered by that app (networks/tabs.py).
KNOWN: set[tuple[str, str]] = set()

TEMPLATE_TAG = re.compile(r"\{%.*?%\}|\{\{.*?\}\}", re.DOTALL)
GET_MODEL = {"get_model", "get_app_config", "is_installed"}


def naming(upper: list[str]) -> re.Pattern[str]:
    """`app.` / `app:` / `app/` followed by a name: a dotted path, a model label, a URL name or
    a template path. Not "/app/1/" (a URL path) and not "app." ending a sentence."""
    names = "|".join(re.escape(app) for app in upper)
    return re.compile(rf"(?<![\w/.])(?:{names})[.:/][A-Za-z_]")


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def python_hits(path: Path, upper: list[str]) -> Iterator[tuple[int, str]]:
    pattern = naming(upper)
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    docstrings = _docstrings(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if id(node) not in docstrings and pattern.search(node.value):
                yield node.lineno, node.value
        elif isinstance(node, ast.Call):
            name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
            first = node.args[0] if node.args else None
            if (
                name in GET_MODEL
                and isinstance(first, ast.Constant)
                and isinstance(first.value, str)
                and first.value.split(".")[0] in upper
            ):
                yield node.lineno, first.value


def template_hits(path: Path, upper: list[str]) -> Iterator[tuple[int, str]]:
    pattern = naming(upper)
    text = path.read_text(encoding="utf-8")
    for tag in TEMPLATE_TAG.finditer(text):
        for literal in re.findall(r"\"([^\"]*)\"|'([^']*)'", tag.group(0)):
            value = literal[0] or literal[1]
            if pattern.search(value):
                yield text.count("\n", 0, tag.start()) + 1, value


def owned_files(root: Path, app: str) -> Iterator[Path]:
    """The app's Python files (not its migrations, which Django writes) and its templates, in
    the app or in the project's templates/<app>/."""
    for path in sorted((root / app).rglob("*.py")):
        if "migrations" not in path.relative_to(root).parts:
            yield path
    for folder in (root / app / "templates", root / "templates" / app):
        yield from sorted(folder.rglob("*.html")) if folder.is_dir() else ()


def scan(root: Path = ROOT) -> list[tuple[str, int, str]]:
    hits = []
    for index, app in enumerate(LAYERS):
        upper = LAYERS[index + 1 :]
        if not upper or not (root / app).is_dir():
            continue
        for path in owned_files(root, app):
            found = python_hits if path.suffix == ".py" else template_hits
            relative = path.relative_to(root).as_posix()
            hits.extend((relative, line, value) for line, value in found(path, upper))
    return sorted(hits)


def main(root: Path = ROOT, known: set[tuple[str, str]] = KNOWN) -> int:
    hits = scan(root)
    new = [(f, line, value) for f, line, value in hits if (f, value) not in known]
    stale = known - {(f, value) for f, _line, value in hits}
    for f, line, value in new:
        print(f"{f}:{line}: names an upper app: {value!r}")
    for f, value in sorted(stale):
        print(f"{f}: {value!r} is no longer there: delete it from KNOWN in tools/layer_strings.py")
    if new or stale:
        print(
            f"\n{len(new)} string(s) of upper apps in lower ones ({' < '.join(LAYERS)}): "
            "pass what is needed down as a value or register it from the upper app."
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
