"""Extract the strings, make the English catalogue repeat its msgids, and compile both.

English is the source language, so its catalogue is the msgids themselves; Swedish entries that
are new or changed are left for a person to translate (`make messages` lists them).
"""

import polib
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

IGNORE = [".venv", "node_modules", "tests"]


class Command(BaseCommand):
    help = "makemessages for sv and en, fill in English, compilemessages (needs GNU gettext)."

    def handle(self, *args, **options):
        call_command(
            "makemessages",
            locale=["sv", "en"],
            no_location=True,
            no_obsolete=True,
            ignore_patterns=IGNORE,
            verbosity=0,
        )
        locale = settings.BASE_DIR / "locale"
        english = polib.pofile(str(locale / "en" / "LC_MESSAGES" / "django.po"))
        for entry in english:
            if entry.msgid_plural:
                entry.msgstr_plural = {0: entry.msgid, 1: entry.msgid_plural}
            else:
                entry.msgstr = entry.msgid
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
            entry.previous_msgid = entry.previous_msgid_plural = None
        english.save()
        swedish = polib.pofile(str(locale / "sv" / "LC_MESSAGES" / "django.po"))
        todo = swedish.untranslated_entries() + swedish.fuzzy_entries()
        call_command("compilemessages", ignore_patterns=IGNORE, verbosity=0)
        if todo:
            self.stdout.write(f"{len(todo)} Swedish entries to translate in {swedish.fpath}:")
            for entry in todo:
                self.stdout.write(f"  {entry.msgid}")
        else:
            self.stdout.write("Catalogues complete and compiled.")
