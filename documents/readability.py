"""LIX, the Swedish readability index (läsbarhetsindex, Björnsson 1968).

LIX = words / sentences + 100 × long words / words, where a long word has more than six letters.
It is the measure Swedish public bodies know (Myndigheten för tillgängliga medier, Klarspråk), so
writers can compare a section with what they are used to. It is a rough signal, not a verdict.

The counts are kept next to the value so that a whole version is measured from the sum of its
sections (`combine`), not from an average of section values that would weigh a two-line section
like a two-page one.
"""

import bisect
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import models
from django.utils.translation import gettext_lazy as _

from documents.markdown import plain_text

LONG_WORD_LETTERS = 6  # a long word has more letters than this

# A word is a run of letters and digits; a hyphenated compound ("föräldraskaps-stöd") is one word,
# and so is a number written with a separator ("3,5", "10:30", "1.000").
_WORD = re.compile(r"\d+(?:[.,:]\d+)+|[^\W_]+(?:-[^\W_]+)*")
# A sentence ends at . ! ? or : followed by space or the end (after any closing quote or bracket),
# so "3.5", "10:30" and "www.example.se" do not end one.
_SENTENCE_END = re.compile(r"[.!?:]+[\"'”’»)\]]*(?=\s|$)")

# Common Swedish abbreviations, whose full stop is not the end of a sentence. Those that usually
# close a list ("osv.") do end one when a capital letter follows; the others ("t.ex. Region
# Örebro län") do not. Any of them at the end of a line or of the text ends the sentence there.
# Each may also be written with spaces after its inner dots ("t. ex.").
_ABBREVIATIONS = ("t.ex", "bl.a", "s.k", "d.v.s", "dvs", "p.g.a", "pga", "ca", "resp", "jfr",
                  "inkl", "exkl", "fr.o.m", "t.o.m", "kl", "nr")  # fmt: skip
_LIST_ENDINGS = ("osv", "o.s.v", "m.m", "m.fl", "etc")
_ABBREVIATION = re.compile(
    r"(?<![^\W_])("
    + "|".join(
        r"\.\s?".join(re.escape(part) for part in abbreviation.split("."))
        for abbreviation in sorted(_ABBREVIATIONS + _LIST_ENDINGS, key=len, reverse=True)
    )
    + r")\.",
    re.IGNORECASE,
)
_LIST_ENDING_KEYS = {abbreviation.replace(".", "") for abbreviation in _LIST_ENDINGS}


# Where EASY, MEDIUM, DIFFICULT and VERY_DIFFICULT begin.
_BAND_LOWER_BOUNDS = (30, 40, 50, 60)


class Band(models.TextChoices):
    """The usual reading of a LIX value; the lower bound of each band is inclusive."""

    VERY_EASY = "very_easy", _("Very easy")
    EASY = "easy", _("Easy")
    MEDIUM = "medium", _("Medium")
    DIFFICULT = "difficult", _("Difficult")
    VERY_DIFFICULT = "very_difficult", _("Very difficult")

    @classmethod
    def for_value(cls, value: float) -> "Band":
        bands = list(cls)
        return bands[bisect.bisect_right(_BAND_LOWER_BOUNDS, value)]

    @property
    def css(self) -> str:
        """A CSS modifier name, e.g. "very-easy" (for a class such as `lix--very-easy`)."""
        return self.value.replace("_", "-")


@dataclass(frozen=True)
class Lix:
    """The LIX of a text and the counts it comes from. `value` is derived, never passed in."""

    words: int
    sentences: int
    long_words: int
    value: float = field(init=False)

    def __post_init__(self) -> None:
        value = self.words / self.sentences + 100 * self.long_words / self.words
        object.__setattr__(self, "value", value)

    @property
    def band(self) -> Band:
        # Pages show the value rounded to a whole number: the band must agree with what is shown.
        return Band.for_value(round(self.value))


def lix(text: str) -> Lix | None:
    """The LIX of plain `text`, or None when it has no words.

    Sentences end at . ! ? : and at the end of the text; common abbreviations ("t.ex.") are not
    ends (see `_ABBREVIATION`). Numbers such as "2022." at the end of a clause can still miscount
    by one sentence, which moves the value very little. Use `lix_of_markdown` for Markdown.
    """
    text = _ABBREVIATION.sub(_without_dots, unicodedata.normalize("NFC", text))
    words = sentences = long_words = 0
    for sentence in _SENTENCE_END.split(text):
        sentence_words = _WORD.findall(sentence)
        if sentence_words:
            sentences += 1
            words += len(sentence_words)
            long_words += sum(1 for word in sentence_words if _letters(word) > LONG_WORD_LETTERS)
    if not words:
        return None
    return Lix(words=words, sentences=sentences, long_words=long_words)


def lix_of_markdown(markdown: str) -> Lix | None:
    """The LIX of a Markdown section body; every block ends a sentence (see `plain_text`)."""
    return lix(plain_text(markdown))


def combine(parts: Iterable[Lix | None]) -> Lix | None:
    """The LIX of a whole text from the LIX of its parts (None parts have no words)."""
    measured = [part for part in parts if part is not None]
    if not measured:
        return None
    return Lix(
        words=sum(part.words for part in measured),
        sentences=sum(part.sentences for part in measured),
        long_words=sum(part.long_words for part in measured),
    )


def _without_dots(match: re.Match[str]) -> str:
    """An abbreviation as one word without dots, with a full stop only where a sentence ends."""
    abbreviation = re.sub(r"[.\s]", "", match.group(1))
    following = match.string[match.end() :].lstrip(" \t")
    ends_sentence = not following or following[0] == "\n"
    if abbreviation.lower() in _LIST_ENDING_KEYS and following[:1].isupper():
        ends_sentence = True
    return f"{abbreviation}." if ends_sentence else abbreviation


def _letters(word: str) -> int:
    return sum(1 for character in word if character.isalpha())
