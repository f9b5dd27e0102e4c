"""Whether a version was adopted, when, and by whom: for the Word file of the version; and which
version an adopted document was adopted in: its page opens on that text.

Adoption is recorded by an app above documents (a sign-off and its signatures, or a recorded
decision), which documents may not import (DESIGN.md: the apps' layers). So that app registers a
provider here in its AppConfig.ready(): the app that owns the facts says where they are, and
nothing has to be kept in step in settings. Without a provider no version reads as adopted;
documents stays usable on its own.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from documents.models import Document, Version


@dataclass(frozen=True)
class Signatory:
    name: str
    signed_on: datetime.date


@dataclass(frozen=True)
class Adoption:
    adopted_on: datetime.date
    signatories: tuple[Signatory, ...] = ()  # who approved, when the version was signed off
    decided_by: str = ""  # the body, when the adoption was recorded as a decision


AdoptionProvider = Callable[["Version"], "Adoption | None"]
AdoptedVersionProvider = Callable[["Document"], "Version | None"]

_provider: AdoptionProvider | None = None
_adopted_version: AdoptedVersionProvider | None = None


def register_adoption_provider(
    provider: AdoptionProvider, adopted_version: AdoptedVersionProvider | None = None
) -> None:
    """Called once, by the app that records adoptions, when Django starts."""
    global _provider, _adopted_version
    _provider = provider
    _adopted_version = adopted_version


def adoption_of(version: Version) -> Adoption | None:
    return _provider(version) if _provider is not None else None


def adopted_version(document: Document) -> Version | None:
    """The version the document's latest adoption adopted (a sign-off approved, or a decision
    recorded); None if nobody registered, or nothing was adopted."""
    return _adopted_version(document) if _adopted_version is not None else None
