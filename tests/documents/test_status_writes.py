"""`Document.status` has one writer, documents.services.move_document, which moves only along
Document.TRANSITIONS. This reads the code of every app for other writes of a `status`."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ("documents", "consultations", "networks", "notifications", "workspace")
WRITES = {"update", "create", "get_or_create", "update_or_create", "bulk_update"}

# Every write of a `status` in the apps, by file and the object written. Only one is a
# Document's; the others are rows with their own tables (rounds' moves are checked against
# ReviewRound.TRANSITIONS in consultations.services.rounds._move). A new line here is a decision.
KNOWN = {
    ("documents/services.py", "move_document", "document.status"),
    ("consultations/services/rounds.py", "_move", "review_round.status"),
    ("consultations/services/responses.py", "_save_written", "consultee.status"),
    ("consultations/services/responses.py", "_mark_answered", "consultee.status"),
    ("consultations/services/decisions.py", "_finish", "sign_off.status"),
    # The demonstration data writes a finished past (2022) directly, as it writes its rounds and
    # signatures: not a move anyone makes in the running service.
    ("consultations/demo.py", "seed_demo", "party.status"),
    ("consultations/demo.py", "seed_demo", "document.status"),
    ("consultations/demo.py", "seed_demo", "agreement.status"),
    # The national-scale data set for the benchmarks writes its rows' states directly (COPY):
    # a seeded past, not a move in the running service.
    ("workspace/management/commands/seed_national.py", "rounds", "doc.status"),
}
SEEDS = ("demo.py", "seed_national.py")


def status_writes():
    found = set()
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text(), filename=str(path))
            relative = path.relative_to(ROOT).as_posix()
            for function in ast.walk(tree):
                if not isinstance(function, ast.FunctionDef):
                    continue
                for node in ast.walk(function):
                    for target in _written(node):
                        found.add((relative, function.name, target))
    return found


def _written(node):
    """`x.status = …`, `setattr(x, "status", …)`, and `.update(status=…)` and the like on a
    chain that names Document."""
    if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for target in targets:
            if isinstance(target, ast.Attribute) and target.attr == "status":
                yield ast.unparse(target)
    if isinstance(node, ast.Call):
        func = node.func
        sets_status = any(keyword.arg == "status" for keyword in node.keywords)
        if (
            isinstance(func, ast.Name)
            and func.id == "setattr"
            and len(node.args) > 1
            and isinstance(node.args[1], ast.Constant)
            and node.args[1].value == "status"
        ):
            yield ast.unparse(node.args[0]) + ".status"
        names_document = "Document" in ast.unparse(func)
        if (
            isinstance(func, ast.Attribute)
            and func.attr in WRITES
            and names_document
            and sets_status
        ):
            yield ast.unparse(func)
        if isinstance(func, ast.Name) and func.id == "Document" and sets_status:
            yield "Document(status=…)"


def test_document_status_is_written_only_by_move_document():
    found = status_writes()
    document_writes = {
        write
        for write in found
        if "document" in write[2].lower() or "agreement" in write[2] or "Document" in write[2]
    }
    assert document_writes - KNOWN == set(), "Document.status is written outside move_document"
    assert found - KNOWN == set(), "a new write of a status: add it to KNOWN if it is no Document"
    running = {w for w in document_writes if not w[0].endswith(SEEDS)}
    assert running == {("documents/services.py", "move_document", "document.status")}


def test_the_scan_sees_a_direct_write(tmp_path):
    sample = ast.parse(
        "def open_round(document):\n"
        "    document.status = 'in_consultation'\n"
        "    Document.objects.filter(pk=1).update(status='adopted')\n"
    )
    writes = {target for node in ast.walk(sample) for target in _written(node)}
    assert writes == {"document.status", "Document.objects.filter(pk=1).update"}
