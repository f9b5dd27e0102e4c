"""The report is the whole record of a round: every comment with who wrote it, for whom, what was
done with it and in which version, the same on the page, in Word and in the CSV, with the text as
it was typed (escaped, its lines kept). What it costs does not grow with the comments, and the
list of a document's rounds counts each round's threads and parties."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from consultations.models import Comment, Disposition
from tests.consultations.test_report_chain import csv_rows, docx_text
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def comment(world, body, **extra) -> Comment:
    return Comment.objects.create(
        round=world["round"],
        version=world["version"],
        body=body,
        author=world["people"]["member"],
        **extra,
    )


def pages(review_round) -> dict[str, str]:
    return {
        "page": reverse("consultations:report", args=[review_round.pk]),
        "csv": reverse("consultations:report_file", args=[review_round.pk, "csv"]),
        "docx": reverse("consultations:report_file", args=[review_round.pk, "docx"]),
    }


@pytest.fixture
def proposal(open_world):
    """A change proposal for Kumla on a passage, with markup and new lines in what was typed,
    partly accepted and applied in version 1; and a remark nobody has answered yet."""
    w = open_world
    made = comment(
        w,
        "Rad ett\r\nRad två <b>fet</b> & mer",
        section_key=w["section"].key,
        quote_exact="hela uppväxt",
        kind=Comment.Kind.PROPOSAL,
        proposed_text="hela <uppväxten>",
        on_behalf_of=w["kumla"],
    )
    Disposition.objects.create(
        comment=made,
        outcome=Disposition.Outcome.PARTLY_ACCEPTED,
        rationale="Delvis.\nSe målen.",
        decided_by=w["people"]["writer"],
        applied_in=w["version"],
    )
    comment(w, "Obesvarad synpunkt.")
    return w


def test_the_page_gives_each_comment_as_typed_and_what_was_done_with_it(client, proposal):
    client.force_login(proposal["people"]["chair"])
    html = client.get(pages(proposal["round"])["page"]).content.decode()
    assert "<q>hela uppväxt</q> Rad ett<br>Rad två &lt;b&gt;fet&lt;/b&gt; &amp; mer" in html
    assert '<span class="meta">Föreslagen text:</span> hela &lt;uppväxten&gt;' in html
    assert "<b>fet</b>" not in html
    assert "<uppväxten>" not in html
    member = proposal["people"]["member"].get_full_name()
    assert f'{member}<br><span class="meta">Kumla kommun</span>' in html
    assert 'Godtas delvis<br><span class="meta">i version 1</span>' in html
    assert "Delvis.<br>Se målen." in html
    assert '<span class="badge badge--warning">Inte bemött</span>' in html
    assert "1 av 2 synpunkter bemötta" in html


def test_the_files_give_each_comment_as_typed_and_what_was_done_with_it(client, proposal):
    client.force_login(proposal["people"]["chair"])
    member = proposal["people"]["member"].get_full_name()
    word = docx_text(client.get(pages(proposal["round"])["docx"]).content)
    # one line break for each one typed (a browser sends \r\n), as on the page
    assert (
        "”hela uppväxt”: Rad ett\nRad två <b>fet</b> & mer\nFörslag: hela <uppväxten>"
        f" | {member} (Kumla kommun) | Godtas delvis\nGenomförd i version 1 | Delvis.\nSe målen."
    ) in word
    assert f"Obesvarad synpunkt. | {member} | Inte bemött | " in word

    rows = csv_rows(client.get(pages(proposal["round"])["csv"]).content)
    header = rows[0]
    (row,) = [r for r in rows if "hela uppväxt" in r]
    assert dict(zip(header, row, strict=True)) == {
        "Avsnitt": "Inledning",
        "Textavsnitt": "hela uppväxt",
        "Typ": "Ändringsförslag",
        "Synpunkt": "Rad ett\r\nRad två <b>fet</b> & mer",
        "Föreslagen text": "hela <uppväxten>",
        "Vem": f"{member} (Kumla kommun)",
        "Utfall": "Godtas delvis",
        "Motivering": "Delvis.\nSe målen.",
        "Genomförd i version": "1",
    }


def test_a_word_report_downloaded_again_says_what_changed_since(client, proposal, settings):
    """The file is kept under the checksum of what it says (consultations.report.to_docx): an
    answer, or another language, is another file."""
    client.force_login(proposal["people"]["chair"])
    url = pages(proposal["round"])["docx"]
    assert "Obesvarad synpunkt. | " in docx_text(client.get(url).content)
    assert "Inte bemött" in docx_text(client.get(url).content)
    Disposition.objects.create(
        comment=Comment.objects.get(body="Obesvarad synpunkt."),
        outcome=Disposition.Outcome.NOTED,
        rationale="Noterat.",
        decided_by=proposal["people"]["writer"],
    )
    word = docx_text(client.get(url).content)
    assert "Inte bemött" not in word
    assert "Noteras | Noterat." in word
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "Comments and what was done with them" in docx_text(client.get(url).content)


def test_the_word_report_leaves_out_characters_word_cannot_hold(client, open_world):
    comment(open_world, "Före\x01\x0befter")
    client.force_login(open_world["people"]["chair"])
    reply = client.get(pages(open_world["round"])["docx"])
    assert reply.status_code == 200
    assert "Föreefter" in docx_text(reply.content)


def grow(world, count):
    """Comments for organisations, each answered and applied in a version."""
    for n in range(count):
        made = comment(
            world,
            f"Synpunkt {n}",
            section_key=world["section"].key if n % 2 else "",
            on_behalf_of=OrganisationFactory(),
        )
        Disposition.objects.create(
            comment=made,
            outcome=Disposition.Outcome.ACCEPTED,
            rationale="Ja.",
            decided_by=world["people"]["writer"],
            applied_in=world["version"],
        )


@pytest.mark.parametrize("form", ["page", "csv", "docx"])
def test_the_report_costs_the_same_with_2_or_60_comments(client, open_world, form):
    client.force_login(open_world["people"]["chair"])
    url = pages(open_world["round"])[form]

    def count():
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    grow(open_world, 2)
    few = count()
    grow(open_world, 58)
    assert count() == few


def test_the_list_of_rounds_counts_threads_not_replies_and_every_party(client, open_world):
    first = comment(open_world, "Första.")
    comment(open_world, "Andra.")
    comment(open_world, "Svar.", parent=first)
    client.force_login(open_world["people"]["member"])
    html = client.get(
        reverse("consultations:document_rounds", args=[open_world["document"].pk])
    ).content.decode()
    assert "2 synpunkter" in html
    assert "3 remissinstanser" in html  # the manager group, Kumla and the expert
