"""The round page costs the same, at most 15 queries, with 5 or 500 comments (threads, replies,
dispositions), and so does one section's every thread (its fragment)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from consultations.models import Comment, Disposition
from consultations.services import rounds as round_services

pytestmark = pytest.mark.django_db


def grow(world, count):
    """Comments straight in the database (the services are tested elsewhere): threads with
    replies, on sections and the whole document, and dispositions on half of them."""
    people = world["people"]
    review_round = world["round"]
    authors = [people["member"], people["manager"], people["expert"], people["drafter"]]
    keys = ["", world["section"].key]
    parents = []
    for n in range(count):
        parent = parents[n % len(parents)] if parents and n % 3 == 0 else None
        comment = Comment.objects.create(
            round=review_round,
            version=world["version"],
            section_key=parent.section_key if parent else keys[n % 2],
            body=f"Synpunkt {n}",
            author=authors[n % len(authors)],
            parent=parent,
        )
        if parent is None:
            parents.append(comment)
    for comment in parents[::2]:
        Disposition.objects.create(
            comment=comment, outcome="accepted", rationale="Ja", decided_by=people["writer"]
        )


def count(client, url):
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("who", ["writer", "expert"])
def test_the_round_page_does_not_grow_with_the_comments(client, open_world, who):
    round_services.close_round(open_world["round"], by_user=open_world["people"]["chair"])
    client.force_login(open_world["people"][who])
    url = open_world["round"].get_absolute_url()
    grow(open_world, 5)
    key = open_world["section"].key
    fragment = reverse("consultations:section_threads", args=[open_world["round"].pk, key])
    few = count(client, url), count(client, f"{url}?avsnitt={key}"), count(client, fragment)
    grow(open_world, 495)
    many = count(client, url), count(client, f"{url}?avsnitt={key}"), count(client, fragment)
    assert few == many
    assert max(many) <= 15


@pytest.mark.parametrize("name", ["report", "document_rounds"])
def test_the_report_and_the_round_list_do_not_grow(client, open_world, name):
    from django.urls import reverse

    client.force_login(open_world["people"]["chair"])
    url = (
        reverse("consultations:report", args=[open_world["round"].pk])
        if name == "report"
        else reverse("consultations:document_rounds", args=[open_world["document"].pk])
    )
    grow(open_world, 5)
    few = count(client, url)
    grow(open_world, 200)
    assert count(client, url) == few


@pytest.mark.parametrize("name", ["my_comments", "events", "respond", "thread"])
def test_the_other_round_pages_do_not_grow(client, open_world, name):
    from django.urls import reverse

    review_round = open_world["round"]
    kumla = review_round.consultees.get(organisation=open_world["kumla"])
    client.force_login(
        open_world["people"]["member"] if name != "respond" else open_world["people"]["drafter"]
    )
    from consultations import live

    grow(open_world, 5)
    first = review_round.comments.filter(parent__isnull=True).first()
    live.record(review_round.pk, "comment", first.pk)  # a page that has something to catch up
    urls = {
        "my_comments": reverse("consultations:my_comments"),
        "events": reverse("consultations:events", args=[review_round.pk]) + "?after=0",
        "respond": reverse("consultations:respond", args=[review_round.pk, kumla.pk]),
        "thread": reverse("consultations:thread", args=[review_round.pk, first.pk]),
    }
    few = count(client, urls[name])
    grow(open_world, 200)
    for comment in review_round.comments.filter(parent__isnull=True)[:20]:
        live.record(review_round.pk, "comment", comment.pk)
    assert count(client, urls[name]) == few
