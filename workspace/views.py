from datetime import date

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import check_for_language
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from workspace.dashboard import Ask, my_work


@login_required
def home(request):
    """'Mitt arbete', everyone's start page: what waits for them, across their networks. Each
    group shows its first items; `?visa=<group>` all of that group (an unknown one: none)."""
    now = timezone.now()
    shown = request.GET.get("visa", "")
    show_all = Ask(shown) if shown in Ask.__members__.values() else None
    work = my_work(request.user, now=now, show_all=show_all)
    return render(
        request, "workspace/my_work.html", {"work": work, "now": now, "show_all": show_all}
    )


#: When the accessibility statement was last reviewed against the tests (change it with the text).
STATEMENT_REVIEWED = date(2026, 12, 4)


def accessibility(request):
    """The accessibility statement (tillgänglighetsredogörelse, DIGG's model): for everyone,
    logged in or not, guests too (consultations.middleware.GUEST_URLS)."""
    return render(
        request,
        "workspace/accessibility.html",
        {"reviewed": STATEMENT_REVIEWED, "contact": settings.ACCESSIBILITY_EMAIL},
    )


@require_POST
def set_language(request):
    """Django's language switch (cookie), and the person's own setting for e-mails and devices."""
    response = django_set_language(request)
    language = request.POST.get("language", "")
    user = request.user
    known = language in dict(settings.LANGUAGES) and check_for_language(language)
    if user.is_authenticated and known and user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return response
