"""Where a document is in its process, for the stepper on its page (Utkast → Remiss → Bemötande →
Förankring → Fastställande → Fastställd), and what the apps above say about the step it is in
(the banner under the stepper: the open round, the sign-off waiting for signatures).

The steps are the document's statuses in the order of DESIGN.md's lifecycle, one to one: the
stepper labels `Document.status`, it decides nothing (who may do what is the policies'). Several
rounds are normal, so a document back in revision shows "Bemötande" again; an archived document
has left the process and shows no stepper.

Rounds and sign-offs are consultations', which documents may not import (DESIGN.md: the apps'
layers). So that app registers a banner provider here in its AppConfig.ready(), as it registers
the adoption facts (documents/adoption.py) and its tabs (networks/tabs.py). Without a provider
the stepper stands alone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from documents.models import Document

Status = Document.Status

# (status, the step's name, what comes after it), in the lifecycle's order.
STEPS: tuple[tuple[str, str | Promise, str | Promise], ...] = (
    (
        Status.DRAFTING,
        pgettext_lazy("process step", "Draft"),
        _("Next: publish a version and send it out for consultation."),
    ),
    (
        Status.IN_CONSULTATION,
        pgettext_lazy("process step", "Consultation"),
        _("Next: when the round closes, the writing group answers the comments and revises."),
    ),
    (
        Status.REVISING,
        pgettext_lazy("process step", "Revision"),
        _("Next: anchor the revised proposal with the bodies, or send it out on another round."),
    ),
    (
        Status.ANCHORING,
        pgettext_lazy("process step", "Anchoring"),
        _("Next: ask the signatories to sign off the anchored version, or record its adoption."),
    ),
    (
        Status.AWAITING_SIGN_OFF,
        pgettext_lazy("process step", "Sign-off"),
        _("Next: the document is adopted when enough signatories have approved."),
    ),
    (
        Status.ADOPTED,
        pgettext_lazy("process step", "Adopted"),
        _("The process is complete. A new revision starts from the adopted version."),
    ),
)


@dataclass(frozen=True)
class Step:
    number: int
    label: str | Promise
    done: bool
    current: bool


@dataclass(frozen=True)
class Process:
    steps: tuple[Step, ...]
    current: Step
    next_step: str | Promise  # what comes after the current step, in words

    @property
    def total(self) -> int:
        return len(self.steps)


def process_of(document: Document) -> Process | None:
    """The stepper of a document in its present status; None once it has left the process."""
    place = next((n for n, (status, *_rest) in enumerate(STEPS) if status == document.status), None)
    if place is None:
        return None
    adopted = STEPS[place][0] == Status.ADOPTED  # the last step is reached, not under way
    steps = tuple(
        Step(number=n + 1, label=label, done=n < place or adopted, current=n == place)
        for n, (_status, label, _next) in enumerate(STEPS)
    )
    return Process(steps=steps, current=steps[place], next_step=STEPS[place][2])


# ------------------------------------------------------------------------------ the banner


@dataclass(frozen=True)
class Banner:
    """One line under the stepper: a link to where the step happens, and a few facts about it."""

    link_text: str
    url: str
    facts: tuple[str, ...] = ()


BannerProvider = Callable[[Any, Document], Banner | None]  # (user, document)

_providers: list[BannerProvider] = []


def register_banner(provider: BannerProvider) -> None:
    """Called by an app above documents when Django starts (idempotent)."""
    if provider not in _providers:
        _providers.append(provider)


def banners_for(user, document: Document) -> list[Banner]:
    """What the registered apps have to say about this document now, for this person."""
    return [banner for provider in _providers if (banner := provider(user, document))]
