"""tools/layer_strings.py: a lower app that names an upper one fails `make lint` with file:line."""

from pathlib import Path

from tools import layer_strings


def plant(root: Path, relative: str, text: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_strings_of_upper_apps_in_lower_ones_are_listed_with_file_and_line(tmp_path, capsys):
    plant(
        tmp_path,
        "networks/rules.py",
        '"""Rounds (consultations.ReviewRound) are explained here, not named."""\n'
        "\n"
        'LABEL = "consultations.Comment"\n'
        'PATH = "/consultations/12/"  # a URL path, not a name\n',
    )
    plant(tmp_path, "notifications/lookup.py", 'model = apps.get_model("workspace", "Thing")\n')
    plant(tmp_path, "documents/fine.py", 'NETWORK = "networks.Network"  # a lower app: allowed\n')
    plant(tmp_path, "consultations/fine.py", 'DOCS = "documents.models"  # lower: allowed\n')
    plant(tmp_path, "consultations/urls.py", 'HOME = "workspace.urls"\n')  # below the top
    plant(tmp_path, "workspace/top.py", 'ANYTHING = "consultations.Comment"\n')
    plant(
        tmp_path,
        "templates/documents/_header.html",
        "{% load i18n %}\n<a href=\"{% url 'consultations:decisions' 1 %}\">consultations: x</a>\n",
    )

    assert layer_strings.main(tmp_path, known=set()) == 1

    report = capsys.readouterr().out
    assert "networks/rules.py:3: names an upper app: 'consultations.Comment'" in report
    assert "notifications/lookup.py:1: names an upper app: 'workspace'" in report
    assert "templates/documents/_header.html:2: names an upper app: 'consultations:decisions'" in (
        report
    )
    assert "consultations/urls.py:1: names an upper app: 'workspace.urls'" in report
    assert "4 string(s) of upper apps in lower ones" in report
    for allowed in ("ReviewRound", "/consultations/12/", "networks.Network", "documents.models"):
        assert allowed not in report


def test_a_known_string_passes_and_a_stale_one_fails(tmp_path, capsys):
    plant(tmp_path, "networks/rules.py", 'LABEL = "consultations.Comment"\n')
    known = {("networks/rules.py", "consultations.Comment")}

    assert layer_strings.main(tmp_path, known=known) == 0

    (tmp_path / "networks/rules.py").write_text("LABEL = None\n", encoding="utf-8")
    assert layer_strings.main(tmp_path, known=known) == 1
    assert "no longer there: delete it from KNOWN" in capsys.readouterr().out


def test_the_repository_passes(capsys):
    assert layer_strings.main() == 0, capsys.readouterr().out
