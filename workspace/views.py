from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils.translation import check_for_language
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language


@login_required
def home(request):
    return redirect("networks:list")


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
