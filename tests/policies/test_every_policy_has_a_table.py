"""Every registered policy has its table: a tests/policies/test_*_table.py file names the model in
`MODELS` and asks its policy for the table (the label appears in the file outside `MODELS`, as
the first argument of `check` or in the labels a table test is run for), so no model's rules go
unwritten and no model is listed without being asked."""

import ast
from pathlib import Path

from networks import registry


def _tables() -> dict[str, tuple[set[str], set[str]]]:
    """By file: the labels its MODELS lists, and the strings it uses anywhere else."""
    tables = {}
    for path in sorted(Path(__file__).parent.glob("test_*_table.py")):
        tree = ast.parse(path.read_text())
        listed: set[str] = set()
        listing: set[int] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "MODELS" for t in node.targets
            ):
                listed |= set(ast.literal_eval(node.value))
                listing |= {id(n) for n in ast.walk(node.value)}
        used = {
            node.value
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in listing
        }
        tables[path.name] = (listed, used)
    return tables


def test_every_registered_policy_has_a_table():
    named: set[str] = set()
    for listed, used in _tables().values():
        named |= listed & used
    missing = set(registry.registered()) - named
    assert not missing, f"policies without a table in tests/policies: {sorted(missing)}"


def test_no_table_lists_a_model_it_never_asks_about():
    unasked = {name: sorted(listed - used) for name, (listed, used) in _tables().items()}
    assert {name: labels for name, labels in unasked.items() if labels} == {}
