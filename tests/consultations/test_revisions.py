"""Publishing version 2 carries every open comment to it, and each person sees what happened."""

import pytest
from django.urls import reverse

from consultations import anchoring
from consultations.models import CarriedComment
from consultations.services import comments, dispositions
from consultations.services import rounds as round_services
from documents import services as document_services
from notifications.kinds import Kind
from notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_open_comments_are_carried_to_the_next_version(open_world, client):
    w, people = open_world, open_world["people"]
    section = w["section"]
    unchanged = comments.add_comment(
        w["round"],
        by_user=people["expert"],
        body="Bra formulering",
        section_key=section.key,
        quote=anchoring.Anchor("Alla föräldrar"),
    )
    changed = comments.add_comment(
        w["round"],
        by_user=people["member"],
        body="Otydligt",
        section_key=section.key,
        quote=anchoring.Anchor("barnets hela uppväxt"),
    )
    gone_section = w["document"].sections.get(heading="Mål")
    orphan = comments.add_comment(
        w["round"],
        by_user=people["manager"],
        body="Fler mål?",
        section_key=gone_section.key,
    )
    answered = comments.add_comment(w["round"], by_user=people["member"], body="Helheten")
    round_services.close_round(w["round"], by_user=people["chair"])
    dispositions.record_disposition(
        answered, by_user=people["writer"], outcome="noted", rationale="Ok"
    )

    document_services.save_section(
        w["document"],
        key=section.key,
        by_user=people["writer"],
        heading=section.heading,
        body="Alla föräldrar ska erbjudas stöd från graviditet till barnets artonde år.",
        base_revision=section.revision,
    )
    document_services.delete_section(gone_section, by_user=people["writer"])
    version = document_services.publish_version(
        w["document"], by_user=people["writer"], label="Reviderad", change_summary=""
    )

    states = {c.comment_id: c for c in CarriedComment.objects.filter(version=version)}
    assert states[unchanged.pk].state == "anchored"
    assert states[changed.pk].state == "text_changed"
    assert "barnets hela uppväxt" in states[changed.pk].old_wording
    assert "artonde" in states[changed.pk].new_wording
    assert states[orphan.pk].state == "orphaned"
    assert answered.pk not in states  # answered comments are done

    told = Notification.objects.filter(
        kind=Kind.VERSION_PUBLISHED, key=f"version:{version.pk}:published"
    )
    recipients = list(told.values_list("recipient", flat=True))
    assert people["expert"].pk in recipients
    assert people["manager"].pk in recipients
    assert len(recipients) == len(set(recipients))  # once each, commenters who are members too

    client.force_login(people["member"])
    page = client.get(reverse("consultations:my_comments")).content.decode()
    assert "Otydligt" in page
    assert "artonde" in page
