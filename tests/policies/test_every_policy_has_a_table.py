"""Every registered policy has its table (tests/policies/test_*_table.py names the model in
`MODELS`), so no model's rules go unwritten."""

import ast
from pathlib import Path

from networks import registry


def test_every_registered_policy_has_a_table():
    named: set[str] = set()
    for path in Path(__file__).parent.glob("test_*_table.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "MODELS" for t in node.targets
            ):
                named |= set(ast.literal_eval(node.value))
    missing = set(registry.registered()) - named
    assert not missing, f"policies without a table in tests/policies: {sorted(missing)}"
