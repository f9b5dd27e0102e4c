"""What happened to my comments: the answer with its rationale, the replies, "genomförd i
version N" once the version that carries an applied proposal is published, and the passage or
section as it reads in the latest published version."""

import csv
import io
import re

import pytest
from django.urls import reverse

from consultations import anchoring
from consultations.models import Disposition
from consultations.services import comments, dispositions
from consultations.services import rounds as round_services
from tests.consultations.page_forms import fill, form_posting_to, form_with

pytestmark = pytest.mark.django_db

PROPOSED = "barnets första arton levnadsår"


def card(page: str, comment) -> str:
    """The part of the page about one comment."""
    match = re.search(
        rf'<li class="card stack" id="my-comment-{comment.pk}">(.*?)\n    </li>', page, re.S
    )
    assert match, f"comment {comment.pk} is not on the page"
    return re.sub(r"\s+", " ", match[1])


@pytest.fixture
def answered(open_world, client):
    """A member's change proposal with a reply, applied by the writing group on the round page;
    a section comment answered 'noted'; a comment on the whole document."""
    w, people = open_world, open_world["people"]
    section = w["section"]
    proposal = comments.add_comment(
        w["round"],
        by_user=people["member"],
        kind="proposal",
        body="Skriv ut åldrarna.",
        section_key=section.key,
        quote=anchoring.Anchor("barnets hela uppväxt"),
        proposed_text=PROPOSED,
    )
    comments.add_comment(
        w["round"], by_user=people["expert"], body="Instämmer, 0–18 år.", parent=proposal
    )
    goals = w["document"].sections.get(heading="Mål")
    on_goals = comments.add_comment(
        w["round"], by_user=people["member"], body="Fler mål?", section_key=goals.key
    )
    overall = comments.add_comment(w["round"], by_user=people["member"], body="Bra helhet.")
    round_services.close_round(w["round"], by_user=people["chair"])
    dispositions.record_disposition(
        on_goals, by_user=people["writer"], outcome="noted", rationale="Tas upp nästa år."
    )

    client.force_login(people["writer"])
    page = client.get(w["round"].get_absolute_url()).content.decode()
    action = reverse("consultations:disposition", args=[w["round"].pk, proposal.pk])
    form = form_posting_to(page, action)
    done = client.post(action, fill(form, {"rationale": "Tydligare så."}, press=("apply", "1")))
    assert done.status_code == 302
    return {"proposal": proposal, "on_goals": on_goals, "overall": overall, "goals": goals}


def publish(client, world, label="Reviderad"):
    client.force_login(world["people"]["writer"])
    url = reverse("documents:publish", args=[world["document"].pk])
    form = form_with(client.get(url).content.decode(), "label")
    assert client.post(url, fill(form, {"label": label})).status_code == 302
    return world["document"].versions.order_by("-number").first()


def test_an_applied_proposal_says_in_which_version_and_how_the_passage_reads_now(
    open_world, answered, client
):
    proposal = answered["proposal"]
    client.force_login(open_world["people"]["member"])
    before = card(client.get(reverse("consultations:my_comments")).content.decode(), proposal)
    assert "genomförd i version" not in before  # not yet: no version carries it
    assert "finns i arbetsutkastet" in before

    version = publish(client, open_world)
    assert version.number == 2
    assert Disposition.objects.get(comment=proposal).applied_in == version

    client.force_login(open_world["people"]["member"])
    page = client.get(reverse("consultations:my_comments")).content.decode()
    mine = card(page, proposal)
    assert "Tydligare så." in mine  # the writing group's rationale
    assert "genomförd i version 2" in mine
    assert "Instämmer, 0–18 år." in mine  # the reply in its thread
    assert open_world["people"]["expert"].get_full_name() in mine
    assert "i den senaste versionen, 2 (Reviderad)" in mine
    now = re.search(r"<dt>Nu</dt><dd>(.*?)</dd>", mine)
    assert now
    assert PROPOSED in now[1]  # the passage as it reads in version 2


def test_answered_section_and_document_comments_show_the_latest_version(
    open_world, answered, client
):
    from documents import services as document_services

    draft = open_world["document"].sections.get(pk=answered["goals"].pk)
    document_services.save_section(
        open_world["document"],
        key=draft.key,
        by_user=open_world["people"]["writer"],
        heading=draft.heading,
        body="Fyra målområden, med ett nytt om digitalt stöd.",
        base_revision=draft.revision,
    )
    publish(client, open_world)
    client.force_login(open_world["people"]["member"])
    page = client.get(reverse("consultations:my_comments")).content.decode()

    goals = card(page, answered["on_goals"])
    assert "Tas upp nästa år." in goals
    assert "Noteras" in goals
    assert "Texten har ändrats" in goals
    assert "Fyra målområden, med ett nytt om digitalt stöd." in goals  # the section now
    overall = card(page, answered["overall"])
    assert "Den senaste versionen är 2 (Reviderad)." in overall


def test_before_a_new_version_the_page_says_the_text_is_unchanged(open_world, answered, client):
    client.force_login(open_world["people"]["member"])
    page = client.get(reverse("consultations:my_comments")).content.decode()
    assert "är fortfarande den senaste" in card(page, answered["overall"])


def test_the_report_csv_gives_the_version_that_applied_the_proposal(open_world, answered, client):
    publish(client, open_world)
    client.force_login(open_world["people"]["chair"])
    url = reverse("consultations:report_file", args=[open_world["round"].pk, "csv"])
    rows = list(csv.reader(io.StringIO(client.get(url).content.decode("utf-8-sig")), delimiter=";"))
    proposal_row = next(row for row in rows if "Skriv ut åldrarna." in row)
    assert proposal_row[-1] == "2"


def test_a_later_version_does_not_take_the_applied_proposal_over(open_world, answered, client):
    """Publishing fills only what the draft carried at that moment."""
    publish(client, open_world)
    publish_again = open_world["document"].sections.get(pk=open_world["section"].pk)
    from documents import services as document_services

    document_services.save_section(
        open_world["document"],
        key=publish_again.key,
        by_user=open_world["people"]["writer"],
        heading=publish_again.heading,
        body=publish_again.body + " Ny mening.",
        base_revision=publish_again.revision,
    )
    publish(client, open_world, label="Tredje")
    applied = Disposition.objects.get(comment=answered["proposal"])
    assert applied.applied_in.number == 2


def test_the_migration_fills_proposals_applied_before_it(open_world, answered, client):
    import importlib

    from django.apps import apps

    version = publish(client, open_world)
    Disposition.objects.update(applied_in=None, applied_to_draft=False)  # as before the fix
    migration = importlib.import_module(
        "consultations.migrations.0006_rounds_applied_in_published_versions"
    )
    migration.fill_applied_in(apps, None)
    applied = Disposition.objects.get(comment=answered["proposal"])
    assert (applied.applied_in, applied.applied_to_draft) == (version, True)
    noted = Disposition.objects.get(comment=answered["on_goals"])
    assert (noted.applied_in, noted.applied_to_draft) == (None, False)


def test_the_page_does_not_grow_with_the_comments(open_world, answered, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def more(count):
        goals = answered["goals"]
        for n in range(count):
            comment = comments.add_comment(
                open_world["round"],
                by_user=open_world["people"]["member"],
                body=f"Synpunkt {n}",
                section_key=[goals.key, open_world["section"].key, ""][n % 3],
                quote=anchoring.Anchor("Alla föräldrar") if n % 3 == 1 else None,
            )
            comments.add_comment(
                open_world["round"],
                by_user=open_world["people"]["expert"],
                body=f"Svar {n}",
                parent=comment,
            )

    def queries():
        client.force_login(open_world["people"]["member"])
        url = reverse("consultations:my_comments")
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    from consultations.models import ReviewRound

    ReviewRound.objects.filter(pk=open_world["round"].pk).update(status="open")
    more(3)
    publish(client, open_world)
    few = queries()
    more(30)
    assert queries() == few


def test_an_unchanged_passage_is_shown_with_the_words_around_it_now(open_world, client):
    w, people = open_world, open_world["people"]
    section = w["section"]
    comment = comments.add_comment(
        w["round"],
        by_user=people["member"],
        body="Vilka föräldrar?",
        section_key=section.key,
        quote=anchoring.Anchor("Alla föräldrar"),
    )
    from documents import services as document_services

    document_services.save_section(
        w["document"],
        key=section.key,
        by_user=people["writer"],
        heading=section.heading,
        body="Alla föräldrar i länet ska erbjudas stöd under barnets hela uppväxt.",
        base_revision=section.revision,
    )
    publish(client, w)
    client.force_login(people["member"])
    mine = card(client.get(reverse("consultations:my_comments")).content.decode(), comment)
    assert "Oförändrat" in mine
    assert "<mark>Alla föräldrar</mark> i länet ska erbjudas" in mine
