"""A document's timeline: the whole chain on one page, to read at a glance or to print."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from consultations.timeline import build_timeline, by_month
from documents import selectors as document_selectors
from networks import registry
from networks.permissions import Action


@login_required
def document_timeline(request, pk):
    # The document's readers see its timeline; anyone else gets the same 404 as for no document.
    document = document_selectors.get_document_for_user(request.user, pk)
    events = build_timeline(document)
    return render(
        request,
        "consultations/timeline.html",
        {
            "document": document,
            "network": document.network,
            "months": by_month(events),
            "event_count": len(events),
            "can_view_network": Action.VIEW_NETWORK
            in registry.actions(request.user, document.network),
            "now": timezone.now(),
        },
    )
