"""What a writer sees: the conflict page, in-place editing, the Word download, LIX."""

import io

import docx
import lxml.html
import pytest
from django.urls import reverse

from documents import services
from documents.models import Section
from networks.models import Role
from tests.factories import DocumentFactory, MembershipFactory, SectionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(client):
    document = DocumentFactory(title="Regional strategi")
    writer = MembershipFactory(network=document.network, role=Role.WRITER).user
    section = SectionFactory(
        document=document, heading="Inledning", body="Alla föräldrar ska erbjudas stöd."
    )
    client.force_login(writer)
    return document, writer, section


def edit_url(document, section):
    return reverse("documents:section_edit", args=[document.pk, section.key])


def test_the_second_save_gets_a_conflict_page_with_both_texts_and_keeps_mine(client, setup):
    document, _writer, section = setup
    other = MembershipFactory(network=document.network, role=Role.WRITER).user
    services.save_section(
        document,
        key=section.key,
        by_user=other,
        heading="Inledning",
        body="Alla föräldrar ska erbjudas stöd under barnets hela uppväxt.",
        base_revision=1,
    )
    response = client.post(
        edit_url(document, section),
        {
            "heading": "Inledning",
            "body": "Alla föräldrar i länet ska erbjudas stöd.",
            "revision": 1,
        },
    )
    assert response.status_code == 409
    text = response.content.decode()
    assert "under barnets hela uppväxt" in text  # the current text
    assert text.count("Alla föräldrar i länet ska erbjudas stöd.") >= 2  # mine, shown and kept
    assert "<ins>" in text
    assert "<del>" in text
    assert 'name="revision" value="2"' in text  # merging and saving again is possible
    assert Section.objects.get(pk=section.pk).body.endswith("hela uppväxt.")
    again = client.post(
        edit_url(document, section),
        {"heading": "Inledning", "body": "Sammanslagen text.", "revision": 2},
    )
    assert again.status_code == 302
    assert Section.objects.get(pk=section.pk).body == "Sammanslagen text."


def test_editing_in_place_returns_the_section_rendered(client, setup):
    document, _writer, section = setup
    form = client.get(edit_url(document, section), HTTP_HX_REQUEST="true")
    assert form.status_code == 200
    assert "<form" in form.content.decode()
    assert "<html" not in form.content.decode()
    saved = client.post(
        edit_url(document, section),
        {"heading": "Inledning", "body": "Text med **fetstil**.", "revision": 1},
        HTTP_HX_REQUEST="true",
    )
    assert saved.status_code == 200
    assert "<strong>fetstil</strong>" in saved.content.decode()
    assert f'id="section-{section.key}"' in saved.content.decode()


def test_a_conflict_in_place_is_swapped_in_with_the_message(client, setup):
    document, writer, section = setup
    services.save_section(
        document,
        key=section.key,
        by_user=writer,
        heading="Inledning",
        body="Ny.",
        base_revision=1,
    )
    response = client.post(
        edit_url(document, section),
        {"heading": "Inledning", "body": "Min.", "revision": 1},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 409
    assert 'role="alert"' in response.content.decode()


def test_an_empty_heading_keeps_the_text_and_says_why(client, setup):
    document, _writer, section = setup
    response = client.post(
        edit_url(document, section), {"heading": "", "body": "Min långa text.", "revision": 1}
    )
    assert response.status_code == 400
    assert "Min långa text." in response.content.decode()


def test_raw_html_in_a_section_is_shown_as_text_not_run(client, setup):
    document, writer, section = setup
    services.save_section(
        document,
        key=section.key,
        by_user=writer,
        heading="Inledning",
        body="<script>alert(1)</script> [länk](javascript:alert(1))",
        base_revision=1,
    )
    page = client.get(document.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in page
    assert 'href="javascript' not in page.lower()  # left as plain text, never a link


def test_the_page_shows_lix_per_section_and_for_the_whole(client, setup):
    document, *_ = setup
    page = client.get(document.get_absolute_url()).content.decode()
    assert page.count(">LIX</abbr>") >= 2
    assert "lix--" not in page  # information, not a grade in red or green


@pytest.mark.parametrize("role", [Role.MEMBER, Role.OBSERVER])
def test_readers_and_commenters_are_not_shown_lix(client, setup, role):
    document, writer, _section = setup
    services.publish_version(document, by_user=writer, label="Remissversion", change_summary="")
    reader = MembershipFactory(network=document.network, role=role).user
    client.force_login(reader)
    for url in [
        document.get_absolute_url(),
        reverse("documents:version", args=[document.pk, 1]),
    ]:
        page = client.get(url).content.decode()
        assert "Inledning" in page
        # The visible label, not the letters (a random CSRF token may hold "LIX").
        assert ">LIX</abbr>" not in page
        assert 'class="lix"' not in page
        assert "Läsbarhet" not in page


def test_a_writer_sees_lix_on_a_version_too(client, setup):
    document, writer, _section = setup
    services.publish_version(document, by_user=writer, label="Remissversion", change_summary="")
    page = client.get(reverse("documents:version", args=[document.pk, 1])).content.decode()
    assert page.count(">LIX</abbr>") >= 2


def test_a_version_downloads_as_word_with_a_title_page(client, setup):
    document, writer, _section = setup
    version = services.publish_version(
        document, by_user=writer, label="Remissversion augusti 2022", change_summary=""
    )
    response = client.get(reverse("documents:export", args=[document.pk, 1]))
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('-v1.docx"')
    word = docx.Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in word.paragraphs)
    assert "Regional strategi" in text
    assert "Remissversion augusti 2022" in text
    assert " ".join(version.content_hash[i : i + 4] for i in range(0, 16, 4)) in text
    assert any(p.style.name == "Heading 1" and p.text == "Inledning" for p in word.paragraphs)


def accessible_name(element) -> str:
    """The name a browser gives a link or button: aria-label if there is one, else its text.

    Chromium computes the text of a `.visually-hidden` child (position: absolute, so laid out as
    a block) with spaces around it: "Redigera<span …>: Mål</span>" is read "Redigera : Mål".
    """
    label = element.get("aria-label")
    if label is not None:
        return " ".join(label.split())
    parts = [element.text or ""]
    for child in element:
        if "visually-hidden" in (child.get("class") or "").split():
            parts.append(f" {child.text_content()} ")
        else:
            parts.append(child.text_content())
        parts.append(child.tail or "")
    return " ".join("".join(parts).split())


def test_the_section_buttons_are_named_by_verb_and_heading_without_a_stray_space(client, setup):
    document, _writer, _section = setup
    SectionFactory(document=document, heading="Målgrupp", body="Alla föräldrar.")
    page = lxml.html.fromstring(client.get(document.get_absolute_url()).content)

    names = [
        accessible_name(element)
        for element in page.xpath(
            "//*[contains(@class, 'doc-section__tools')]//*[self::a or self::button]"
        )
    ]

    assert "Redigera: Målgrupp" in names
    assert "Flytta upp: Målgrupp" in names
    assert "Ändringshistorik: Målgrupp" in names
    assert "Ta bort: Målgrupp" in names
    assert "Flytta ned: Inledning" in names
    assert not [name for name in names if " :" in name], names
