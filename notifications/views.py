"""The bell: the list of notifications, opening one, marking read, and the preferences."""

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from notifications import selectors, services
from notifications.kinds import Channel


@login_required
def notification_list(request):
    return render(
        request,
        "notifications/list.html",
        {"notifications": selectors.list_for_user(request.user)},
    )


@login_required
def open_notification(request, pk):
    """Follow a notification's link (from the list or an e-mail). A GET changes nothing (link
    checkers and prefetchers follow links too): the page it opens marks the notification read,
    by a POST from static/js/notifications.js, told which one by the `notification` parameter."""
    notification = selectors.get_for_user(request.user, pk)
    if notification is None:
        raise Http404
    target = notification.url or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    if notification.read_at is None:
        parts = urlsplit(target)
        query = urlencode([*parse_qsl(parts.query), ("notification", notification.pk)])
        target = urlunsplit(parts._replace(query=query))
    return redirect(target)


@login_required
@require_POST
def mark_read(request, pk=None):
    if pk is not None and selectors.get_for_user(request.user, pk) is None:
        raise Http404
    services.mark_read(request.user, None if pk is None else [pk])
    if "application/json" in request.headers.get("Accept", ""):
        # The opened page's script (static/js/notifications.js) updates its bell with this.
        return JsonResponse({"unread": selectors.unread_count(request.user)})
    if request.htmx:
        return render(
            request,
            "notifications/_list.html",
            {"notifications": selectors.list_for_user(request.user)},
        )
    return redirect("notifications:list")


@login_required
def recent(request):
    """What a page missed while its live connection was down (JSON for the bell's script)."""
    try:
        after = int(request.GET.get("after", "0"))
    except ValueError:
        after = 0
    items = selectors.list_for_user(request.user, after_id=after, limit=20)
    with translation.override(translation.get_language()):
        data = [
            {
                "id": n.pk,
                "text": n.message,
                "url": f"/notifications/{n.pk}/open/",
                "created": timezone.localtime(n.created_at).isoformat(),
                "read": n.read_at is not None,
            }
            for n in items
        ]
    return JsonResponse({"unread": selectors.unread_count(request.user), "items": data})


@login_required
def preferences(request):
    rows = selectors.preferences_for(request.user)
    if request.method == "POST":
        choices = {row["kind"]: request.POST.get(f"kind-{row['kind']}", "") for row in rows}
        unknown = [k for k, v in choices.items() if v not in Channel.values]
        if unknown:
            messages.error(request, _("Choose one of the ways for every kind of notification."))
            for row in rows:
                row["channel"] = choices[row["kind"]] or row["channel"]
            return render(
                request,
                "notifications/preferences.html",
                {"rows": rows, "channels": Channel.choices},
                status=400,
            )
        services.set_preferences(request.user, choices)
        messages.success(request, _("Your choices are saved."))
        return redirect("notifications:preferences")
    return render(
        request, "notifications/preferences.html", {"rows": rows, "channels": Channel.choices}
    )
