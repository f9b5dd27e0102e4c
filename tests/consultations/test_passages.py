"""Commenting on a passage (issue 14): every paragraph, list item and table row of a round's text
offers "Kommentera stycket", a link that quotes it in the section's comment form, also without
JavaScript; passages that comments quote say how many, linked to the first thread."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from consultations import anchoring, passages
from consultations.models import Comment
from consultations.services import rounds as round_services
from documents import services as document_services
from documents.markdown import render_markdown
from tests.factories import DocumentFactory, SectionFactory
from tests.forms import (
    browser_client,
    follow_link,
    forms_on,
    page_text,
    parse,
    submit_form,
    submits,
)

pytestmark = pytest.mark.django_db

BODY = """Stödet ska nå alla föräldrar.

Familjecentralerna samordnar arbetet.

- Kommunerna erbjuder kurser.
- Regionen följer upp.
  - Varje år.

| Aktör | Ansvar |
|---|---|
| Region | Uppföljning |
| Kommun | Kurser |
"""
SECOND = "Kommunerna erbjuder kurser."  # the third passage: the first list item


@pytest.fixture
def rich(world):
    """An open round on a document whose one section has paragraphs, a list and a table."""
    people = world["people"]
    document = DocumentFactory(network=world["group"], title="Handlingsplan")
    section = SectionFactory(document=document, heading="Genomförande", position=1, body=BODY)
    version = document_services.publish_version(
        document, by_user=people["chair"], label="Remissversion", change_summary=""
    )
    review_round = round_services.create_round(
        document,
        by_user=people["chair"],
        version=version,
        title="Remiss om handlingsplanen",
        questions=[],
        closes_at=timezone.now() + timedelta(days=10),
    )
    round_services.add_consultees(
        review_round, by_user=people["chair"], networks=[world["managers"]]
    )
    round_services.open_round(review_round, by_user=people["chair"])
    review_round.refresh_from_db()
    return {**world, "round": review_round, "section": section, "version": version}


# -- the passages of a text ----------------------------------------------------------------------


def test_paragraphs_list_items_and_body_rows_are_the_passages():
    html = str(render_markdown(BODY))
    found = [p.text for p in passages.passages(html)]
    assert found == [
        "Stödet ska nå alla föräldrar.",
        "Familjecentralerna samordnar arbetet.",
        "Kommunerna erbjuder kurser.",
        "Regionen följer upp.",  # its own text; the nested item is a passage of its own
        "Varje år.",
        "Region Uppföljning",
        "Kommun Kurser",
    ]


def test_a_passage_is_quoted_with_its_context_and_found_in_the_source():
    html = str(render_markdown(BODY))
    anchor = passages.anchor_of(html, 3)
    assert anchor is not None
    assert anchor.exact == SECOND
    assert anchor.prefix.endswith("samordnar arbetet. ")
    assert anchoring.quote_is_in(anchor, anchoring.plain(BODY))
    assert passages.anchor_of(html, 99) is None


def test_quotes_are_counted_on_the_passage_they_start_in():
    html = str(render_markdown(BODY))
    found = passages.passages(html)
    counted = passages.quoted_counts(
        html,
        found,
        [
            (1, anchoring.Anchor("erbjuder")),
            (2, anchoring.Anchor(SECOND)),
            (3, anchoring.Anchor("x")),
        ],
    )
    assert counted == {3: [1, 2]}


# -- the round page ------------------------------------------------------------------------------


def by_id(html, element_id):
    return next(n for n in parse(html).walk() if n.attrs.get("id") == element_id)


def passage_links(page):
    return [
        n
        for n in parse(page.content.decode()).walk()
        if n.tag == "a" and "passage__comment" in n.attrs.get("class", "")
    ]


def test_every_passage_offers_a_link_to_comment_on_it(rich):
    client = browser_client(rich["people"]["manager"])
    page = client.get(rich["round"].get_absolute_url())

    links = passage_links(page)
    assert len(links) == 7
    assert {link.text(visible=True) for link in links} == {"Kommentera stycket"}
    assert links[2].text() == "Kommentera stycket 3 i Genomförande"
    key = rich["section"].key
    assert links[2].attrs["href"].endswith(f"?stycke={key}:3#comment-form")
    # One comment form on the page, not one per passage or section.
    assert len([f for f in forms_on(page) if "Skicka synpunkt" in f.button_texts()]) == 1


@submits("consultations:comment_add")
def test_without_javascript_the_link_quotes_the_passage_and_the_comment_keeps_it(rich):
    client = browser_client(rich["people"]["manager"])
    page = client.get(rich["round"].get_absolute_url())

    quoted = follow_link(client, page, "Kommentera stycket 3 i Genomförande")

    html = quoted.content.decode()
    key = rich["section"].key
    form = by_id(html, "comment-form")
    assert any(a.attrs.get("id") == f"section-{key}" for a in form.ancestors())
    assert "open" in form.attrs
    assert SECOND in form.text()  # the quote, shown above the comment field
    assert "autofocus" in by_id(html, "body-comment").attrs
    response = submit_form(
        client,
        quoted,
        button="Skicka synpunkt",
        inside=f"section-{key}",
        fields={"Din synpunkt": "Kurserna bör vara gratis."},
    )

    assert "Din synpunkt är sparad." in page_text(response)
    comment = Comment.objects.get(body="Kurserna bör vara gratis.")
    assert (comment.quote_exact, comment.kind, comment.proposed_text) == (SECOND, "remark", "")
    assert comment.quote_prefix.endswith("samordnar arbetet.")
    # The passage now says that a comment quotes it, and links to the thread.
    counts = [
        n
        for n in parse(response.content.decode()).walk()
        if n.tag == "a" and "passage__count" in n.attrs.get("class", "")
    ]
    assert [(c.text(), c.attrs["href"]) for c in counts] == [
        ("1 synpunkt", f"/rounds/{rich['round'].pk}/?avsnitt={key}#thread-{comment.pk}")
    ]


@submits("consultations:comment_add")
def test_changing_the_quoted_text_makes_the_comment_a_change_proposal(rich):
    client = browser_client(rich["people"]["manager"])
    page = client.get(rich["round"].get_absolute_url())
    quoted = follow_link(client, page, "Kommentera stycket 3 i Genomförande")
    key = rich["section"].key
    proposal = by_id(quoted.content.decode(), "proposal-comment")
    assert proposal.text() == SECOND  # the proposed text starts as the quote

    submit_form(
        client,
        quoted,
        button="Skicka synpunkt",
        inside=f"section-{key}",
        fields={
            "Din synpunkt": "Kurserna bör vara gratis.",
            "Föreslagen text (för ett ändringsförslag)": "Kommunerna erbjuder kostnadsfria kurser.",
        },
    )

    comment = Comment.objects.get(body="Kurserna bör vara gratis.")
    assert comment.kind == "proposal"
    assert comment.proposed_text == "Kommunerna erbjuder kostnadsfria kurser."
    assert comment.quote_exact == SECOND


def test_a_link_to_a_passage_that_is_not_there_opens_the_page_as_usual(rich):
    client = browser_client(rich["people"]["manager"])
    url = rich["round"].get_absolute_url()
    for query in ("?stycke=nope:1", f"?stycke={rich['section'].key}:99", "?stycke=x"):
        page = client.get(url + query)
        assert page.status_code == 200
        assert "autofocus" not in page.content.decode()


def test_those_who_may_not_comment_see_the_counts_but_no_links(rich):
    member = rich["people"]["manager"]
    round_ = rich["round"]
    section = rich["section"]
    from consultations.services import comments as comment_services

    comment_services.add_comment(
        round_,
        by_user=member,
        body="Bra.",
        section_key=section.key,
        quote=anchoring.Anchor("Region Uppföljning"),
    )
    observer = browser_client(rich["people"]["observer"])
    page = observer.get(round_.get_absolute_url())
    assert not passage_links(page)
    assert "1 synpunkt" in page_text(page)


def test_a_closed_round_says_there_are_no_comments_on_the_whole_document(rich):
    round_services.close_round(rich["round"], by_user=rich["people"]["chair"])
    client = browser_client(rich["people"]["manager"])
    page = client.get(rich["round"].get_absolute_url())
    assert "Inga synpunkter på hela dokumentet." in page_text(page)
    assert not passage_links(page)


def _queries(client, url, cold=False):
    client.get(url)
    if cold:
        cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def _quoting(rich, count):
    texts = [p.text for p in passages.passages(str(render_markdown(BODY)))]
    for n in range(count):
        Comment.objects.create(
            round=rich["round"],
            version=rich["version"],
            section_key=rich["section"].key,
            quote_exact=texts[n % len(texts)],
            body=f"Synpunkt {n}",
            author=rich["people"]["manager"],
        )


def test_the_marks_and_the_quoted_link_do_not_grow_the_queries(client, rich):
    client.force_login(rich["people"]["manager"])
    url = rich["round"].get_absolute_url()
    quoted = f"{url}?stycke={rich['section'].key}:3"
    _quoting(rich, 5)
    few = _queries(client, url, cold=True), _queries(client, url), _queries(client, quoted)
    _quoting(rich, 300)
    many = _queries(client, url, cold=True), _queries(client, url), _queries(client, quoted)
    assert few == many
    assert many[2] == many[1] + 1  # the quoted section's text
    page = client.get(url)
    assert "44 synpunkter" in page_text(page)  # 305 comments on 7 passages: 44 on the first


@submits("consultations:comment_add")
def test_a_comment_of_only_spaces_comes_back_on_the_round_page_and_is_sent_from_there(rich):
    """No page apart: the round page itself (400, "Fel: " in the title, the summary linked to
    the field), the quoted passage kept; the comment is then written and sent from there."""
    client = browser_client(rich["people"]["manager"])
    page = client.get(rich["round"].get_absolute_url())
    quoted = follow_link(client, page, "Kommentera stycket 3 i Genomförande")
    key = rich["section"].key
    # Only spaces: the browser sends it (the field is not empty), the form refuses it.
    refused = submit_form(
        client,
        quoted,
        button="Skicka synpunkt",
        inside=f"section-{key}",
        fields={"Din synpunkt": "   "},
    )

    assert refused.status_code == 400
    html = refused.content.decode()
    sent_back = by_id(html, "comment-sent-back")
    assert SECOND in sent_back.text()  # the quoted passage is kept
    assert not Comment.objects.exists()
    response = submit_form(
        client,
        refused,
        button="Skicka synpunkt",
        inside="comment-sent-back",
        fields={"Din synpunkt": "Kurserna bör vara gratis."},
    )
    assert "Din synpunkt är sparad." in page_text(response)
    comment = Comment.objects.get(body="Kurserna bör vara gratis.")
    assert (comment.section_key, comment.quote_exact) == (key, SECOND)
