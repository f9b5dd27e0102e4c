"""Background work of the networks app. Tasks take ids and re-read."""

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from networks.models import Invitation


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=8)
def send_invitation_email(invitation_id: int) -> bool:
    """E-mail the invitation link, in the language of the person who sent it."""
    invitation = (
        Invitation.objects.select_related("network", "invited_by", "organisation")
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None or not invitation.is_pending:
        return False
    language = invitation.invited_by.language if invitation.invited_by else settings.LANGUAGE_CODE
    with translation.override(language):
        context = {
            "invitation": invitation,
            "link": settings.SITE_URL + invitation.get_absolute_url(),
            "site_url": settings.SITE_URL,
        }
        subject = render_to_string("networks/email/invitation_subject.txt", context).strip()
        body = render_to_string("networks/email/invitation.txt", context)
        html = render_to_string("networks/email/invitation.html", context)
    message = EmailMultiAlternatives(subject, body, to=[invitation.email])
    message.attach_alternative(html, "text/html")
    message.send()
    return True
