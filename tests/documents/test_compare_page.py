"""The comparison page shows the text as it reads (lists, tables, bold), with the changes marked,
inline or side by side; links switch between the two without JavaScript."""

import pytest
from django.urls import reverse

from documents import services
from networks.models import Role
from tests.factories import DocumentFactory, MembershipFactory, SectionFactory, UserFactory

pytestmark = pytest.mark.django_db

BODY = (
    "Målen är att:\n\n"
    "- barn ska få **tidigt** stöd\n"
    "- föräldrar ska nås\n\n"
    "| Målområde | Ansvar |\n|---|---|\n| 1 | Kommunerna |\n| 2 | Regionen |"
)
REVISED = (
    "Målen är att:\n\n"
    "- barn ska få **tidigt** stöd\n"
    "- alla föräldrar ska nås\n\n"
    "| Målområde | Ansvar |\n|---|---|\n| 1 | Kommunerna |\n| 2 | Regionen och kommunerna |\n"
    "| 3 | Länsstyrelsen |"
)


@pytest.fixture
def document():
    document = DocumentFactory()
    writer = MembershipFactory(network=document.network, role=Role.WRITER).user
    section = SectionFactory(document=document, position=1, heading="Mål", body=BODY)
    SectionFactory(document=document, position=2, heading="Uppföljning", body="Varje år.")
    services.publish_version(document, by_user=writer, label="Remiss", change_summary="")
    services.save_section(
        document,
        key=section.key,
        by_user=writer,
        heading=section.heading,
        body=REVISED,
        base_revision=section.revision,
    )
    services.publish_version(document, by_user=writer, label="Beslut", change_summary="")
    document.writer = writer
    return document


def url(document, **params):
    query = "&".join(f"{k}={v}" for k, v in {"from": 1, "to": 2, **params}.items())
    return reverse("documents:compare", args=[document.pk]) + "?" + query


def test_the_inline_view_shows_lists_and_tables_formatted_with_the_changes_marked(client, document):
    client.force_login(document.writer)

    response = client.get(url(document))

    page = response.content.decode()
    assert response.status_code == 200
    # No Markdown source: a list, a table, bold text.
    assert "- barn" not in page
    assert "| Målområde" not in page
    assert "**tidigt**" not in page
    assert "<li>barn ska få <strong>tidigt</strong> stöd</li>" in page
    assert '<li class="diff-b diff-b--changed"><ins>' in page
    assert 'class="diff-cell diff-cell--changed">Regionen<ins>' in page
    assert '<tr class="diff-row diff-row--inserted">' in page
    # Screen readers hear what changed (Swedish by default).
    assert '<ins><span class="visually-hidden">tillagt: </span>' in page
    assert 'role="region" aria-label="Tabell: Målområde, Ansvar" tabindex="0"' in page
    # The view links: inline is the current one, side by side keeps the two versions.
    assert 'href="?from=1&amp;to=2&amp;visning=inline" aria-current="page"' in page
    assert 'href="?from=1&amp;to=2&amp;visning=sida-vid-sida">' in page
    assert "diff-columns" not in page
    # The unchanged section is folded, rendered too.
    assert "<p>Varje år.</p>" in page


def test_the_side_by_side_view_shows_each_version_with_its_own_changes(client, document):
    client.force_login(document.writer)

    response = client.get(url(document, visning="sida-vid-sida"))

    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('class="diff-columns"') == 1  # the changed section; the other is folded
    old_column = page[page.index("diff-column--old") : page.index("diff-column--new")]
    new_column = page[page.index("diff-column--new") :]
    assert "Version 1 (Remiss)" in old_column
    assert "Version 2 (Beslut)" in new_column
    assert "<ins>" not in old_column
    assert "Länsstyrelsen" not in old_column
    assert "<ins>" in new_column
    assert "Länsstyrelsen" in new_column
    assert 'href="?from=1&amp;to=2&amp;visning=sida-vid-sida" aria-current="page"' in page
    # Comparing other versions keeps the view.
    assert '<input type="hidden" name="visning" value="sida-vid-sida">' in page


def test_an_outsider_gets_404_in_both_views(client, document):
    client.force_login(UserFactory())

    for params in ({}, {"visning": "sida-vid-sida"}):
        assert client.get(url(document, **params)).status_code == 404


def test_an_unknown_view_is_the_inline_view(client, document):
    client.force_login(document.writer)

    page = client.get(url(document, visning="<b>")).content.decode()

    assert 'visning=inline" aria-current="page"' in page
    assert "diff-columns" not in page
