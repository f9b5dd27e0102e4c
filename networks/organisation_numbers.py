"""Swedish organisation numbers (organisationsnummer): NNNNNN-NNNN, the last digit a Luhn check
digit over the nine before it. Stored in that one form so that duplicates are found whatever
way they were typed (with or without the hyphen, with the century prefix "16")."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_TYPED = re.compile(r"^(?:16)?(\d{6})-?(\d{4})$")

INVALID_MESSAGE = _(
    "That is not a valid organisation number. Write it as ten digits, NNNNNN-NNNN, as in the "
    "Swedish companies register."
)


def luhn_ok(digits: str) -> bool:
    """The Luhn check over all ten digits (the last being the check digit)."""
    total = 0
    for position, char in enumerate(digits):
        value = int(char) * (2 if position % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def normalise_organisation_number(value: str) -> str:
    """The number as NNNNNN-NNNN, "" when none was given; ValidationError when it is not one."""
    typed = re.sub(r"\s+", "", value or "")
    if not typed:
        return ""
    match = _TYPED.match(typed)
    if match is None or not luhn_ok(match[1] + match[2]):
        raise ValidationError(INVALID_MESSAGE, code="invalid_organisation_number")
    return f"{match[1]}-{match[2]}"
