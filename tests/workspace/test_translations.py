"""Swedish and English catalogues are complete, and the committed .mo files match the .po files
(so `make run` needs no gettext). Run `make messages` when this fails."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

from tests import services

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "locale"
LANGUAGES = ["sv", "en"]


def entries(po):
    """What a catalogue holds, obsolete entries aside (makemessages keeps them as #~)."""
    return {(e.msgctxt, e.msgid, e.msgid_plural) for e in po if not e.obsolete}


def test_every_string_in_the_code_is_in_the_catalogues(tmp_path):
    if shutil.which("xgettext") is None:
        services.missing("needs GNU gettext (xgettext) to extract the strings: install 'gettext'")
    # makemessages writes into the locale folder it finds, so extract in a copy of the project.
    copy = tmp_path / "project"
    shutil.copytree(
        ROOT,
        copy,
        ignore=shutil.ignore_patterns(".venv", "node_modules", ".git", "*.sqlite3", "__pycache__"),
    )
    env = {**os.environ, "DEBUG": "true", "DJANGO_SETTINGS_MODULE": "workspace.settings"}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "--no-location",
            "-l",
            "sv",
            "-l",
            "en",
            "--ignore=tests",
            "--ignore=node_modules",
            "--ignore=.venv",
        ],
        cwd=copy,
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    for language in LANGUAGES:
        fresh = polib.pofile(str(copy / "locale" / language / "LC_MESSAGES" / "django.po"))
        committed = polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))
        missing = entries(fresh) - entries(committed)
        stale = entries(committed) - entries(fresh)
        assert not missing, f"{language}: strings not in the catalogue: {sorted(missing)[:10]}"
        assert not stale, f"{language}: strings no longer in the code: {sorted(stale)[:10]}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_entry_is_translated(language):
    po = polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert not untranslated, f"{language}: untranslated: {untranslated[:10]}"
    assert not fuzzy, f"{language}: fuzzy: {fuzzy[:10]}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalogue_matches_the_source(language):
    directory = LOCALE / language / "LC_MESSAGES"
    po = polib.pofile(str(directory / "django.po"))
    mo = polib.mofile(str(directory / "django.mo"))

    def table(catalogue):
        return {
            (e.msgctxt, e.msgid): (e.msgstr, tuple(sorted(e.msgstr_plural.items())))
            for e in catalogue.translated_entries()
            if e.msgid
        }

    assert table(po) == table(mo), "run `make messages` to compile the catalogues"
