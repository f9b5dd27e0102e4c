"""The tabs of a network's and a document's pages that lead to the pages of apps above.

A lower app may not name an upper one (pyproject: the import contract; tools/layer_strings.py),
so the network's page cannot link to the documents' list, nor the document's header to its
consultation rounds, by name. The upper app registers its tab here in its AppConfig.ready(), and
the lower page renders what is registered (`{% registered_tabs %}` in networks_tabs). Without
the upper app the page simply has fewer tabs.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise

NETWORK = "network"
DOCUMENT = "document"


@dataclass(frozen=True)
class Tab:
    key: str  # what the page passes as its current tab
    label: str | Promise  # translated when rendered
    url_name: str  # reversed with the object's pk
    order: int  # the place among the registered tabs of the page


_tabs: dict[str, dict[str, Tab]] = {NETWORK: {}, DOCUMENT: {}}


def register(page: str, tab: Tab) -> None:
    """Called by the app that owns the tab's page, when Django starts (idempotent)."""
    _tabs[page][tab.key] = tab


def tabs_of(page: str) -> list[Tab]:
    return sorted(_tabs[page].values(), key=lambda tab: tab.order)
